// optim/adam.h — Adam and AdamW: PyTorch 1.13's update rules exactly
// (torch.optim.Adam / AdamW, single-tensor path). Per parameter, with its own
// step counter t (incremented before use) and per element:
//   Adam:  g = grad + weight_decay * p            (L2 penalty added to the gradient)
//   AdamW: p = p * (1 - lr * weight_decay); g = grad   (decoupled weight decay)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   v_hat = amsgrad ? (v_max = max(v_max, v)) : v
//   step_size = lr / (1 - beta1^t)
//   denom = sqrt(v_hat) / sqrt(1 - beta2^t) + eps
//   p = p - step_size * (m / denom)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "optim/optimizer.h"

namespace gradlab::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  // L2: added to the gradient
  bool amsgrad = false;
};

struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;  // decoupled: p *= 1 - lr * weight_decay (PyTorch's default 1e-2)
  bool amsgrad = false;
};

class Adam : public Optimizer {
 public:
  // Error on lr < 0, eps < 0, betas outside [0, 1), weight_decay < 0.
  explicit Adam(std::vector<Tensor> params, const AdamOptions& options = {});
  std::string name() const override { return decoupled_ ? "AdamW" : "Adam"; }
  const AdamOptions& options() const { return options_; }

 protected:
  // For AdamW: same moments, decoupled weight decay.
  Adam(std::vector<Tensor> params, const AdamOptions& options, bool decoupled);
  // {"step", "exp_avg", "exp_avg_sq"} plus "max_exp_avg_sq" with amsgrad.
  std::vector<std::string> buffer_names() const override;
  void update(Tensor& param, const Tensor& grad, std::map<std::string, Tensor>& buffers) override;

 private:
  AdamOptions options_;
  bool decoupled_;
};

class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamWOptions& options = {});
};

}  // namespace gradlab::optim
