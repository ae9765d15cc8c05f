// labs/05_cross_entropy/lab.h — phase 05: the fused softmax cross-entropy
// loss of a language model, forward and backward, on raw arrays.
//
// The interface the phase-05 suite (tests/labs/test_cross_entropy.cpp)
// calls. You implement it in starter/cross_entropy.cpp.
//
// A batch is N rows (tokens) of C logits (classes, the vocabulary), one
// target class per row. Some rows do not count:
//   - padding: mask[n] == 0 (sequences padded to the same length), and
//   - ignored: target[n] == ignore_index (PyTorch's convention, -100 by
//     default; often the padding id itself).
// A row that is neither is VALID. The loss is the MEAN over valid rows only:
//
//   L = (1 / V) * sum over valid n of  -log_softmax(logits[n])[target[n]]
//     = (1 / V) * sum over valid n of  ( logsumexp(logits[n]) - logits[n][target[n]] )
//
// with V the number of valid rows, and L = 0 (gradient 0) when V == 0 — a
// batch of pure padding must not produce NaN (PyTorch returns NaN there).
//
// Numerics, which the suite checks with extreme inputs:
//   - never exp() a raw logit: shift each row by its max (logits of 1000);
//   - never take log() of a probability: stay in log space (a probability
//     of e^-200 underflows float32 to 0, and log(0) = -inf);
//   - logits are float32, but accumulate sums in double (a 10^6-class row
//     summed in float32 loses ~4 digits);
//   - padded and ignored rows are never read beyond their mask/target:
//     they may hold NaN, inf or out-of-range targets.
#pragma once

#include <cstdint>
#include <vector>

namespace lab05 {

// logits: (N, C) float32 row-major; target: (N) class ids; mask: (N), 1 = a
// real token, 0 = padding, or EMPTY for "no padding".
// -> the mean loss over valid rows (0 if there are none).
// Throws std::invalid_argument (naming the values) when: C < 1;
// logits.size() != N * C; target.size() != N; mask is non-empty and
// mask.size() != N; or a VALID row's target is outside [0, C), e.g.
// "cross_entropy_forward: target 7 out of range for 5 classes at row 3".
float cross_entropy_forward(const std::vector<float>& logits, const std::vector<int64_t>& target,
                            const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                            int64_t ignore_index = -100);

// d(grad_loss * L)/d(logits): (N, C). For a valid row n:
//   grad_loss * (softmax(logits[n]) - onehot(target[n])) / V
// and exactly 0 for padded and ignored rows (and everywhere when V == 0).
// Same arguments and errors as the forward, plus grad_loss, the upstream
// gradient dOut/dL (1 when L is the final loss).
std::vector<float> cross_entropy_backward(const std::vector<float>& logits,
                                          const std::vector<int64_t>& target,
                                          const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                                          int64_t ignore_index = -100, float grad_loss = 1.0f);

}  // namespace lab05
