// tests/layers/gelu_test.cpp — GELU (exact and tanh forms): hand values and gradcheck.
#include "layers/gelu.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/gradcheck.h"
#include "core/random.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

TEST(GELU, ExactFormHandValues) {
  GELU gelu;
  // gelu(x) = x * Phi(x); Phi(1) = 0.8413447460685429, Phi(-1) = 1 - Phi(1).
  Tensor y = gelu(test::f64({0, 1, -1, 2}, {4}));
  EXPECT_TRUE(test::values_near(
      y, {0, 0.8413447460685429, -0.15865525393145707, 2 * 0.9772498680518208}, 1e-12));
  EXPECT_EQ(gelu.repr(), "GELU(approximate='none')");
}

TEST(GELU, TanhFormHandValues) {
  GELU gelu(GELU::Approximate::Tanh);
  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) at x = 1 and x = -2.
  const double k = std::sqrt(2.0 / std::numbers::pi);
  const double at1 = 0.5 * (1 + std::tanh(k * 1.044715));
  const double atm2 = -0.5 * 2 * (1 + std::tanh(k * (-2 - 0.044715 * 8)));
  Tensor y = gelu(test::f64({0, 1, -2}, {3}));
  EXPECT_TRUE(test::values_near(y, {0, at1, atm2}, 1e-15));
  // The approximation is within 1e-3 of the exact form here.
  EXPECT_NEAR(at1, 0.8413447460685429, 1e-3);
}

TEST(GELU, GradcheckBothForms) {
  Generator gen(3);
  Tensor x = randn({3, 3}, gen, DType::Float64) * 2.0;
  for (auto approx : {GELU::Approximate::None, GELU::Approximate::Tanh}) {
    GELU gelu(approx);
    auto r = gradcheck([&](const std::vector<Tensor>& in) { return gelu(in[0]); }, {x});
    EXPECT_TRUE(r.ok) << r.message;
  }
}

}  // namespace
}  // namespace gradlab::nn
