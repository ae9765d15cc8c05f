// labs/06_optim/reference.cpp — the reference implementation of phase 06:
// every function of lab.h answered by the framework's own optimizers
// (adapter.h over gradlab::optim::SGD, Adam, AdamW).
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
  adapter::adamw_step(param, grad, state, opt);
}

}  // namespace lab06
