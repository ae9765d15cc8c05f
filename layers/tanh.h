// layers/tanh.h — hyperbolic tangent as a module.
#pragma once

#include "layers/module.h"

namespace gradlab::nn {

class Tanh : public Module {
 public:
  Tanh() = default;
  // x: (...) -> (...), elementwise tanh(x).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Tanh"; }
};

}  // namespace gradlab::nn
