// tests/core/autograd_test.cpp — the engine (core/autograd.cpp): record,
// backward, gradient accumulation, graph freeing, NoGradGuard, detach,
// AnomalyMode, reduce_to_shape, and the error messages.
#include <cmath>
#include <limits>
#include <thread>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

// ---- backward by hand ------------------------------------------------------------------------
TEST(Autograd, ChainRuleByHand) {
  Tensor x = f64({1, 2, 3}, {3});
  x.requires_grad_();
  Tensor y = (x * x + x * 3.0).sum();  // dy/dx = 2x + 3
  EXPECT_TRUE(y.requires_grad());
  y.backward();
  EXPECT_TRUE(tensorIs(x.grad(), {3}, {5, 7, 9}));
  EXPECT_EQ(x.grad().dtype(), DType::Float64);
  EXPECT_FALSE(x.grad().requires_grad());
}

TEST(Autograd, NodeUsedTwice) {
  // y = x*x; z = y + y: dz/dx = 4x, both uses of y contribute.
  Tensor x = f64({1, -2, 3}, {3});
  x.requires_grad_();
  Tensor y = x * x;
  Tensor z = y + y;
  z.sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {3}, {4, -8, 12}));
  // w = y * y = x^4: dw/dx = 4x^3.
  Tensor a = f64({2}, {1});
  a.requires_grad_();
  Tensor b = a * a;
  (b * b).sum().backward();
  EXPECT_TRUE(tensorIs(a.grad(), {1}, {32}));
  // A diamond: x feeds two branches that meet again.
  Tensor c = f64({3}, {});
  c.requires_grad_();
  Tensor d = exp(c * 0.0) * c;                  // = c
  (d * sigmoid(c * 0.0) + d * 2.0).backward();  // = 2.5 c
  EXPECT_TRUE(tensorIs(c.grad(), {}, {2.5}));
}

TEST(Autograd, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  (x * 3.0).sum().backward();
  (x * x).sum().backward();  // a second graph: adds 2x
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {5, 7}));
  // retain_graph lets the same graph run twice; the gradient doubles.
  Tensor w = f64({1, 2}, {2});
  w.requires_grad_();
  Tensor l = (w * w).sum();
  l.backward(/*retain_graph=*/true);
  l.backward();
  EXPECT_TRUE(tensorIs(w.grad(), {2}, {4, 8}));
  // zero_grad starts afresh.
  w.zero_grad();
  (w * 1.0).sum().backward();
  EXPECT_TRUE(tensorIs(w.grad(), {2}, {1, 1}));
}

// Accumulation may reuse a gradient buffer in place; it must never write into
// memory that someone else can see.
TEST(Autograd, AccumulationNeverAliases) {
  // A .grad the caller holds keeps its value (the next backward replaces it).
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  (x * 3.0).sum().backward();
  Tensor held = x.grad();
  (x * 3.0).sum().backward();
  EXPECT_TRUE(tensorIs(held, {2}, {3, 3}));
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {6, 6}));
  // grad_output is never taken over as a .grad.
  Tensor y = f64({1, 2}, {2}), c = f64({5, 5}, {2});
  y.requires_grad_();
  Tensor go = f64({1, 10}, {2});
  add(y, c).backward(go);
  add(y, c).backward(go);
  EXPECT_TRUE(tensorIs(go, {2}, {1, 10}));
  EXPECT_TRUE(tensorIs(y.grad(), {2}, {2, 20}));
  // Two leaves fed the same gradient tensor (add passes it through) get
  // separate buffers.
  Tensor a = f64({1, 2}, {2}), b = f64({3, 4}, {2});
  a.requires_grad_();
  b.requires_grad_();
  add(a, b).backward(f64({1, 1}, {2}));
  Tensor ga = a.grad();
  mul_(ga, 0.0);  // e.g. gradient clipping in place
  EXPECT_TRUE(tensorIs(b.grad(), {2}, {1, 1}));
  EXPECT_TRUE(tensorIs(a.grad(), {2}, {0, 0}));  // .grad() is the same tensor, not a copy
  // A leaf that is the root: its seed is copied too.
  Tensor r = f64({1, 2}, {2});
  r.requires_grad_();
  Tensor seed = f64({7, 8}, {2});
  r.backward(seed);
  r.backward(seed);
  EXPECT_TRUE(tensorIs(seed, {2}, {7, 8}));
  EXPECT_TRUE(tensorIs(r.grad(), {2}, {14, 16}));
}

TEST(Autograd, SecondBackwardThroughFreedGraphIsAClearError) {
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  Tensor y = x * x;
  Tensor l = y.sum();
  l.backward();
  EXPECT_THROWS_WITH(l.backward(), std::runtime_error, "backward", "already freed", "retain_graph");
  // Reusing a freed intermediate in a new graph fails the same way, naming the op.
  Tensor m = (y * 2.0).sum();
  EXPECT_THROWS_WITH(m.backward(), std::runtime_error, "'mul'", "already freed");
  // The gradient from the first call is untouched.
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {2, 4}));
}

TEST(Autograd, AFailedBackwardLeavesNoGradientBehindInWaitingNodes) {
  // Backward runs nodes newest first. Here q's node (older) is still waiting
  // when y's freed node stops the walk; its gradient must not linger and be
  // added to the next backward through q.
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  Tensor q = x * 5.0;
  Tensor y = x * x;
  y.sum().backward();
  Tensor m = (y * 2.0 + q).sum();
  EXPECT_THROWS_WITH(m.backward(), std::runtime_error, "already freed");
  x.zero_grad();
  q.sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {5, 5}));
}

TEST(Autograd, GraphBuiltAcrossThreads) {
  // Nodes made on other threads still run after every node that consumes
  // their output (creation numbers are global).
  Tensor x = f64({1, 2, 3}, {3});
  x.requires_grad_();
  Tensor a, b;
  std::thread t1([&] { a = x * x; });  // 2x
  t1.join();
  std::thread t2([&] { b = a * 3.0 + x; });  // 6x + 1
  t2.join();
  Tensor l = (b * a).sum();  // d/dx (3x^4 + x^3) = 12x^3 + 3x^2
  l.backward();
  EXPECT_TRUE(tensorIs(x.grad(), {3}, {15, 108, 351}));
}

TEST(Autograd, BackwardNeedsAScalarOrAGradOutput) {
  Tensor x = f64({1, 2, 3, 4}, {2, 2});
  x.requires_grad_();
  Tensor y = x * 2.0;
  EXPECT_THROWS_WITH(y.backward(), std::invalid_argument, "backward", "(2,2)", "grad_output");
  EXPECT_THROWS_WITH(y.backward(zeros({4}, DType::Float64)), std::invalid_argument, "backward",
                     "(4)", "(2,2)");
  y.backward(f64({1, 0, 0, 10}, {2, 2}));
  EXPECT_TRUE(tensorIs(x.grad(), {2, 2}, {2, 0, 0, 20}));
  // A one-element output of any rank is fine.
  Tensor s = f64({5}, {1, 1});
  s.requires_grad_();
  (s * s).backward();
  EXPECT_TRUE(tensorIs(s.grad(), {1, 1}, {10}));
}

TEST(Autograd, BackwardOnATensorWithoutGraphIsAnError) {
  Tensor x = f64({1}, {1});
  EXPECT_THROWS_WITH(x.backward(), std::invalid_argument, "backward", "does not require grad");
  EXPECT_THROWS_WITH((x * 2.0).backward(), std::invalid_argument, "does not require grad");
}

TEST(Autograd, BackwardFromALeaf) {
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  x.backward(f64({3, 4}, {2}));
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {3, 4}));
  x.backward(f64({1, 1}, {2}));
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {4, 5}));
}

TEST(Autograd, RequiresGradOnIntegerTensorsIsAnError) {
  EXPECT_THROWS_WITH(i64({1, 2}, {2}).requires_grad_(), std::invalid_argument, "requires_grad_",
                     "Int64");
  EXPECT_THROWS_WITH(ones({2}, DType::Bool).requires_grad_(), std::invalid_argument,
                     "requires_grad_", "Bool");
}

TEST(Autograd, OnlyTensorsThatRequireGradGetGradients) {
  Tensor x = f64({1, 2}, {2}), c = f64({3, 4}, {2});
  x.requires_grad_();
  Tensor i = i64({5, 6}, {2});
  Tensor y = mul(mul(x, c), i).sum();
  y.backward();
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {15, 24}));
  EXPECT_FALSE(c.grad().defined());
  Tensor mid = x * 2.0;
  (mid * 1.0).sum().backward();
  EXPECT_FALSE(mid.grad().defined());  // non-leaves keep no .grad
}

TEST(Autograd, BroadcastingIsUndoneBySumming) {
  Tensor a = f64({1, 2, 3}, {3, 1}), b = f64({10, 20, 30, 40}, {4}), s = f64({2}, {});
  a.requires_grad_();
  b.requires_grad_();
  s.requires_grad_();
  (a * b * s).sum().backward();
  EXPECT_TRUE(tensorIs(a.grad(), {3, 1}, {200, 200, 200}));
  EXPECT_TRUE(tensorIs(b.grad(), {4}, {12, 12, 12, 12}));
  EXPECT_TRUE(tensorIs(s.grad(), {}, {600}));
}

TEST(Autograd, GradientDtypeFollowsTheLeaf) {
  Tensor x = ones({2}, DType::Float32), h = ones({2}, DType::Float16);
  x.requires_grad_();
  h.requires_grad_();
  (x * h.to(DType::Float32) * 3.0).sum().backward();
  EXPECT_EQ(x.grad().dtype(), DType::Float32);
  EXPECT_EQ(h.grad().dtype(), DType::Float16);
  EXPECT_TRUE(tensorIs(h.grad(), {2}, {3, 3}));
  Tensor d = ones({2}, DType::Float64);
  d.requires_grad_();
  (d.to(DType::BFloat16) * 2.0).sum().backward();
  EXPECT_EQ(d.grad().dtype(), DType::Float64);
  EXPECT_TRUE(tensorIs(d.grad(), {2}, {2, 2}));
}

// ---- grad mode -------------------------------------------------------------------------------
TEST(Autograd, NoGradGuard) {
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  EXPECT_TRUE(grad_mode_enabled());
  {
    NoGradGuard g;
    EXPECT_FALSE(grad_mode_enabled());
    Tensor y = x * 2.0;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_leaf());
    EXPECT_FALSE(any_requires_grad({&x}));
    {
      NoGradGuard nested;
      EXPECT_FALSE(grad_mode_enabled());
    }
    EXPECT_FALSE(grad_mode_enabled());  // the inner guard restores "off"
    EXPECT_THROWS_WITH(y.sum().backward(), std::invalid_argument, "does not require grad",
                       "NoGradGuard");
  }
  EXPECT_TRUE(grad_mode_enabled());
  EXPECT_TRUE((x * 2.0).requires_grad());
  EXPECT_TRUE(any_requires_grad({&x}));
  Tensor plain = ones({1});
  EXPECT_FALSE(any_requires_grad({&plain}));
}

TEST(Autograd, DetachStopsGradient) {
  Tensor x = f64({2}, {1});
  x.requires_grad_();
  Tensor y = x * x;
  Tensor z = (y.detach() * x).sum();  // d/dx = y (constant) = 4
  z.backward();
  EXPECT_TRUE(tensorIs(x.grad(), {1}, {4}));
  EXPECT_FALSE(y.detach().requires_grad());
}

// ---- custom ops with record ------------------------------------------------------------------
// A user-defined op: cube(x) with backward 3x^2, via record.
Tensor cube(const Tensor& x) {
  Tensor out = x.detach() * x.detach() * x.detach();
  Tensor xd = x.detach();
  return record("cube", out, {x},
                [xd](const Tensor& g) { return std::vector<Tensor>{g * (xd * xd * 3.0)}; });
}

TEST(Autograd, RecordAttachesACustomBackward) {
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  Tensor y = cube(x);
  EXPECT_EQ(y.grad_fn_name(), "cube");
  y.sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {3, 12}));
  EXPECT_FALSE(cube(f64({1}, {1})).requires_grad());  // nothing to track: no node
}

TEST(Autograd, WrongGradientShapeFromAnOpIsAnInternalError) {
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  Tensor y = record("bad_op", x.detach() * 1.0, {x},
                    [](const Tensor&) { return std::vector<Tensor>{zeros({3})}; });
  EXPECT_THROWS_WITH(y.sum().backward(), std::logic_error, "bad_op", "(3)", "(2)");
  Tensor z = record("two_grads", x.detach() * 1.0, {x}, [](const Tensor& g) {
    return std::vector<Tensor>{g, g};
  });
  EXPECT_THROWS_WITH(z.sum().backward(), std::logic_error, "two_grads", "2 gradients", "1 inputs");
}

// ---- anomaly mode ----------------------------------------------------------------------------
TEST(Autograd, AnomalyModeNamesTheOp) {
  Tensor x = f64({0, 1}, {2});
  x.requires_grad_();
  EXPECT_FALSE(AnomalyMode::enabled());
  EXPECT_NO_THROW(log(x));  // off by default: -inf is a value like any other
  {
    AnomalyMode on;
    EXPECT_TRUE(AnomalyMode::enabled());
    EXPECT_THROWS_WITH(log(x), std::runtime_error, "anomaly", "output of 'log'", "inf", "(2)");
    EXPECT_THROWS_WITH(div(x, x), std::runtime_error, "anomaly", "'div'", "NaN");
    // sqrt(0) is fine forward, its gradient is inf.
    EXPECT_THROWS_WITH(sqrt(x).sum().backward(), std::runtime_error, "anomaly",
                       "gradient of 'sqrt'", "inf");
  }
  EXPECT_FALSE(AnomalyMode::enabled());
}

// ---- reduce_to_shape ---------------------------------------------------------------------------
TEST(Autograd, ReduceToShapeUndoesBroadcasting) {
  Tensor g = reshape(arange(24, DType::Float64), {2, 3, 4});
  Tensor r = reduce_to_shape(g, {3, 1});
  // sum over dim 0 and dim 2: rows k of both batches.
  EXPECT_TRUE(
      tensorIs(r, {3, 1},
               {(0 + 1 + 2 + 3) + (12 + 13 + 14 + 15), (4 + 5 + 6 + 7) + (16 + 17 + 18 + 19),
                (8 + 9 + 10 + 11) + (20 + 21 + 22 + 23)}));
  EXPECT_TRUE(tensorIs(reduce_to_shape(g, {4}), {4}, {60, 66, 72, 78}));
  EXPECT_TRUE(tensorIs(reduce_to_shape(g, {}), {}, {276}));
  EXPECT_TRUE(tensorIs(reduce_to_shape(g, {2, 1, 1}), {2, 1, 1}, {66, 210}));
  EXPECT_EQ(reduce_to_shape(g, {2, 3, 4}).impl(), g.impl());  // already the right shape
}

// ---- long graphs -------------------------------------------------------------------------------
TEST(Autograd, DeepChainsNeitherRecurseNorOverflow) {
  // 100,000 ops: backward and teardown must be iterative.
  Tensor x = f64({1}, {1});
  x.requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = y * 1.0 + 0.0;
  y.sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {1}, {1}));
  {
    Tensor z = x;
    for (int i = 0; i < 100000; ++i) z = z + 1.0;
  }  // destroyed without backward
  SUCCEED();
}

// ---- random graphs
// ------------------------------------------------------------------------------- A random
// expression DAG over a few leaves, intermediates reused: autograd agrees with central differences.
RC_GTEST_PROP(Autograd, RandomGraphsMatchFiniteDifferences, ()) {
  const BroadcastPair p = *genBroadcastPair(3, 3);
  const std::vector<int> program = *rc::gen::container<std::vector<int>>(
      static_cast<std::size_t>(*uniformInRange<int>(1, 8)), uniformInRange<int>(0, 6));
  const std::vector<int> picks =
      *rc::gen::container<std::vector<int>>(2 * program.size(), uniformInRange<int>(0, 100));
  auto fn = [&](const std::vector<Tensor>& in) {
    std::vector<Tensor> nodes = {in[0], in[1]};
    for (std::size_t i = 0; i < program.size(); ++i) {
      const Tensor& a = nodes[static_cast<std::size_t>(picks[2 * i]) % nodes.size()];
      const Tensor& b = nodes[static_cast<std::size_t>(picks[2 * i + 1]) % nodes.size()];
      switch (program[i]) {
        case 0:
          nodes.push_back(add(a, b));
          break;
        case 1:
          nodes.push_back(mul(tanh(a), b));
          break;  // bounded growth
        case 2:
          nodes.push_back(tanh(a));
          break;
        case 3:
          nodes.push_back(sub(a, b * 0.5));
          break;
        case 4:
          nodes.push_back(sigmoid(b) * a);
          break;
        default:
          nodes.push_back(exp(a * 0.1));
          break;
      }
    }
    Tensor out = nodes.back();
    for (const Tensor& n : nodes) out = out + sum(n) * 0.01;  // every node reaches the output
    return out;
  };
  rcGradcheck(fn, {randomTensor(p.a, *genSeed()), randomTensor(p.b, *genSeed())});
}

}  // namespace
}  // namespace gradlab
