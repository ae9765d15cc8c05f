// labs/03_autograd/bugs/unbroadcast_only_leading_dims.cpp — BUG ZOO.
//
// The mistake: broadcast_add_backward sums grad_out over the missing LEADING
// dims only, and forgets the dims where the input had size 1. A (2,3) + (3)
// bias add works; a (3,1) + (1,4) outer sum returns gradients of shape (3,4)
// for both inputs instead of (3,1) and (1,4).
// Caught by: Property.BroadcastAddBackwardUnbroadcasts (shrinks to a size-1
// dim against a size-2 dim) and Reference.BroadcastAddBackward.
#include "labs/03_autograd/adapter.h"
#include "labs/03_autograd/lab.h"

namespace lab03 {

namespace {

// grad summed over its first (grad rank - rank) dims; the rest kept as is.
Array sum_leading(const Array& g, const Shape& shape) {
  const std::size_t lead = g.shape.size() - shape.size();
  Array out{Shape(g.shape.begin() + static_cast<std::ptrdiff_t>(lead), g.shape.end()), {}};
  std::size_t inner = 1;
  for (int64_t s : out.shape) inner *= static_cast<std::size_t>(s);
  out.data.assign(inner, 0.0);
  for (std::size_t i = 0; i < g.data.size(); ++i) out.data[i % inner] += g.data[i];
  return out;  // BUG: dims where `shape` has size 1 are not summed
}

}  // namespace

std::pair<Array, Array> broadcast_add_backward(const Shape& a_shape, const Shape& b_shape,
                                               const Array& grad_out) {
  return {sum_leading(grad_out, a_shape), sum_leading(grad_out, b_shape)};
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
