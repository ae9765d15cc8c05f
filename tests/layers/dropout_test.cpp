// tests/layers/dropout_test.cpp — Dropout: identity in eval, inverted
// scaling and keep rate in training, Generator-driven masks, gradients.
#include "layers/dropout.h"

#include <gtest/gtest.h>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

TEST(Dropout, IdentityInEval) {
  Generator gen(1);
  Dropout drop(0.5, gen);
  drop.eval();
  Tensor x = randn({4, 5}, gen);
  EXPECT_TRUE(equal(drop(x), x));
}

TEST(Dropout, TrainingZeroesAboutPAndScalesSurvivors) {
  Generator gen(2);
  Dropout drop(0.3, gen);
  const int64_t n = 20000;
  std::vector<double> y = drop(ones({n})).to_vector<double>();
  int64_t zeros_seen = 0;
  double total = 0;
  for (double v : y) {
    // Every element is dropped (0) or kept and scaled by 1 / (1 - p).
    ASSERT_TRUE(v == 0.0 || std::abs(v - 1.0 / 0.7) < 1e-6) << v;
    zeros_seen += v == 0.0;
    total += v;
  }
  // Binomial(20000, 0.3): sd of the fraction = 0.0032; allow 5 sd.
  EXPECT_NEAR(static_cast<double>(zeros_seen) / n, 0.3, 0.016);
  EXPECT_NEAR(total / n, 1.0, 0.025);  // the expectation is preserved
}

TEST(Dropout, MasksComeFromTheGenerator) {
  Generator g1(9), g2(9), g3(10);
  Dropout a(0.5, g1), b(0.5, g2), c(0.5, g3);
  Tensor x = ones({64});
  Tensor ya = a(x);
  EXPECT_TRUE(equal(ya, b(x)));
  EXPECT_FALSE(equal(ya, c(x)));
  EXPECT_FALSE(equal(ya, a(x)));  // the next call draws a fresh mask
}

TEST(Dropout, EdgeProbabilities) {
  Generator gen(3);
  Tensor x = randn({3, 3}, gen);
  Dropout keep_all(0.0, gen), drop_all(1.0, gen);
  EXPECT_TRUE(equal(keep_all(x), x));
  EXPECT_TRUE(test::values_near(drop_all(x), std::vector<double>(9, 0.0), 0));
  EXPECT_THROW(Dropout(-0.1, gen), std::invalid_argument);
  EXPECT_THROW(Dropout(1.5, gen), std::invalid_argument);
}

TEST(Dropout, GradientIsTheMask) {
  Generator gen(4);
  Dropout drop(0.5, gen);
  Tensor x = ones({50}, DType::Float64);
  x.requires_grad_(true);
  Tensor y = drop(x);
  y.sum().backward();
  // For x = 1, y equals the mask, which is also dy/dx.
  EXPECT_TRUE(equal(x.grad(), y.detach()));
}

TEST(Dropout, GradcheckWithAFixedMask) {
  Generator gen(5);
  Dropout drop(0.4, gen);
  const Generator::State start = gen.state();
  // Rewind the generator on every call so each evaluation uses the same mask.
  auto fn = [&](const std::vector<Tensor>& in) {
    gen.set_state(start);
    return drop(in[0]);
  };
  Generator data(6);
  auto r = gradcheck(fn, {randn({4, 3}, data, DType::Float64)});
  EXPECT_TRUE(r.ok) << r.message;
}

}  // namespace
}  // namespace gradlab::nn
