// labs/09_debugging/bugs/padding_mean_counts_padding.cpp — BUG ZOO.
//
// The mistake: the padding positions are excluded from the SUM (per-token
// losses masked with ignore_index) but the sum is still divided by all B * T
// positions. The mean is diluted by the padding: the same sentence gets a
// smaller loss in a batch padded to a longer length, and the gradient of
// short sequences is scaled down. Divide by the number of real tokens.
// Caught by: FixedLossProperty.PaddingChangesNothing and
// DebuggingReference.SequenceLossMatchesPyTorch.
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
  return adapter::fixed::classification_loss(logits, target);
}

gradlab::Tensor sequence_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target,
                              int64_t pad_id) {
  const gradlab::Tensor total = gradlab::cross_entropy(
      logits, target, {.reduction = gradlab::Reduction::Sum, .ignore_index = pad_id});
  return total / static_cast<double>(target.numel());  // BUG: counts the padding positions
}

gradlab::Tensor fp16_loss(const gradlab::Tensor& logits16, const gradlab::Tensor& target) {
  return adapter::fixed::fp16_loss(logits16, target);
}

}  // namespace fixed
}  // namespace lab09
