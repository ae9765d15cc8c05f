// losses/logsumexp.h — log(sum(exp(x))) without overflow, with SciPy 1.10's
// semantics (scipy.special.logsumexp), differentiable.
//
// Numerics (the "max trick"): logsumexp(x) = m + log(sum(exp(x - m))) with
// m = max(x), so no exp overflows and the largest term is exactly 1. Special
// values follow SciPy: a reduction whose entries are all -inf gives -inf; any
// +inf gives +inf; any NaN gives NaN. Integer inputs are promoted to Float32;
// Float16/BFloat16 are computed in float32 and returned in their own dtype.
//
// Gradient: d/dx_i = exp(x_i - logsumexp(x)) (the softmax), as PyTorch; it is
// NaN where the result is -inf or +inf.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace gradlab {

// x: (...) -> x with `dims` removed (kept as size 1 when keepdim).
// dims empty = reduce over all dimensions (scipy's axis=None). Negative dims
// count from the end; repeated dims are an error, and so is reducing over
// zero elements ("logsumexp: cannot reduce over zero elements ...").
// Note: write logsumexp(x) rather than logsumexp(x, {}) (the latter is
// ambiguous with the options overload below).
Tensor logsumexp(const Tensor& x, std::vector<int64_t> dims = {}, bool keepdim = false);

struct LogSumExpOptions {
  std::vector<int64_t> dims = {};  // empty = all
  bool keepdim = false;
  Tensor b{};                      // weights, broadcastable with a; undefined = none
};

// log(sum(b * exp(a))) over opts.dims, with a and b broadcast together
// (a: (...A), b: (...B) -> broadcast(A, B) with dims removed).
// As SciPy: entries with b == 0 are left out even where a is +-inf or NaN;
// a negative weighted sum gives NaN (use logsumexp_signed); an exactly zero
// sum gives -inf. Differentiable in a and b:
//   d/da_i = b_i exp(a_i - out) (0 where b_i == 0),  d/db_i = exp(a_i - out).
// Without b this is logsumexp(a, opts.dims, opts.keepdim).
Tensor logsumexp(const Tensor& a, const LogSumExpOptions& opts);

// value = log|sum(b * exp(a))|, sign = its sign in {-1, 0, +1} (as SciPy's
// return_sign=True): sign 0 and value -inf for an exactly zero sum; both NaN
// when the sum is NaN. Same shapes as logsumexp. `value` is differentiable
// (d/da_i = sign * b_i exp(a_i - value)); `sign` is not.
struct SignedLogSumExp {
  Tensor value;
  Tensor sign;
};
SignedLogSumExp logsumexp_signed(const Tensor& a, const LogSumExpOptions& opts = {});

}  // namespace gradlab
