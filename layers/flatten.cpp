// layers/flatten.cpp — Flatten: core's flatten op (a view when possible).
#include "layers/flatten.h"

#include "core/ops.h"

namespace gradlab::nn {

Tensor Flatten::forward(const Tensor& x) { return gradlab::flatten(x, start_dim_, end_dim_); }

std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim_) + ", end_dim=" + std::to_string(end_dim_);
}

}  // namespace gradlab::nn
