// optim/optimizer.h — the base class of every optimizer.
//
// An Optimizer holds the parameter Tensors it updates (handles sharing the
// model's storage), a learning rate, and per-parameter state buffers
// (momentum, Adam's moments) created on a parameter's first update. step()
// reads each parameter's .grad() and updates the parameter's values in place
// with plain loops over raw data: no autograd is involved.
//
// Checkpoints: state() returns the whole optimizer state as a flat
// name -> Tensor map plus the step count and lr; load_state() restores it, so
// a resumed run continues bit-identically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "layers/state_dict.h"

namespace gradlab::optim {

struct OptimizerState {
  int64_t step = 0;  // number of step() calls so far
  double lr = 0.0;   // the current learning rate
  // "<parameter index>.<buffer>", e.g. "0.momentum_buffer", "3.exp_avg",
  // "3.step" (a 0-d Int64 counter). Buffers have their parameter's shape.
  // A parameter that has never had a gradient has no entries.
  nn::StateDict tensors;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient; parameters without a
  // gradient are skipped and their state is untouched (as PyTorch).
  // Error if a gradient's shape differs from its parameter's.
  void step();
  // Drops every parameter's gradient (PyTorch's set_to_none=True).
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr);
  int64_t step_count() const { return step_count_; }
  const std::vector<Tensor>& params() const { return params_; }
  // "SGD", "Adam", "AdamW".
  virtual std::string name() const = 0;

  // A snapshot of the state (buffers are cloned).
  OptimizerState state() const;
  // Replaces the state. Every key must name an existing parameter index and
  // one of this optimizer's buffers, with the parameter's shape; a parameter
  // has either all of its buffers or none. Everything is checked before
  // anything changes; std::invalid_argument names the key and both shapes.
  void load_state(const OptimizerState& state);

 protected:
  // params: floating, contiguous leaf tensors (the model's parameters).
  // Error on an empty list, an undefined or non-floating tensor, lr < 0.
  Optimizer(std::vector<Tensor> params, double lr, const std::string& name);

  // Names of the per-parameter buffers this optimizer keeps (given its
  // options). "step" denotes a 0-d Int64 counter; the others have the
  // parameter's shape and dtype.
  virtual std::vector<std::string> buffer_names() const = 0;
  // Updates `param` (contiguous) in place from `grad` (contiguous, same shape
  // and dtype). `buffers` is empty on the parameter's first update: the
  // optimizer creates them.
  virtual void update(Tensor& param, const Tensor& grad,
                      std::map<std::string, Tensor>& buffers) = 0;

 private:
  std::vector<Tensor> params_;
  std::vector<std::map<std::string, Tensor>> state_;  // per parameter
  double lr_;
  int64_t step_count_ = 0;
};

}  // namespace gradlab::optim
