// labs/06_optim/starter/optim.cpp — YOUR implementation of phase 06.
//
// Replace each NOT_IMPLEMENTED() with your code; the contracts are in
// ../lab.h and the handout (with the math) is ../README.md. Check your work
// with:   gradlab lab check 06
//
// Rules: plain C++ loops over the arrays. Do not call gradlab::optim (SGD,
// Adam, AdamW are what you are writing; the grader flags submissions that
// use them). Throw std::invalid_argument for mismatched sizes, naming the
// function and both sizes.
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "labs/06_optim/lab.h"
#include "labs/common/lab_support.h"

namespace lab06 {

// Hint: the FIRST update (state.momentum_buffer empty) sets the buffer to the
// (decayed) gradient itself; only later updates use momentum and dampening.
void sgd_step(std::span<double> param, std::span<const double> grad, SGDState& state,
              const SGDOptions& opt) {
  (void)param;
  (void)grad;
  (void)state;
  (void)opt;
  NOT_IMPLEMENTED("lab06::sgd_step");
}

// Hint: increment state.step FIRST, then use t = state.step in the bias
// corrections 1 - beta1^t and 1 - beta2^t. eps goes OUTSIDE the square root.
void adam_step(std::span<double> param, std::span<const double> grad, AdamState& state,
               const AdamOptions& opt) {
  (void)param;
  (void)grad;
  (void)state;
  (void)opt;
  NOT_IMPLEMENTED("lab06::adam_step");
}

// Hint: write one helper for both Adam variants with a `decoupled` flag; the
// only difference is where weight_decay enters.
void adamw_step(std::span<double> param, std::span<const double> grad, AdamState& state,
                const AdamOptions& opt) {
  (void)param;
  (void)grad;
  (void)state;
  (void)opt;
  NOT_IMPLEMENTED("lab06::adamw_step");
}

}  // namespace lab06
