// tests/reliability/anomaly_test.cpp — gradlab::AnomalyMode (core/autograd.h):
// while a guard is alive, the first op whose output (forward) or whose input
// gradient (backward) holds NaN or inf throws std::runtime_error naming that
// op and its inputs' shapes. Off by default; the guard restores the previous
// state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "losses/cross_entropy.h"

namespace gradlab {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// The message of the runtime_error fn throws ("" if it throws nothing).
template <class Fn> std::string anomaly_message(Fn&& fn) {
  try {
    fn();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

Tensor F(std::vector<float> v, Shape s) { return from_vector<float>(v, std::move(s)); }

TEST(AnomalyMode, OffByDefault) {
  EXPECT_FALSE(AnomalyMode::enabled());
  // Without the guard a NaN is an ordinary value: no error.
  Tensor y = log(F({-1, 2}, {2}));
  EXPECT_TRUE(std::isnan(y.to_vector<float>()[0]));
}

TEST(AnomalyMode, GuardTurnsOnAndRestores) {
  {
    AnomalyMode outer;
    EXPECT_TRUE(AnomalyMode::enabled());
    {
      AnomalyMode inner;
      EXPECT_TRUE(AnomalyMode::enabled());
    }
    EXPECT_TRUE(AnomalyMode::enabled());  // the inner guard restores "on"
  }
  EXPECT_FALSE(AnomalyMode::enabled());
}

TEST(AnomalyMode, ForwardNaNNamesTheOpAndInputShapes) {
  AnomalyMode anomaly;
  Tensor x = F({1, 2, 3, -4, 5, 6}, {2, 3}).requires_grad_();
  const std::string msg = anomaly_message([&] { log(x); });
  EXPECT_THAT(msg, AllOf(HasSubstr("'log'"), HasSubstr("NaN"), HasSubstr("(2,3)")));
}

TEST(AnomalyMode, ForwardNamesTheFirstOffendingOpInAChain) {
  AnomalyMode anomaly;
  Tensor x = F({1, 2, 3}, {3}).requires_grad_();
  Tensor y = x * 2.0;  // fine
  Tensor z = y - 5.0;  // fine: (-3, -1, 1)
  const std::string msg = anomaly_message([&] { sqrt(z) * 3.0; });
  EXPECT_THAT(msg, AllOf(HasSubstr("'sqrt'"), HasSubstr("NaN"), HasSubstr("(3)")));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr("'mul'")));
}

TEST(AnomalyMode, ForwardInfFromABinaryOpNamesBothShapes) {
  AnomalyMode anomaly;
  Tensor a = ones({2, 3}).requires_grad_();
  Tensor b = F({1, 0, 2}, {3});
  const std::string msg = anomaly_message([&] { div(a, b); });
  EXPECT_THAT(msg, AllOf(HasSubstr("'div'"), HasSubstr("inf"), HasSubstr("(2,3)"), HasSubstr("(3)")));
}

TEST(AnomalyMode, ForwardChecksEvenWithoutGradients) {
  AnomalyMode anomaly;
  {
    Tensor x = F({-1}, {1});  // no requires_grad
    EXPECT_THAT(anomaly_message([&] { log(x); }), HasSubstr("'log'"));
  }
  {
    NoGradGuard no_grad;
    Tensor x = F({1000}, {1});
    EXPECT_THAT(anomaly_message([&] { exp(x); }), AllOf(HasSubstr("'exp'"), HasSubstr("inf")));
  }
}

TEST(AnomalyMode, BackwardInfNamesTheOp) {
  // sqrt(0) = 0 is finite; its gradient 0.5 / sqrt(0) is inf.
  Tensor x = F({0, 4}, {2}).requires_grad_();
  Tensor y = sum(sqrt(x) * 2.0);
  {
    AnomalyMode anomaly;
    const std::string msg = anomaly_message([&] { y.backward(); });
    EXPECT_THAT(msg, AllOf(HasSubstr("gradient"), HasSubstr("'sqrt'"), HasSubstr("inf"), HasSubstr("(2)")));
  }
  // Without the guard the same backward silently produces inf.
  Tensor x2 = F({0, 4}, {2}).requires_grad_();
  sum(sqrt(x2) * 2.0).backward();
  EXPECT_TRUE(std::isinf(x2.grad().to_vector<float>()[0]));
}

TEST(AnomalyMode, BackwardInfFromPowNamesPow) {
  // pow(x, 0.5) at x = 0 is 0, but its gradient 0.5 * x^-0.5 is inf.
  Tensor x = F({0, 1, 2}, {3}).requires_grad_();
  Tensor y = sum(pow(x, 0.5));
  AnomalyMode anomaly;
  const std::string msg = anomaly_message([&] { y.backward(); });
  EXPECT_THAT(msg, AllOf(HasSubstr("gradient"), HasSubstr("'pow'"), HasSubstr("inf")));
}

TEST(AnomalyMode, ModelForwardIsQuietUntilTheLossSeesNaN) {
  AnomalyMode anomaly;
  Generator gen(1);
  nn::Sequential model(std::make_shared<nn::Linear>(4, 8, gen), std::make_shared<nn::ReLU>(),
                       std::make_shared<nn::Linear>(8, 3, gen));
  const Tensor y = from_vector<int64_t>({0, 1, 2, 0, 1}, {5});
  Tensor loss;
  EXPECT_NO_THROW(loss = cross_entropy(model.forward(randn({5, 4}, gen)), y));
  EXPECT_NO_THROW(loss.backward());  // a healthy step raises nothing
  // One NaN feature poisons the first Linear's output: that op is named.
  std::vector<float> v = randn({5, 4}, gen).to_vector<float>();
  v[5] = NAN;  // (from_vector is a factory, not an op: nothing is checked yet)
  const Tensor x = F(v, {5, 4});
  const std::string msg = anomaly_message([&] { model.forward(x); });
  EXPECT_THAT(msg, AllOf(HasSubstr("NaN"), HasSubstr("(5,4)")));
  // NaN logits straight into the fused loss: the loss op is named.
  Tensor nan_logits = F({0, NAN, 1}, {1, 3}).requires_grad_();
  EXPECT_THAT(anomaly_message([&] { cross_entropy(nan_logits, from_vector<int64_t>({0}, {1})); }),
              AllOf(HasSubstr("cross_entropy"), HasSubstr("NaN"), HasSubstr("(1,3)")));
}

TEST(AnomalyMode, IsPerThread) {
  AnomalyMode anomaly;
  bool other = true;
  std::thread t([&] { other = AnomalyMode::enabled(); });
  t.join();
  EXPECT_FALSE(other);  // like NoGradGuard: a guard affects only its own thread
}

}  // namespace
}  // namespace gradlab
