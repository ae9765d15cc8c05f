// layers/tanh.cpp — the Tanh module: a thin wrapper over gradlab::tanh (core/ops.h).
#include "layers/tanh.h"

#include "core/ops.h"

namespace gradlab::nn {

Tensor Tanh::forward(const Tensor& x) { return gradlab::tanh(x); }

}  // namespace gradlab::nn
