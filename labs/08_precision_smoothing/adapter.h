// labs/08_precision_smoothing/adapter.h — the reference for phase 08: lab.h
// answered by the framework. This is NOT a solution to copy.
//   smoothed_cross_entropy  gradlab::cross_entropy (losses/cross_entropy.h)
//                           with label_smoothing and ignore_index, backward
//                           through autograd
//   cross_entropy_fp16      the same on a Float16 tensor: the framework
//                           computes Float16 logits in float32 and returns
//                           the gradient in Float16; backward of
//                           loss * loss_scale gives the scaled gradient
//   loss scaling            written out here: the framework has no
//                           GradScaler (it has no fp16 training loop); the
//                           rule is torch.cuda.amp.GradScaler's, transcribed
//                           from PyTorch 1.13 (grad_scaler.py and the
//                           _amp_update_scale_ kernel in AmpKernels.cu)
// reference.cpp forwards every function here; each bug-zoo file forwards
// every function except the one it gets wrong.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/ops.h"
#include "core/tensor.h"
#include "labs/08_precision_smoothing/lab.h"
#include "losses/cross_entropy.h"

namespace lab08::adapter {

// Shared argument checks (std::invalid_argument naming fn and the sizes).
inline void check_loss_args(const char* fn, std::size_t logits, std::size_t n, int64_t C,
                            std::size_t grad) {
  if (C < 1)
    throw std::invalid_argument(std::string(fn) + ": C must be >= 1, got " + std::to_string(C));
  const std::size_t want = n * static_cast<std::size_t>(C);
  if (logits != want || grad != want) {
    throw std::invalid_argument(std::string(fn) + ": logits has " + std::to_string(logits) +
                                " and grad_logits " + std::to_string(grad) +
                                " elements, expected N * C = " + std::to_string(n) + " * " +
                                std::to_string(C));
  }
}

// Runs gradlab::cross_entropy on `logits` (any floating dtype, shape (N, C),
// a fresh leaf), backpropagates loss_scale * loss, and returns the loss.
inline double framework_loss(gradlab::Tensor logits, std::span<const int64_t> target,
                             const LossOptions& opt, double loss_scale) {
  const auto n = static_cast<int64_t>(target.size());
  logits.requires_grad_();
  const gradlab::Tensor y =
      gradlab::from_vector(std::vector<int64_t>(target.begin(), target.end()), {n});
  const gradlab::Tensor loss = gradlab::cross_entropy(
      logits, y, {.ignore_index = opt.ignore_index, .label_smoothing = opt.label_smoothing});
  (loss * loss_scale).backward();
  return loss.item();
}

inline double smoothed_cross_entropy(std::span<const float> logits, std::span<const int64_t> target,
                                     int64_t C, const LossOptions& opt,
                                     std::span<float> grad_logits) {
  check_loss_args("lab08::smoothed_cross_entropy", logits.size(), target.size(), C,
                  grad_logits.size());
  const auto n = static_cast<int64_t>(target.size());
  std::fill(grad_logits.begin(), grad_logits.end(), 0.0f);
  if (n == 0) return 0.0;
  gradlab::Tensor x =
      gradlab::from_vector(std::vector<float>(logits.begin(), logits.end()), {n, C});
  const double loss = framework_loss(x, target, opt, 1.0);
  if (x.grad().defined()) {
    const std::vector<float> g = x.grad().to_vector<float>();
    std::copy(g.begin(), g.end(), grad_logits.begin());
  }
  return loss;
}

inline float cross_entropy_fp16(std::span<const gradlab::Half> logits,
                                std::span<const int64_t> target, int64_t C, const LossOptions& opt,
                                float loss_scale, std::span<gradlab::Half> grad_logits) {
  check_loss_args("lab08::cross_entropy_fp16", logits.size(), target.size(), C, grad_logits.size());
  const auto n = static_cast<int64_t>(target.size());
  std::fill(grad_logits.begin(), grad_logits.end(), gradlab::Half{});
  if (n == 0) return 0.0f;
  std::vector<float> up(logits.size());
  for (std::size_t i = 0; i < up.size(); ++i) up[i] = gradlab::half_to_float(logits[i]);
  // Exact: every value is a half, so the Float16 tensor holds the same bits.
  gradlab::Tensor x = gradlab::from_vector(up, {n, C}).to(gradlab::DType::Float16);
  const double loss = framework_loss(x, target, opt, loss_scale);
  if (x.grad().defined()) {
    const gradlab::Tensor g = x.grad().contiguous();
    const gradlab::Half* src = g.data_ptr<gradlab::Half>();
    std::copy(src, src + g.numel(), grad_logits.begin());
  }
  return static_cast<float>(loss);
}

inline bool unscale_grads(std::span<float> grads, float scale) {
  // As GradScaler.unscale_: inv_scale = scale.double().reciprocal().float().
  const auto inv_scale = static_cast<float>(1.0 / static_cast<double>(scale));
  bool found_inf = false;
  for (float& g : grads) {
    if (!std::isfinite(g)) found_inf = true;
    g *= inv_scale;
  }
  return found_inf;
}

inline void update_scale(ScalerState& s, bool found_inf, const ScalerOptions& o) {
  if (found_inf) {
    s.scale *= o.backoff_factor;
    s.growth_tracker = 0;
    return;
  }
  const int64_t successful = s.growth_tracker + 1;
  if (successful == o.growth_interval) {
    const float grown = s.scale * o.growth_factor;
    if (std::isfinite(grown)) s.scale = grown;
    s.growth_tracker = 0;
  } else {
    s.growth_tracker = successful;
  }
}

inline bool scaled_sgd_step(std::span<float> master, std::span<const gradlab::Half> grads16,
                            float lr, ScalerState& s, const ScalerOptions& o) {
  if (master.size() != grads16.size()) {
    throw std::invalid_argument("lab08::scaled_sgd_step: master has " +
                                std::to_string(master.size()) + " elements but grads16 has " +
                                std::to_string(grads16.size()));
  }
  std::vector<float> g(grads16.size());
  for (std::size_t i = 0; i < g.size(); ++i) g[i] = gradlab::half_to_float(grads16[i]);
  const bool found_inf = adapter::unscale_grads(g, s.scale);
  if (!found_inf) {
    for (std::size_t i = 0; i < g.size(); ++i) master[i] -= lr * g[i];
  }
  adapter::update_scale(s, found_inf, o);
  return !found_inf;
}

}  // namespace lab08::adapter
