// labs/02_logsoftmax/lab.h — phase 02: logsumexp, log_softmax and softmax
// that never overflow.
//
// The interface the phase-02 suite (tests/test_logsoftmax.cpp) calls. The
// suite is compiled once and linked against one implementation of these
// three functions: the reference (reference.cpp, a thin adapter onto
// gradlab's own losses/), the starter a student fills in, or a bug-zoo entry.
//
// Forward only (no gradients in this phase). Tensors in, tensors out:
//  - Float32 and Float64 inputs must be supported and the result has the
//    input's dtype; compute Float32 inputs in float (or better), Float64 in
//    double.
//  - Float16 inputs must be supported too: compute in float32 (a half exp
//    overflows above ~11.09) and return Float16.
//  - Read the input with x.to_vector<double>() (or data_ptr on a contiguous
//    copy), build the output with gradlab::from_vector(...).to(x.dtype()).
//
// Semantics are SciPy 1.10's (scipy.special.logsumexp / log_softmax /
// softmax): subtract the max before exp; a slice of all -inf has logsumexp
// -inf; any +inf gives +inf; NaN anywhere in a slice gives NaN for that
// slice; log_softmax([1000, 1]) = [0, -999].
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace lab02 {

using gradlab::Tensor;

// log(sum(exp(x))) over `dims`; dims empty = all dims (scipy's axis=None).
// x: (...) -> x with dims removed (kept as size 1 when keepdim).
// Negative dims count from the end. Reducing over zero elements throws
// std::invalid_argument.
Tensor logsumexp(const Tensor& x, std::vector<int64_t> dims = {}, bool keepdim = false);

// log-probabilities along dim: x: (...) -> (...), each slice along `dim`
// has logsumexp 0.
Tensor log_softmax(const Tensor& x, int64_t dim = -1);

// probabilities along dim: x: (...) -> (...), each slice along `dim` sums
// to 1.
Tensor softmax(const Tensor& x, int64_t dim = -1);

}  // namespace lab02
