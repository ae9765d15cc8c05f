// labs/09_debugging/adapter.h — the reference for phase 09: lab.h answered
// with the framework. This is NOT a solution to copy.
//   first_nonfinite_op   gradlab::AnomalyMode (core/autograd.h), whose error
//                        names the first op with a NaN/inf output or gradient
//   global_grad_norm     gradlab::optim::clip_grad_norm_ with max_norm = inf
//                        (on copies, so nothing is clipped)
//   detect_divergence,   written out: the framework has no such monitors
//   detect_plateau
//   fixed::*             the set-ups of setups.h with their one bug removed:
//                        lr 0.1, zero_grad per step, the fused
//                        gradlab::cross_entropy (ignore_index = pad_id; fp16
//                        logits computed in float32)
// reference.cpp forwards every function here; each bug-zoo file forwards
// every function except the one it gets wrong.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "labs/09_debugging/lab.h"
#include "labs/09_debugging/setups.h"
#include "losses/cross_entropy.h"
#include "optim/clip_grad.h"
#include "optim/sgd.h"

namespace lab09::adapter {

// Parses AnomalyMode's message, "anomaly: output of 'exp' holds inf (...)" or
// "anomaly: gradient of 'sqrt' holds NaN (...)". False if it is not one.
inline bool parse_anomaly(const std::string& what, Anomaly& a) {
  const std::string prefix = "anomaly: ";
  if (what.rfind(prefix, 0) != 0) return false;
  const auto open = what.find('\'');
  const auto close = open == std::string::npos ? open : what.find('\'', open + 1);
  if (close == std::string::npos) return false;
  a.found = true;
  a.op = what.substr(open + 1, close - open - 1);
  a.in_backward = what.compare(prefix.size(), 8, "gradient") == 0;
  a.message = what;
  return true;
}

inline Anomaly first_nonfinite_op(const std::function<gradlab::Tensor()>& step) {
  Anomaly a;
  gradlab::AnomalyMode anomaly_mode;  // off again when this scope ends, even on a throw
  gradlab::Tensor loss;
  try {
    loss = step();
    loss.backward();
  } catch (const std::runtime_error& e) {
    if (parse_anomaly(e.what(), a)) return a;
    throw;
  }
  return a;
}

inline double global_grad_norm(const std::vector<gradlab::Tensor>& params) {
  std::vector<gradlab::Tensor> copies;
  for (const gradlab::Tensor& p : params) {
    if (!p.grad().defined()) continue;
    gradlab::Tensor c = p.detach().clone();
    c.set_grad(p.grad().clone());
    copies.push_back(c);
  }
  if (copies.empty()) return 0.0;
  return gradlab::optim::clip_grad_norm_(copies, std::numeric_limits<double>::infinity());
}

inline int64_t detect_divergence(const std::vector<double>& losses, double factor) {
  if (!(factor > 1.0)) {
    throw std::invalid_argument("lab09::detect_divergence: factor must be > 1, got " +
                                std::to_string(factor));
  }
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t t = 0; t < losses.size(); ++t) {
    const double l = losses[t];
    if (!std::isfinite(l) || (t > 0 && l > factor * best)) return static_cast<int64_t>(t);
    best = std::min(best, l);
  }
  return -1;
}

inline int64_t detect_plateau(const std::vector<double>& losses, int64_t window, double rel_tol) {
  if (window < 1)
    throw std::invalid_argument("lab09::detect_plateau: window must be >= 1, got " +
                                std::to_string(window));
  if (!(rel_tol >= 0.0 && rel_tol < 1.0)) {
    throw std::invalid_argument("lab09::detect_plateau: rel_tol must be in [0, 1), got " +
                                std::to_string(rel_tol));
  }
  const auto n = static_cast<int64_t>(losses.size());
  for (int64_t t = window; t < n; ++t) {
    const double before = *std::min_element(losses.begin(), losses.begin() + (t - window + 1));
    const double recent =
        *std::min_element(losses.begin() + (t - window + 1), losses.begin() + t + 1);
    if (!(recent < (1.0 - rel_tol) * before)) return t;
  }
  return -1;
}

namespace fixed {

inline std::vector<double> train_full_batch(gradlab::nn::Module& model,
                                            const gradlab::data::Dataset& data, int64_t steps,
                                            const StepObserver& observe) {
  gradlab::optim::SGD opt(model.parameters(),
                          {.lr = 0.1, .momentum = 0.9});  // the fix: lr 20 -> 0.1
  std::vector<double> losses;
  for (int64_t t = 0; t < steps; ++t) {
    opt.zero_grad();
    const gradlab::Tensor loss = gradlab::cross_entropy(model(data.features), data.labels);
    loss.backward();
    if (observe) observe(t, model);
    opt.step();
    losses.push_back(loss.item());
  }
  return losses;
}

inline std::vector<double> train_accumulated(gradlab::nn::Module& model,
                                             const gradlab::data::Dataset& data, int64_t steps,
                                             int64_t accum, const StepObserver& observe) {
  gradlab::optim::SGD opt(model.parameters(), {.lr = 0.5});
  const int64_t micro = 25, per_pass = data.size() / micro;
  std::vector<double> losses;
  int64_t m = 0;
  for (int64_t t = 0; t < steps; ++t) {
    opt.zero_grad();  // the fix: each step starts from zero gradients
    double step_loss = 0.0;
    for (int64_t k = 0; k < accum; ++k, ++m) {
      std::vector<int64_t> idx(static_cast<std::size_t>(micro));
      std::iota(idx.begin(), idx.end(), (m % per_pass) * micro);
      const gradlab::Tensor loss =
          gradlab::cross_entropy(model(gradlab::data::gather_rows(data.features, idx)),
                                 gradlab::data::gather_rows(data.labels, idx));
      (loss / static_cast<double>(accum)).backward();
      step_loss += loss.item() / static_cast<double>(accum);
    }
    if (observe) observe(t, model);
    opt.step();
    losses.push_back(step_loss);
  }
  return losses;
}

inline gradlab::Tensor classification_loss(const gradlab::Tensor& logits,
                                           const gradlab::Tensor& target) {
  return gradlab::cross_entropy(logits, target);
}

inline gradlab::Tensor sequence_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target,
                                     int64_t pad_id) {
  return gradlab::cross_entropy(logits, target, {.ignore_index = pad_id});
}

inline gradlab::Tensor fp16_loss(const gradlab::Tensor& logits16, const gradlab::Tensor& target) {
  return gradlab::cross_entropy(logits16, target);  // Float16 logits are computed in float32
}

}  // namespace fixed
}  // namespace lab09::adapter
