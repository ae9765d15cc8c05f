// layers/relu.h — the rectifier max(x, 0) as a module.
#pragma once

#include "layers/module.h"

namespace gradlab::nn {

class ReLU : public Module {
 public:
  ReLU() = default;
  // x: (...) -> (...), elementwise max(x, 0); the gradient at exactly 0 is 0 (as PyTorch).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ReLU"; }
};

}  // namespace gradlab::nn
