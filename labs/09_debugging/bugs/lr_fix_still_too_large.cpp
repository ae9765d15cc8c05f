// labs/09_debugging/bugs/lr_fix_still_too_large.cpp — BUG ZOO.
//
// The mistake: the learning rate was lowered from 20 to 2 — a tenfold cut that
// "looks" like a fix. At 2 (with momentum 0.9) the first steps still throw
// the weights around: the loss spikes several times above its initial value,
// ReLUs die, and some initialisations end far from 95% accuracy. Find the
// rate where the loss never rises (0.05-0.2 here), or add warm-up/clipping.
// Caught by: SetupFixes.LearningRateFixConverges.
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
  gradlab::optim::SGD opt(model.parameters(),
                          {.lr = 2.0, .momentum = 0.9});  // BUG: still too large
  std::vector<double> losses;
  for (int64_t t = 0; t < steps; ++t) {
    opt.zero_grad();
    const gradlab::Tensor loss = gradlab::cross_entropy(model(data.features), data.labels);
    loss.backward();
    if (observe) observe(t, model);
    opt.step();
    losses.push_back(loss.item());
  }
  return losses;
}

std::vector<double> train_accumulated(gradlab::nn::Module& model,
                                      const gradlab::data::Dataset& data, int64_t steps,
                                      int64_t accum, const StepObserver& observe) {
  return adapter::fixed::train_accumulated(model, data, steps, accum, observe);
}

gradlab::Tensor classification_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target) {
  return adapter::fixed::classification_loss(logits, target);
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
