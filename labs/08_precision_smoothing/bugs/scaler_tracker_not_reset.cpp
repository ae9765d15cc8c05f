// labs/08_precision_smoothing/bugs/scaler_tracker_not_reset.cpp — BUG ZOO.
//
// The mistake: on overflow the scale backs off but growth_tracker is not
// reset, so the count of "clean steps in a row" carries over an overflow and
// the scale grows again too early, straight back into the overflow: the
// scale oscillates instead of settling. GradScaler resets the tracker to 0
// whenever it backs off.
// Caught by: ScalerProperty.UpdateFollowsTheGradScalerRule (shrinks to a
// short clean-inf-clean sequence).
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
  if (found_inf) {
    state.scale *= opt.backoff_factor;  // BUG: growth_tracker keeps its count
    return;
  }
  const int64_t successful = state.growth_tracker + 1;
  if (successful >= opt.growth_interval) {
    const float grown = state.scale * opt.growth_factor;
    if (std::isfinite(grown)) state.scale = grown;
    state.growth_tracker = 0;
  } else {
    state.growth_tracker = successful;
  }
}

bool scaled_sgd_step(std::span<float> master, std::span<const gradlab::Half> grads16, float lr,
                     ScalerState& state, const ScalerOptions& opt) {
  return adapter::scaled_sgd_step(master, grads16, lr, state, opt);
}

}  // namespace lab08
