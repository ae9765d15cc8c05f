// labs/03_autograd/bugs/overwrite_instead_of_accumulate.cpp — BUG ZOO.
//
// The mistake: the engine STORES each contribution into an input's gradient
// (grads[in] = ...) instead of adding it (grads[in] += ...). Any node used
// twice — x * x, a shared weight, a skip connection — keeps only the last
// contribution: d(x*x)/dx comes out as x instead of 2x.
// (The rules and topo_sort are the reference's; only the engine is written
// out here.)
// Caught by: Property.BackwardMatchesFiniteDifferencesOnRandomGraphs
// (shrinks to x * x), Reference.BackwardOnGoldenGraphs and Stress.WideFanOut.
#include <utility>

#include "labs/03_autograd/adapter.h"
#include "labs/03_autograd/lab.h"

namespace lab03 {

std::vector<Array> backward(const Graph& graph, const std::vector<Array>& values, int64_t root,
                            const Array& seed) {
  std::vector<Array> grads(graph.size());
  for (std::size_t i = 0; i < graph.size(); ++i) {
    grads[i] = Array{values[i].shape, std::vector<double>(values[i].data.size(), 0.0)};
  }
  grads[static_cast<std::size_t>(root)] = seed;
  const std::vector<int64_t> order = adapter::topo_sort(graph, root);
  auto put = [&](int64_t input, Array g) {
    grads[static_cast<std::size_t>(input)] = std::move(g);  // BUG: should be += (accumulate)
  };
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node& node = graph[static_cast<std::size_t>(*it)];
    const Array g = grads[static_cast<std::size_t>(*it)];
    auto value = [&](std::size_t k) -> const Array& {
      return values[static_cast<std::size_t>(node.inputs[k])];
    };
    switch (node.op) {
      case Op::Input:
        break;
      case Op::Mul: {
        auto [ga, gb] = adapter::mul_backward(value(0), value(1), g);
        put(node.inputs[0], ga);
        put(node.inputs[1], gb);
        break;
      }
      case Op::Div: {
        auto [ga, gb] = adapter::div_backward(value(0), value(1), g);
        put(node.inputs[0], ga);
        put(node.inputs[1], gb);
        break;
      }
      case Op::Exp:
        put(node.inputs[0],
            adapter::exp_backward(value(0), values[static_cast<std::size_t>(*it)], g));
        break;
      case Op::Log:
        put(node.inputs[0],
            adapter::log_backward(value(0), values[static_cast<std::size_t>(*it)], g));
        break;
      case Op::Sum:
        put(node.inputs[0], adapter::sum_backward(value(0).shape, node.dim, g));
        break;
      case Op::Add: {
        auto [ga, gb] = adapter::broadcast_add_backward(value(0).shape, value(1).shape, g);
        put(node.inputs[0], ga);
        put(node.inputs[1], gb);
        break;
      }
      case Op::MatMul: {
        auto [ga, gb] = adapter::matmul_backward(value(0), value(1), g);
        put(node.inputs[0], ga);
        put(node.inputs[1], gb);
        break;
      }
    }
  }
  return grads;
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

std::vector<int64_t> topo_sort(const Graph& graph, int64_t root) {
  return adapter::topo_sort(graph, root);
}

}  // namespace lab03
