// tests/layers/linear_test.cpp — Linear: hand-checked values, batch shapes,
// PyTorch's default init (bounds, statistics, determinism), gradcheck.
#include "layers/linear.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "layers/init.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

using test::f64;
using test::values_near;

// W = [[1,2,3],[4,5,6]], b = [0.5,-1].
void set_hand_weights(Linear& lin) {
  lin.load_state_dict({{"weight", f64({1, 2, 3, 4, 5, 6}, {2, 3})}, {"bias", f64({0.5, -1}, {2})}});
}

TEST(Linear, HandCheckedValues) {
  Generator gen(0);
  Linear lin(3, 2, gen);
  set_hand_weights(lin);
  // x row 0 = [1,0,-1]: [1-3+0.5, 4-6-1] = [-1.5, -3]
  // x row 1 = [2,1,0]:  [2+2+0.5, 8+5-1] = [4.5, 12]
  Tensor y = lin.forward(from_vector<float>({1, 0, -1, 2, 1, 0}, {2, 3}));
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_TRUE(values_near(y, {-1.5, -3, 4.5, 12}, 0));
}

TEST(Linear, VectorAndBatchedInputs) {
  Generator gen(0);
  Linear lin(3, 2, gen);
  set_hand_weights(lin);
  Tensor v = lin.forward(from_vector<float>({1, 0, -1}, {3}));
  EXPECT_EQ(v.shape(), (Shape{2}));
  EXPECT_TRUE(values_near(v, {-1.5, -3}, 0));
  Tensor x = randn({2, 4, 3}, gen);
  Tensor y = lin.forward(x);
  EXPECT_EQ(y.shape(), (Shape{2, 4, 2}));
  for (int64_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(allclose(select(y, 0, i), lin.forward(select(x, 0, i)), 1e-6, 1e-6));
  }
}

TEST(Linear, WithoutBias) {
  Generator gen(0);
  Linear lin(3, 2, gen, /*bias=*/false);
  EXPECT_FALSE(lin.bias.defined());
  EXPECT_EQ(lin.parameters().size(), 1u);
  lin.load_state_dict({{"weight", f64({1, 2, 3, 4, 5, 6}, {2, 3})}});
  EXPECT_TRUE(values_near(lin.forward(from_vector<float>({1, 0, -1}, {1, 3})), {-2, -2}, 0));
  EXPECT_EQ(lin.extra_repr(), "in_features=3, out_features=2, bias=false");
}

TEST(Linear, InitRespectsPyTorchBounds) {
  Generator gen(42);
  const int64_t in = 64, out = 128;
  Linear lin(in, out, gen);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));  // 0.125
  EXPECT_EQ(lin.weight.shape(), (Shape{out, in}));
  EXPECT_EQ(lin.weight.dtype(), DType::Float32);
  for (const Tensor& t : {lin.weight, lin.bias}) {
    std::vector<double> v = t.to_vector<double>();
    double lo = 1, hi = -1, sum = 0, sq = 0;
    for (double x : v) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      sum += x;
      sq += x * x;
    }
    EXPECT_GE(lo, -bound);
    EXPECT_LE(hi, bound);
    if (v.size() >= 1000) {  // the weight: 8192 draws of U(-b, b)
      const double n = static_cast<double>(v.size());
      // Range nearly filled; mean 0 (sd b/sqrt(3n) = 0.0008); variance b^2/3 (rel. sd ~1%).
      EXPECT_LT(lo, -0.98 * bound);
      EXPECT_GT(hi, 0.98 * bound);
      EXPECT_NEAR(sum / n, 0.0, 0.004);
      EXPECT_NEAR(sq / n, bound * bound / 3, 0.05 * bound * bound / 3);
    }
  }
}

TEST(Linear, InitIsDeterministicAndWeightThenBias) {
  Generator g1(7), g2(7), g3(8), g4(7);
  Linear a(5, 3, g1), b(5, 3, g2), c(5, 3, g3);
  EXPECT_TRUE(equal(a.weight, b.weight));
  EXPECT_TRUE(equal(a.bias, b.bias));
  EXPECT_FALSE(equal(a.weight, c.weight));
  // Drawn in PyTorch's order: the weight first, then the bias.
  Tensor w = init::kaiming_uniform({3, 5}, std::sqrt(5.0), g4);
  Tensor bias = init::uniform_symmetric({3}, 1.0 / std::sqrt(5.0), g4);
  EXPECT_TRUE(equal(a.weight.detach(), w));
  EXPECT_TRUE(equal(a.bias.detach(), bias));
}

TEST(Linear, GradcheckThroughTheLayer) {
  Generator gen(3);
  Linear lin(4, 3, gen);
  lin.to(DType::Float64);
  Tensor x = randn({2, 5, 4}, gen, DType::Float64);
  auto fn = [&](const std::vector<Tensor>& in) {
    lin.weight = in[1];
    lin.bias = in[2];
    return lin.forward(in[0]);
  };
  auto r = gradcheck(fn, {x, lin.weight.detach().clone(), lin.bias.detach().clone()});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(Linear, ErrorsNameTheShapes) {
  Generator gen(0);
  EXPECT_THROW(Linear(0, 3, gen), std::invalid_argument);
  Linear lin(3, 2, gen);
  try {
    lin.forward(zeros({4, 5}));
    FAIL() << "expected a shape error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("Linear: input (4,5) must end in in_features = 3"),
              std::string::npos)
        << e.what();
  }
}

// Property: Linear is affine: f(a x1 + (1-a) x2) = a f(x1) + (1-a) f(x2).
RC_GTEST_PROP(LinearProperty, IsAffine, ()) {
  const auto in = *rc::gen::inRange<int64_t>(1, 8);
  const auto out = *rc::gen::inRange<int64_t>(1, 8);
  const auto seed = *rc::gen::arbitrary<uint32_t>();
  const double a = *rc::gen::inRange(0, 100) / 100.0;
  Generator gen(seed);
  Linear lin(in, out, gen);
  lin.to(DType::Float64);
  Tensor x1 = randn({3, in}, gen, DType::Float64), x2 = randn({3, in}, gen, DType::Float64);
  Tensor lhs = lin.forward(x1 * a + x2 * (1 - a));
  Tensor rhs = lin.forward(x1) * a + lin.forward(x2) * (1 - a);
  RC_ASSERT(allclose(lhs, rhs, 1e-12, 1e-12));
}

}  // namespace
}  // namespace gradlab::nn
