// labs/05_cross_entropy/bugs/loss_includes_padding.cpp — BUG ZOO.
//
// The mistake: the forward never looks at the padding mask, so padded
// positions (whose targets are often a real class id, e.g. 0) are averaged
// into the loss as if they were tokens. ignore_index is honoured. (Pitfalls
// table: forgetting to mask padded positions in sequence CE.)
// Caught by: Property.PaddingDoesNotChangeTheLoss, Property.LossMatchesDefinition,
// Stress.PaddingWithGarbage and Reference.LossAndGradientMatchPyTorch.
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
  const std::vector<char> valid = valid_rows(target, {}, N, C, ignore_index);  // BUG: mask dropped
  double total = 0.0, V = 0.0;
  for (int64_t n = 0; n < N; ++n) {
    if (!valid[static_cast<std::size_t>(n)]) continue;
    const float* row = &logits[static_cast<std::size_t>(n * C)];
    const float m = *std::max_element(row, row + C);
    double s = 0.0;
    for (int64_t c = 0; c < C; ++c) s += std::exp(static_cast<double>(row[c] - m));
    total += m + std::log(s) - row[target[static_cast<std::size_t>(n)]];
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
