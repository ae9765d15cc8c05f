// optim/sgd.h — stochastic gradient descent with optional momentum,
// dampening, Nesterov momentum and L2 weight decay: PyTorch 1.13's update
// rule exactly (torch.optim.SGD, single-tensor path). Per element, with
// g = grad + weight_decay * p:
//   first update:  buf = g                       (no dampening on the first step)
//   later updates: buf = momentum * buf + (1 - dampening) * g
//   d = nesterov ? g + momentum * buf : buf      (d = g when momentum == 0)
//   p = p - lr * d
#pragma once

#include <map>
#include <string>
#include <vector>

#include "optim/optimizer.h"

namespace gradlab::optim {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;  // needs momentum > 0 and dampening == 0 (as PyTorch)
};

class SGD : public Optimizer {
 public:
  // Error on negative lr/momentum/weight_decay, or nesterov without
  // momentum > 0 and dampening == 0.
  explicit SGD(std::vector<Tensor> params, const SGDOptions& options = {});
  std::string name() const override { return "SGD"; }
  const SGDOptions& options() const { return options_; }

 protected:
  // {"momentum_buffer"} when momentum != 0, else no state.
  std::vector<std::string> buffer_names() const override;
  void update(Tensor& param, const Tensor& grad, std::map<std::string, Tensor>& buffers) override;

 private:
  SGDOptions options_;
};

}  // namespace gradlab::optim
