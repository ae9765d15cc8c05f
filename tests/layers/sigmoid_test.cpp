// tests/layers/sigmoid_test.cpp — Sigmoid: hand values and gradcheck.
#include "layers/sigmoid.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/gradcheck.h"
#include "core/random.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

TEST(Sigmoid, HandCheckedValues) {
  Sigmoid sig;
  // sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4; sigmoid(-x) = 1 - sigmoid(x).
  const double ln3 = std::log(3.0);
  Tensor y = sig(test::f64({0, ln3, -ln3, 40, -40}, {5}));
  EXPECT_TRUE(test::values_near(y, {0.5, 0.75, 0.25, 1.0, 4.248354255291589e-18}, 1e-15));
}

TEST(Sigmoid, Gradcheck) {
  Sigmoid sig;
  Generator gen(2);
  auto r = gradcheck([&](const std::vector<Tensor>& in) { return sig(in[0]); },
                     {randn({2, 5}, gen, DType::Float64) * 3.0});
  EXPECT_TRUE(r.ok) << r.message;
}

}  // namespace
}  // namespace gradlab::nn
