// labs/09_debugging/bugs/divergence_threshold_never_trips.cpp — BUG ZOO.
//
// The mistake: each loss is compared with the PREVIOUS step's loss instead of
// the best loss so far. A run that blows up gradually (x1.5 per step with a
// factor of 2) never jumps by 2x from one step to the next, so the
// threshold never trips while the loss grows a thousandfold.
// Caught by: DivergenceProperty.MatchesTheDefinition (shrinks to a short
// curve growing by 1.3x or 1.8x per step).
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
  if (!(factor > 1.0)) throw std::invalid_argument("lab09::detect_divergence: factor must be > 1");
  for (std::size_t t = 0; t < losses.size(); ++t) {
    if (!std::isfinite(losses[t])) return static_cast<int64_t>(t);
    if (t > 0 && losses[t] > factor * losses[t - 1])
      return static_cast<int64_t>(t);  // BUG: not the best
  }
  return -1;
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
