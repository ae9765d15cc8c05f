// labs/06_optim/adapter.h — the reference for phase 06: lab.h answered by the
// framework's own optimizers (optim/sgd.h, optim/adam.h). This is NOT a
// solution to copy: each call wraps the arrays in Float64 tensors, loads the
// state into a fresh gradlab::optim optimizer, takes one step and copies
// everything back. reference.cpp forwards every function here; each bug-zoo
// file forwards every function except the one it gets wrong.
#pragma once

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "labs/06_optim/lab.h"
#include "optim/adam.h"
#include "optim/sgd.h"

namespace lab06::adapter {

namespace detail {

using gradlab::DType;
using gradlab::Tensor;

inline void check_sizes(const char* fn, std::size_t param, std::size_t grad,
                        const std::vector<const std::vector<double>*>& buffers) {
  if (param != grad) {
    throw std::invalid_argument(std::string(fn) + ": param has " + std::to_string(param) +
                                " elements but grad has " + std::to_string(grad));
  }
  for (const auto* b : buffers) {
    if (!b->empty() && b->size() != param) {
      throw std::invalid_argument(std::string(fn) + ": state buffer has " +
                                  std::to_string(b->size()) + " elements, param has " +
                                  std::to_string(param));
    }
  }
}

inline Tensor vec(std::span<const double> v) {
  return gradlab::from_vector(std::vector<double>(v.begin(), v.end()),
                              {static_cast<int64_t>(v.size())});
}

// A Float64 leaf tensor holding param, with grad attached.
inline Tensor make_param(std::span<const double> param, std::span<const double> grad) {
  Tensor p = vec(param);
  p.requires_grad_();
  p.set_grad(vec(grad));
  return p;
}

inline void copy_back(const Tensor& p, std::span<double> param) {
  std::vector<double> v = p.to_vector<double>();
  std::copy(v.begin(), v.end(), param.begin());
}

inline void adam_like(const char* fn, bool decoupled, std::span<double> param,
                      std::span<const double> grad, AdamState& state, const AdamOptions& o) {
  check_sizes(fn, param.size(), grad.size(), {&state.exp_avg, &state.exp_avg_sq});
  if (state.exp_avg.empty() != state.exp_avg_sq.empty()) {
    throw std::invalid_argument(std::string(fn) +
                                ": exp_avg and exp_avg_sq must both be empty or both filled");
  }
  if (param.empty()) {  // nothing to update, but the step still counts
    state.step += 1;
    return;
  }
  Tensor p = make_param(param, grad);
  std::vector<Tensor> params{p};
  gradlab::optim::AdamOptions ao{.lr = o.lr,
                                 .beta1 = o.beta1,
                                 .beta2 = o.beta2,
                                 .eps = o.eps,
                                 .weight_decay = o.weight_decay,
                                 .amsgrad = false};
  gradlab::optim::AdamWOptions wo{.lr = o.lr,
                                  .beta1 = o.beta1,
                                  .beta2 = o.beta2,
                                  .eps = o.eps,
                                  .weight_decay = o.weight_decay,
                                  .amsgrad = false};
  std::unique_ptr<gradlab::optim::Optimizer> owner;
  if (decoupled) {
    owner = std::make_unique<gradlab::optim::AdamW>(params, wo);
  } else {
    owner = std::make_unique<gradlab::optim::Adam>(params, ao);
  }
  gradlab::optim::Optimizer& opt = *owner;

  // Load the state (a fresh optimizer has none, which means "zeros, step 0").
  gradlab::optim::OptimizerState s;
  s.lr = o.lr;
  const int64_t n = static_cast<int64_t>(param.size());
  auto buffer = [n](const std::vector<double>& b) {
    return b.empty() ? gradlab::zeros({n}, DType::Float64) : vec(b);
  };
  s.tensors.insert("0.step", gradlab::scalar_tensor(static_cast<double>(state.step), DType::Int64));
  s.tensors.insert("0.exp_avg", buffer(state.exp_avg));
  s.tensors.insert("0.exp_avg_sq", buffer(state.exp_avg_sq));
  opt.load_state(s);
  opt.step();

  const gradlab::optim::OptimizerState out = opt.state();
  state.step = static_cast<int64_t>(out.tensors.at("0.step").item());
  state.exp_avg = out.tensors.at("0.exp_avg").to_vector<double>();
  state.exp_avg_sq = out.tensors.at("0.exp_avg_sq").to_vector<double>();
  copy_back(p, param);
}

}  // namespace detail

inline void sgd_step(std::span<double> param, std::span<const double> grad, SGDState& state,
                     const SGDOptions& o) {
  using namespace detail;
  check_sizes("lab06::sgd_step", param.size(), grad.size(), {&state.momentum_buffer});
  if (param.empty()) return;
  Tensor p = make_param(param, grad);
  gradlab::optim::SGD sgd({p}, {.lr = o.lr,
                                .momentum = o.momentum,
                                .dampening = o.dampening,
                                .weight_decay = o.weight_decay,
                                .nesterov = o.nesterov});
  if (!state.momentum_buffer.empty() && o.momentum != 0.0) {
    gradlab::optim::OptimizerState s;
    s.lr = o.lr;
    s.tensors.insert("0.momentum_buffer", vec(state.momentum_buffer));
    sgd.load_state(s);
  }
  sgd.step();
  if (o.momentum != 0.0) {
    state.momentum_buffer = sgd.state().tensors.at("0.momentum_buffer").to_vector<double>();
  }
  copy_back(p, param);
}

inline void adam_step(std::span<double> param, std::span<const double> grad, AdamState& state,
                      const AdamOptions& opt) {
  detail::adam_like("lab06::adam_step", /*decoupled=*/false, param, grad, state, opt);
}

inline void adamw_step(std::span<double> param, std::span<const double> grad, AdamState& state,
                       const AdamOptions& opt) {
  detail::adam_like("lab06::adamw_step", /*decoupled=*/true, param, grad, state, opt);
}

}  // namespace lab06::adapter
