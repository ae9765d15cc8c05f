// labs/02_logsoftmax/bugs/neg_inf_row_nan.cpp — BUG ZOO.
//
// The mistake: the max shift has no guard for a non-finite max. For a slice
// that is all -inf (a fully masked attention row, a log-probability of an
// impossible event), x - max = -inf - (-inf) = NaN, so logsumexp gives NaN
// instead of -inf; a +inf gives NaN instead of +inf. SciPy (and gradlab)
// shift by 0 when the max is not finite.
// Caught by: LogSoftmaxStress.InfinityAndNaNRowsFollowScipy and
// LogSoftmaxReference.Float64MatchesScipy / Float32MatchesScipy.
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

Tensor logsumexp(const Tensor& x0, std::vector<int64_t> dims, bool keepdim) {
  const Tensor x = upcast(x0);
  const Tensor m = gradlab::amax(x, dims, true);  // BUG: no finite_or_zero guard
  const Tensor s = gradlab::sum(gradlab::exp(x - m), dims, keepdim);
  return (gradlab::log(s) + (keepdim ? m : gradlab::amax(x, dims, false))).to(x0.dtype());
}

Tensor log_softmax(const Tensor& x0, int64_t dim) {
  const Tensor x = upcast(x0);
  const Tensor t = x - gradlab::amax(x, {dim}, true);  // BUG: no finite_or_zero guard
  return (t - gradlab::log(gradlab::sum(gradlab::exp(t), {dim}, true))).to(x0.dtype());
}

// ---- correct: forwarded to the framework (not the point of this bug) ----

Tensor softmax(const Tensor& x, int64_t dim) { return gradlab::softmax(x, dim); }

}  // namespace lab02
