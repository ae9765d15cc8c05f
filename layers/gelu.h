// layers/gelu.h — the Gaussian error linear unit x * Phi(x) as a module.
#pragma once

#include "layers/module.h"

namespace gradlab::nn {

class GELU : public Module {
 public:
  // As torch.nn.GELU(approximate=...): None is the exact erf form,
  // Tanh is 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  enum class Approximate { None, Tanh };
  explicit GELU(Approximate approximate = Approximate::None) : approximate_(approximate) {}

  // x: (...) -> (...), elementwise.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "GELU"; }
  std::string extra_repr() const override;

 private:
  Approximate approximate_;
};

}  // namespace gradlab::nn
