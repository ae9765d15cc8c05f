// losses/cross_entropy.h — the fused softmax cross-entropy loss, PyTorch
// 1.13's formula with classes on the LAST dimension.
//
// With lsm = log_softmax(logits) over the classes, for every row i with
// class target y_i and validity v_i (mask true and y_i != ignore_index):
//
//   l_i = v_i * [ (1 - eps) * w[y_i] * (-lsm[i, y_i])
//                 + (eps / C) * sum_c w[c] * (-lsm[i, c]) ]
//
// Mean divides sum_i l_i by sum_i v_i * w[y_i]; Sum adds; None returns l.
// With probability targets t (shaped like the logits), as PyTorch:
//   t' = (1 - eps) * t + eps / C,   l_i = -v_i * sum_c w[c] * t'[i, c] * lsm[i, c]
// and Mean divides by the number of valid rows (not by the weights).
//
// Deliberate differences from torch.nn.functional.cross_entropy:
//  - classes on the last dim, any leading shape: (N, C), (B, T, C), (C);
//  - a `mask` option (false = padding), combined with ignore_index;
//  - Mean over zero valid targets is 0 with a zero gradient (PyTorch: NaN,
//    a trap when a micro-batch is all padding);
//  - label_smoothing outside [0, 1] is an error (PyTorch accepts negatives);
//  - Float16/BFloat16 logits are computed in float32: the loss is Float32 and
//    the gradient w.r.t. the logits has the logits' dtype;
//  - a target out of range names its index, value and C.
// NaN in a valid row's logits gives a NaN loss (never hidden); nothing in a
// masked or ignored row (not even NaN or inf) reaches the loss or gradient.
//
// Implementation (why fused: numerics and memory): one streaming pass per
// row computes the max and the rescaled sum of exp online, plus sum_c w_c x_c
// for smoothing; only the row's logsumexp is kept for backward (O(rows) extra
// memory). Backward recomputes softmax from the logits and writes the
// gradient in one pass; no other rows x C temporary is made (non-contiguous
// logits are copied once). Rows run in parallel (OpenMP) with a vectorised
// exp; per-row losses are summed in index order in double, so the result is
// bit-identical for any number of threads.
#pragma once

#include <cstdint>

#include "core/tensor.h"
#include "losses/reduction.h"

namespace gradlab {

struct CrossEntropyOptions {
  Reduction reduction = Reduction::Mean;
  int64_t ignore_index = -100;  // class targets equal to it are skipped
  double label_smoothing = 0.0; // eps, in [0, 1]
  Tensor weight{};              // (C) class weights; undefined = all 1
  Tensor mask{};                // (...) Bool, one per target row; false = padding
};

// logits: (..., C) floating, classes on the LAST dim.
// target: (...) Int64 class indices in [0, C) (or == ignore_index), or
//         (..., C) floating probabilities (then ignore_index must stay
//         negative, as in PyTorch; use mask to drop rows).
// -> (...) for Reduction::None, 0-d otherwise; Float32 (Float64 for Float64
// logits). Differentiable in logits, and in probability targets; the class
// weights are constants. Errors (std::invalid_argument) name the values:
// "cross_entropy: target 12 out of range for 10 classes at index 3".
Tensor cross_entropy(const Tensor& logits, const Tensor& target,
                     const CrossEntropyOptions& opts = {});

}  // namespace gradlab
