// optim/clip_grad.cpp — global-norm gradient clipping on raw gradient data.
#include "optim/clip_grad.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/autograd.h"
#include "core/ops.h"

namespace gradlab::optim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Calls f(value as double) for every element of g, reading contiguous
// float/double gradients in place and converting anything else.
template <class F>
void for_each_value(const Tensor& g, F&& f) {
  const int64_t n = g.numel();
  if (g.is_contiguous() && g.dtype() == DType::Float32) {
    const float* d = g.data_ptr<float>();
    for (int64_t j = 0; j < n; ++j) f(static_cast<double>(d[j]));
  } else if (g.is_contiguous() && g.dtype() == DType::Float64) {
    const double* d = g.data_ptr<double>();
    for (int64_t j = 0; j < n; ++j) f(d[j]);
  } else {
    for (double x : g.to_vector<double>()) f(x);
  }
}

// The norm of one gradient, accumulated in double.
double tensor_norm(const Tensor& g, double norm_type) {
  if (std::isinf(norm_type)) {
    double m = 0.0;
    for_each_value(g, [&](double x) {
      m = (std::isnan(x) || std::isnan(m)) ? kNaN : std::max(m, std::abs(x));
    });
    return m;
  }
  double acc = 0.0;
  if (norm_type == 2.0) {
    for_each_value(g, [&](double x) { acc += x * x; });
    return std::sqrt(acc);
  }
  for_each_value(g, [&](double x) { acc += std::pow(std::abs(x), norm_type); });
  return std::pow(acc, 1.0 / norm_type);
}

// Combines per-tensor norms the way torch.norm(torch.stack(norms), p) does.
double combine(const std::vector<double>& norms, double norm_type) {
  if (std::isinf(norm_type)) {
    double m = 0.0;
    for (double x : norms) m = (std::isnan(x) || std::isnan(m)) ? kNaN : std::max(m, x);
    return m;
  }
  double acc = 0.0;
  for (double x : norms) acc += norm_type == 2.0 ? x * x : std::pow(x, norm_type);
  return norm_type == 2.0 ? std::sqrt(acc) : std::pow(acc, 1.0 / norm_type);
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  if (!(max_norm >= 0.0)) {
    throw std::invalid_argument("clip_grad_norm_: max_norm must be >= 0, got " +
                                std::to_string(max_norm));
  }
  if (!(norm_type > 0.0)) {
    throw std::invalid_argument("clip_grad_norm_: norm_type must be > 0, got " +
                                std::to_string(norm_type));
  }
  std::vector<Tensor> grads;
  for (const Tensor& p : params) {
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return 0.0;

  std::vector<double> norms;
  for (const Tensor& g : grads) norms.push_back(tensor_norm(g, norm_type));
  const double total = combine(norms, norm_type);
  if (error_if_nonfinite && !std::isfinite(total)) {
    throw std::runtime_error("clip_grad_norm_: the total norm of order " +
                             std::to_string(norm_type) + " of the gradients is non-finite (" +
                             std::to_string(total) + ")");
  }

  const double clip_coef = max_norm / (total + 1e-6);
  if (clip_coef < 1.0) {
    NoGradGuard no_grad;
    for (std::size_t i = 0; i < grads.size(); ++i) {
      Tensor g = grads[i];
      const int64_t n = g.numel();
      if (g.is_contiguous() && g.dtype() == DType::Float64) {
        double* d = g.data_ptr<double>();
        for (int64_t j = 0; j < n; ++j) d[j] *= clip_coef;
      } else if (g.is_contiguous() && g.dtype() == DType::Float32) {
        float* d = g.data_ptr<float>();
        const float c = static_cast<float>(clip_coef);
        for (int64_t j = 0; j < n; ++j) d[j] *= c;
      } else {
        g.copy_(g * clip_coef);  // strided or 16-bit gradients
      }
    }
  }
  return total;
}

}  // namespace gradlab::optim
