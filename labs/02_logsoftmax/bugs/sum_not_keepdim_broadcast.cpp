// labs/02_logsoftmax/bugs/sum_not_keepdim_broadcast.cpp — BUG ZOO.
//
// The mistake: log_softmax subtracts a logsumexp computed WITHOUT keepdim.
// For a (N, C) input reduced over dim 1 that is an (N) tensor, and
// broadcasting aligns it with the LAST dim: (N, C) - (N) throws when N != C
// and, worse, silently subtracts row j's logsumexp from COLUMN j when N == C.
// 1-D inputs hide the bug. Keep the reduced dim (keepdim = true).
// Caught by: LogSoftmaxProperty.ReductionsCompose (a square matrix: wrong
// values; other shapes: a broadcast error), LogSoftmaxReference.Float64MatchesScipy
// and Float32MatchesScipy (every matrix case).
#include <utility>
#include <vector>

#include "core/ops.h"
#include "core/tensor.h"
#include "labs/02_logsoftmax/lab.h"
#include "losses/logsumexp.h"
#include "losses/softmax.h"

namespace lab02 {

namespace {

using gradlab::DType;

// Float16/BFloat16 are computed in float32 (as lab.h asks).
[[maybe_unused]] Tensor upcast(const Tensor& x) {
  return x.dtype() == DType::Float16 || x.dtype() == DType::BFloat16 ? x.to(DType::Float32) : x;
}

// SciPy's guard: a non-finite max (all -inf, +inf, NaN) shifts by 0 instead.
[[maybe_unused]] Tensor finite_or_zero(const Tensor& m) {
  return gradlab::where(gradlab::isfinite(m), m, gradlab::zeros_like(m));
}

}  // namespace

Tensor log_softmax(const Tensor& x0, int64_t dim) {
  const Tensor x = upcast(x0);
  const Tensor t = x - finite_or_zero(gradlab::amax(x, {dim}, true));
  const Tensor lse = gradlab::log(gradlab::sum(gradlab::exp(t), {dim}, false));  // BUG: keepdim
  return (t - lse).to(x0.dtype());
}

// ---- correct: forwarded to the framework (not the point of this bug) ----

Tensor logsumexp(const Tensor& x, std::vector<int64_t> dims, bool keepdim) {
  return gradlab::logsumexp(x, std::move(dims), keepdim);
}

Tensor softmax(const Tensor& x, int64_t dim) { return gradlab::softmax(x, dim); }

}  // namespace lab02
