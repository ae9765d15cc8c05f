// layers/relu.cpp — the ReLU module: a thin wrapper over gradlab::relu (core/ops.h).
#include "layers/relu.h"

#include "core/ops.h"

namespace gradlab::nn {

Tensor ReLU::forward(const Tensor& x) { return gradlab::relu(x); }

}  // namespace gradlab::nn
