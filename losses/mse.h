// losses/mse.h — mean squared error, as torch.nn.functional.mse_loss.
#pragma once

#include "core/tensor.h"
#include "losses/reduction.h"

namespace gradlab {

// input: (...), target: same shape -> (...) for None, 0-d for Mean / Sum.
// (input - target)^2, reduced. Differentiable in both (composed of core
// ops). Shapes must match exactly (no silent broadcasting, unlike PyTorch's
// warning): "mse_loss: input (3,1) vs target (3)".
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

}  // namespace gradlab
