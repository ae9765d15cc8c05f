// labs/02_logsoftmax/bugs/no_max_shift.cpp — BUG ZOO.
//
// The mistake: exp() is applied to the raw inputs, with no max shift:
//   logsumexp(x) = log(sum(exp(x))), log_softmax = x - logsumexp(x),
//   softmax = exp(x) / sum(exp(x)).
// exp(1000) overflows (float32 already above ~88.7), so [1000, 1001, 1002]
// gives inf / NaN, and exp(-1000) underflows to 0, so [-1000, -999, -998]
// gives -inf. (Pitfalls table: naive softmax with large logits.)
// Caught by: LogSoftmaxStress.LargeAndVeryNegativeRows, Float16NearMax,
// LogSoftmaxReference.* and most properties (their rows reach scale 1000).
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
  const Tensor e = gradlab::exp(x);  // BUG: no shift
  return (e / gradlab::sum(e, {dim}, true)).to(x0.dtype());
}

Tensor logsumexp(const Tensor& x0, std::vector<int64_t> dims, bool keepdim) {
  const Tensor x = upcast(x0);
  return gradlab::log(gradlab::sum(gradlab::exp(x), dims, keepdim))
      .to(x0.dtype());  // BUG: no shift
}

Tensor log_softmax(const Tensor& x0, int64_t dim) {
  const Tensor x = upcast(x0);
  return (x - gradlab::log(gradlab::sum(gradlab::exp(x), {dim}, true)))
      .to(x0.dtype());  // BUG: no shift
}

}  // namespace lab02
