// labs/03_autograd/reference.cpp — the reference implementation of phase 03:
// every function of lab.h answered by gradlab's own autograd (adapter.h).
#include "labs/03_autograd/adapter.h"
#include "labs/03_autograd/lab.h"

namespace lab03 {

std::pair<Array, Array> mul_backward(const Array& a, const Array& b, const Array& grad_out) {
  return adapter::mul_backward(a, b, grad_out);
}

std::pair<Array, Array> div_backward(const Array& a, const Array& b, const Array& grad_out) {
  return adapter::div_backward(a, b, grad_out);
}

Array exp_backward(const Array& a, const Array& out, const Array& grad_out) {
  return adapter::exp_backward(a, out, grad_out);
}

Array log_backward(const Array& a, const Array& out, const Array& grad_out) {
  return adapter::log_backward(a, out, grad_out);
}

Array sum_backward(const Shape& a_shape, int64_t dim, const Array& grad_out) {
  return adapter::sum_backward(a_shape, dim, grad_out);
}

std::pair<Array, Array> broadcast_add_backward(const Shape& a_shape, const Shape& b_shape,
                                               const Array& grad_out) {
  return adapter::broadcast_add_backward(a_shape, b_shape, grad_out);
}

std::pair<Array, Array> matmul_backward(const Array& a, const Array& b, const Array& grad_out) {
  return adapter::matmul_backward(a, b, grad_out);
}

std::vector<int64_t> topo_sort(const Graph& graph, int64_t root) {
  return adapter::topo_sort(graph, root);
}

std::vector<Array> backward(const Graph& graph, const std::vector<Array>& values, int64_t root,
                            const Array& seed) {
  return adapter::backward(graph, values, root, seed);
}

}  // namespace lab03
