// labs/09_debugging/bugs/grad_norm_sums_tensor_norms.cpp — BUG ZOO.
//
// The mistake: the global norm is taken as the SUM of the per-tensor L2 norms
// (||g1|| + ||g2|| + ...) instead of the norm of all gradients together,
// sqrt(||g1||^2 + ||g2||^2 + ...). It overstates the norm (by up to
// sqrt(#tensors)), so clipping on it shrinks updates that were fine, and the
// number disagrees with torch.nn.utils.clip_grad_norm_.
// Caught by: GradNormProperty.MatchesTheDefinition,
// DebuggingReference.GlobalGradNormMatchesPyTorch and
// BrokenSetups.DivergenceAndGradNormOnTheLearningRateBlowUp.
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
  double total = 0.0;
  for (const gradlab::Tensor& p : params) {
    if (!p.grad().defined()) continue;
    double sq = 0.0;
    for (double v : p.grad().to_vector<double>()) sq += v * v;
    total += std::sqrt(sq);  // BUG: should add sq, and take one sqrt at the end
  }
  return total;
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
  return adapter::fixed::sequence_loss(logits, target, pad_id);
}

gradlab::Tensor fp16_loss(const gradlab::Tensor& logits16, const gradlab::Tensor& target) {
  return adapter::fixed::fp16_loss(logits16, target);
}

}  // namespace fixed
}  // namespace lab09
