// labs/02_logsoftmax/bugs/fp16_without_upcast.cpp — BUG ZOO.
//
// The mistake: for Float16 inputs the exponentials are rounded to half and
// summed IN HALF. Half has 11 significant bits: once the running sum passes
// 2048 the spacing between halves is 2, so adding terms near 1 no longer
// changes it and a 4096-wide row of values near 0 "sums" to 2048.
// (Pitfalls table: using FP16 throughout; promote to FP32 for the reduction.)
// Float32/Float64 inputs are handled correctly.
// Caught by: LogSoftmaxStress.Float16WideRowIsSummedInFloat32.
#include <utility>
#include <vector>

#include "core/dtype.h"
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

namespace {

// The sum of a half tensor over `dims`, accumulated the way half arithmetic
// would: every partial sum rounded to binary16. -> Float32 tensor.
Tensor half_sum(const Tensor& e, std::vector<int64_t> dims, bool keepdim) {
  const int64_t rank = e.dim();
  std::vector<bool> reduced(static_cast<std::size_t>(rank), dims.empty());
  for (int64_t d : dims)
    reduced[static_cast<std::size_t>(gradlab::wrap_dim(d, rank, "half_sum"))] = true;
  std::vector<int64_t> perm;  // kept dims first (in order), then reduced dims
  gradlab::Shape out_shape;
  int64_t inner = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[static_cast<std::size_t>(d)]) {
      perm.push_back(d);
      out_shape.push_back(e.shape()[static_cast<std::size_t>(d)]);
    } else if (keepdim) {
      out_shape.push_back(1);
    }
  }
  for (int64_t d = 0; d < rank; ++d)
    if (reduced[static_cast<std::size_t>(d)]) {
      perm.push_back(d);
      inner *= e.shape()[static_cast<std::size_t>(d)];
    }
  const std::vector<float> v = gradlab::permute(e, perm).contiguous().to_vector<float>();
  const std::size_t outer = inner == 0 ? 0 : v.size() / static_cast<std::size_t>(inner);
  std::vector<float> out(outer, 0.0f);
  for (std::size_t o = 0; o < outer; ++o) {
    float s = 0.0f;
    for (int64_t i = 0; i < inner; ++i) {
      s = gradlab::half_to_float(gradlab::float_to_half(
          s + v[o * static_cast<std::size_t>(inner) + static_cast<std::size_t>(i)]));
    }
    out[o] = s;
  }
  return gradlab::from_vector<float>(out, out_shape);
}

}  // namespace

Tensor softmax(const Tensor& x0, int64_t dim) {
  if (x0.dtype() != DType::Float16) return gradlab::softmax(x0, dim);
  const Tensor x = x0.to(DType::Float32);
  const Tensor e = gradlab::exp((x - gradlab::amax(x, {dim}, true)).to(DType::Float16));
  return (e.to(DType::Float32) / half_sum(e, {dim}, true)).to(DType::Float16);  // BUG: half sum
}

Tensor logsumexp(const Tensor& x0, std::vector<int64_t> dims, bool keepdim) {
  if (x0.dtype() != DType::Float16) return gradlab::logsumexp(x0, std::move(dims), keepdim);
  const Tensor x = x0.to(DType::Float32);
  const Tensor m = finite_or_zero(gradlab::amax(x, dims, true));
  const Tensor e = gradlab::exp((x - m).to(DType::Float16));  // each exp rounded to half
  const Tensor s = half_sum(e, dims, keepdim);                // BUG: summed in half
  const Tensor mo = keepdim ? m : finite_or_zero(gradlab::amax(x, dims, false));
  return (gradlab::log(s) + mo).to(DType::Float16);
}

// ---- correct: forwarded to the framework (not the point of this bug) ----

Tensor log_softmax(const Tensor& x, int64_t dim) { return gradlab::log_softmax(x, dim); }

}  // namespace lab02
