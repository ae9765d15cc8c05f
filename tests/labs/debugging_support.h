// tests/labs/debugging_support.h — helpers of the phase-09 suite
// (tests/labs/test_debugging.cpp): the definitions of lab.h's monitors
// written out as oracles, random op chains with one "poison" for
// first_nonfinite_op, the golden data and a small training helper. Test
// code only; it knows nothing about any implementation of lab.h.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/ops.h"
#include "core/tensor.h"
#include "datasets/dataset.h"
#include "labs/09_debugging/setups.h"
#include "layers/module.h"
#include "optim/adam.h"

namespace debugging_test {

using gradlab::DType;
using gradlab::Tensor;
namespace nn = gradlab::nn;
namespace data = gradlab::data;
namespace optim = gradlab::optim;
inline const double kNaN = std::numeric_limits<double>::quiet_NaN();
inline const double kInf = std::numeric_limits<double>::infinity();

inline std::string show(const std::vector<double>& v) {
  std::ostringstream os;
  os.precision(6);
  os << "[";
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

// ---- oracles: the definitions of lab.h, written out ---------------------------------
inline int64_t divergence_oracle(const std::vector<double>& l, double factor) {
  double best = kInf;
  for (std::size_t t = 0; t < l.size(); ++t) {
    if (!std::isfinite(l[t]) || (t > 0 && l[t] > factor * best)) return static_cast<int64_t>(t);
    best = std::min(best, l[t]);
  }
  return -1;
}

inline int64_t plateau_oracle(const std::vector<double>& l, int64_t window, double rel_tol) {
  for (int64_t t = window; t < static_cast<int64_t>(l.size()); ++t) {
    double before = kInf, recent = kInf;
    for (int64_t s = 0; s <= t - window; ++s) before = std::min(before, l[s]);
    for (int64_t s = t - window + 1; s <= t; ++s) recent = std::min(recent, l[s]);
    if (!(recent < (1.0 - rel_tol) * before)) return t;
  }
  return -1;
}

inline double norm_oracle(const std::vector<Tensor>& params) {
  double s = 0.0;
  for (const Tensor& p : params) {
    if (!p.grad().defined()) continue;
    for (double v : p.grad().to_vector<double>()) s += v * v;
  }
  return std::sqrt(s);
}

// ---- random op chains for first_nonfinite_op -----------------------------------------
// A chain of elementwise ops on a leaf x (values in [-1, 1]): safe ops keep
// every value finite (and their gradients too); one "poison" produces NaN/inf
// in its output (forward) or only in its gradient (backward: sqrt at 0).
enum class SafeOp { AddC, MulC, Tanh, Neg };
enum class Poison { LogOfZero, SqrtOfNegative, ExpOfHuge, DivByZero, SqrtOfZeroBackward };

struct Chain {
  std::vector<double> x;
  std::vector<std::pair<SafeOp, double>> before, after;
  Poison poison;
};

inline Tensor apply_safe(const Tensor& t, SafeOp op, double c) {
  switch (op) {
    case SafeOp::AddC:
      return t + c;
    case SafeOp::MulC:
      return t * c;
    case SafeOp::Tanh:
      return gradlab::tanh(t);
    case SafeOp::Neg:
      return -t;
  }
  return t;
}

// Builds the chain on a fresh leaf. Records every op output in `outputs`.
inline Tensor build(const Chain& ch, Tensor& leaf, std::vector<Tensor>* outputs) {
  leaf = gradlab::from_vector(ch.x, {static_cast<int64_t>(ch.x.size())});
  leaf.requires_grad_();
  Tensor t = leaf;
  auto keep = [&](const Tensor& v) {
    if (outputs) outputs->push_back(v);
    return v;
  };
  for (const auto& [op, c] : ch.before) t = keep(apply_safe(t, op, c));
  const Tensor zero = keep(t * 0.0);  // exactly 0 everywhere, finite
  switch (ch.poison) {
    case Poison::LogOfZero:
      t = keep(gradlab::log(zero));
      break;  // -inf
    case Poison::SqrtOfNegative:
      t = keep(gradlab::sqrt(keep(zero - 1.0)));
      break;  // NaN
    case Poison::ExpOfHuge:
      t = keep(gradlab::exp(keep(zero + 1000.0)));
      break;  // inf
    case Poison::DivByZero:
      t = keep(gradlab::div(keep(zero + 1.0), zero));
      break;  // inf
    case Poison::SqrtOfZeroBackward:
      t = keep(gradlab::sqrt(zero));
      break;  // 0; grad inf
  }
  for (const auto& [op, c] : ch.after) t = keep(apply_safe(t, op, c));
  return keep(gradlab::sum(t));
}

// The forward-pass oracle: the name of the first recorded output holding
// NaN/inf ("" if none).
inline std::string first_nonfinite_output(const Chain& ch) {
  Tensor leaf;
  std::vector<Tensor> outs;
  build(ch, leaf, &outs);
  for (const Tensor& o : outs) {
    for (double v : o.to_vector<double>()) {
      if (!std::isfinite(v)) return o.grad_fn_name();
    }
  }
  return "";
}

inline rc::Gen<std::vector<std::pair<SafeOp, double>>> gen_safe_ops() {
  return rc::gen::container<std::vector<std::pair<SafeOp, double>>>(rc::gen::map(
      rc::gen::pair(rc::gen::element(SafeOp::AddC, SafeOp::MulC, SafeOp::Tanh, SafeOp::Neg),
                    rc::gen::inRange(-20, 21)),
      [](const std::pair<SafeOp, int>& p) { return std::make_pair(p.first, p.second / 10.0); }));
}

inline std::string describe(const Chain& ch) {
  static const char* safe[] = {"+c", "*c", "tanh", "neg"};
  static const char* poison[] = {"log(0)", "sqrt(-1)", "exp(1000)", "1/0",
                                 "sqrt(0) [inf gradient]"};
  std::ostringstream os;
  os << "x = " << show(ch.x) << "; ops:";
  for (const auto& [op, c] : ch.before)
    os << " " << safe[static_cast<int>(op)]
       << (op == SafeOp::AddC || op == SafeOp::MulC ? "(" + std::to_string(c) + ")" : "");
  os << " | " << poison[static_cast<int>(ch.poison)] << " |";
  for (const auto& [op, c] : ch.after)
    os << " " << safe[static_cast<int>(op)]
       << (op == SafeOp::AddC || op == SafeOp::MulC ? "(" + std::to_string(c) + ")" : "");
  os << " | sum";
  return os.str();
}

inline Chain gen_chain(const std::vector<Poison>& poisons) {
  Chain ch;
  const auto n = *rc::gen::inRange<std::size_t>(1, 5);
  ch.x = *rc::gen::container<std::vector<double>>(
      n, rc::gen::map(rc::gen::inRange(-100, 101), [](int k) { return k / 100.0; }));
  ch.before = *gen_safe_ops();
  ch.after = *gen_safe_ops();
  ch.poison = *rc::gen::elementOf(poisons);
  if (ch.before.size() > 6) ch.before.resize(6);
  if (ch.after.size() > 6) ch.after.resize(6);
  return ch;
}

// ---- golden data ---------------------------------------------------------------------
inline const nlohmann::json& golden() {
  static const nlohmann::json j = [] {
    const std::string path = std::string(GRADLAB_TEST_DATA_DIR) + "/labs/debugging_reference.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open golden file " + path);
    return nlohmann::json::parse(in);
  }();
  return j;
}

inline Tensor tensor_from(const nlohmann::json& values, const nlohmann::json& shape, DType dtype) {
  return gradlab::from_vector(values.get<std::vector<double>>(), shape.get<gradlab::Shape>())
      .to(dtype);
}

inline const data::Dataset& problem() {
  static const data::Dataset d = lab09::setup_data();
  return d;
}

// ---- brief training with a loss function ----------------------------------------------
// Full-batch Adam (lr 0.02) for `steps` steps on the set-up problem, the
// model's logits passed through `to_logits` and scored by `loss_fn`.
// -> the losses; the model is left trained.
template <class ToLogits, class LossFn>
std::vector<double> train_with(nn::Module& model, int64_t steps, ToLogits to_logits,
                               LossFn loss_fn) {
  optim::Adam opt(model.parameters(), {.lr = 0.02});
  std::vector<double> losses;
  for (int64_t t = 0; t < steps; ++t) {
    opt.zero_grad();
    const Tensor loss = loss_fn(to_logits(model(problem().features)), problem().labels);
    loss.backward();
    opt.step();
    losses.push_back(loss.item());
  }
  return losses;
}

}  // namespace debugging_test
