// tests/optim/schedule_test.cpp — StepLR and cosine-with-warm-up: PyTorch's
// StepLR / CosineAnnealingLR values (tests/data/optim_schedules.json), the
// warm-up by hand, monotonicity properties, errors.
#include "optim/schedule.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "core/ops.h"
#include "optim/sgd.h"
#include "tests/optim/golden.h"

namespace gradlab::optim {
namespace {

TEST(StepLR, MatchesPyTorch) {
  const auto j = test::load_json("optim_schedules.json").at("step_lr");
  StepLR s(j.at("base_lr").get<double>(), j.at("step_size").get<int64_t>(),
           j.at("gamma").get<double>());
  const auto lrs = j.at("lrs").get<std::vector<double>>();
  for (std::size_t e = 0; e < lrs.size(); ++e) {
    EXPECT_NEAR(s.lr_at(static_cast<int64_t>(e)), lrs[e], 1e-15) << "epoch " << e;
  }
}

TEST(CosineWithWarmup, WithoutWarmupMatchesCosineAnnealingLR) {
  const auto j = test::load_json("optim_schedules.json").at("cosine_annealing");
  CosineWithWarmup s(j.at("base_lr").get<double>(), 0, j.at("T_max").get<int64_t>(),
                     j.at("eta_min").get<double>());
  const auto lrs = j.at("lrs").get<std::vector<double>>();
  ASSERT_EQ(lrs.size(), 21u);
  // PyTorch updates the lr recursively; the closed form agrees to rounding.
  for (std::size_t t = 0; t < lrs.size(); ++t) {
    EXPECT_NEAR(s.lr_at(static_cast<int64_t>(t)), lrs[t], 1e-12) << "step " << t;
  }
}

TEST(CosineWithWarmup, WarmupByHand) {
  CosineWithWarmup s(0.1, 4, 12, 0.01);
  EXPECT_EQ(s.lr_at(0), 0.0);
  EXPECT_DOUBLE_EQ(s.lr_at(1), 0.025);
  EXPECT_DOUBLE_EQ(s.lr_at(2), 0.05);
  EXPECT_DOUBLE_EQ(s.lr_at(4), 0.1);                // warm-up done: the base lr
  EXPECT_DOUBLE_EQ(s.lr_at(8), 0.01 + 0.09 * 0.5);  // half-way through the cosine
  EXPECT_DOUBLE_EQ(s.lr_at(12), 0.01);              // the end: min_lr
  EXPECT_DOUBLE_EQ(s.lr_at(1000), 0.01);            // and after it
}

TEST(Schedules, ApplySetsTheOptimizersLr) {
  Tensor p = zeros({1}, DType::Float64);
  p.requires_grad_(true);
  SGD opt({p}, {.lr = 1.0});
  StepLR s(0.1, 2, 0.5);
  s.apply(opt, 5);
  EXPECT_DOUBLE_EQ(opt.lr(), 0.025);
}

TEST(Schedules, Errors) {
  EXPECT_THROW(StepLR(0.1, 0), std::invalid_argument);
  EXPECT_THROW(StepLR(-0.1, 1), std::invalid_argument);
  EXPECT_THROW(CosineWithWarmup(0.1, 5, 4), std::invalid_argument);
  EXPECT_THROW(CosineWithWarmup(0.1, -1, 4), std::invalid_argument);
  EXPECT_THROW(CosineWithWarmup(0.1, 0, 0), std::invalid_argument);
  EXPECT_THROW(StepLR(0.1, 1).lr_at(-1), std::invalid_argument);
}

// Property: the lr rises during warm-up, falls during the cosine phase, and
// stays within [min(min_lr, 0), base_lr] throughout.
RC_GTEST_PROP(CosineWithWarmupProperty, MonotoneInEachPhase, ()) {
  const auto warmup = *rc::gen::inRange<int64_t>(0, 50);
  const auto total = warmup + *rc::gen::inRange<int64_t>(1, 200);
  const double base = *rc::gen::inRange(1, 1000) / 1000.0;
  const double min_lr = base * *rc::gen::inRange(0, 100) / 100.0;
  CosineWithWarmup s(base, warmup, total, min_lr);
  for (int64_t t = 1; t <= total + 5; ++t) {
    const double prev = s.lr_at(t - 1), cur = s.lr_at(t);
    if (t <= warmup) {
      RC_ASSERT(cur > prev);
    } else {
      RC_ASSERT(cur <= prev);
    }
    RC_ASSERT(cur >= 0.0);
    RC_ASSERT(cur <= base * (1 + 1e-15));
  }
  RC_ASSERT(std::abs(s.lr_at(warmup) - base) <= 1e-15 * base);
}

RC_GTEST_PROP(StepLRProperty, NonIncreasingForGammaBelowOne, ()) {
  const auto step_size = *rc::gen::inRange<int64_t>(1, 10);
  const double gamma = *rc::gen::inRange(0, 100) / 100.0;
  StepLR s(0.1, step_size, gamma);
  for (int64_t e = 1; e < 50; ++e) RC_ASSERT(s.lr_at(e) <= s.lr_at(e - 1));
  RC_ASSERT(s.lr_at(step_size - 1) == 0.1);
}

}  // namespace
}  // namespace gradlab::optim
