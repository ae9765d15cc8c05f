// losses/softmax.h — numerically stable softmax and log_softmax along one
// dimension, with SciPy 1.10's semantics, differentiable.
//
//   log_softmax(x)_i = (x_i - m) - log(sum_j exp(x_j - m)),  m = max(x)
//   softmax(x)_i     = exp(x_i - m) / sum_j exp(x_j - m)
//
// so log_softmax([1000, 1]) = [0, -999] (never log of an underflowed 0).
// Special values, as SciPy: a NaN anywhere in the slice makes the whole slice
// NaN; softmax of a slice containing +inf, or of an all -inf slice, is NaN;
// log_softmax([+inf, 1]) = [NaN, -inf]; -inf entries elsewhere give
// probability 0 (log-probability -inf).
//
// The last dimension is a fused kernel (one streaming pass for the max and
// the sum, one pass to write; vectorised exp, rows across OpenMP threads);
// other dims are moved last, computed, and moved back. Integer inputs are
// promoted to Float32; Float16/BFloat16 are computed in float32 and returned
// in their own dtype.
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace gradlab {

// x: (...) -> (...), log-probabilities along `dim` (negative counts from the
// end). Backward: gx = g - softmax(x) * sum(g) along dim.
Tensor log_softmax(const Tensor& x, int64_t dim = -1);

// x: (...) -> (...), probabilities along `dim` summing to 1.
// Backward: gx = y * (g - sum(g * y)) along dim, y = softmax(x).
Tensor softmax(const Tensor& x, int64_t dim = -1);

}  // namespace gradlab
