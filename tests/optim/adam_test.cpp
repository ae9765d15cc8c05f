// tests/optim/adam_test.cpp — Adam and AdamW by hand, option checks, buffer
// names.
#include "optim/adam.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"

namespace gradlab::optim {
namespace {

Tensor scalar_param(double v) {
  Tensor p = from_vector<double>({v}, {1});
  p.requires_grad_(true);
  return p;
}

TEST(Adam, FirstStepMovesByAboutLr) {
  // After one step m = (1-b1) g, v = (1-b2) g^2; bias correction turns them
  // back into g and g^2, so p -= lr * g / (|g| + eps).
  Tensor p = scalar_param(1.0);
  Adam opt({p}, {.lr = 0.1});
  p.set_grad(from_vector<double>({2.0}, {1}));
  opt.step();
  EXPECT_NEAR(p.item(), 1.0 - 0.1 * 2.0 / (2.0 + 1e-8), 1e-15);
  OptimizerState s = opt.state();
  EXPECT_EQ(s.tensors.keys(), (std::vector<std::string>{"0.step", "0.exp_avg", "0.exp_avg_sq"}));
  EXPECT_EQ(s.tensors.at("0.step").dtype(), DType::Int64);
  EXPECT_EQ(s.tensors.at("0.step").item(), 1.0);
  EXPECT_NEAR(s.tensors.at("0.exp_avg").item(), 0.2, 1e-15);
  EXPECT_NEAR(s.tensors.at("0.exp_avg_sq").item(), 0.004, 1e-15);
}

TEST(Adam, SecondStepByHand) {
  Tensor p = scalar_param(0.0);
  Adam opt({p}, {.lr = 0.01, .beta1 = 0.5, .beta2 = 0.75, .eps = 0.0});
  p.set_grad(from_vector<double>({1.0}, {1}));
  opt.step();  // m = 0.5, v = 0.25, m_hat = 1, v_hat = 1: p = -0.01
  p.set_grad(from_vector<double>({3.0}, {1}));
  opt.step();
  // m = 0.25 + 1.5 = 1.75, v = 0.1875 + 2.25 = 2.4375; bc1 = 0.75, bc2 = 0.4375.
  const double expected = -0.01 - (0.01 / 0.75) * 1.75 / (std::sqrt(2.4375) / std::sqrt(0.4375));
  EXPECT_NEAR(p.item(), expected, 1e-15);
}

TEST(AdamW, DecayIsDecoupledFromTheGradient) {
  // With a zero gradient Adam's update is 0/(0+eps) = 0, so only the decay acts.
  Tensor a = scalar_param(2.0), b = scalar_param(2.0);
  AdamW adamw({a}, {.lr = 0.1, .weight_decay = 0.5});
  Adam adam({b}, {.lr = 0.1, .weight_decay = 0.5});
  a.set_grad(from_vector<double>({0.0}, {1}));
  b.set_grad(from_vector<double>({0.0}, {1}));
  adamw.step();
  adam.step();
  EXPECT_DOUBLE_EQ(a.item(), 2.0 * (1 - 0.1 * 0.5));  // p *= 1 - lr * wd
  // Adam adds wd * p = 1 to the gradient instead: a normalised step of ~lr.
  EXPECT_NEAR(b.item(), 2.0 - 0.1, 1e-7);
  EXPECT_EQ(adamw.name(), "AdamW");
  EXPECT_EQ(adam.name(), "Adam");
}

TEST(AdamW, DefaultWeightDecayIsPyTorchs) {
  EXPECT_EQ(AdamWOptions{}.weight_decay, 1e-2);
  EXPECT_EQ(AdamOptions{}.weight_decay, 0.0);
  EXPECT_EQ(AdamOptions{}.lr, 1e-3);
}

TEST(Adam, AmsgradKeepsTheMaximum) {
  Tensor p = scalar_param(0.0);
  Adam opt({p}, {.lr = 0.1, .beta2 = 0.5, .amsgrad = true});
  p.set_grad(from_vector<double>({4.0}, {1}));
  opt.step();  // v = 8
  p.set_grad(from_vector<double>({0.0}, {1}));
  opt.step();  // v = 4, max stays 8
  EXPECT_DOUBLE_EQ(opt.state().tensors.at("0.max_exp_avg_sq").item(), 8.0);
  EXPECT_DOUBLE_EQ(opt.state().tensors.at("0.exp_avg_sq").item(), 4.0);
}

TEST(Adam, RejectsBadOptions) {
  Tensor p = scalar_param(0);
  EXPECT_THROW(Adam({p}, {.lr = -1e-3}), std::invalid_argument);
  EXPECT_THROW(Adam({p}, {.beta1 = 1.0}), std::invalid_argument);
  EXPECT_THROW(Adam({p}, {.beta2 = -0.1}), std::invalid_argument);
  EXPECT_THROW(Adam({p}, {.eps = -1}), std::invalid_argument);
  EXPECT_THROW(AdamW({p}, {.weight_decay = -1}), std::invalid_argument);
}

}  // namespace
}  // namespace gradlab::optim
