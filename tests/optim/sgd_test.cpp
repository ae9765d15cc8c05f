// tests/optim/sgd_test.cpp — SGD by hand on one scalar, option checks, and
// the property that a step is exactly p - lr * g without momentum.
#include "optim/sgd.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "core/ops.h"
#include "core/random.h"

namespace gradlab::optim {
namespace {

Tensor scalar_param(double v) {
  Tensor p = from_vector<double>({v}, {1});
  p.requires_grad_(true);
  return p;
}

void set_grad(Tensor& p, double g) { p.set_grad(from_vector<double>({g}, {1})); }

TEST(SGD, MomentumDampeningByHand) {
  Tensor p = scalar_param(1.0);
  SGD opt({p}, {.lr = 0.1, .momentum = 0.5, .dampening = 0.2});
  // Step 1: buf = g = 2 (no dampening on the first step); p = 1 - 0.1 * 2 = 0.8.
  set_grad(p, 2.0);
  opt.step();
  EXPECT_DOUBLE_EQ(p.item(), 0.8);
  // Step 2: buf = 0.5 * 2 + 0.8 * 1 = 1.8; p = 0.8 - 0.18 = 0.62.
  set_grad(p, 1.0);
  opt.step();
  EXPECT_DOUBLE_EQ(p.item(), 0.62);
  EXPECT_DOUBLE_EQ(opt.state().tensors.at("0.momentum_buffer").item(), 1.8);
}

TEST(SGD, NesterovWithWeightDecayByHand) {
  Tensor p = scalar_param(2.0);
  SGD opt({p}, {.lr = 0.1, .momentum = 0.5, .weight_decay = 0.25, .nesterov = true});
  // g = 1 + 0.25 * 2 = 1.5; buf = 1.5; d = 1.5 + 0.5 * 1.5 = 2.25; p = 2 - 0.225.
  set_grad(p, 1.0);
  opt.step();
  EXPECT_DOUBLE_EQ(p.item(), 1.775);
}

TEST(SGD, RejectsBadOptions) {
  Tensor p = scalar_param(0);
  EXPECT_THROW(SGD({p}, {.lr = -1}), std::invalid_argument);
  EXPECT_THROW(SGD({p}, {.momentum = -0.1}), std::invalid_argument);
  EXPECT_THROW(SGD({p}, {.weight_decay = -1}), std::invalid_argument);
  EXPECT_THROW(SGD({p}, {.nesterov = true}), std::invalid_argument);  // needs momentum
  EXPECT_THROW(SGD({p}, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}),
               std::invalid_argument);
  EXPECT_NO_THROW(SGD({p}, {.momentum = 0.9, .nesterov = true}));
}

TEST(SGD, PlainSgdKeepsNoState) {
  Tensor p = scalar_param(1.0);
  SGD opt({p}, {.lr = 0.5});
  set_grad(p, 1.0);
  opt.step();
  EXPECT_TRUE(opt.state().tensors.empty());
  EXPECT_EQ(opt.state().step, 1);
}

// Property: without momentum or weight decay, one step is p - lr * g exactly
// (in float32 too).
RC_GTEST_PROP(SGDProperty, PlainStepIsPMinusLrG, ()) {
  const auto n = *rc::gen::inRange<int64_t>(1, 20);
  const auto seed = *rc::gen::arbitrary<uint32_t>();
  const double lr = *rc::gen::inRange(0, 1000) / 1000.0;
  Generator gen(seed);
  Tensor p = randn({n}, gen);
  p.requires_grad_(true);
  Tensor g = randn({n}, gen);
  Tensor expected = p.detach().clone();
  float* e = expected.data_ptr<float>();
  const float* gv = g.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) e[i] = e[i] + static_cast<float>(-lr) * gv[i];
  SGD opt({p}, {.lr = lr});
  p.set_grad(g);
  opt.step();
  RC_ASSERT(equal(p.detach(), expected));
}

}  // namespace
}  // namespace gradlab::optim
