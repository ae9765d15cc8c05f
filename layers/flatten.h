// layers/flatten.h — merges a range of dims into one (an image (N, 1, 28, 28)
// into rows (N, 784) before a Linear).
#pragma once

#include <cstdint>

#include "layers/module.h"

namespace gradlab::nn {

class Flatten : public Module {
 public:
  // As torch.nn.Flatten: dims start_dim..end_dim (negative counts from the
  // end) merge into one; the default keeps the batch dim.
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1)
      : start_dim_(start_dim), end_dim_(end_dim) {}

  // x: (N, d1, ..., dk) -> (N, d1 * ... * dk) with the defaults.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;

 private:
  int64_t start_dim_;
  int64_t end_dim_;
};

}  // namespace gradlab::nn
