// labs/03_autograd/lab.h — phase 03: reverse-mode autodiff by hand.
//
// The interface the phase-03 suite (tests/labs/test_autograd.cpp) calls. You
// implement it in starter/autograd.cpp, on plain float64 arrays:
//   1. the backward rule of seven ops (mul, div, exp, log, sum over a dim,
//      broadcasting add, matmul): from the op's inputs (and output) and the
//      gradient of the loss w.r.t. the output, the gradient w.r.t. each input;
//   2. a topological sort of a small computation graph;
//   3. the engine: a whole backward pass over the graph, accumulating the
//      gradients of nodes that are used more than once.
// This is what gradlab's own core/autograd.cpp does for Tensors.
//
// Notation: for an op z = f(a, b) and a scalar loss L, "grad_out" is dL/dz
// (same shape as z) and the rule returns dL/da (shape of a), dL/db (shape of
// b). Shapes are written (n, m); "()" is a 0-d (one-value) array.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace lab03 {

using Shape = std::vector<int64_t>;

// A dense row-major float64 array: data.size() == product of shape (1 for ()).
struct Array {
  Shape shape;
  std::vector<double> data;
};

// ---- 1. backward rules ---------------------------------------------------------
// Elementwise ops take same-shaped arrays (no broadcasting):
//   a: (...), b: (...), grad_out: (...) -> gradients (...), (...)

// z = a * b:   dL/da = g * b,   dL/db = g * a
std::pair<Array, Array> mul_backward(const Array& a, const Array& b, const Array& grad_out);

// z = a / b:   dL/da = g / b,   dL/db = -g * a / b^2
std::pair<Array, Array> div_backward(const Array& a, const Array& b, const Array& grad_out);

// z = exp(a), `out` = z (the forward's output, saved for backward):
//   dL/da = g * exp(a) = g * out
Array exp_backward(const Array& a, const Array& out, const Array& grad_out);

// z = log(a), `out` = z:   dL/da = g / a
Array log_backward(const Array& a, const Array& out, const Array& grad_out);

// z = sum of a over dim `dim` (negative counts from the end; the dim is
// removed, as torch.sum(a, dim)):
//   a_shape: (n0, .., nk), grad_out: a_shape without dim -> dL/da: a_shape,
//   each g value copied along dim.
Array sum_backward(const Shape& a_shape, int64_t dim, const Array& grad_out);

// z = a + b with NumPy broadcasting (phase 01):
//   a_shape: A, b_shape: B, grad_out: broadcast(A, B) -> (dL/da: A, dL/db: B)
// Each input's gradient is grad_out summed over the dims that input was
// broadcast along (its missing leading dims and its size-1 dims), so it has
// the input's own shape ("unbroadcasting").
std::pair<Array, Array> broadcast_add_backward(const Shape& a_shape, const Shape& b_shape,
                                               const Array& grad_out);

// z = a @ b:   a: (n, k), b: (k, m), grad_out: (n, m)
//   dL/da = g @ b^T: (n, k),   dL/db = a^T @ g: (k, m)
std::pair<Array, Array> matmul_backward(const Array& a, const Array& b, const Array& grad_out);

// ---- 2. the graph ----------------------------------------------------------------
enum class Op { Input, Mul, Div, Exp, Log, Sum, Add, MatMul };

// One node: an op applied to earlier-computed nodes, named by id. Inputs:
// none for Input; one for Exp, Log, Sum; two (left, right) for Mul, Div,
// Add, MatMul. The same id may appear twice (x * x) and a node may feed many
// others. Add broadcasts; Mul and Div take same-shaped inputs; MatMul is 2-D.
struct Node {
  Op op = Op::Input;
  std::vector<int64_t> inputs;
  int64_t dim = 0;  // Sum only: the dim reduced
};

// Node ids are positions in the vector. The ids are NOT in any particular
// order: an op may have a larger id than the nodes that consume it.
using Graph = std::vector<Node>;

// Every node that `root` depends on (root included), each exactly once, in an
// order where each node comes AFTER all of its inputs (producers before
// consumers). Nodes root does not depend on are left out. Any valid order is
// accepted. Throws std::invalid_argument if root is not a node id.
std::vector<int64_t> topo_sort(const Graph& graph, int64_t root);

// ---- 3. the engine ---------------------------------------------------------------
// values[i]: the forward value of node i (for every node, computed by the
// caller). Backpropagates from `root` seeded with `seed` (root's shape), i.e.
// differentiates L = sum(seed * root), and returns grads with grads[i] = dL/d
// node i (values[i]'s shape) for EVERY node: zeros for nodes root does not
// depend on. A node used by several consumers (or twice by one) gets the SUM
// of the gradients flowing back along each use.
std::vector<Array> backward(const Graph& graph, const std::vector<Array>& values, int64_t root,
                            const Array& seed);

}  // namespace lab03
