// tests/layers/relu_test.cpp — ReLU: hand values, the gradient at 0, gradcheck.
#include "layers/relu.h"

#include <gtest/gtest.h>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

TEST(ReLU, HandCheckedValuesAndGradient) {
  ReLU relu;
  Tensor x = test::f64({-2, -0.5, 0, 1.5, 3}, {5});
  x.requires_grad_(true);
  Tensor y = relu(x);
  EXPECT_TRUE(test::values_near(y, {0, 0, 0, 1.5, 3}, 0));
  y.sum().backward();
  // d/dx max(x, 0) = 1 for x > 0, else 0 (including x = 0, as PyTorch).
  EXPECT_TRUE(test::values_near(x.grad(), {0, 0, 0, 1, 1}, 0));
  EXPECT_EQ(relu.repr(), "ReLU()");
}

TEST(ReLU, Gradcheck) {
  ReLU relu;
  // Away from the kink at 0, where the derivative is not defined.
  Tensor x = test::f64({-2, -0.7, 0.3, 1.5, -0.1, 2.2}, {2, 3});
  auto r = gradcheck([&](const std::vector<Tensor>& in) { return relu(in[0]); }, {x});
  EXPECT_TRUE(r.ok) << r.message;
}

}  // namespace
}  // namespace gradlab::nn
