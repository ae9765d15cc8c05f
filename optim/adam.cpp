// optim/adam.cpp — Adam and AdamW as one loop over the raw parameter data.
#include "optim/adam.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gradlab::optim {

namespace {

struct AdamStep {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled;
  int64_t t;  // this parameter's step number, from 1
};

// p, g, m, v: n elements; vmax is used only with amsgrad. The arrays never
// overlap (__restrict), and the loop body has no branches, so the compiler
// vectorises it.
template <class T, bool kAmsgrad>
void adam_update(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                 T* __restrict vmax, int64_t n, const AdamStep& s) {
  // Scalars as torch computes them (in double, then used at the tensor's precision).
  const double bias_correction1 = 1.0 - std::pow(s.beta1, static_cast<double>(s.t));
  const double bias_correction2 = 1.0 - std::pow(s.beta2, static_cast<double>(s.t));
  const T neg_step_size = static_cast<T>(-(s.lr / bias_correction1));
  const T bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  const T b1 = static_cast<T>(s.beta1), one_minus_b1 = static_cast<T>(1.0 - s.beta1);
  const T b2 = static_cast<T>(s.beta2), one_minus_b2 = static_cast<T>(1.0 - s.beta2);
  const T eps = static_cast<T>(s.eps);
  // Exactly one kind of weight decay is active; the other factor is the
  // identity (p * 1 and g + 0 * p leave the values unchanged).
  const T decay = static_cast<T>(s.decoupled ? 1.0 - s.lr * s.weight_decay : 1.0);  // AdamW
  const T l2 = static_cast<T>(s.decoupled ? 0.0 : s.weight_decay);                  // Adam
  for (int64_t i = 0; i < n; ++i) {
    const T param = p[i] * decay;
    const T grad = g[i] + l2 * param;
    m[i] = m[i] * b1 + one_minus_b1 * grad;
    v[i] = v[i] * b2 + one_minus_b2 * (grad * grad);
    T v_hat = v[i];
    if constexpr (kAmsgrad) v_hat = vmax[i] = std::max(vmax[i], v[i]);
    const T denom = std::sqrt(v_hat) / bc2_sqrt + eps;
    p[i] = param + neg_step_size * (m[i] / denom);
  }
}

void check(const AdamOptions& o, const char* name) {
  auto bad = [&](const std::string& what, double v) {
    throw std::invalid_argument(std::string(name) + ": invalid " + what + " " + std::to_string(v));
  };
  if (!(o.eps >= 0.0)) bad("eps", o.eps);
  if (!(o.beta1 >= 0.0 && o.beta1 < 1.0)) bad("beta1", o.beta1);
  if (!(o.beta2 >= 0.0 && o.beta2 < 1.0)) bad("beta2", o.beta2);
  if (!(o.weight_decay >= 0.0)) bad("weight_decay", o.weight_decay);
}

AdamOptions from_adamw(const AdamWOptions& o) {
  return {.lr = o.lr,
          .beta1 = o.beta1,
          .beta2 = o.beta2,
          .eps = o.eps,
          .weight_decay = o.weight_decay,
          .amsgrad = o.amsgrad};
}

}  // namespace

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam(std::move(params), options, /*decoupled=*/false) {}

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options, bool decoupled)
    : Optimizer(std::move(params), options.lr, decoupled ? "AdamW" : "Adam"),
      options_(options),
      decoupled_(decoupled) {
  check(options, decoupled ? "AdamW" : "Adam");
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : Adam(std::move(params), from_adamw(options), /*decoupled=*/true) {}

std::vector<std::string> Adam::buffer_names() const {
  if (options_.amsgrad) return {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  return {"step", "exp_avg", "exp_avg_sq"};
}

void Adam::update(Tensor& param, const Tensor& grad, std::map<std::string, Tensor>& buffers) {
  if (buffers.empty()) {
    buffers["step"] = zeros({}, DType::Int64);
    buffers["exp_avg"] = zeros_like(param);
    buffers["exp_avg_sq"] = zeros_like(param);
    if (options_.amsgrad) buffers["max_exp_avg_sq"] = zeros_like(param);
  }
  int64_t& t = *buffers["step"].data_ptr<int64_t>();
  t += 1;
  const AdamStep s{
      lr(), options_.beta1, options_.beta2, options_.eps, options_.weight_decay, decoupled_, t};
  const int64_t n = param.numel();
  auto run = [&]<class T>(T* vmax) {
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* m = buffers["exp_avg"].data_ptr<T>();
    T* v = buffers["exp_avg_sq"].data_ptr<T>();
    if (vmax != nullptr) {
      adam_update<T, true>(p, g, m, v, vmax, n, s);
    } else {
      adam_update<T, false>(p, g, m, v, nullptr, n, s);
    }
  };
  if (param.dtype() == DType::Float64) {
    run(options_.amsgrad ? buffers["max_exp_avg_sq"].data_ptr<double>()
                         : static_cast<double*>(nullptr));
  } else {
    run(options_.amsgrad ? buffers["max_exp_avg_sq"].data_ptr<float>()
                         : static_cast<float*>(nullptr));
  }
}

}  // namespace gradlab::optim
