// optim/optimizer.cpp — parameters, gradients, and state save/load shared by
// every optimizer.
#include "optim/optimizer.h"

#include <cmath>
#include <set>
#include <stdexcept>

#include "core/autograd.h"

namespace gradlab::optim {

Optimizer::Optimizer(std::vector<Tensor> params, double lr, const std::string& name)
    : params_(std::move(params)), state_(params_.size()), lr_(lr) {
  if (params_.empty()) throw std::invalid_argument(name + ": got an empty parameter list");
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    if (!p.defined()) {
      throw std::invalid_argument(name + ": parameter " + std::to_string(i) + " is undefined");
    }
    if (p.dtype() != DType::Float32 && p.dtype() != DType::Float64) {
      throw std::invalid_argument(name + ": parameter " + std::to_string(i) +
                                  " must be Float32 or Float64, got " + dtype_name(p.dtype()));
    }
    if (!p.is_contiguous()) {
      throw std::invalid_argument(name + ": parameter " + std::to_string(i) + " " +
                                  shape_str(p.shape()) + " must be contiguous");
    }
  }
  if (!(lr >= 0.0))
    throw std::invalid_argument(name + ": invalid learning rate " + std::to_string(lr));
}

void Optimizer::set_lr(double lr) {
  if (!(lr >= 0.0)) {
    throw std::invalid_argument(name() + "::set_lr: invalid learning rate " + std::to_string(lr));
  }
  lr_ = lr;
}

void Optimizer::step() {
  NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (g.shape() != p.shape()) {
      throw std::invalid_argument(name() + "::step: gradient " + shape_str(g.shape()) +
                                  " does not match parameter " + std::to_string(i) + " " +
                                  shape_str(p.shape()));
    }
    g = g.to(p.dtype()).contiguous();
    update(p, g, state_[i]);
  }
  ++step_count_;
}

void Optimizer::zero_grad() {
  for (const Tensor& p : params_) p.zero_grad();
}

OptimizerState Optimizer::state() const {
  OptimizerState out;
  out.step = step_count_;
  out.lr = lr_;
  for (std::size_t i = 0; i < state_.size(); ++i) {
    // Keep buffer_names() order so checkpoints list keys predictably.
    for (const std::string& b : buffer_names()) {
      auto it = state_[i].find(b);
      if (it != state_[i].end())
        out.tensors.insert(std::to_string(i) + "." + b, it->second.clone());
    }
  }
  return out;
}

void Optimizer::load_state(const OptimizerState& state) {
  const std::string op = name() + "::load_state";
  const std::vector<std::string> names = buffer_names();
  const std::set<std::string> known(names.begin(), names.end());
  std::vector<std::map<std::string, Tensor>> fresh(params_.size());

  if (state.step < 0)
    throw std::invalid_argument(op + ": negative step count " + std::to_string(state.step));
  if (!(state.lr >= 0.0))
    throw std::invalid_argument(op + ": invalid learning rate " + std::to_string(state.lr));
  for (const auto& [key, value] : state.tensors) {
    // key = "<index>.<buffer>"
    std::size_t dot = key.find('.');
    std::string index_str = key.substr(0, dot);
    bool numeric = dot != std::string::npos && !index_str.empty() && index_str.size() < 10 &&
                   index_str.find_first_not_of("0123456789") == std::string::npos;
    if (!numeric)
      throw std::invalid_argument(op + ": malformed key \"" + key + "\" (want <index>.<buffer>)");
    std::size_t i = std::stoul(index_str);
    std::string buffer = key.substr(dot + 1);
    if (i >= params_.size()) {
      throw std::invalid_argument(op + ": unexpected key \"" + key + "\": the optimizer has " +
                                  std::to_string(params_.size()) + " parameters");
    }
    if (known.count(buffer) == 0) {
      throw std::invalid_argument(op + ": unexpected key \"" + key + "\": " + name() +
                                  " with these options keeps no buffer \"" + buffer + "\"");
    }
    const bool counter = buffer == "step";
    const Shape want = counter ? Shape{} : params_[i].shape();
    if (value.shape() != want) {
      throw std::invalid_argument(op + ": shape mismatch for key \"" + key + "\": checkpoint has " +
                                  shape_str(value.shape()) + ", parameter needs " +
                                  shape_str(want));
    }
    fresh[i][buffer] =
        counter ? value.to(DType::Int64).clone() : value.to(params_[i].dtype()).clone();
  }
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    if (fresh[i].empty()) continue;
    for (const std::string& b : names) {
      if (fresh[i].count(b) == 0) {
        throw std::invalid_argument(
            op + ": missing key \"" + std::to_string(i) + "." + b + "\" (parameter " +
            std::to_string(i) + " has other buffers, shape " + shape_str(params_[i].shape()) + ")");
      }
    }
  }
  state_ = std::move(fresh);
  step_count_ = state.step;
  lr_ = state.lr;
}

}  // namespace gradlab::optim
