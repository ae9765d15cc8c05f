// labs/08_precision_smoothing/bugs/loss_scale_never_unscaled.cpp — BUG ZOO.
//
// The mistake: the fp16 gradients of scale * loss are applied as they are,
// without dividing by the scale first. Every step is `scale` times too large
// (65536x with GradScaler's default), so training diverges at once — or, with
// a small scale, silently trains at a learning rate scaled by it. Unscale
// (GradScaler.unscale_) before the optimizer (and before gradient clipping).
// Caught by: ScalerProperty.StepUnscalesAndSkipsOverflow and
// PrecisionReference.GradScalerTraceMatchesPyTorch.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "labs/08_precision_smoothing/adapter.h"
#include "labs/08_precision_smoothing/lab.h"

namespace lab08 {

double smoothed_cross_entropy(std::span<const float> logits, std::span<const int64_t> target,
                              int64_t C, const LossOptions& opt, std::span<float> grad_logits) {
  return adapter::smoothed_cross_entropy(logits, target, C, opt, grad_logits);
}

float cross_entropy_fp16(std::span<const gradlab::Half> logits, std::span<const int64_t> target,
                         int64_t C, const LossOptions& opt, float loss_scale,
                         std::span<gradlab::Half> grad_logits) {
  return adapter::cross_entropy_fp16(logits, target, C, opt, loss_scale, grad_logits);
}

bool unscale_grads(std::span<float> grads, float scale) {
  return adapter::unscale_grads(grads, scale);
}

void update_scale(ScalerState& state, bool found_inf, const ScalerOptions& opt) {
  adapter::update_scale(state, found_inf, opt);
}

bool scaled_sgd_step(std::span<float> master, std::span<const gradlab::Half> grads16, float lr,
                     ScalerState& state, const ScalerOptions& opt) {
  if (master.size() != grads16.size()) {
    throw std::invalid_argument("lab08::scaled_sgd_step: master has " +
                                std::to_string(master.size()) + " elements but grads16 has " +
                                std::to_string(grads16.size()));
  }
  bool found_inf = false;
  std::vector<float> g(grads16.size());
  for (std::size_t i = 0; i < g.size(); ++i) {
    g[i] = gradlab::half_to_float(grads16[i]);  // BUG: never multiplied by 1 / scale
    if (!std::isfinite(g[i])) found_inf = true;
  }
  if (!found_inf) {
    for (std::size_t i = 0; i < g.size(); ++i) master[i] -= lr * g[i];
  }
  update_scale(state, found_inf, opt);
  return !found_inf;
}

}  // namespace lab08
