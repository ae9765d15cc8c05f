// layers/dropout.h — inverted dropout: in training, zero each element with
// probability p and scale the survivors by 1 / (1 - p), so the expected
// output equals the input and evaluation needs no rescaling. In eval mode it
// is the identity.
#pragma once

#include "core/random.h"
#include "layers/module.h"

namespace gradlab::nn {

class Dropout : public Module {
 public:
  // p in [0, 1]. The masks are drawn from `gen`, which must outlive the
  // module (the same seed gives the same masks). Error for p outside [0, 1].
  Dropout(double p, Generator& gen);

  // x: (...) -> (...). Training: x * mask, mask elements 0 (probability p) or
  // 1 / (1 - p); p = 1 gives zeros. Eval mode: x itself.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  double p() const { return p_; }

 private:
  double p_;
  Generator* gen_;  // not owned
};

}  // namespace gradlab::nn
