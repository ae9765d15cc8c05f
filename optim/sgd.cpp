// optim/sgd.cpp — the SGD update as one loop over the raw parameter data.
#include "optim/sgd.h"

#include <stdexcept>

namespace gradlab::optim {

namespace {

// p, g, buf: n elements; buf is nullptr when momentum == 0. The arrays never
// overlap (__restrict), and the loop bodies have no branches, so the compiler
// vectorises them. Options that are off contribute an exact identity
// (g + 0 * p, 0 * d + 1 * buf), so the result is the rule in the header.
template <class T>
void sgd_update(T* __restrict p, const T* __restrict g, T* __restrict buf, bool first, int64_t n,
                double lr, const SGDOptions& o) {
  const T wd = static_cast<T>(o.weight_decay);
  const T neg_lr = static_cast<T>(-lr);
  if (buf == nullptr) {
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] + neg_lr * (g[i] + wd * p[i]);
    return;
  }
  // buf = buf_keep * buf + d_keep * d: (0, 1) on the first step (the buffer
  // starts at zero, so it becomes d), (momentum, 1 - dampening) afterwards.
  const T buf_keep = static_cast<T>(first ? 0.0 : o.momentum);
  const T d_keep = static_cast<T>(first ? 1.0 : 1.0 - o.dampening);
  // direction = d_coef * d + buf_coef * buf: nesterov d + momentum * buf, else buf.
  const T d_coef = static_cast<T>(o.nesterov ? 1.0 : 0.0);
  const T buf_coef = static_cast<T>(o.nesterov ? o.momentum : 1.0);
  for (int64_t i = 0; i < n; ++i) {
    const T d = g[i] + wd * p[i];
    buf[i] = buf_keep * buf[i] + d_keep * d;
    p[i] = p[i] + neg_lr * (d_coef * d + buf_coef * buf[i]);
  }
}

}  // namespace

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : Optimizer(std::move(params), options.lr, "SGD"), options_(options) {
  const SGDOptions& o = options;
  if (!(o.momentum >= 0.0))
    throw std::invalid_argument("SGD: invalid momentum " + std::to_string(o.momentum));
  if (!(o.weight_decay >= 0.0)) {
    throw std::invalid_argument("SGD: invalid weight_decay " + std::to_string(o.weight_decay));
  }
  if (o.nesterov && (o.momentum <= 0.0 || o.dampening != 0.0)) {
    throw std::invalid_argument(
        "SGD: nesterov needs momentum > 0 and dampening == 0, got momentum " +
        std::to_string(o.momentum) + ", dampening " + std::to_string(o.dampening));
  }
}

std::vector<std::string> SGD::buffer_names() const {
  if (options_.momentum == 0.0) return {};
  return {"momentum_buffer"};
}

void SGD::update(Tensor& param, const Tensor& grad, std::map<std::string, Tensor>& buffers) {
  const bool use_momentum = options_.momentum != 0.0;
  const bool first = use_momentum && buffers.empty();
  if (first) buffers["momentum_buffer"] = zeros_like(param);
  const int64_t n = param.numel();
  if (param.dtype() == DType::Float64) {
    double* buf = use_momentum ? buffers["momentum_buffer"].data_ptr<double>() : nullptr;
    sgd_update(param.data_ptr<double>(), grad.data_ptr<double>(), buf, first, n, lr(), options_);
  } else {
    float* buf = use_momentum ? buffers["momentum_buffer"].data_ptr<float>() : nullptr;
    sgd_update(param.data_ptr<float>(), grad.data_ptr<float>(), buf, first, n, lr(), options_);
  }
}

}  // namespace gradlab::optim
