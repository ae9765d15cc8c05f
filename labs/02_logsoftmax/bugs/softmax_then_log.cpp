// labs/02_logsoftmax/bugs/softmax_then_log.cpp — BUG ZOO.
//
// The mistake: log_softmax is computed as log(softmax(x)). The softmax itself
// is stable (max-shifted), but a probability below the smallest float
// underflows to 0 and log(0) = -inf: log_softmax([1000, 1]) gives
// [0, -inf] instead of [0, -999]. Stay in log space: (x - m) - log(sum(exp(x - m))).
// (Pitfalls table: cross-entropy computed from probabilities with zeros.)
// Caught by: LogSoftmaxStress.LogSoftmaxOfFarApartValuesIsExact,
// LargeAndVeryNegativeRows, LogSoftmaxReference.* and
// LogSoftmaxProperty.Float32MatchesFloat64.
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

Tensor softmax(const Tensor& x0, int64_t dim) {
  const Tensor x = upcast(x0);
  const Tensor e = gradlab::exp(x - gradlab::amax(x, {dim}, true));
  return (e / gradlab::sum(e, {dim}, true)).to(x0.dtype());
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  return gradlab::log(lab02::softmax(x, dim));  // BUG: log of probabilities that may be 0
}

// ---- correct: forwarded to the framework (not the point of this bug) ----

Tensor logsumexp(const Tensor& x, std::vector<int64_t> dims, bool keepdim) {
  return gradlab::logsumexp(x, std::move(dims), keepdim);
}

}  // namespace lab02
