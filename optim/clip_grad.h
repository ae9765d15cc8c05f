// optim/clip_grad.h — gradient clipping by global norm, as
// torch.nn.utils.clip_grad_norm_.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace gradlab::optim {

// The norm of all gradients of `params` taken together, as if concatenated
// into one vector (parameters without a gradient are ignored; 0 if none has
// one). norm_type: any p > 0, or INFINITY for the max-abs norm.
// When clip_coef = max_norm / (total + 1e-6) is below 1, every gradient is
// scaled in place by clip_coef. Returns the total norm before clipping.
// error_if_nonfinite: std::runtime_error when the total norm is NaN or inf
// (otherwise, like PyTorch, an inf norm scales the gradients by 0 and a NaN
// norm leaves them unchanged; they already hold the NaN).
// Error (std::invalid_argument) for max_norm < 0 or norm_type <= 0.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

}  // namespace gradlab::optim
