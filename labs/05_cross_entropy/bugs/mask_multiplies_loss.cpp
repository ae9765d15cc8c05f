// labs/05_cross_entropy/bugs/mask_multiplies_loss.cpp — BUG ZOO.
//
// The mistake: the forward computes a loss for EVERY row and then multiplies
// each by its mask (0 for padding) before averaging over the valid rows —
// the textbook "multiply by the attention mask" recipe. But padded rows hold
// garbage: an inf or NaN logit gives a NaN row loss, and 0 * NaN = NaN, so
// one garbage padding row poisons the whole batch. (Targets of padded rows
// are clamped into range so that they can be read at all.) Skip invalid rows
// instead of multiplying them by zero.
// Caught by: Stress.PaddingWithGarbage and Property.PaddingDoesNotChangeTheLoss.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "labs/05_cross_entropy/adapter.h"
#include "labs/05_cross_entropy/lab.h"

namespace {

// 1 for the rows that count (not padding, not ignore_index), after checking
// their targets.
std::vector<char> valid_rows(const std::vector<int64_t>& target, const std::vector<uint8_t>& mask,
                             int64_t N, int64_t C, int64_t ignore_index) {
  std::vector<char> valid(static_cast<std::size_t>(N), 0);
  for (int64_t n = 0; n < N; ++n) {
    const auto i = static_cast<std::size_t>(n);
    if ((!mask.empty() && !mask[i]) || target[i] == ignore_index) continue;
    if (target[i] < 0 || target[i] >= C) {
      throw std::invalid_argument("cross_entropy: target " + std::to_string(target[i]) +
                                  " out of range for " + std::to_string(C) + " classes at row " +
                                  std::to_string(n));
    }
    valid[i] = 1;
  }
  return valid;
}

}  // namespace

namespace lab05 {

float cross_entropy_forward(const std::vector<float>& logits, const std::vector<int64_t>& target,
                            const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                            int64_t ignore_index) {
  adapter::check_args("cross_entropy_forward", logits, target, mask, N, C);
  const std::vector<char> valid = valid_rows(target, mask, N, C, ignore_index);
  double total = 0.0, V = 0.0;
  for (int64_t n = 0; n < N; ++n) {
    const float* row = &logits[static_cast<std::size_t>(n * C)];
    const float m = *std::max_element(row, row + C);
    double s = 0.0;
    for (int64_t c = 0; c < C; ++c) s += std::exp(static_cast<double>(row[c] - m));
    const int64_t t = std::clamp<int64_t>(target[static_cast<std::size_t>(n)], 0, C - 1);
    const double row_loss = m + std::log(s) - row[t];
    const double weight = valid[static_cast<std::size_t>(n)] ? 1.0 : 0.0;
    total += weight * row_loss;  // BUG: 0 * NaN = NaN; skip the row instead
    V += weight;
  }
  return V > 0 ? static_cast<float>(total / V) : 0.0f;
}

// ---- correct: forwarded to the reference adapter ----

std::vector<float> cross_entropy_backward(const std::vector<float>& logits,
                                          const std::vector<int64_t>& target,
                                          const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                                          int64_t ignore_index, float grad_loss) {
  return adapter::cross_entropy_backward(logits, target, mask, N, C, ignore_index, grad_loss);
}

}  // namespace lab05
