// layers/layer_norm.h — layer normalisation over the trailing dims:
// y = (x - mean) / sqrt(var + eps) * weight + bias, with mean and (biased)
// variance taken over the last normalized_shape.size() dims of each sample.
#pragma once

#include "layers/module.h"

namespace gradlab::nn {

class LayerNorm : public Module {
 public:
  // weight = ones(normalized_shape), bias = zeros(normalized_shape) when
  // elementwise_affine (as PyTorch); no parameters otherwise.
  // Error if normalized_shape is empty or has a size < 1, or eps < 0.
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true);

  // x: (..., *normalized_shape) -> same shape. Float16/BFloat16 inputs are
  // normalised in float32 and converted back (as PyTorch does).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;

  Tensor weight;  // normalized_shape; undefined without elementwise_affine
  Tensor bias;    // normalized_shape; undefined without elementwise_affine

 private:
  Shape normalized_shape_;
  double eps_;
};

}  // namespace gradlab::nn
