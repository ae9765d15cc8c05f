// labs/02_logsoftmax/bugs/max_shift_wrong_axis.cpp — BUG ZOO.
//
// The mistake: every slice is shifted by the GLOBAL max of the whole tensor
// instead of by its own max along the reduced dim. A row far below the
// tensor's max then underflows completely: with rows [1000, ...] and
// [0, 1, 2], exp(0 - 1000) = 0 and the second row's logsumexp is -inf (in
// float32 as soon as the gap exceeds ~100). One +inf anywhere also poisons
// every row.
// Caught by: LogSoftmaxProperty.ReductionsCompose, LogSoftmaxReference.Float64MatchesScipy
// and Float32MatchesScipy (matrices with rows of different scales, the
// special-value matrix) and LogSoftmaxStress.InfinityAndNaNRowsFollowScipy.
#include <utility>
#include <vector>

#include "core/ops.h"
#include "core/tensor.h"
#include "labs/02_logsoftmax/lab.h"

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

Tensor softmax(const Tensor& x0, int64_t dim) {
  const Tensor x = upcast(x0);
  const Tensor e = gradlab::exp(x - gradlab::max(x));  // BUG: should be amax(x, {dim}, true)
  return (e / gradlab::sum(e, {dim}, true)).to(x0.dtype());
}

Tensor logsumexp(const Tensor& x0, std::vector<int64_t> dims, bool keepdim) {
  const Tensor x = upcast(x0);
  const Tensor m = finite_or_zero(gradlab::max(x));  // BUG: should be amax(x, dims, true)
  return (gradlab::log(gradlab::sum(gradlab::exp(x - m), dims, keepdim)) + m).to(x0.dtype());
}

Tensor log_softmax(const Tensor& x0, int64_t dim) {
  const Tensor x = upcast(x0);
  const Tensor t = x - finite_or_zero(gradlab::max(x));  // BUG: should be amax(x, {dim}, true)
  return (t - gradlab::log(gradlab::sum(gradlab::exp(t), {dim}, true))).to(x0.dtype());
}

}  // namespace lab02
