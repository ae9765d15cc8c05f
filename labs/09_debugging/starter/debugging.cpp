// labs/09_debugging/starter/debugging.cpp — YOUR implementation of phase 09.
//
// Replace each NOT_IMPLEMENTED() with your code; the contracts are in
// ../lab.h, the broken set-ups in ../setups.h, and the handout (how to
// diagnose each one) in ../README.md. Check your work with:
//   gradlab lab check 09
//
// Part A (diagnostics) uses gradlab::AnomalyMode (core/autograd.h) — the
// framework's detector — and plain loops. Part B: start each fixed set-up as
// a copy of its broken twin in setups.h, find the one bug with your
// diagnostics, and fix it. Any gradlab building block is allowed here.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "labs/09_debugging/lab.h"
#include "labs/09_debugging/setups.h"
#include "labs/common/lab_support.h"
#include "losses/cross_entropy.h"
#include "optim/sgd.h"

namespace lab09 {

// ---- A. diagnostics ------------------------------------------------------------------

// Hint: hold a gradlab::AnomalyMode for the whole call; it throws a
// std::runtime_error whose message starts with "anomaly: output of '<op>'"
// (forward) or "anomaly: gradient of '<op>'" (backward). Catch only those.
Anomaly first_nonfinite_op(const std::function<gradlab::Tensor()>& step) {
  (void)step;
  NOT_IMPLEMENTED("lab09::first_nonfinite_op");
}

double global_grad_norm(const std::vector<gradlab::Tensor>& params) {
  (void)params;
  NOT_IMPLEMENTED("lab09::global_grad_norm");
}

// Hint: compare with the best loss so far, not with the previous one; and
// remember that every comparison with NaN is false.
int64_t detect_divergence(const std::vector<double>& losses, double factor) {
  (void)losses;
  (void)factor;
  NOT_IMPLEMENTED("lab09::detect_divergence");
}

int64_t detect_plateau(const std::vector<double>& losses, int64_t window, double rel_tol) {
  (void)losses;
  (void)window;
  (void)rel_tol;
  NOT_IMPLEMENTED("lab09::detect_plateau");
}

// ---- B. the set-ups, fixed -------------------------------------------------------------
namespace fixed {

std::vector<double> train_full_batch(gradlab::nn::Module& model, const gradlab::data::Dataset& data,
                                     int64_t steps, const StepObserver& observe) {
  (void)model;
  (void)data;
  (void)steps;
  (void)observe;
  NOT_IMPLEMENTED("lab09::fixed::train_full_batch");
}

std::vector<double> train_accumulated(gradlab::nn::Module& model,
                                      const gradlab::data::Dataset& data, int64_t steps,
                                      int64_t accum, const StepObserver& observe) {
  (void)model;
  (void)data;
  (void)steps;
  (void)accum;
  (void)observe;
  NOT_IMPLEMENTED("lab09::fixed::train_accumulated");
}

gradlab::Tensor classification_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target) {
  (void)logits;
  (void)target;
  NOT_IMPLEMENTED("lab09::fixed::classification_loss");
}

gradlab::Tensor sequence_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target,
                              int64_t pad_id) {
  (void)logits;
  (void)target;
  (void)pad_id;
  NOT_IMPLEMENTED("lab09::fixed::sequence_loss");
}

gradlab::Tensor fp16_loss(const gradlab::Tensor& logits16, const gradlab::Tensor& target) {
  (void)logits16;
  (void)target;
  NOT_IMPLEMENTED("lab09::fixed::fp16_loss");
}

}  // namespace fixed
}  // namespace lab09
