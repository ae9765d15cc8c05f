// labs/03_autograd/bugs/topo_sort_dfs_preorder.cpp — BUG ZOO.
//
// The mistake: topo_sort appends a node BEFORE visiting its inputs (DFS
// pre-order), so the root comes first and every consumer precedes its
// producers. An engine walking this order backwards would visit the leaves
// first, before any gradient has reached them.
// Caught by: Property.TopoSortPutsInputsFirst (shrinks to a two-node graph),
// Reference.TopoSortOfGoldenGraphs and Stress.DeepChain.
#include <stdexcept>
#include <string>

#include "labs/03_autograd/adapter.h"
#include "labs/03_autograd/lab.h"

namespace lab03 {

std::vector<int64_t> topo_sort(const Graph& graph, int64_t root) {
  if (root < 0 || root >= static_cast<int64_t>(graph.size())) {
    throw std::invalid_argument("topo_sort: root " + std::to_string(root) + " out of range");
  }
  std::vector<int64_t> order;
  std::vector<bool> seen(graph.size(), false);
  std::vector<int64_t> stack{root};  // iterative, so deep graphs do not overflow the stack
  while (!stack.empty()) {
    const int64_t id = stack.back();
    stack.pop_back();
    if (seen[static_cast<std::size_t>(id)]) continue;
    seen[static_cast<std::size_t>(id)] = true;
    order.push_back(id);  // BUG: emitted before its inputs (pre-order)
    const auto& ins = graph[static_cast<std::size_t>(id)].inputs;
    for (auto it = ins.rbegin(); it != ins.rend(); ++it) stack.push_back(*it);
  }
  return order;
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

std::pair<Array, Array> matmul_backward(const Array& a, const Array& b, const Array& grad_out) {
  return adapter::matmul_backward(a, b, grad_out);
}

std::vector<Array> backward(const Graph& graph, const std::vector<Array>& values, int64_t root,
                            const Array& seed) {
  return adapter::backward(graph, values, root, seed);
}

}  // namespace lab03
