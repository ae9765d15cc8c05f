// layers/layer_norm.cpp — LayerNorm composed from mean, sub, square, sqrt, div.
#include "layers/layer_norm.h"

#include <sstream>
#include <stdexcept>

#include "core/ops.h"

namespace gradlab::nn {

LayerNorm::LayerNorm(Shape normalized_shape, double eps, bool elementwise_affine)
    : normalized_shape_(std::move(normalized_shape)), eps_(eps) {
  bool ok = !normalized_shape_.empty();
  for (int64_t s : normalized_shape_) ok = ok && s >= 1;
  if (!ok) {
    throw std::invalid_argument("LayerNorm: normalized_shape " + shape_str(normalized_shape_) +
                                " must be non-empty with sizes >= 1");
  }
  if (!(eps >= 0))
    throw std::invalid_argument("LayerNorm: eps must be >= 0, got " + std::to_string(eps));
  if (elementwise_affine) {
    weight = ones(normalized_shape_);
    bias = zeros(normalized_shape_);
    register_parameter("weight", weight);
    register_parameter("bias", bias);
  }
}

Tensor LayerNorm::forward(const Tensor& x) {
  const int64_t k = static_cast<int64_t>(normalized_shape_.size());
  bool ok = x.dim() >= k;
  for (int64_t i = 0; ok && i < k; ++i) ok = x.size(x.dim() - k + i) == normalized_shape_[i];
  if (!ok) {
    throw std::invalid_argument("LayerNorm: input " + shape_str(x.shape()) +
                                " must end in normalized_shape " + shape_str(normalized_shape_));
  }
  const DType in_dtype = x.dtype();
  const bool half = in_dtype == DType::Float16 || in_dtype == DType::BFloat16;
  Tensor h = half ? x.to(DType::Float32) : x;

  std::vector<int64_t> dims;
  for (int64_t i = -k; i < 0; ++i) dims.push_back(i);
  Tensor centered = h - mean(h, dims, /*keepdim=*/true);        // (..., *ns)
  Tensor var = mean(square(centered), dims, /*keepdim=*/true);  // (..., 1, ..., 1), biased
  Tensor y = centered / sqrt(var + eps_);
  if (weight.defined()) y = y * weight + bias;  // broadcast over the leading dims
  return half ? y.to(in_dtype) : y;
}

std::string LayerNorm::extra_repr() const {
  std::ostringstream os;
  os << shape_str(normalized_shape_) << ", eps=" << eps_
     << ", elementwise_affine=" << (weight.defined() ? "true" : "false");
  return os.str();
}

}  // namespace gradlab::nn
