// labs/03_autograd/adapter.h — the reference for phase 03: lab.h answered by
// gradlab's own autograd (core/autograd.h). Nothing here is derived by hand:
// each backward rule runs the gradlab op forward on leaf tensors, calls
// .backward(grad_out) and reads the leaves' .grad(). reference.cpp forwards
// every function here; each bug-zoo file forwards all but its buggy one.
//
//   rules       gradlab::mul/div/exp/log/sum/add/matmul + Tensor::backward
//   topo_sort   the order in which gradlab's engine calls each node's
//               backward (reverse topological), reversed
//   backward    the graph rebuilt from gradlab ops, with a "probe" op after
//               every node that records the gradient the engine hands it
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/tensor.h"
#include "labs/03_autograd/lab.h"

namespace lab03::adapter {

inline gradlab::Tensor tensor(const Array& a) {
  return gradlab::from_vector<double>(a.data, a.shape);
}

inline gradlab::Tensor leaf(const Array& a) {
  gradlab::Tensor t = tensor(a);
  t.requires_grad_();
  return t;
}

inline gradlab::Tensor leaf_zeros(const Shape& shape) {
  gradlab::Tensor t = gradlab::zeros(shape, gradlab::DType::Float64);
  t.requires_grad_();
  return t;
}

inline Array array(const gradlab::Tensor& t) { return Array{t.shape(), t.to_vector<double>()}; }

// The gradient of a leaf after backward (zeros if nothing reached it).
inline Array grad_of(const gradlab::Tensor& leaf_tensor) {
  gradlab::Tensor g = leaf_tensor.grad();
  return g.defined() ? array(g)
                     : array(gradlab::zeros(leaf_tensor.shape(), gradlab::DType::Float64));
}

inline std::pair<Array, Array> mul_backward(const Array& a, const Array& b, const Array& g) {
  gradlab::Tensor ta = leaf(a), tb = leaf(b);
  gradlab::mul(ta, tb).backward(tensor(g));
  return {grad_of(ta), grad_of(tb)};
}

inline std::pair<Array, Array> div_backward(const Array& a, const Array& b, const Array& g) {
  gradlab::Tensor ta = leaf(a), tb = leaf(b);
  gradlab::div(ta, tb).backward(tensor(g));
  return {grad_of(ta), grad_of(tb)};
}

inline Array exp_backward(const Array& a, const Array& /*out*/, const Array& g) {
  gradlab::Tensor ta = leaf(a);
  gradlab::exp(ta).backward(tensor(g));
  return grad_of(ta);
}

inline Array log_backward(const Array& a, const Array& /*out*/, const Array& g) {
  gradlab::Tensor ta = leaf(a);
  gradlab::log(ta).backward(tensor(g));
  return grad_of(ta);
}

inline Array sum_backward(const Shape& a_shape, int64_t dim, const Array& g) {
  gradlab::Tensor ta = leaf_zeros(a_shape);
  gradlab::sum(ta, {dim}).backward(tensor(g));
  return grad_of(ta);
}

inline std::pair<Array, Array> broadcast_add_backward(const Shape& a_shape, const Shape& b_shape,
                                                      const Array& g) {
  gradlab::Tensor ta = leaf_zeros(a_shape), tb = leaf_zeros(b_shape);
  gradlab::add(ta, tb).backward(tensor(g));
  return {grad_of(ta), grad_of(tb)};
}

inline std::pair<Array, Array> matmul_backward(const Array& a, const Array& b, const Array& g) {
  gradlab::Tensor ta = leaf(a), tb = leaf(b);
  gradlab::matmul(ta, tb).backward(tensor(g));
  return {grad_of(ta), grad_of(tb)};
}

inline void check_root(const Graph& graph, int64_t root) {
  if (root < 0 || root >= static_cast<int64_t>(graph.size())) {
    throw std::invalid_argument("topo_sort: root " + std::to_string(root) + " is not a node of a " +
                                std::to_string(graph.size()) + "-node graph");
  }
}

// The nodes reachable from root, each after its inputs (the order a
// recursive walk finishes them in), found with an explicit stack: the
// builders below then recurse at most one level, however deep the graph
// (a 10,000-node chain would overflow the stack of a sanitizer build).
inline std::vector<int64_t> post_order(const Graph& graph, int64_t root) {
  const auto n = static_cast<int64_t>(graph.size());
  std::vector<int64_t> order;
  std::vector<char> seen(graph.size(), 0);
  std::vector<std::pair<int64_t, std::size_t>> stack{{root, 0}};
  seen[static_cast<std::size_t>(root)] = 1;
  while (!stack.empty()) {
    const int64_t id = stack.back().first;
    const std::vector<int64_t>& inputs = graph[static_cast<std::size_t>(id)].inputs;
    if (stack.back().second < inputs.size()) {
      const int64_t in = inputs[stack.back().second++];
      if (in >= 0 && in < n && !seen[static_cast<std::size_t>(in)]) {
        seen[static_cast<std::size_t>(in)] = 1;
        stack.push_back({in, 0});
      }
      continue;
    }
    order.push_back(id);
    stack.pop_back();
  }
  return order;
}

// A tracked copy of x whose backward calls on_grad(g) and passes g through.
inline gradlab::Tensor probe(const gradlab::Tensor& x,
                             std::function<void(const gradlab::Tensor&)> on_grad) {
  return gradlab::record("probe", x.clone(), {x}, [on_grad](const gradlab::Tensor& g) {
    on_grad(g);
    return std::vector<gradlab::Tensor>{g};
  });
}

inline std::vector<int64_t> topo_sort(const Graph& graph, int64_t root) {
  check_root(graph, root);
  // Every node becomes a probe over its inputs' tensors (shape (1), values
  // irrelevant); gradlab's engine calls the probes consumers-first.
  std::vector<int64_t> called;
  std::vector<gradlab::Tensor> built(graph.size());
  std::vector<gradlab::Tensor> leaves;
  std::function<gradlab::Tensor(int64_t)> build = [&](int64_t id) -> gradlab::Tensor {
    auto& slot = built[static_cast<std::size_t>(id)];
    if (slot.defined()) return slot;
    std::vector<gradlab::Tensor> ins;
    for (int64_t in : graph[static_cast<std::size_t>(id)].inputs) ins.push_back(build(in));
    if (ins.empty()) {
      leaves.push_back(leaf_zeros({1}));
      ins.push_back(leaves.back());
    }
    slot = gradlab::record("node", gradlab::zeros({1}, gradlab::DType::Float64), ins,
                           [&called, id, n = ins.size()](const gradlab::Tensor& g) {
                             called.push_back(id);
                             return std::vector<gradlab::Tensor>(n, g);
                           });
    return slot;
  };
  for (int64_t id : post_order(graph, root)) build(id);
  build(root).backward(gradlab::ones({1}, gradlab::DType::Float64));
  return {called.rbegin(), called.rend()};
}

inline std::vector<Array> backward(const Graph& graph, const std::vector<Array>& values,
                                   int64_t root, const Array& seed) {
  check_root(graph, root);
  if (values.size() != graph.size()) {
    throw std::invalid_argument("backward: " + std::to_string(values.size()) + " values for " +
                                std::to_string(graph.size()) + " nodes");
  }
  std::vector<Array> grads(graph.size());
  for (std::size_t i = 0; i < graph.size(); ++i) {
    grads[i] = Array{values[i].shape, std::vector<double>(values[i].data.size(), 0.0)};
  }
  std::vector<gradlab::Tensor> built(graph.size());
  std::function<gradlab::Tensor(int64_t)> build = [&](int64_t id) -> gradlab::Tensor {
    auto& slot = built[static_cast<std::size_t>(id)];
    if (slot.defined()) return slot;
    const Node& node = graph[static_cast<std::size_t>(id)];
    auto in = [&](std::size_t k) { return build(node.inputs.at(k)); };
    gradlab::Tensor out;
    switch (node.op) {
      case Op::Input:
        out = leaf(values[static_cast<std::size_t>(id)]);
        break;
      case Op::Mul:
        out = gradlab::mul(in(0), in(1));
        break;
      case Op::Div:
        out = gradlab::div(in(0), in(1));
        break;
      case Op::Exp:
        out = gradlab::exp(in(0));
        break;
      case Op::Log:
        out = gradlab::log(in(0));
        break;
      case Op::Sum:
        out = gradlab::sum(in(0), {node.dim});
        break;
      case Op::Add:
        out = gradlab::add(in(0), in(1));
        break;
      case Op::MatMul:
        out = gradlab::matmul(in(0), in(1));
        break;
    }
    slot = probe(out, [&grads, id](const gradlab::Tensor& g) {
      grads[static_cast<std::size_t>(id)] = array(g);
    });
    return slot;
  };
  for (int64_t id : post_order(graph, root)) build(id);
  build(root).backward(tensor(seed));
  return grads;
}

}  // namespace lab03::adapter
