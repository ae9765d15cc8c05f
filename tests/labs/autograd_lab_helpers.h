// tests/labs/autograd_lab_helpers.h — helpers for the phase-03 suite
// (tests/labs/test_autograd.cpp): printing, the suite's own forward pass
// (gradlab ops, no autograd), finite differences, comparisons, checks of a
// topological order, golden-data loading, and the random-graph generator
// used by the graph properties. Test code only; included by that one suite.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/ops.h"
#include "core/random.h"
#include "core/tensor.h"
#include "labs/03_autograd/lab.h"

namespace lab03_test {

using lab03::Array;
using lab03::Graph;
using lab03::Node;
using lab03::Op;
using lab03::Shape;
using json = nlohmann::json;

// ---- printing ---------------------------------------------------------------------

inline std::string str(const Shape& s) {
  std::ostringstream os;
  os << "(";
  for (std::size_t i = 0; i < s.size(); ++i) os << (i ? "," : "") << s[i];
  os << ")";
  return os.str();
}

inline std::string str(const std::vector<double>& v, std::size_t limit = 8) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size() && i < limit; ++i) os << (i ? ", " : "") << v[i];
  if (v.size() > limit) os << ", ... (" << v.size() << " values)";
  os << "]";
  return os.str();
}

inline std::string str(const Array& a) { return str(a.data) + " shape " + str(a.shape); }

inline const char* op_name(Op op) {
  switch (op) {
    case Op::Input:
      return "Input";
    case Op::Mul:
      return "Mul";
    case Op::Div:
      return "Div";
    case Op::Exp:
      return "Exp";
    case Op::Log:
      return "Log";
    case Op::Sum:
      return "Sum";
    case Op::Add:
      return "Add";
    case Op::MatMul:
      return "MatMul";
  }
  return "?";
}

inline std::string describe(const Graph& g, int64_t root,
                            const std::vector<Array>* values = nullptr) {
  std::ostringstream os;
  os << "graph (root " << root << "):";
  for (std::size_t i = 0; i < g.size(); ++i) {
    os << " n" << i << " = " << op_name(g[i].op) << "(";
    for (std::size_t k = 0; k < g[i].inputs.size(); ++k)
      os << (k ? ", " : "") << "n" << g[i].inputs[k];
    if (g[i].op == Op::Sum) os << ", dim " << g[i].dim;
    os << ")";
    if (values && g[i].op == Op::Input) os << " = " << str((*values)[i].data);
    os << ";";
  }
  return os.str();
}

// ---- arrays and the test's own forward (gradlab ops, no autograd) -----------------

inline int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

inline gradlab::Tensor tensor(const Array& a) {
  return gradlab::from_vector<double>(a.data, a.shape);
}
inline Array array(const gradlab::Tensor& t) { return Array{t.shape(), t.to_vector<double>()}; }

// Every node's value, given the Input nodes' values (other entries ignored).
inline std::vector<Array> forward(const Graph& g, const std::vector<Array>& inputs) {
  std::vector<gradlab::Tensor> t(g.size());
  std::function<gradlab::Tensor(int64_t)> eval = [&](int64_t id) -> gradlab::Tensor {
    auto& slot = t[static_cast<std::size_t>(id)];
    if (slot.defined()) return slot;
    const Node& n = g[static_cast<std::size_t>(id)];
    auto in = [&](std::size_t k) { return eval(n.inputs.at(k)); };
    switch (n.op) {
      case Op::Input:
        slot = tensor(inputs[static_cast<std::size_t>(id)]);
        break;
      case Op::Mul:
        slot = gradlab::mul(in(0), in(1));
        break;
      case Op::Div:
        slot = gradlab::div(in(0), in(1));
        break;
      case Op::Exp:
        slot = gradlab::exp(in(0));
        break;
      case Op::Log:
        slot = gradlab::log(in(0));
        break;
      case Op::Sum:
        slot = gradlab::sum(in(0), {n.dim});
        break;
      case Op::Add:
        slot = gradlab::add(in(0), in(1));
        break;
      case Op::MatMul:
        slot = gradlab::matmul(in(0), in(1));
        break;
    }
    return slot;
  };
  std::vector<Array> out;
  for (std::size_t i = 0; i < g.size(); ++i) out.push_back(array(eval(static_cast<int64_t>(i))));
  return out;
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// d/dx of sum(g * f(x)) by central differences (h = 1e-6).
inline Array numeric_grad(const std::function<Array(const Array&)>& f, const Array& x,
                          const Array& g) {
  const double h = 1e-6;
  Array out{x.shape, std::vector<double>(x.data.size())};
  for (std::size_t i = 0; i < x.data.size(); ++i) {
    Array xp = x, xm = x;
    xp.data[i] += h;
    xm.data[i] -= h;
    out.data[i] = (dot(g.data, f(xp).data) - dot(g.data, f(xm).data)) / (2 * h);
  }
  return out;
}

// "" if got matches expected (shape and every value within tol), else a
// sentence naming the first mismatch.
inline std::string mismatch(const std::string& what, const Array& got, const Array& expected,
                            double tol) {
  if (got.shape != expected.shape || got.data.size() != expected.data.size())
    return what + " has shape " + str(got.shape) + " (" + std::to_string(got.data.size()) +
           " values), expected shape " + str(expected.shape);
  for (std::size_t i = 0; i < got.data.size(); ++i) {
    const double e = expected.data[i], v = got.data[i];
    if (!(std::abs(v - e) <= tol * (1.0 + std::abs(e)))) {
      std::ostringstream os;
      os << what << "[" << i << "] = " << v << ", expected " << e << " (all of it: got "
         << str(got.data) << ", expected " << str(expected.data) << ")";
      return os.str();
    }
  }
  return "";
}

// ---- RapidCheck helpers -----------------------------------------------------------

[[noreturn]] inline void counterexample(const std::string& what_went_wrong) {
  RC_FAIL(what_went_wrong);
}

inline void check(const std::string& problem) {
  if (!problem.empty()) counterexample(problem);
}

template <class F>
inline auto guarded(const std::string& call, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw std::runtime_error(call + " threw: " + e.what());
  }
}

inline rc::Gen<Shape> gen_shape(int min_rank, int max_rank, int64_t hi) {
  return rc::gen::mapcat(rc::gen::inRange(min_rank, max_rank + 1), [=](int rank) {
    return rc::gen::container<Shape>(static_cast<std::size_t>(rank),
                                     rc::gen::inRange<int64_t>(1, hi + 1));
  });
}

// Integers in [lo, hi] that shrink toward 0 (0, -1, 1, -2, 2, ...).
inline rc::Gen<int> small_int(int lo, int hi) {
  if (lo >= 0) return rc::gen::inRange(lo, hi + 1);
  return rc::gen::map(rc::gen::inRange(0, hi - lo + 1),
                      [lo, hi](int v) { return std::clamp(v % 2 ? -(v + 1) / 2 : v / 2, lo, hi); });
}

// Values k/4 for k in [lo, hi]: readable, and they shrink to small numbers.
inline Array gen_array(const Shape& shape, int lo, int hi, const std::string& name) {
  const auto ints = *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(numel(shape)),
                                                          small_int(lo, hi))
                         .as(name + " (in quarters)");
  Array a{shape, {}};
  for (int v : ints) a.data.push_back(v / 4.0);
  return a;
}

// Non-zero values (quarters with |k| in [lo, hi]), for denominators.
inline Array gen_nonzero(const Shape& shape, int lo, int hi, const std::string& name) {
  Array a = gen_array(shape, lo, hi, name);
  const auto signs =
      *rc::gen::container<std::vector<bool>>(a.data.size(), rc::gen::arbitrary<bool>())
           .as(name + " signs (true = negative)");
  for (std::size_t i = 0; i < a.data.size(); ++i)
    if (signs[i]) a.data[i] = -a.data[i];
  return a;
}

inline std::string call_str(const char* fn, const std::vector<const Array*>& args) {
  std::string s = std::string(fn) + "(";
  for (std::size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + str(*args[i]);
  return s + ")";
}

// One generated input of a rule property, printed by RapidCheck as a single
// line ("a = [..] shape (2), b = ..., grad_out = ...").
struct Inputs {
  std::vector<std::string> names;
  std::vector<Array> arrays;
  Shape shape_a, shape_b;  // for the rules that take shapes
  int64_t dim = 0;         // for sum_backward
  std::string note;        // anything else worth printing
};
inline Inputs make_inputs(std::vector<std::string> names, std::vector<Array> arrays) {
  Inputs r;
  r.names = std::move(names);
  r.arrays = std::move(arrays);
  return r;
}
inline std::ostream& operator<<(std::ostream& os, const Inputs& in) {
  for (std::size_t i = 0; i < in.arrays.size(); ++i)
    os << (i ? ", " : "") << in.names[i] << " = " << str(in.arrays[i]);
  if (!in.note.empty()) os << (in.arrays.empty() ? "" : ", ") << in.note;
  return os;
}

// Checks that `order` is a valid topological order of what root needs; ""
// if so, else what is wrong.
inline std::string topo_problem(const Graph& g, int64_t root, const std::vector<int64_t>& order) {
  std::vector<bool> needed(g.size(), false);
  std::vector<int64_t> stack{root};
  while (!stack.empty()) {
    const int64_t id = stack.back();
    stack.pop_back();
    if (needed[static_cast<std::size_t>(id)]) continue;
    needed[static_cast<std::size_t>(id)] = true;
    for (int64_t in : g[static_cast<std::size_t>(id)].inputs) stack.push_back(in);
  }
  std::vector<int64_t> pos(g.size(), -1);
  for (std::size_t p = 0; p < order.size(); ++p) {
    const int64_t id = order[p];
    if (id < 0 || id >= static_cast<int64_t>(g.size()))
      return "order contains " + std::to_string(id) + ", not a node id";
    if (pos[static_cast<std::size_t>(id)] >= 0)
      return "node " + std::to_string(id) + " appears twice";
    if (!needed[static_cast<std::size_t>(id)])
      return "node " + std::to_string(id) + " is listed but root does not depend on it";
    pos[static_cast<std::size_t>(id)] = static_cast<int64_t>(p);
  }
  for (std::size_t id = 0; id < g.size(); ++id) {
    if (needed[id] && pos[id] < 0)
      return "node " + std::to_string(id) + " is needed by root but missing";
    for (int64_t in : g[id].inputs)
      if (needed[id] && pos[static_cast<std::size_t>(in)] > pos[id])
        return "node " + std::to_string(id) + " (" + op_name(g[id].op) + ") is at position " +
               std::to_string(pos[id]) + " but its input node " + std::to_string(in) +
               " comes later, at position " + std::to_string(pos[static_cast<std::size_t>(in)]) +
               " (producers must come before consumers)";
  }
  return "";
}

inline std::string order_str(const std::vector<int64_t>& order) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < order.size() && i < 20; ++i) os << (i ? ", " : "") << order[i];
  os << (order.size() > 20 ? ", ...]" : "]");
  return os.str();
}

// ---- golden data ------------------------------------------------------------------

inline const json& golden() {
  static const json data = [] {
    const std::string path = std::string(GRADLAB_TEST_DATA_DIR) + "/labs/lab03_autograd.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open golden file " + path);
    return json::parse(in);
  }();
  return data;
}

inline Array arr(const json& j) {
  Array a{j.at("shape").get<Shape>(), {}};
  for (const auto& v : j.at("values")) a.data.push_back(v.get<double>());
  return a;
}

inline Op op_of(const std::string& s) {
  for (Op op : {Op::Input, Op::Mul, Op::Div, Op::Exp, Op::Log, Op::Sum, Op::Add, Op::MatMul})
    if (s == op_name(op)) return op;
  throw std::runtime_error("golden file: unknown op " + s);
}

inline Graph graph_of(const json& c) {
  Graph g;
  for (const auto& n : c.at("nodes")) {
    Node node;
    node.op = op_of(n.at("op").get<std::string>());
    node.inputs = n.at("inputs").get<std::vector<int64_t>>();
    if (n.contains("dim")) node.dim = n.at("dim").get<int64_t>();
    g.push_back(node);
  }
  return g;
}

inline constexpr double kGoldenTol = 1e-10;
inline constexpr double kFdTol = 1e-5;

struct RandomGraph {
  Graph graph;
  std::vector<Array> values;  // forward values of every node
  int64_t root = 0;
};

// Up to 8 nodes, every value of shape (k). Each node is an Input or an op on
// earlier nodes (possibly the same one twice); an op whose inputs would make
// it unsafe (exp of a big value, log of a small one, division by ~0) becomes
// an Input instead. Ids are shuffled at the end; root is the last node built.
inline std::ostream& operator<<(std::ostream& os, const RandomGraph& r) {
  return os << describe(r.graph, r.root, &r.values);
}

inline RandomGraph draw_graph() {
  const int64_t k = *rc::gen::inRange<int64_t>(1, 4).as("size of every value");
  const int n = *rc::gen::inRange(1, 9).as("number of nodes");
  Graph g;
  std::vector<Array> vals;
  for (int i = 0; i < n; ++i) {
    const int op =
        i == 0 ? 0 : *rc::gen::inRange(0, 6).as("op (0 Input 1 Mul 2 Add 3 Div 4 Exp 5 Log)");
    const int x = i == 0 ? 0 : *rc::gen::inRange(0, i).as("first input");
    const int y = i == 0 ? 0 : *rc::gen::inRange(0, i).as("second input");
    // The first node is always an Input (vals is still empty): the inputs'
    // values are only looked at for the other ops.
    const Array none;
    const Array& vx = i == 0 ? none : vals[static_cast<std::size_t>(x)];
    const Array& vy = i == 0 ? none : vals[static_cast<std::size_t>(y)];
    auto all = [](const Array& v, auto pred) {
      return std::all_of(v.data.begin(), v.data.end(), pred);
    };
    Node node;
    switch (op) {
      case 1:
        node = {Op::Mul, {x, y}, 0};
        break;
      case 2:
        node = {Op::Add, {x, y}, 0};
        break;
      case 3:
        if (all(vy, [](double v) { return std::abs(v) >= 0.5; })) node = {Op::Div, {x, y}, 0};
        break;
      case 4:
        if (all(vx, [](double v) { return std::abs(v) <= 3; })) node = {Op::Exp, {x}, 0};
        break;
      case 5:
        if (all(vx, [](double v) { return v >= 0.25; })) node = {Op::Log, {x}, 0};
        break;
      default:
        break;
    }
    Array v;
    if (node.op == Op::Input) {
      v = gen_array({k}, -12, 12, "input value");
    } else {
      g.push_back(node);
      vals.push_back(Array{});  // placeholder so forward() sees the node
      v = forward(g, vals).back();
      g.pop_back();
      vals.pop_back();
      if (!all(v, [](double e) { return std::abs(e) <= 100; })) {  // keep values tame
        node = Node{};
        v = gen_array({k}, -12, 12, "input value");
      }
    }
    g.push_back(node);
    vals.push_back(v);
  }
  // Shuffle ids: new_id[old] by sorting random keys.
  const auto keys =
      *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(n), rc::gen::inRange(0, 1000))
           .as("id shuffle keys");
  std::vector<int64_t> old_of(static_cast<std::size_t>(n));
  std::iota(old_of.begin(), old_of.end(), 0);
  std::stable_sort(old_of.begin(), old_of.end(), [&](int64_t a, int64_t b) {
    return keys[static_cast<std::size_t>(a)] < keys[static_cast<std::size_t>(b)];
  });
  std::vector<int64_t> new_of(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < old_of.size(); ++i)
    new_of[static_cast<std::size_t>(old_of[i])] = static_cast<int64_t>(i);
  RandomGraph r;
  r.graph.resize(g.size());
  r.values.resize(g.size());
  for (std::size_t old = 0; old < g.size(); ++old) {
    Node node = g[old];
    for (auto& in : node.inputs) in = new_of[static_cast<std::size_t>(in)];
    r.graph[static_cast<std::size_t>(new_of[old])] = node;
    r.values[static_cast<std::size_t>(new_of[old])] = vals[old];
  }
  r.root = new_of[static_cast<std::size_t>(n - 1)];
  return r;
}

inline rc::Gen<RandomGraph> gen_graph() {
  return rc::gen::exec([] { return draw_graph(); });
}

// Checks grads from lab03::backward: every node's shape, zeros off the
// root's cone, and each Input's gradient against finite differences.
inline std::string backward_problem(const Graph& g, const std::vector<Array>& values, int64_t root,
                                    const Array& seed, const std::vector<Array>& grads) {
  if (grads.size() != g.size())
    return "backward returned " + std::to_string(grads.size()) + " gradients for " +
           std::to_string(g.size()) + " nodes";
  std::vector<bool> needed(g.size(), false);
  std::vector<int64_t> stack{root};
  while (!stack.empty()) {
    const int64_t id = stack.back();
    stack.pop_back();
    if (needed[static_cast<std::size_t>(id)]) continue;
    needed[static_cast<std::size_t>(id)] = true;
    for (int64_t in : g[static_cast<std::size_t>(id)].inputs) stack.push_back(in);
  }
  for (std::size_t i = 0; i < g.size(); ++i) {
    const std::string name = "gradient of node " + std::to_string(i);
    if (!needed[i]) {
      const Array zeros{values[i].shape, std::vector<double>(values[i].data.size(), 0.0)};
      const std::string p =
          mismatch(name + " (root does not depend on it, so zeros)", grads[i], zeros, 0.0);
      if (!p.empty()) return p;
      continue;
    }
    if (g[i].op != Op::Input) {
      if (grads[i].shape != values[i].shape || grads[i].data.size() != values[i].data.size())
        return name + " has shape " + str(grads[i].shape) + ", expected " + str(values[i].shape);
      continue;
    }
    const Array fd = numeric_grad(
        [&](const Array& x) {
          std::vector<Array> in = values;
          in[i] = x;
          return forward(g, in)[static_cast<std::size_t>(root)];
        },
        values[i], seed);
    const std::string p = mismatch(name + " (an Input)", grads[i], fd, 1e-4);
    if (!p.empty()) return p;
  }
  return "";
}

}  // namespace lab03_test
