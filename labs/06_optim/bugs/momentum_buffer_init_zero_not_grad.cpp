// labs/06_optim/bugs/momentum_buffer_init_zero_not_grad.cpp — BUG ZOO.
//
// The mistake: the momentum buffer starts at zeros and the first update is
// the ordinary buf = momentum * buf + (1 - dampening) * g, giving
// (1 - dampening) * g. PyTorch initialises the buffer with the first gradient
// itself (buf = g, no dampening). The two agree when dampening == 0, which is
// why this bug survives casual testing.
// Caught by: SGDProperty.FirstMomentumStepCopiesTheGradient (shrinks to a
// small dampening) and OptimReference.SGDMatchesPyTorch (case
// sgd_momentum_dampening).
#include <stdexcept>
#include <string>

#include "labs/06_optim/adapter.h"
#include "labs/06_optim/lab.h"

namespace lab06 {

void sgd_step(std::span<double> param, std::span<const double> grad, SGDState& state,
              const SGDOptions& opt) {
  const std::size_t n = param.size();
  if (grad.size() != n || (!state.momentum_buffer.empty() && state.momentum_buffer.size() != n)) {
    throw std::invalid_argument("lab06::sgd_step: size mismatch");
  }
  if (opt.momentum != 0.0 && state.momentum_buffer.empty()) {
    state.momentum_buffer.assign(n, 0.0);  // BUG: PyTorch starts from the gradient
  }
  for (std::size_t i = 0; i < n; ++i) {
    double g = grad[i] + opt.weight_decay * param[i];
    if (opt.momentum != 0.0) {
      double& buf = state.momentum_buffer[i];
      buf = opt.momentum * buf + (1 - opt.dampening) * g;
      g = opt.nesterov ? g + opt.momentum * buf : buf;
    }
    param[i] -= opt.lr * g;
  }
}

void adam_step(std::span<double> param, std::span<const double> grad, AdamState& state,
               const AdamOptions& opt) {
  adapter::adam_step(param, grad, state, opt);
}

void adamw_step(std::span<double> param, std::span<const double> grad, AdamState& state,
                const AdamOptions& opt) {
  adapter::adamw_step(param, grad, state, opt);
}

}  // namespace lab06
