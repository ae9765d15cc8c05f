// labs/06_optim/lab.h — phase 06: optimizers as update rules on raw arrays.
//
// The interface the phase-06 suite (tests/labs/test_optim.cpp) calls. You
// implement these four functions in starter/optim.cpp. Each performs ONE
// update of one flat parameter array from its gradient, exactly as PyTorch
// 1.13's torch.optim.SGD / Adam / AdamW (single-tensor path) would, with the
// optimizer state passed in and out explicitly.
//
// Everything is float64 so your trajectories can be compared with PyTorch's
// to 1e-10. Shapes are written (n): param, grad and every state buffer hold
// the same n elements.
//
// Contract common to all four functions:
//   - param.size() != grad.size(), or a state buffer that is non-empty but of
//     the wrong size: std::invalid_argument naming the function and both sizes.
//   - n == 0 is allowed (nothing to update; Adam's step counter still counts).
//   - The options are trusted (the suite only passes valid ones).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lab06 {

// ---- SGD ---------------------------------------------------------------------
// PyTorch names and defaults.
struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;  // L2: added to the gradient
  bool nesterov = false;      // only with momentum > 0 and dampening == 0
};

struct SGDState {
  // Empty before the first update (PyTorch's "buffer is None"). With
  // momentum != 0 the first update creates it (n elements); with momentum == 0
  // it stays empty.
  std::vector<double> momentum_buffer;
};

// param: (n) updated in place; grad: (n). Per element:
//   g   = grad + weight_decay * param
//   buf = g                                   on the first update (no dampening!)
//   buf = momentum * buf + (1 - dampening) * g  afterwards
//   d   = nesterov ? g + momentum * buf : buf   (d = g when momentum == 0)
//   param -= lr * d
void sgd_step(std::span<double> param, std::span<const double> grad, SGDState& state,
              const SGDOptions& opt);

// ---- Adam and AdamW ----------------------------------------------------------
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  // Adam: L2 on the gradient; AdamW: decoupled
};

struct AdamState {
  int64_t step = 0;                // updates done so far; each call adds 1 first
  std::vector<double> exp_avg;     // m: (n), empty before the first update (= zeros)
  std::vector<double> exp_avg_sq;  // v: (n), empty before the first update (= zeros)
};

// Adam with L2 weight decay. param: (n) in place; grad: (n). With t = ++step:
//   g = grad + weight_decay * param
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g^2
//   param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
void adam_step(std::span<double> param, std::span<const double> grad, AdamState& state,
               const AdamOptions& opt);

// AdamW: decoupled weight decay. Same as adam_step except the first line is
//   param *= 1 - lr * weight_decay;  g = grad
void adamw_step(std::span<double> param, std::span<const double> grad, AdamState& state,
                const AdamOptions& opt);

}  // namespace lab06
