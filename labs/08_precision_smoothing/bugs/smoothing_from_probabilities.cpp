// labs/08_precision_smoothing/bugs/smoothing_from_probabilities.cpp — BUG ZOO.
//
// The mistake: the loss is computed from probabilities, -sum_c q[c] * log(p[c])
// with p = softmax(x) (computed stably) — "cross-entropy as -(p * log q).sum()
// with q containing zeros" in the course's pitfalls table. With label
// smoothing EVERY class has q > 0, so a single class whose probability
// underflows to 0 (a logit 104 below the max is enough in float32) makes the
// loss inf. Compute log p = x - logsumexp(x) directly from the logits.
// Caught by: PrecisionStress.ExtremeFloat32Logits (the row [0, -1000, -2000])
// and the reference case extreme_logits.
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
    if (target[i] == opt.ignore_index) continue;
    float m = row[0];
    for (int64_t c = 1; c < C; ++c) m = std::max(m, row[c]);
    float s = 0.0f;
    for (int64_t c = 0; c < C; ++c) s += std::exp(row[c] - m);
    const float log_s = std::log(s);
    for (int64_t c = 0; c < C; ++c) {
      const float q =
          c == target[i] ? 1.0f - eps + eps / static_cast<float>(C) : eps / static_cast<float>(C);
      // BUG: log of a probability, which may have underflowed to 0
      const float logp = std::log(std::exp((row[c] - m) - log_s));
      total -= static_cast<double>(q) * logp;
      grad[c] = (std::exp(logp) - q) / static_cast<float>(valid);
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
