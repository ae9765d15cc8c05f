// labs/08_precision_smoothing/starter/precision.cpp — YOUR implementation of
// phase 08.
//
// Replace each NOT_IMPLEMENTED() with your code; the contracts are in
// ../lab.h and the handout (with the math) is ../README.md. Check your work
// with:   gradlab lab check 08
//
// Rules: plain C++ loops over the arrays (<cmath> for exp/log). Do not call
// gradlab::cross_entropy, gradlab::log_softmax or gradlab::logsumexp: the
// stable smoothed loss is what you are writing (the grader flags them).
// gradlab::half_to_float / float_to_half (core/dtype.h) are the only fp16
// helpers you need.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "labs/08_precision_smoothing/lab.h"
#include "labs/common/lab_support.h"

namespace lab08 {

// Hint: count the valid rows first (that is the denominator). Per valid row,
// compute log p = x - logsumexp(x) with the max shift — never log(softmax) —
// then loss and gradient from q = (1 - eps) * onehot + eps / C.
double smoothed_cross_entropy(std::span<const float> logits, std::span<const int64_t> target,
                              int64_t C, const LossOptions& opt, std::span<float> grad_logits) {
  (void)logits;
  (void)target;
  (void)C;
  (void)opt;
  (void)grad_logits;
  NOT_IMPLEMENTED("lab08::smoothed_cross_entropy");
}

// Hint: upcast the whole input to float32 first (half_to_float), reuse the
// float32 loss, then write float_to_half(loss_scale * grad) once per element.
float cross_entropy_fp16(std::span<const gradlab::Half> logits, std::span<const int64_t> target,
                         int64_t C, const LossOptions& opt, float loss_scale,
                         std::span<gradlab::Half> grad_logits) {
  (void)logits;
  (void)target;
  (void)C;
  (void)opt;
  (void)loss_scale;
  (void)grad_logits;
  NOT_IMPLEMENTED("lab08::cross_entropy_fp16");
}

// Hint: std::isfinite catches both inf and NaN.
bool unscale_grads(std::span<float> grads, float scale) {
  (void)grads;
  (void)scale;
  NOT_IMPLEMENTED("lab08::unscale_grads");
}

void update_scale(ScalerState& state, bool found_inf, const ScalerOptions& opt) {
  (void)state;
  (void)found_inf;
  (void)opt;
  NOT_IMPLEMENTED("lab08::update_scale");
}

// Hint: convert, unscale, skip or step, update — in that order.
bool scaled_sgd_step(std::span<float> master, std::span<const gradlab::Half> grads16, float lr,
                     ScalerState& state, const ScalerOptions& opt) {
  (void)master;
  (void)grads16;
  (void)lr;
  (void)state;
  (void)opt;
  NOT_IMPLEMENTED("lab08::scaled_sgd_step");
}

}  // namespace lab08
