// tests/layers/tanh_test.cpp — Tanh: hand values and gradcheck.
#include "layers/tanh.h"

#include <gtest/gtest.h>

#include "core/gradcheck.h"
#include "core/random.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

TEST(Tanh, HandCheckedValues) {
  Tanh tanh_layer;
  // tanh(1) = (e^2 - 1) / (e^2 + 1) = 0.7615941559557649; tanh is odd.
  Tensor y = tanh_layer(test::f64({0, 1, -1, -2, 20}, {5}));
  EXPECT_TRUE(test::values_near(
      y, {0, 0.7615941559557649, -0.7615941559557649, -0.9640275800758169, 1.0}, 1e-15));
}

TEST(Tanh, Gradcheck) {
  Tanh tanh_layer;
  Generator gen(1);
  auto r = gradcheck([&](const std::vector<Tensor>& in) { return tanh_layer(in[0]); },
                     {randn({3, 4}, gen, DType::Float64)});
  EXPECT_TRUE(r.ok) << r.message;
}

}  // namespace
}  // namespace gradlab::nn
