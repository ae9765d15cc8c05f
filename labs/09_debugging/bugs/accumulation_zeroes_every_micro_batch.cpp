// labs/09_debugging/bugs/accumulation_zeroes_every_micro_batch.cpp — BUG ZOO.
//
// The mistake: zero_grad() is called before EVERY micro-batch's backward (the
// usual place in a loop without accumulation). Each step then applies only
// the last micro-batch's gradient, divided by accum: the accumulation is
// silently gone and the effective learning rate is accum times smaller.
// Reset once per optimizer step, before the first micro-batch.
// Caught by: SetupFixes.AccumulationFixMatchesAHandWrittenLoop.
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
  gradlab::optim::SGD opt(model.parameters(), {.lr = 0.5});
  const int64_t micro = 25, per_pass = data.size() / micro;
  std::vector<double> losses;
  int64_t m = 0;
  for (int64_t t = 0; t < steps; ++t) {
    double step_loss = 0.0;
    for (int64_t k = 0; k < accum; ++k, ++m) {
      opt.zero_grad();  // BUG: wipes the micro-batches accumulated so far
      std::vector<int64_t> idx(static_cast<std::size_t>(micro));
      std::iota(idx.begin(), idx.end(), (m % per_pass) * micro);
      const gradlab::Tensor loss =
          gradlab::cross_entropy(model(gradlab::data::gather_rows(data.features, idx)),
                                 gradlab::data::gather_rows(data.labels, idx));
      (loss / static_cast<double>(accum)).backward();
      step_loss += loss.item() / static_cast<double>(accum);
    }
    if (observe) observe(t, model);
    opt.step();
    losses.push_back(step_loss);
  }
  return losses;
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
