// labs/03_autograd/bugs/matmul_backward_transposed_wrong.cpp — BUG ZOO.
//
// The mistake: for z = a @ b, dL/db is computed as g^T @ a — the TRANSPOSE
// of the right answer a^T @ g — and its (m, k) values are returned labelled
// (k, m). With square matrices the shapes even look right; the values are
// the transpose of the truth. (dL/da = g @ b^T is right.)
// Caught by: Property.MatmulBackwardMatchesFiniteDifferences (shrinks to a
// (1,1) @ (1,2) product), Reference.MatmulBackward and
// Stress.LargeMatmulBackwardIdentity.
#include "labs/03_autograd/adapter.h"
#include "labs/03_autograd/lab.h"

namespace lab03 {

std::pair<Array, Array> matmul_backward(const Array& a, const Array& b, const Array& grad_out) {
  Array ga = adapter::matmul_backward(a, b, grad_out).first;  // dL/da is right
  const int64_t n = a.shape.at(0), k = a.shape.at(1), m = b.shape.at(1);
  Array gb{{k, m}, std::vector<double>(static_cast<std::size_t>(k * m), 0.0)};
  for (int64_t p = 0; p < m; ++p) {
    for (int64_t q = 0; q < k; ++q) {
      double acc = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        acc += grad_out.data[static_cast<std::size_t>(i * m + p)] *
               a.data[static_cast<std::size_t>(i * k + q)];
      }
      gb.data[static_cast<std::size_t>(p * k + q)] =
          acc;  // BUG: (g^T a)[p][q], stored as if (k, m)
    }
  }
  return {ga, gb};
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

std::pair<Array, Array> broadcast_add_backward(const Shape& a_shape, const Shape& b_shape,
                                               const Array& grad_out) {
  return adapter::broadcast_add_backward(a_shape, b_shape, grad_out);
}

std::vector<int64_t> topo_sort(const Graph& graph, int64_t root) {
  return adapter::topo_sort(graph, root);
}

std::vector<Array> backward(const Graph& graph, const std::vector<Array>& values, int64_t root,
                            const Array& seed) {
  return adapter::backward(graph, values, root, seed);
}

}  // namespace lab03
