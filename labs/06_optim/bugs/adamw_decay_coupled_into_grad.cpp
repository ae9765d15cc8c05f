// labs/06_optim/bugs/adamw_decay_coupled_into_grad.cpp — BUG ZOO.
//
// The mistake: adamw_step adds weight_decay * param to the gradient (an L2
// penalty, i.e. plain Adam's weight decay) instead of shrinking the weights
// directly with param *= 1 - lr * weight_decay. Coupled decay goes through
// Adam's normalisation, so large and small weights are pulled in by about
// the same amount (~lr per step): that is exactly what AdamW was invented to
// avoid (Loshchilov & Hutter, "Decoupled Weight Decay Regularization").
// Caught by: AdamWProperty.ZeroGradientDecaysGeometrically,
// AdamWProperty.MomentsSeeTheRawGradient and OptimReference.AdamWMatchesPyTorch.
#include <cmath>
#include <stdexcept>
#include <string>

#include "labs/06_optim/adapter.h"
#include "labs/06_optim/lab.h"

namespace lab06 {

void sgd_step(std::span<double> param, std::span<const double> grad, SGDState& state,
              const SGDOptions& opt) {
  adapter::sgd_step(param, grad, state, opt);
}

void adam_step(std::span<double> param, std::span<const double> grad, AdamState& state,
               const AdamOptions& opt) {
  adapter::adam_step(param, grad, state, opt);
}

void adamw_step(std::span<double> param, std::span<const double> grad, AdamState& state,
                const AdamOptions& opt) {
  const std::size_t n = param.size();
  if (grad.size() != n || (!state.exp_avg.empty() && state.exp_avg.size() != n) ||
      (!state.exp_avg_sq.empty() && state.exp_avg_sq.size() != n)) {
    throw std::invalid_argument("lab06::adamw_step: size mismatch");
  }
  if (state.exp_avg.empty()) state.exp_avg.assign(n, 0.0);
  if (state.exp_avg_sq.empty()) state.exp_avg_sq.assign(n, 0.0);
  state.step += 1;
  const double t = static_cast<double>(state.step);
  const double bc1 = 1 - std::pow(opt.beta1, t), bc2 = 1 - std::pow(opt.beta2, t);
  for (std::size_t i = 0; i < n; ++i) {
    const double g = grad[i] + opt.weight_decay * param[i];  // BUG: L2, not decoupled decay
    double& m = state.exp_avg[i];
    double& v = state.exp_avg_sq[i];
    m = opt.beta1 * m + (1 - opt.beta1) * g;
    v = opt.beta2 * v + (1 - opt.beta2) * g * g;
    param[i] -= opt.lr / bc1 * m / (std::sqrt(v) / std::sqrt(bc2) + opt.eps);
  }
}

}  // namespace lab06
