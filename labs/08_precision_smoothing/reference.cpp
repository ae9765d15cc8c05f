// labs/08_precision_smoothing/reference.cpp — the reference implementation
// of phase 08: the losses through gradlab::cross_entropy, the loss scaler
// written out in adapter.h (the framework has no GradScaler).
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
  return adapter::scaled_sgd_step(master, grads16, lr, state, opt);
}

}  // namespace lab08
