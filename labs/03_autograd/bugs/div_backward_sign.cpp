// labs/03_autograd/bugs/div_backward_sign.cpp — BUG ZOO.
//
// The mistake: for z = a / b, dL/db is written g * a / b^2, dropping the
// minus sign of d/db (a / b) = -a / b^2. Increasing the denominator makes
// the quotient SMALLER; this gradient says the opposite, so a step of
// gradient descent moves b the wrong way.
// Caught by: Property.DivBackwardMatchesFiniteDifferences and
// Reference.DivBackward.
#include "labs/03_autograd/adapter.h"
#include "labs/03_autograd/lab.h"

namespace lab03 {

std::pair<Array, Array> div_backward(const Array& a, const Array& b, const Array& grad_out) {
  Array ga{a.shape, std::vector<double>(a.data.size())};
  Array gb{b.shape, std::vector<double>(b.data.size())};
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    ga.data[i] = grad_out.data[i] / b.data[i];
    gb.data[i] = grad_out.data[i] * a.data[i] / (b.data[i] * b.data[i]);  // BUG: missing minus
  }
  return {ga, gb};
}

// ---- correct functions: forwarded to the reference adapter ----

std::pair<Array, Array> mul_backward(const Array& a, const Array& b, const Array& grad_out) {
  return adapter::mul_backward(a, b, grad_out);
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
