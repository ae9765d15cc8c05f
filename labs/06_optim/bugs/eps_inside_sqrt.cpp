// labs/06_optim/bugs/eps_inside_sqrt.cpp — BUG ZOO.
//
// The mistake: the denominator is sqrt(v_hat + eps) instead of
// sqrt(v_hat) + eps. With the default eps = 1e-8 this is invisible for
// gradients of order 1, but sqrt(1e-8) = 1e-4 is a LARGE epsilon: every
// gradient below ~1e-4 gets its step shrunk (a 1e-6 gradient moves the
// parameter by 0.01 lr instead of 0.99 lr), and with eps = 0.1 the whole
// trajectory changes.
// Caught by: OptimStress.AdamTinyGradientStillMovesByAboutLr,
// AdamProperty.FirstStepIsLrTimesSignOfGradient and the reference cases
// adam_large_eps and adamw_strong_decay.
#include <cmath>
#include <stdexcept>
#include <string>

#include "labs/06_optim/adapter.h"
#include "labs/06_optim/lab.h"

namespace lab06 {

namespace {

void adam_update(const char* fn, bool decoupled, std::span<double> param,
                 std::span<const double> grad, AdamState& state, const AdamOptions& opt) {
  const std::size_t n = param.size();
  if (grad.size() != n || (!state.exp_avg.empty() && state.exp_avg.size() != n) ||
      (!state.exp_avg_sq.empty() && state.exp_avg_sq.size() != n)) {
    throw std::invalid_argument(std::string(fn) + ": size mismatch");
  }
  if (state.exp_avg.empty()) state.exp_avg.assign(n, 0.0);
  if (state.exp_avg_sq.empty()) state.exp_avg_sq.assign(n, 0.0);
  state.step += 1;
  const double t = static_cast<double>(state.step);
  const double bc1 = 1 - std::pow(opt.beta1, t), bc2 = 1 - std::pow(opt.beta2, t);
  for (std::size_t i = 0; i < n; ++i) {
    double g = grad[i];
    if (decoupled) {
      param[i] *= 1 - opt.lr * opt.weight_decay;
    } else {
      g += opt.weight_decay * param[i];
    }
    double& m = state.exp_avg[i];
    double& v = state.exp_avg_sq[i];
    m = opt.beta1 * m + (1 - opt.beta1) * g;
    v = opt.beta2 * v + (1 - opt.beta2) * g * g;
    param[i] -= opt.lr / bc1 * m / std::sqrt(v / bc2 + opt.eps);  // BUG: eps inside the sqrt
  }
}

}  // namespace

void sgd_step(std::span<double> param, std::span<const double> grad, SGDState& state,
              const SGDOptions& opt) {
  adapter::sgd_step(param, grad, state, opt);
}

void adam_step(std::span<double> param, std::span<const double> grad, AdamState& state,
               const AdamOptions& opt) {
  adam_update("lab06::adam_step", false, param, grad, state, opt);
}

void adamw_step(std::span<double> param, std::span<const double> grad, AdamState& state,
                const AdamOptions& opt) {
  adam_update("lab06::adamw_step", true, param, grad, state, opt);
}

}  // namespace lab06
