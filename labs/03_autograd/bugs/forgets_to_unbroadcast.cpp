// labs/03_autograd/bugs/forgets_to_unbroadcast.cpp — BUG ZOO.
//
// The mistake: broadcast_add_backward hands grad_out straight back to both
// inputs, as if z = a + b had no broadcasting. For a (2,3) + (3) bias add,
// the bias "gradient" comes back (2,3) — wrong shape, and never summed over
// the batch. (In PyTorch this shows up as "grad shape mismatch" errors.)
// Caught by: Property.BroadcastAddBackwardUnbroadcasts (shrinks to a (1)
// + (2) add) and Reference.BroadcastAddBackward.
#include "labs/03_autograd/adapter.h"
#include "labs/03_autograd/lab.h"

namespace lab03 {

std::pair<Array, Array> broadcast_add_backward(const Shape& a_shape, const Shape& b_shape,
                                               const Array& grad_out) {
  (void)a_shape, (void)b_shape;
  return {grad_out, grad_out};  // BUG: must sum over the broadcast dims down to each input's shape
}

// ---- correct functions: forwarded to the reference adapter ----

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
