// labs/06_optim/bugs/adam_no_bias_correction.cpp — BUG ZOO.
//
// The mistake: adam_step uses the raw moments m and v. Both start at zero,
// so early on they are biased towards zero by the factors (1 - beta1^t) and
// (1 - beta2^t); without dividing those out, the first step with the default
// betas is 0.1 / sqrt(0.001) ~ 3.2 times too large.
// Caught by: AdamProperty.FirstStepIsLrTimesSignOfGradient and
// OptimReference.AdamMatchesPyTorch.
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
  const std::size_t n = param.size();
  if (grad.size() != n || (!state.exp_avg.empty() && state.exp_avg.size() != n) ||
      (!state.exp_avg_sq.empty() && state.exp_avg_sq.size() != n)) {
    throw std::invalid_argument("lab06::adam_step: size mismatch");
  }
  if (state.exp_avg.empty()) state.exp_avg.assign(n, 0.0);
  if (state.exp_avg_sq.empty()) state.exp_avg_sq.assign(n, 0.0);
  state.step += 1;
  for (std::size_t i = 0; i < n; ++i) {
    const double g = grad[i] + opt.weight_decay * param[i];
    double& m = state.exp_avg[i];
    double& v = state.exp_avg_sq[i];
    m = opt.beta1 * m + (1 - opt.beta1) * g;
    v = opt.beta2 * v + (1 - opt.beta2) * g * g;
    param[i] -= opt.lr * m / (std::sqrt(v) + opt.eps);  // BUG: no / (1 - beta^t) corrections
  }
}

void adamw_step(std::span<double> param, std::span<const double> grad, AdamState& state,
                const AdamOptions& opt) {
  adapter::adamw_step(param, grad, state, opt);
}

}  // namespace lab06
