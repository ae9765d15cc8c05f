// labs/05_cross_entropy/bugs/grad_not_divided_by_count.cpp — BUG ZOO.
//
// The mistake: the forward is the mean (right, forwarded to the reference)
// but the backward forgets the 1/V of the mean: each valid row gets
// softmax - onehot. The gradient is then V times too large, so it disagrees
// with the loss it is supposed to differentiate.
// Caught by: Property.GradientMatchesFiniteDifferences and
// Reference.LossAndGradientMatchPyTorch.
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

// ---- correct: forwarded to the reference adapter ----

float cross_entropy_forward(const std::vector<float>& logits, const std::vector<int64_t>& target,
                            const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                            int64_t ignore_index) {
  return adapter::cross_entropy_forward(logits, target, mask, N, C, ignore_index);
}

std::vector<float> cross_entropy_backward(const std::vector<float>& logits,
                                          const std::vector<int64_t>& target,
                                          const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                                          int64_t ignore_index, float grad_loss) {
  adapter::check_args("cross_entropy_backward", logits, target, mask, N, C);
  const std::vector<char> valid = valid_rows(target, mask, N, C, ignore_index);
  const auto V = static_cast<double>(std::count(valid.begin(), valid.end(), 1));
  std::vector<float> grad(logits.size(), 0.0f);
  (void)V;
  for (int64_t n = 0; n < N; ++n) {
    if (!valid[static_cast<std::size_t>(n)]) continue;
    const float* row = &logits[static_cast<std::size_t>(n * C)];
    const float m = *std::max_element(row, row + C);
    double s = 0.0;
    for (int64_t c = 0; c < C; ++c) s += std::exp(static_cast<double>(row[c] - m));
    for (int64_t c = 0; c < C; ++c) {
      const double p = std::exp(static_cast<double>(row[c] - m)) / s;
      const double onehot = c == target[static_cast<std::size_t>(n)] ? 1.0 : 0.0;
      grad[static_cast<std::size_t>(n * C + c)] =
          static_cast<float>(grad_loss * (p - onehot));  // BUG: / V missing
    }
  }
  return grad;
}

}  // namespace lab05
