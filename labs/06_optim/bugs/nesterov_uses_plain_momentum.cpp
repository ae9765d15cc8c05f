// labs/06_optim/bugs/nesterov_uses_plain_momentum.cpp — BUG ZOO.
//
// The mistake: sgd_step ignores `nesterov` and always steps along the
// momentum buffer. Nesterov momentum steps along g + momentum * buf (a look
// ahead to where the velocity is taking the parameter); with nesterov = true
// the very first step should already be lr * (1 + momentum) * g, not lr * g.
// Caught by: SGDProperty.NesterovLooksAhead (shrinks to one element) and
// OptimReference.SGDMatchesPyTorch (cases sgd_nesterov*).
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
  const bool first = state.momentum_buffer.empty();
  if (opt.momentum != 0.0 && first) state.momentum_buffer.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double g = grad[i] + opt.weight_decay * param[i];
    if (opt.momentum != 0.0) {
      double& buf = state.momentum_buffer[i];
      buf = first ? g : opt.momentum * buf + (1 - opt.dampening) * g;
      g = buf;  // BUG: with nesterov this should be g + momentum * buf
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
