// labs/09_debugging/lab.h — phase 09: training-dynamics debugging.
//
// The interface the phase-09 suite (tests/labs/test_debugging.cpp) calls.
// Two parts, both in starter/debugging.cpp:
//   A. diagnostics: tools that find what is wrong with a run;
//   B. fixes: the five broken set-ups of setups.h, repaired. Each fixed
//      function has the signature and the job of its broken twin in
//      setups.h (lab09::broken::...), minus the bug.
// The suite runs your diagnostics on the broken set-ups (they must catch
// them) and trains briefly with your fixes (they must work).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "datasets/dataset.h"
#include "labs/09_debugging/setups.h"
#include "layers/module.h"

namespace lab09 {

// =============================================================================
// A. diagnostics
// =============================================================================

struct Anomaly {
  bool found = false;        // some op produced NaN or inf
  std::string op;            // the FIRST such op, as the framework names it ("exp", "log", ...)
  bool in_backward = false;  // true if it was a gradient computed during backward
  std::string message;       // a human-readable report (e.g. the framework's own)
};

// Runs step() — which builds a forward pass and returns a scalar loss — and
// then backward() on that loss, with gradlab::AnomalyMode (core/autograd.h)
// switched on for both. -> the first op whose output (forward) or computed
// gradient (backward) holds NaN or inf, in the order they ran; found = false
// if none did. Anomaly mode is off again when the function returns. Any
// other exception thrown by step() propagates.
Anomaly first_nonfinite_op(const std::function<gradlab::Tensor()>& step);

// The L2 norm of all gradients of `params` taken together, as if
// concatenated into one vector: sqrt(sum over params, over elements, g^2).
// Parameters without a gradient are skipped; 0 if none has one. NaN or inf
// gradients give a NaN or inf norm (never hidden). Call it from a
// StepObserver to record a run's grad-norm history.
double global_grad_norm(const std::vector<gradlab::Tensor>& params);

// The first step t at which a run has diverged, given the loss of every
// step: losses[t] is NaN or inf, or (t >= 1) losses[t] > factor * the BEST
// (smallest) loss of steps 0 .. t-1. -> t, or -1 if the run never diverged.
// losses[0] non-finite gives 0. Error (std::invalid_argument): factor <= 1.
int64_t detect_divergence(const std::vector<double>& losses, double factor);

// The first step t >= window at which the run has plateaued: the best loss
// of the last `window` steps, min(losses[t-window+1 .. t]), is not below
// (1 - rel_tol) * the best loss before them, min(losses[0 .. t-window]).
// -> t, or -1 if it never plateaued. Losses are finite.
// Errors (std::invalid_argument): window < 1, rel_tol outside [0, 1).
int64_t detect_plateau(const std::vector<double>& losses, int64_t window, double rel_tol);

// =============================================================================
// B. the five set-ups, fixed (the broken versions are in setups.h)
// =============================================================================
namespace fixed {

// 1. Full-batch training of `model` on `data` for `steps` steps with a
// gradlab::optim optimizer of your choice. -> the loss before each step.
// Required, on setup_data() from setup_model(seed) for any seed, over 300
// steps: every loss finite and never above 1.5x the initial loss (no
// blow-up, not even a transient one), and >= 0.95 training accuracy.
// Call observe(t, model) after each backward, before the step (if set).
std::vector<double> train_full_batch(gradlab::nn::Module& model, const gradlab::data::Dataset& data,
                                     int64_t steps, const StepObserver& observe = nullptr);

// 2. Exactly broken::train_accumulated (micro-batches of 25 in order, loss /
// accum, plain SGD lr 0.5, observe before each step) — but each optimizer
// step must apply the gradient of its own `accum` micro-batches only.
std::vector<double> train_accumulated(gradlab::nn::Module& model,
                                      const gradlab::data::Dataset& data, int64_t steps,
                                      int64_t accum, const StepObserver& observe = nullptr);

// 3. logits: (N, C) floating, target: (N) Int64 -> 0-d: mean -log p[target],
// finite (with a finite gradient) for any finite logits, e.g. logit gaps of
// 1000.
gradlab::Tensor classification_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target);

// 4. logits: (B, T, C), target: (B, T) Int64, pad_id marks padding
// -> 0-d: the mean cross-entropy over the non-padding tokens only (0 if
// there are none); padding positions get a zero gradient.
gradlab::Tensor sequence_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target,
                              int64_t pad_id);

// 5. logits16: (N, C) Float16, target: (N) Int64 -> 0-d Float32: the mean
// cross-entropy, finite for any finite fp16 logits (up to +-65504), with the
// gradient flowing back to logits16 (in Float16).
gradlab::Tensor fp16_loss(const gradlab::Tensor& logits16, const gradlab::Tensor& target);

}  // namespace fixed
}  // namespace lab09
