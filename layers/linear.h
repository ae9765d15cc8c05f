// layers/linear.h — the fully connected layer y = x W^T + b.
#pragma once

#include <cstdint>

#include "core/random.h"
#include "layers/module.h"

namespace gradlab::nn {

class Linear : public Module {
 public:
  // PyTorch's default initialisation, drawn from `gen` in this order:
  //   weight (out, in) ~ U(-1/sqrt(in), 1/sqrt(in))   (Kaiming-uniform, a = sqrt(5))
  //   bias   (out)     ~ U(-1/sqrt(in), 1/sqrt(in))   (omitted when bias = false)
  // Float32 parameters; Module::to converts. Error unless in, out >= 1.
  Linear(int64_t in_features, int64_t out_features, Generator& gen, bool bias = true);

  // x: (..., in) -> (..., out), as matmul(x, weight^T) + bias.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }

  Tensor weight;  // (out, in), same layout as PyTorch
  Tensor bias;    // (out); undefined when constructed with bias = false

 private:
  int64_t in_features_;
  int64_t out_features_;
};

}  // namespace gradlab::nn
