// labs/03_autograd/starter/autograd.cpp — YOUR implementation of phase 03.
//
// Replace each NOT_IMPLEMENTED() with your code; the contracts are in
// ../lab.h and the derivations in ../README.md. Check your work with:
//     gradlab lab check 03
//
// Rules: plain C++ on lab03::Array (float64, row-major), no gradlab autograd
// (the grader flags Tensor::backward and friends). Work in this order: the
// rules one by one, then topo_sort, then backward (which uses both).
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "labs/03_autograd/lab.h"
#include "labs/common/lab_support.h"

namespace lab03 {

// ---- 1. backward rules ------------------------------------------------------------

// Hint: one loop; the gradient of a is "how much z moves when a moves" (= b)
// times how much L moves when z moves (= g).
std::pair<Array, Array> mul_backward(const Array& a, const Array& b, const Array& grad_out) {
  (void)a, (void)b, (void)grad_out;
  NOT_IMPLEMENTED("lab03::mul_backward");
}

std::pair<Array, Array> div_backward(const Array& a, const Array& b, const Array& grad_out) {
  (void)a, (void)b, (void)grad_out;
  NOT_IMPLEMENTED("lab03::div_backward");
}

// Hint: the forward's output is exactly the derivative here; no exp needed.
Array exp_backward(const Array& a, const Array& out, const Array& grad_out) {
  (void)a, (void)out, (void)grad_out;
  NOT_IMPLEMENTED("lab03::exp_backward");
}

// Careful: which of `a` and `out` does d/da log(a) need?
Array log_backward(const Array& a, const Array& out, const Array& grad_out) {
  (void)a, (void)out, (void)grad_out;
  NOT_IMPLEMENTED("lab03::log_backward");
}

// Hint: every element of a along `dim` contributed once to one output value,
// so it receives that output's gradient. Strides from phase 01 help.
Array sum_backward(const Shape& a_shape, int64_t dim, const Array& grad_out) {
  (void)a_shape, (void)dim, (void)grad_out;
  NOT_IMPLEMENTED("lab03::sum_backward");
}

// Hint: for each element of grad_out, find which element of a (and of b) it
// was computed from (size-1 and missing dims use index 0) and add it there.
std::pair<Array, Array> broadcast_add_backward(const Shape& a_shape, const Shape& b_shape,
                                               const Array& grad_out) {
  (void)a_shape, (void)b_shape, (void)grad_out;
  NOT_IMPLEMENTED("lab03::broadcast_add_backward");
}

// Hint: check your shapes first: g (n,m) @ b^T (m,k) -> (n,k) = a's shape.
std::pair<Array, Array> matmul_backward(const Array& a, const Array& b, const Array& grad_out) {
  (void)a, (void)b, (void)grad_out;
  NOT_IMPLEMENTED("lab03::matmul_backward");
}

// ---- 2. topological sort ----------------------------------------------------------

// Hint: depth-first search from root; append a node only AFTER all of its
// inputs have been visited (post-order). Mark visited nodes so that shared
// inputs appear once.
std::vector<int64_t> topo_sort(const Graph& graph, int64_t root) {
  (void)graph, (void)root;
  NOT_IMPLEMENTED("lab03::topo_sort");
}

// ---- 3. the engine ----------------------------------------------------------------

// Hint: grads = zeros like values; grads[root] = seed; walk topo_sort's order
// BACKWARDS (consumers before producers); for each non-Input node apply its
// rule and ADD (+=) the results into its inputs' grads.
std::vector<Array> backward(const Graph& graph, const std::vector<Array>& values, int64_t root,
                            const Array& seed) {
  (void)graph, (void)values, (void)root, (void)seed;
  NOT_IMPLEMENTED("lab03::backward");
}

}  // namespace lab03
