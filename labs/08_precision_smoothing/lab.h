// labs/08_precision_smoothing/lab.h — phase 08: label smoothing, fp16 logits
// with fp32 accumulation, and dynamic loss scaling.
//
// The interface the phase-08 suite (tests/labs/test_precision_smoothing.cpp)
// calls. You implement these five functions in starter/precision.cpp, on raw
// arrays: logits are (N, C) row-major, one row per example (or token),
// classes on the last dim.
//
// fp16 values are gradlab::Half (core/dtype.h): 16 bits of IEEE binary16.
// Convert with gradlab::half_to_float(h) and gradlab::float_to_half(f) (round
// to nearest even; overflow gives +-inf). Largest finite fp16: 65504;
// smallest normal: 6.1e-5; smallest subnormal: 6.0e-8.
#pragma once

#include <cstdint>
#include <span>

#include "core/dtype.h"

namespace lab08 {

struct LossOptions {
  double label_smoothing = 0.0;  // eps, in [0, 1]
  int64_t ignore_index = -100;   // rows whose target equals it are skipped entirely
};

// ---- 1. label-smoothed cross-entropy (float32 logits) ----------------------------
// logits: (N, C) float32, target: (N) class ids in [0, C) or ignore_index,
// N = target.size().
// With p_i = softmax(logits_i) and PyTorch 1.13's smoothed target
//   q_i = (1 - eps) * onehot(y_i) + eps / C        (eps / C on EVERY class)
// each valid row (y_i != ignore_index) has the loss
//   l_i = -sum_c q_i[c] * log p_i[c]
//       = (1 - eps) * (-log p_i[y_i]) + (eps / C) * sum_c (-log p_i[c])
// -> the mean of l_i over the n_valid valid rows (0 if there are none).
// grad_logits: (N, C), overwritten with d(result)/d(logits):
//   (p_i - q_i) / n_valid on valid rows, 0 on ignored rows (all 0 if n_valid = 0).
// Must stay finite for any finite logits (e.g. [1000, 1001, 1002], or a row
// whose probabilities underflow to 0).
// Errors (std::invalid_argument naming the function and the values):
// C < 1, logits.size() != N * C, grad_logits.size() != N * C, a target
// outside [0, C) that is not ignore_index.
double smoothed_cross_entropy(std::span<const float> logits, std::span<const int64_t> target,
                              int64_t C, const LossOptions& opt, std::span<float> grad_logits);

// ---- 2. fp16 logits, fp32 accumulation -------------------------------------------
// The same loss for fp16 logits (N, C), computed the mixed-precision way:
// convert each logit to float32 FIRST, then do the whole log-softmax and loss
// in float32 (or wider) — never exp, sum or log in fp16.
// -> the loss (unscaled), as a float.
// grad_logits: (N, C) fp16, overwritten with the gradient of
// loss_scale * loss, computed in float32 and converted to fp16 once at the end
// (so tiny gradients survive when loss_scale is large, and a too-large scale
// overflows to inf — which the loss scaler below detects).
// Errors: as smoothed_cross_entropy.
float cross_entropy_fp16(std::span<const gradlab::Half> logits, std::span<const int64_t> target,
                         int64_t C, const LossOptions& opt, float loss_scale,
                         std::span<gradlab::Half> grad_logits);

// ---- 3. dynamic loss scaling (torch.cuda.amp.GradScaler's rule) -------------------
struct ScalerOptions {
  float growth_factor = 2.0f;
  float backoff_factor = 0.5f;
  int64_t growth_interval = 2000;  // >= 1
};

struct ScalerState {
  float scale = 65536.0f;      // the current loss scale (float32, as PyTorch keeps it)
  int64_t growth_tracker = 0;  // consecutive steps without inf/NaN since the last change
};

// grads: (n) float32 gradients of scale * loss. Multiplies every element by
// inv_scale = (float)(1.0 / (double)scale) in place.
// -> true if any element is inf or NaN (found_inf).
bool unscale_grads(std::span<float> grads, float scale);

// The update after each iteration, as GradScaler.update():
//   found_inf:  scale *= backoff_factor; growth_tracker = 0
//   otherwise:  growth_tracker += 1; when it reaches growth_interval:
//               scale *= growth_factor (only if the result is finite in
//               float32), growth_tracker = 0
void update_scale(ScalerState& state, bool found_inf, const ScalerOptions& opt);

// One mixed-precision SGD iteration (GradScaler.step + update):
//   master: (n) float32 master weights, updated in place;
//   grads16: (n) fp16 gradients of state.scale * loss (from backward).
// Convert grads16 to float32, unscale them (unscale_grads); if found_inf, SKIP
// the step (master unchanged), else master -= lr * g. Then update_scale.
// -> true if the step was applied.
// Errors: master.size() != grads16.size() (std::invalid_argument).
bool scaled_sgd_step(std::span<float> master, std::span<const gradlab::Half> grads16, float lr,
                     ScalerState& state, const ScalerOptions& opt);

}  // namespace lab08
