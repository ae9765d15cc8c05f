// tests/labs/test_autograd.cpp — the phase-03 suite: backward rules, the
// topological sort and the engine (labs/03_autograd/lab.h).
//
// Compiled once and linked against each implementation of lab.h (reference,
// starter, every bug-zoo entry, students' submissions). Three kinds of test:
//   Property.*   RapidCheck: each rule against central finite differences,
//                random graphs (ids shuffled, nodes reused) for topo_sort and
//                for the engine; failures shrink to the smallest input
//   Reference.*  torch.autograd gradients in float64
//                (tests/data/labs/lab03_autograd.json, made by
//                tests/data/labs/gen_labs_reference.py)
//   Stress.*     a 10000-node chain, a 1000-way fan-out, a large matmul,
//                extreme values
// The suite computes forward values with gradlab ops (never its autograd).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "labs/03_autograd/lab.h"
#include "tests/labs/autograd_lab_helpers.h"

// The tests live in the helpers' namespace (tests/labs/autograd_lab_helpers.h).
namespace lab03_test {

// =============================================================================
// Property tests: each rule against finite differences of the op's forward
// =============================================================================

RC_GTEST_PROP(Property, MulBackwardMatchesFiniteDifferences, ()) {
  const Inputs in = *rc::gen::exec([] {
                       const Shape s = *gen_shape(0, 3, 3);
                       return make_inputs({"a", "b", "grad_out"},
                                          {gen_array(s, -12, 12, "a"), gen_array(s, -12, 12, "b"),
                                           gen_array(s, -8, 8, "grad_out")});
                     }).as("inputs");
  const Array &a = in.arrays[0], &b = in.arrays[1], &g = in.arrays[2];
  const std::string call = call_str("mul_backward", {&a, &b, &g});
  const auto [ga, gb] = guarded(call, [&] { return lab03::mul_backward(a, b, g); });
  check(mismatch(call + ": dL/da", ga,
                 numeric_grad([&](const Array& x) { return array(tensor(x) * tensor(b)); }, a, g),
                 kFdTol));
  check(mismatch(call + ": dL/db", gb,
                 numeric_grad([&](const Array& x) { return array(tensor(a) * tensor(x)); }, b, g),
                 kFdTol));
}

RC_GTEST_PROP(Property, DivBackwardMatchesFiniteDifferences, ()) {
  const Inputs in = *rc::gen::exec([] {
                       const Shape s = *gen_shape(0, 3, 3);
                       return make_inputs({"a", "b", "grad_out"},
                                          {gen_array(s, -12, 12, "a"), gen_nonzero(s, 2, 12, "b"),
                                           gen_array(s, -8, 8, "grad_out")});
                     }).as("inputs");
  const Array &a = in.arrays[0], &b = in.arrays[1], &g = in.arrays[2];
  const std::string call = call_str("div_backward", {&a, &b, &g});
  const auto [ga, gb] = guarded(call, [&] { return lab03::div_backward(a, b, g); });
  check(mismatch(call + ": dL/da", ga,
                 numeric_grad([&](const Array& x) { return array(tensor(x) / tensor(b)); }, a, g),
                 kFdTol));
  check(mismatch(call + ": dL/db", gb,
                 numeric_grad([&](const Array& x) { return array(tensor(a) / tensor(x)); }, b, g),
                 kFdTol));
}

RC_GTEST_PROP(Property, ExpBackwardMatchesFiniteDifferences, ()) {
  const Inputs in = *rc::gen::exec([] {
                       const Shape s = *gen_shape(0, 3, 3);
                       return make_inputs({"a", "grad_out"}, {gen_array(s, -12, 12, "a"),
                                                              gen_array(s, -8, 8, "grad_out")});
                     }).as("inputs");
  const Array &a = in.arrays[0], &g = in.arrays[1];
  const Array out = array(gradlab::exp(tensor(a)));
  const std::string call = call_str("exp_backward", {&a, &out, &g});
  const Array ga = guarded(call, [&] { return lab03::exp_backward(a, out, g); });
  check(mismatch(call + ": dL/da", ga,
                 numeric_grad([](const Array& x) { return array(gradlab::exp(tensor(x))); }, a, g),
                 kFdTol));
}

RC_GTEST_PROP(Property, LogBackwardMatchesFiniteDifferences, ()) {
  const Inputs in = *rc::gen::exec([] {
                       const Shape s = *gen_shape(0, 3, 3);
                       return make_inputs({"a", "grad_out"}, {gen_array(s, 1, 24, "a"),
                                                              gen_array(s, -8, 8, "grad_out")});
                     }).as("inputs");
  const Array &a = in.arrays[0], &g = in.arrays[1];
  const Array out = array(gradlab::log(tensor(a)));
  const std::string call = call_str("log_backward", {&a, &out, &g});
  const Array ga = guarded(call, [&] { return lab03::log_backward(a, out, g); });
  check(mismatch(call + ": dL/da", ga,
                 numeric_grad([](const Array& x) { return array(gradlab::log(tensor(x))); }, a, g),
                 kFdTol));
}

RC_GTEST_PROP(Property, SumBackwardMatchesFiniteDifferences, ()) {
  const Inputs in = *rc::gen::exec([] {
                       Inputs r;
                       r.shape_a = *gen_shape(1, 3, 3);
                       const auto rank = static_cast<int64_t>(r.shape_a.size());
                       r.dim = *rc::gen::inRange<int64_t>(-rank, rank);
                       Shape out_shape = r.shape_a;
                       out_shape.erase(out_shape.begin() + (r.dim < 0 ? r.dim + rank : r.dim));
                       r.names = {"grad_out"};
                       r.arrays = {gen_array(out_shape, -8, 8, "grad_out")};
                       r.note = "a_shape = " + str(r.shape_a) + ", dim = " + std::to_string(r.dim);
                       return r;
                     }).as("inputs");
  const Shape& s = in.shape_a;
  const int64_t dim = in.dim;
  const Array& g = in.arrays[0];
  const Array a{s, std::vector<double>(static_cast<std::size_t>(numel(s)), 0.0)};
  const std::string call =
      "sum_backward(a_shape " + str(s) + ", dim " + std::to_string(dim) + ", " + str(g) + ")";
  const Array ga = guarded(call, [&] { return lab03::sum_backward(s, dim, g); });
  check(mismatch(
      call + ": dL/da", ga,
      numeric_grad([&](const Array& x) { return array(gradlab::sum(tensor(x), {dim})); }, a, g),
      kFdTol));
}

// Shapes built as in phase 01: suffixes of a common shape with some sizes set to 1.
RC_GTEST_PROP(Property, BroadcastAddBackwardUnbroadcasts, ()) {
  const Inputs in =
      *rc::gen::exec([] {
         const Shape out = *gen_shape(0, 3, 3);
         auto suffix = [&] {
           const auto r = static_cast<std::size_t>(
               *rc::gen::inRange<int>(0, static_cast<int>(out.size()) + 1));
           Shape s(out.end() - static_cast<std::ptrdiff_t>(r), out.end());
           for (auto& d : s)
             if (*rc::gen::arbitrary<bool>()) d = 1;
           return s;
         };
         Inputs r;
         r.shape_a = suffix();
         r.shape_b = suffix();
         r.names = {"grad_out"};
         r.arrays = {gen_array(gradlab::broadcast_shapes(r.shape_a, r.shape_b), -8, 8, "grad_out")};
         r.note = "a_shape = " + str(r.shape_a) + ", b_shape = " + str(r.shape_b);
         return r;
       }).as("inputs");
  const Shape &sa = in.shape_a, &sb = in.shape_b;
  const Array& g = in.arrays[0];
  const Array za{sa, std::vector<double>(static_cast<std::size_t>(numel(sa)), 0.0)};
  const Array zb{sb, std::vector<double>(static_cast<std::size_t>(numel(sb)), 0.0)};
  const std::string call =
      "broadcast_add_backward(a_shape " + str(sa) + ", b_shape " + str(sb) + ", " + str(g) + ")";
  const auto [ga, gb] = guarded(call, [&] { return lab03::broadcast_add_backward(sa, sb, g); });
  check(mismatch(call + ": dL/da", ga,
                 numeric_grad([&](const Array& x) { return array(tensor(x) + tensor(zb)); }, za, g),
                 kFdTol));
  check(mismatch(call + ": dL/db", gb,
                 numeric_grad([&](const Array& x) { return array(tensor(za) + tensor(x)); }, zb, g),
                 kFdTol));
}

RC_GTEST_PROP(Property, MatmulBackwardMatchesFiniteDifferences, ()) {
  const Inputs in =
      *rc::gen::exec([] {
         const int64_t n = *rc::gen::inRange<int64_t>(1, 4), k = *rc::gen::inRange<int64_t>(1, 4),
                       m = *rc::gen::inRange<int64_t>(1, 4);
         return make_inputs({"a", "b", "grad_out"},
                            {gen_array({n, k}, -8, 8, "a"), gen_array({k, m}, -8, 8, "b"),
                             gen_array({n, m}, -8, 8, "grad_out")});
       }).as("inputs");
  const Array &a = in.arrays[0], &b = in.arrays[1], &g = in.arrays[2];
  const std::string call = call_str("matmul_backward", {&a, &b, &g});
  const auto [ga, gb] = guarded(call, [&] { return lab03::matmul_backward(a, b, g); });
  check(mismatch(
      call + ": dL/da", ga,
      numeric_grad([&](const Array& x) { return array(gradlab::matmul(tensor(x), tensor(b))); }, a,
                   g),
      kFdTol));
  check(mismatch(
      call + ": dL/db", gb,
      numeric_grad([&](const Array& x) { return array(gradlab::matmul(tensor(a), tensor(x))); }, b,
                   g),
      kFdTol));
}

RC_GTEST_PROP(Property, TopoSortPutsInputsFirst, ()) {
  const RandomGraph r = *gen_graph().as("graph");
  const std::string call = "topo_sort(" + describe(r.graph, r.root) + ")";
  const auto order = guarded(call, [&] { return lab03::topo_sort(r.graph, r.root); });
  const std::string p = topo_problem(r.graph, r.root, order);
  if (!p.empty()) counterexample(call + " returned " + order_str(order) + ": " + p);
}

RC_GTEST_PROP(Property, BackwardMatchesFiniteDifferencesOnRandomGraphs, ()) {
  const RandomGraph r = *gen_graph().as("graph");
  const Shape& root_shape = r.values[static_cast<std::size_t>(r.root)].shape;
  const Array seed{root_shape, *rc::gen::exec([root_shape] {
                                  return gen_array(root_shape, -8, 8, "seed").data;
                                }).as("seed")};
  const std::string call =
      "backward(" + describe(r.graph, r.root, &r.values) + " seed " + str(seed.data) + ")";
  const auto grads =
      guarded(call, [&] { return lab03::backward(r.graph, r.values, r.root, seed); });
  const std::string p = backward_problem(r.graph, r.values, r.root, seed, grads);
  if (!p.empty()) counterexample(call + ": " + p);
}

// =============================================================================
// Reference tests (torch.autograd, float64)
// =============================================================================

TEST(Reference, MulBackward) {
  for (const auto& c : golden().at("rules").at("mul")) {
    const Array a = arr(c["a"]), b = arr(c["b"]), g = arr(c["grad_out"]);
    const auto [ga, gb] = lab03::mul_backward(a, b, g);
    const std::string call = call_str("mul_backward", {&a, &b, &g});
    EXPECT_EQ(mismatch(call + ": dL/da", ga, arr(c["ga"]), kGoldenTol), "");
    EXPECT_EQ(mismatch(call + ": dL/db", gb, arr(c["gb"]), kGoldenTol), "");
  }
}

TEST(Reference, DivBackward) {
  for (const auto& c : golden().at("rules").at("div")) {
    const Array a = arr(c["a"]), b = arr(c["b"]), g = arr(c["grad_out"]);
    const auto [ga, gb] = lab03::div_backward(a, b, g);
    const std::string call = call_str("div_backward", {&a, &b, &g});
    EXPECT_EQ(mismatch(call + ": dL/da", ga, arr(c["ga"]), kGoldenTol), "");
    EXPECT_EQ(mismatch(call + ": dL/db", gb, arr(c["gb"]), kGoldenTol), "");
  }
}

TEST(Reference, ExpBackward) {
  for (const auto& c : golden().at("rules").at("exp")) {
    const Array a = arr(c["a"]), out = arr(c["out"]), g = arr(c["grad_out"]);
    EXPECT_EQ(mismatch(call_str("exp_backward", {&a, &out, &g}), lab03::exp_backward(a, out, g),
                       arr(c["ga"]), kGoldenTol),
              "");
  }
}

TEST(Reference, LogBackward) {
  for (const auto& c : golden().at("rules").at("log")) {
    const Array a = arr(c["a"]), out = arr(c["out"]), g = arr(c["grad_out"]);
    EXPECT_EQ(mismatch(call_str("log_backward", {&a, &out, &g}), lab03::log_backward(a, out, g),
                       arr(c["ga"]), kGoldenTol),
              "");
  }
}

TEST(Reference, SumBackward) {
  for (const auto& c : golden().at("rules").at("sum")) {
    const auto s = c["a_shape"].get<Shape>();
    const auto dim = c["dim"].get<int64_t>();
    const Array g = arr(c["grad_out"]);
    EXPECT_EQ(mismatch("sum_backward(a_shape " + str(s) + ", dim " + std::to_string(dim) + ", " +
                           str(g) + ")",
                       lab03::sum_backward(s, dim, g), arr(c["ga"]), kGoldenTol),
              "");
  }
}

TEST(Reference, BroadcastAddBackward) {
  for (const auto& c : golden().at("rules").at("add")) {
    const auto sa = c["a_shape"].get<Shape>(), sb = c["b_shape"].get<Shape>();
    const Array g = arr(c["grad_out"]);
    const auto [ga, gb] = lab03::broadcast_add_backward(sa, sb, g);
    const std::string call =
        "broadcast_add_backward(" + str(sa) + ", " + str(sb) + ", " + str(g) + ")";
    EXPECT_EQ(mismatch(call + ": dL/da", ga, arr(c["ga"]), kGoldenTol), "");
    EXPECT_EQ(mismatch(call + ": dL/db", gb, arr(c["gb"]), kGoldenTol), "");
  }
}

TEST(Reference, MatmulBackward) {
  for (const auto& c : golden().at("rules").at("matmul")) {
    const Array a = arr(c["a"]), b = arr(c["b"]), g = arr(c["grad_out"]);
    const auto [ga, gb] = lab03::matmul_backward(a, b, g);
    const std::string call = call_str("matmul_backward", {&a, &b, &g});
    EXPECT_EQ(mismatch(call + ": dL/da", ga, arr(c["ga"]), kGoldenTol), "");
    EXPECT_EQ(mismatch(call + ": dL/db", gb, arr(c["gb"]), kGoldenTol), "");
  }
}

TEST(Reference, TopoSortOfGoldenGraphs) {
  for (const auto& c : golden().at("graphs")) {
    const Graph g = graph_of(c);
    const auto root = c["root"].get<int64_t>();
    const auto order = lab03::topo_sort(g, root);
    EXPECT_EQ(topo_problem(g, root, order), "")
        << c["name"].get<std::string>() << ": topo_sort(" << describe(g, root) << ") returned "
        << order_str(order);
  }
}

TEST(Reference, BackwardOnGoldenGraphs) {
  for (const auto& c : golden().at("graphs")) {
    const Graph g = graph_of(c);
    const auto root = c["root"].get<int64_t>();
    std::vector<Array> values, expected;
    for (const auto& v : c["values"]) values.push_back(arr(v));
    for (const auto& v : c["grads"]) expected.push_back(arr(v));
    const auto grads = lab03::backward(g, values, root, arr(c["seed"]));
    ASSERT_EQ(grads.size(), g.size()) << "backward must return one gradient per node";
    for (std::size_t i = 0; i < g.size(); ++i)
      EXPECT_EQ(mismatch("gradient of node " + std::to_string(i) + " (" + op_name(g[i].op) + ")",
                         grads[i], expected[i], kGoldenTol),
                "")
          << c["name"].get<std::string>() << " graph, torch retain_grad() values; "
          << describe(g, root);
  }
}

// =============================================================================
// Stress tests
// =============================================================================

// y_0 = x, y_{i+1} = y_i + c: a 10000-deep chain (a recursive DFS needs a
// deep stack) that also uses c 10000 times. dL/dx = 1, dL/dc = 10000.
TEST(Stress, DeepChain) {
  const int64_t depth = 10000;
  // Ids reversed: the root is node 0, x is the last node.
  const int64_t n = depth + 2;
  auto id = [&](int64_t built) { return n - 1 - built; };  // built 0 = x, 1 = c, 2.. = chain
  Graph g(static_cast<std::size_t>(n));
  std::vector<Array> values(static_cast<std::size_t>(n), Array{{1}, {1.0}});
  values[static_cast<std::size_t>(id(1))] = Array{{1}, {0.0}};  // c = 0
  int64_t prev = id(0);
  for (int64_t i = 0; i < depth; ++i) {
    g[static_cast<std::size_t>(id(2 + i))] = Node{Op::Add, {prev, id(1)}, 0};
    prev = id(2 + i);
  }
  const auto order = lab03::topo_sort(g, prev);
  EXPECT_EQ(topo_problem(g, prev, order), "") << "topo_sort of a 10000-node chain (root = node 0)";
  const auto grads = lab03::backward(g, values, prev, Array{{1}, {1.0}});
  ASSERT_EQ(grads.size(), g.size());
  EXPECT_EQ(mismatch("dL/dx at the bottom of the chain", grads[static_cast<std::size_t>(id(0))],
                     Array{{1}, {1.0}}, 1e-12),
            "");
  EXPECT_EQ(mismatch("dL/dc (c used by all 10000 adds)", grads[static_cast<std::size_t>(id(1))],
                     Array{{1}, {double(depth)}}, 1e-12),
            "");
}

// root = sum_j x * w_j over 1000 products: dL/dx = sum_j w_j, dL/dw_j = x.
TEST(Stress, WideFanOut) {
  const int m = 1000;
  Graph g{Node{}};  // node 0: x
  std::vector<Array> values{Array{{3}, {1.0, -2.0, 0.5}}};
  std::vector<double> wsum(3, 0.0);
  int64_t acc = -1;
  for (int j = 0; j < m; ++j) {
    Array w{{3}, {0.001 * j, -0.002 * j, 1.0}};
    for (int e = 0; e < 3; ++e)
      wsum[static_cast<std::size_t>(e)] += w.data[static_cast<std::size_t>(e)];
    g.push_back(Node{});
    values.push_back(w);
    const auto wid = static_cast<int64_t>(g.size() - 1);
    g.push_back(Node{Op::Mul, {0, wid}, 0});
    values.push_back(Array{});
    const auto pid = static_cast<int64_t>(g.size() - 1);
    if (acc < 0) {
      acc = pid;
    } else {
      g.push_back(Node{Op::Add, {acc, pid}, 0});
      values.push_back(Array{});
      acc = static_cast<int64_t>(g.size() - 1);
    }
  }
  values = forward(g, values);
  const auto grads = lab03::backward(g, values, acc, Array{{3}, {1.0, 1.0, 1.0}});
  ASSERT_EQ(grads.size(), g.size());
  EXPECT_EQ(mismatch("dL/dx for x used by 1000 products", grads[0], Array{{3}, wsum}, 1e-10), "");
  EXPECT_EQ(mismatch("dL/dw_7", grads[1 + 2 * 7], values[0], 1e-12), "");
}

// For z = a @ b and any directions da, db: <dL/da, da> = <g, da @ b> and
// <dL/db, db> = <g, a @ db> (the gradient is the adjoint of the forward).
TEST(Stress, LargeMatmulBackwardIdentity) {
  gradlab::Generator gen(7);
  auto rnd = [&](Shape s) { return array(gradlab::randn(s, gen, gradlab::DType::Float64)); };
  const Array a = rnd({40, 30}), b = rnd({30, 20}), g = rnd({40, 20}), da = rnd({40, 30}),
              db = rnd({30, 20});
  const auto [ga, gb] = lab03::matmul_backward(a, b, g);
  ASSERT_EQ(ga.shape, (Shape{40, 30})) << "dL/da must have a's shape";
  ASSERT_EQ(gb.shape, (Shape{30, 20})) << "dL/db must have b's shape";
  const double lhs_a = dot(ga.data, da.data),
               rhs_a = dot(g.data, array(gradlab::matmul(tensor(da), tensor(b))).data);
  const double lhs_b = dot(gb.data, db.data),
               rhs_b = dot(g.data, array(gradlab::matmul(tensor(a), tensor(db))).data);
  EXPECT_NEAR(lhs_a, rhs_a, 1e-9 * (1 + std::abs(rhs_a)))
      << "(40,30)@(30,20): <dL/da, da> must equal <g, da @ b>";
  EXPECT_NEAR(lhs_b, rhs_b, 1e-9 * (1 + std::abs(rhs_b)))
      << "(40,30)@(30,20): <dL/db, db> must equal <g, a @ db>";
}

TEST(Stress, ExtremeValues) {
  // exp(700) ~ 1e304 times a tiny upstream gradient: finite if you reuse out.
  const Array a{{2}, {700.0, -700.0}}, out = array(gradlab::exp(tensor(a))),
                                       g{{2}, {1e-300, 1e300}};
  const Array ge = lab03::exp_backward(a, out, g);
  EXPECT_EQ(mismatch("exp_backward at a = [700, -700]", ge,
                     Array{{2}, {1e-300 * out.data[0], 1e300 * out.data[1]}}, 1e-12),
            "");
  // log near 0: 1 / 1e-300 is 1e300, still finite.
  const Array al{{2}, {1e-300, 1e300}}, gl{{2}, {1e-10, 1e10}};
  EXPECT_EQ(mismatch("log_backward at a = [1e-300, 1e300]",
                     lab03::log_backward(al, array(gradlab::log(tensor(al))), gl),
                     Array{{2}, {1e-10 / 1e-300, 1e10 / 1e300}}, 1e-12),
            "");
  // A (1000,1) + (1,1000) outer sum: each gradient sums 1000 values.
  std::vector<double> gv(1000 * 1000);
  for (std::size_t i = 0; i < gv.size(); ++i)
    gv[i] = static_cast<double>(i % 1000) - 0.5 * static_cast<double>(i / 1000 % 7);
  const Array gbig{{1000, 1000}, gv};
  const auto [ga, gb] = lab03::broadcast_add_backward({1000, 1}, {1, 1000}, gbig);
  EXPECT_EQ(mismatch("broadcast_add_backward((1000,1), (1,1000)): dL/da", ga,
                     array(gradlab::sum(tensor(gbig), {1}, true)), 1e-12),
            "");
  EXPECT_EQ(mismatch("broadcast_add_backward((1000,1), (1,1000)): dL/db", gb,
                     array(gradlab::sum(tensor(gbig), {0}, true)), 1e-12),
            "");
}

}  // namespace lab03_test
