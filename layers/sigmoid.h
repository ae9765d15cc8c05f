// layers/sigmoid.h — the logistic function 1 / (1 + exp(-x)) as a module.
#pragma once

#include "layers/module.h"

namespace gradlab::nn {

class Sigmoid : public Module {
 public:
  Sigmoid() = default;
  // x: (...) -> (...), elementwise 1 / (1 + exp(-x)).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sigmoid"; }
};

}  // namespace gradlab::nn
