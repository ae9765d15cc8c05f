// layers/sigmoid.cpp — the Sigmoid module: a thin wrapper over gradlab::sigmoid (core/ops.h).
#include "layers/sigmoid.h"

#include "core/ops.h"

namespace gradlab::nn {

Tensor Sigmoid::forward(const Tensor& x) { return gradlab::sigmoid(x); }

}  // namespace gradlab::nn
