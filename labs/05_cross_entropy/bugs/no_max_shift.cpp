// labs/05_cross_entropy/bugs/no_max_shift.cpp — BUG ZOO.
//
// The mistake: the forward computes log(sum(exp(x))) straight from the raw
// logits, without shifting each row by its max. exp(1000) overflows (to inf
// in float32 beyond ~88, in double beyond ~709), so a confident model's
// loss becomes inf or NaN. (Pitfalls table: naive softmax with large logits.)
// Caught by: Stress.LargeLogits and Reference.LossAndGradientMatchPyTorch.
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
    if (!valid[static_cast<std::size_t>(n)]) continue;
    const float* row = &logits[static_cast<std::size_t>(n * C)];
    float s = 0.0f;
    for (int64_t c = 0; c < C; ++c) s += std::exp(row[c]);  // BUG: no max shift
    total += std::log(s) - row[target[static_cast<std::size_t>(n)]];
    V += 1.0;
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
