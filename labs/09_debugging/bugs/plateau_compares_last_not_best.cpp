// labs/09_debugging/bugs/plateau_compares_last_not_best.cpp — BUG ZOO.
//
// The mistake: the plateau test compares two single noisy values, the loss
// now and the loss `window` steps ago, instead of the best loss of the last
// window against the best before it. Mini-batch noise then makes it fire on
// runs that are still improving (one unlucky batch) and miss real plateaus
// (one lucky batch).
// Caught by: PlateauProperty.MatchesTheDefinition.
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
  if (window < 1 || !(rel_tol >= 0.0 && rel_tol < 1.0)) {
    throw std::invalid_argument("lab09::detect_plateau: bad window or rel_tol");
  }
  for (int64_t t = window; t < static_cast<int64_t>(losses.size()); ++t) {
    // BUG: single values, not the best of each stretch
    if (!(losses[static_cast<std::size_t>(t)] <
          (1.0 - rel_tol) * losses[static_cast<std::size_t>(t - window)])) {
      return t;
    }
  }
  return -1;
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
