// labs/08_precision_smoothing/bugs/smoothing_applied_to_ignored_tokens.cpp — BUG ZOO.
//
// The mistake: ignored rows (padding) skip the -log p[target] term but still
// get the smoothing term (eps / C) * sum_c -log p[c] — the "smoothing is a
// regulariser on every position" slip. Padding positions then pull the loss
// and push gradients into logits that should not matter at all: the course's
// "forgetting to mask padded positions" pitfall, in its label-smoothing form.
// Caught by: SmoothingProperty.IgnoredRowsChangeNothing,
// SmoothingProperty.MatchesTheFloat64Formula and the reference cases with
// ignored rows (basic_eps0.1_one_ignored, padding_id_0_is_ignored).
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
  const auto n = static_cast<int64_t>(target.size());
  adapter::check_loss_args("lab08::smoothed_cross_entropy", logits.size(), target.size(), C,
                           grad_logits.size());
  std::fill(grad_logits.begin(), grad_logits.end(), 0.0f);
  int64_t valid = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (target[i] == opt.ignore_index) continue;
    if (target[i] < 0 || target[i] >= C) {
      throw std::invalid_argument("lab08::smoothed_cross_entropy: target " +
                                  std::to_string(target[i]) + " out of range for " +
                                  std::to_string(C) + " classes");
    }
    ++valid;
  }
  if (valid == 0) return 0.0;
  const float eps = static_cast<float>(opt.label_smoothing);
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = logits.data() + i * C;
    float* grad = grad_logits.data() + i * C;
    const bool ignored = target[i] == opt.ignore_index;  // BUG: ignored rows are not skipped
    float m = row[0];
    for (int64_t c = 1; c < C; ++c) m = std::max(m, row[c]);
    float s = 0.0f;
    for (int64_t c = 0; c < C; ++c) s += std::exp(row[c] - m);
    const float log_s = std::log(s);
    for (int64_t c = 0; c < C; ++c) {
      const float q = !ignored && c == target[i] ? 1.0f - eps + eps / static_cast<float>(C)
                                                 : eps / static_cast<float>(C);
      const float logp = (row[c] - m) - log_s;
      total -= static_cast<double>(q) * logp;
      // d/dx of the smoothing term alone on an ignored row: eps * p - eps / C.
      grad[c] = ((ignored ? eps : 1.0f) * std::exp(logp) - q) / static_cast<float>(valid);
    }
  }
  return total / static_cast<double>(valid);
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
