// labs/08_precision_smoothing/bugs/fp16_without_upcast.cpp — BUG ZOO.
//
// The mistake: the fp16 logits are processed IN fp16: every intermediate
// (the shifted logits, each exp, the running sum, the log, the loss terms) is
// rounded to fp16, as when a whole model is cast with .half() and the loss is
// computed in that dtype. The max shift prevents overflow, but the running
// sum cannot grow past 2048 by adding terms of ~1 (fp16's spacing there is
// 2), the loss of large vocabularies is badly wrong, and logit differences
// beyond 65504 overflow. The course's last pitfall: "using FP16 throughout
// cross-entropy — promote to FP32 for the log-softmax + loss".
// Caught by: PrecisionStress.Fp16LargeVocabularyAccumulatesInFloat32,
// PrecisionStress.Fp16LogitsNearTheMaximum, Fp16Property.* and
// PrecisionReference.Fp16CrossEntropyMatchesPyTorch.
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
  adapter::check_loss_args("lab08::cross_entropy_fp16", logits.size(), target.size(), C,
                           grad_logits.size());
  // h(v): round to fp16 and back, i.e. "this value lives in an fp16 register".
  auto h = [](float v) { return gradlab::half_to_float(gradlab::float_to_half(v)); };
  const auto n = static_cast<int64_t>(target.size());
  std::fill(grad_logits.begin(), grad_logits.end(), gradlab::Half{});
  int64_t valid = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (target[i] == opt.ignore_index) continue;
    if (target[i] < 0 || target[i] >= C) {
      throw std::invalid_argument("lab08::cross_entropy_fp16: target " + std::to_string(target[i]) +
                                  " out of range for " + std::to_string(C) + " classes");
    }
    ++valid;
  }
  if (valid == 0) return 0.0f;
  const float eps = h(static_cast<float>(opt.label_smoothing));
  float total = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    if (target[i] == opt.ignore_index) continue;
    const gradlab::Half* row = logits.data() + i * C;
    float m = gradlab::half_to_float(row[0]);
    for (int64_t c = 1; c < C; ++c) m = std::max(m, gradlab::half_to_float(row[c]));
    float s = 0.0f;
    for (int64_t c = 0; c < C; ++c) {
      s = h(s + h(std::exp(h(gradlab::half_to_float(row[c]) - m))));  // BUG: fp16 accumulation
    }
    const float lse = h(m + h(std::log(s)));
    for (int64_t c = 0; c < C; ++c) {
      const float q = h(c == target[i] ? 1.0f - eps + eps / static_cast<float>(C)
                                       : eps / static_cast<float>(C));
      const float logp = h(gradlab::half_to_float(row[c]) - lse);
      total = h(total - h(q * logp));
      grad_logits[static_cast<std::size_t>(i * C + c)] = gradlab::float_to_half(
          h(h(h(std::exp(logp)) - q) * h(loss_scale / static_cast<float>(valid))));
    }
  }
  return h(total / static_cast<float>(valid));
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
