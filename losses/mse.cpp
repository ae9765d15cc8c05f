// losses/mse.cpp — mean squared error, composed of core ops (their backward
// passes give the gradient; nothing to fuse here).
#include "losses/mse.h"

#include "core/ops.h"
#include "losses/loss_util.h"

namespace gradlab {

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  using losses_detail::fail;
  if (!input.defined() || !target.defined()) fail("mse_loss: input and target must be defined");
  if (input.shape() != target.shape())
    fail("mse_loss: input ", shape_str(input.shape()), " vs target ", shape_str(target.shape()));
  const Tensor sq = square(input - target);
  switch (reduction) {
    case Reduction::None: return sq;
    case Reduction::Sum: return sum(sq);
    case Reduction::Mean: break;
  }
  return mean(sq);
}

}  // namespace gradlab
