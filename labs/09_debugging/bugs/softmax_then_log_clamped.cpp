// labs/09_debugging/bugs/softmax_then_log_clamped.cpp — BUG ZOO.
//
// The mistake: the softmax-then-log set-up is "fixed" by clamping the
// probability before the log, log(max(p, 1e-12)). The loss is finite now,
// but wrong: it can never exceed -log(1e-12) = 27.6 (a logit gap of 1000
// should cost 1000), and where the clamp is active the gradient is 0, so the
// worst mistakes stop being corrected. Use log_softmax (or the fused
// cross_entropy): log p = x - logsumexp(x), exact for any gap.
// Caught by: SetupFixes.ClassificationLossFixIsStableAndTrains and
// DebuggingReference.ClassificationLossMatchesPyTorch.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "labs/09_debugging/adapter.h"
#include "labs/09_debugging/lab.h"
#include "losses/cross_entropy.h"
#include "losses/softmax.h"
#include "optim/sgd.h"

namespace lab09 {

Anomaly first_nonfinite_op(const std::function<gradlab::Tensor()>& step) {
  return adapter::first_nonfinite_op(step);
}

double global_grad_norm(const std::vector<gradlab::Tensor>& params) {
  return adapter::global_grad_norm(params);
}

int64_t detect_divergence(const std::vector<double>& losses, double factor) {
  return adapter::detect_divergence(losses, factor);
}

int64_t detect_plateau(const std::vector<double>& losses, int64_t window, double rel_tol) {
  return adapter::detect_plateau(losses, window, rel_tol);
}

namespace fixed {

std::vector<double> train_full_batch(gradlab::nn::Module& model, const gradlab::data::Dataset& data,
                                     int64_t steps, const StepObserver& observe) {
  return adapter::fixed::train_full_batch(model, data, steps, observe);
}

std::vector<double> train_accumulated(gradlab::nn::Module& model,
                                      const gradlab::data::Dataset& data, int64_t steps,
                                      int64_t accum, const StepObserver& observe) {
  return adapter::fixed::train_accumulated(model, data, steps, accum, observe);
}

gradlab::Tensor classification_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target) {
  const gradlab::Tensor probs = gradlab::softmax(logits, -1);
  const gradlab::Tensor picked = gradlab::gather(probs, 1, gradlab::unsqueeze(target, 1));
  return -gradlab::mean(
      gradlab::log(gradlab::clamp(picked, 1e-12, 1.0)));  // BUG: clamped, still from p
}

gradlab::Tensor sequence_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target,
                              int64_t pad_id) {
  return adapter::fixed::sequence_loss(logits, target, pad_id);
}

gradlab::Tensor fp16_loss(const gradlab::Tensor& logits16, const gradlab::Tensor& target) {
  return adapter::fixed::fp16_loss(logits16, target);
}

}  // namespace fixed
}  // namespace lab09
