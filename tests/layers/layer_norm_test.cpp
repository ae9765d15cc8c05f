// tests/layers/layer_norm_test.cpp — LayerNorm: hand values, affine
// parameters, multi-dim normalized shapes, 16-bit inputs, gradcheck, and a
// property (each normalised row has mean 0 and variance var / (var + eps)).
#include "layers/layer_norm.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

TEST(LayerNorm, HandCheckedRow) {
  LayerNorm ln({3});
  // x = [1,2,3]: mean 2, biased variance 2/3, y = (x - 2) / sqrt(2/3 + 1e-5).
  const double s = 1.0 / std::sqrt(2.0 / 3.0 + 1e-5);
  Tensor y = ln(test::f64({1, 2, 3, 10, 10, 13}, {2, 3}));
  // Row 2 = [10,10,13]: mean 11, variance 2, y = [-1,-1,2] / sqrt(2 + 1e-5).
  const double t = 1.0 / std::sqrt(2.0 + 1e-5);
  EXPECT_TRUE(test::values_near(y, {-s, 0, s, -t, -t, 2 * t}, 1e-12));
}

TEST(LayerNorm, AffineParametersScaleAndShift) {
  LayerNorm ln({2}, /*eps=*/0.0);
  EXPECT_EQ(ln.state_dict().keys(), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_TRUE(test::values_near(ln.weight, {1, 1}, 0));
  EXPECT_TRUE(test::values_near(ln.bias, {0, 0}, 0));
  ln.load_state_dict({{"weight", test::f64({2, 3}, {2})}, {"bias", test::f64({10, 20}, {2})}});
  // x = [0, 4]: normalised [-1, 1] -> [-2 + 10, 3 + 20].
  EXPECT_TRUE(test::values_near(ln(test::f64({0, 4}, {1, 2})), {8, 23}, 1e-12));
}

TEST(LayerNorm, NormalisesOverEveryTrailingDim) {
  LayerNorm ln({2, 2}, 1e-5, /*elementwise_affine=*/false);
  EXPECT_TRUE(ln.parameters().empty());
  // Sample 0 = [[1,2],[3,4]]: mean 2.5, variance 1.25.
  Tensor x = test::f64({1, 2, 3, 4, 0, 0, 0, 8}, {2, 2, 2});
  Tensor y = ln(x);
  const double a = 1.0 / std::sqrt(1.25 + 1e-5);
  // Sample 1 = [0,0,0,8]: mean 2, variance 12.
  const double b = 1.0 / std::sqrt(12.0 + 1e-5);
  EXPECT_TRUE(test::values_near(
      y, {-1.5 * a, -0.5 * a, 0.5 * a, 1.5 * a, -2 * b, -2 * b, -2 * b, 6 * b}, 1e-12));
  EXPECT_EQ(ln.repr(), "LayerNorm((2,2), eps=1e-05, elementwise_affine=false)");
}

TEST(LayerNorm, HalfInputsAreNormalisedInFloat32) {
  LayerNorm ln({4});
  Generator gen(1);
  Tensor x = (randn({3, 4}, gen) * 100.0 + 1000.0).to(DType::Float16);
  Tensor y = ln(x);
  EXPECT_EQ(y.dtype(), DType::Float16);
  Tensor ref = ln(x.to(DType::Float32));
  // Only the final rounding to half differs: |y| <= 2, half spacing <= 2^-9.
  EXPECT_TRUE(allclose(y.to(DType::Float32), ref, 0, 2e-3));
}

TEST(LayerNorm, GradcheckInputAndParameters) {
  Generator gen(2);
  LayerNorm ln({3});
  ln.to(DType::Float64);
  auto fn = [&](const std::vector<Tensor>& in) {
    ln.weight = in[1];
    ln.bias = in[2];
    return ln(in[0]);
  };
  auto r = gradcheck(fn, {randn({2, 2, 3}, gen, DType::Float64), randn({3}, gen, DType::Float64),
                          randn({3}, gen, DType::Float64)});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(LayerNorm, Errors) {
  EXPECT_THROW(LayerNorm(Shape{}), std::invalid_argument);
  EXPECT_THROW(LayerNorm({0}), std::invalid_argument);
  LayerNorm ln({4});
  try {
    ln(zeros({2, 3}));
    FAIL() << "expected a shape error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("LayerNorm: input (2,3) must end in normalized_shape (4)"),
              std::string::npos)
        << e.what();
  }
}

// Property: without affine parameters, every row has mean 0 and variance
// var / (var + eps), whatever its offset and scale.
RC_GTEST_PROP(LayerNormProperty, RowsHaveZeroMeanAndUnitVariance, ()) {
  const auto n = *rc::gen::inRange<int64_t>(2, 9);
  const auto seed = *rc::gen::arbitrary<uint32_t>();
  const double scale = std::pow(10.0, *rc::gen::inRange(-2, 4));
  const double shift = *rc::gen::inRange(-1000, 1000);
  Generator gen(seed);
  LayerNorm ln({n}, 1e-5, false);
  Tensor x = randn({3, n}, gen, DType::Float64) * scale + shift;
  std::vector<double> xv = x.to_vector<double>(), yv = ln(x).to_vector<double>();
  for (int64_t r = 0; r < 3; ++r) {
    double mx = 0, vx = 0, my = 0, vy = 0;
    for (int64_t j = 0; j < n; ++j) mx += xv[r * n + j] / n;
    for (int64_t j = 0; j < n; ++j) vx += (xv[r * n + j] - mx) * (xv[r * n + j] - mx) / n;
    for (int64_t j = 0; j < n; ++j) my += yv[r * n + j] / n;
    for (int64_t j = 0; j < n; ++j) vy += (yv[r * n + j] - my) * (yv[r * n + j] - my) / n;
    RC_ASSERT(std::abs(my) < 1e-9);
    RC_ASSERT(std::abs(vy - vx / (vx + 1e-5)) < 1e-9);
  }
}

}  // namespace
}  // namespace gradlab::nn
