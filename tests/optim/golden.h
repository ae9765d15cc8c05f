// tests/optim/golden.h — loading the PyTorch golden trajectories
// (tests/data/optim_trajectories.json, written by
// tests/data/gen_optim_reference.py) and replaying them with our optimizers.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "optim/adam.h"
#include "optim/optimizer.h"
#include "optim/sgd.h"

namespace gradlab::test {

using nlohmann::json;

inline json load_json(const std::string& name) {
  const std::string path = std::string(GRADLAB_TEST_DATA_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open golden file " + path);
  return json::parse(in);
}

// The synthetic problem: per parameter, g_t = A * (p_t - target) + noise[t].
struct Problem {
  std::vector<Shape> shapes;
  std::vector<std::vector<double>> init, A, target;
  std::vector<std::vector<std::vector<double>>> noise;  // [param][t][element]
  int steps = 0;
};

inline Problem load_problem(const json& j) {
  Problem p;
  p.steps = j.at("steps").get<int>();
  for (const json& q : j.at("params")) {
    p.shapes.push_back(q.at("shape").get<Shape>());
    p.init.push_back(q.at("init").get<std::vector<double>>());
    p.A.push_back(q.at("A").get<std::vector<double>>());
    p.target.push_back(q.at("target").get<std::vector<double>>());
    p.noise.push_back(q.at("noise").get<std::vector<std::vector<double>>>());
  }
  return p;
}

// Fresh leaf parameters holding the initial values, in `dtype`.
inline std::vector<Tensor> make_params(const Problem& p, DType dtype = DType::Float64) {
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < p.shapes.size(); ++i) {
    Tensor t = from_vector(p.init[i], p.shapes[i]).to(dtype).clone();
    t.requires_grad_(true);
    out.push_back(t);
  }
  return out;
}

// Mirrors has_grad() in the generator.
inline bool has_grad(const std::string& rule, int t, std::size_t i) {
  if (rule == "none") return true;
  if (rule == "p1_every_4th") return !(i == 1 && t % 4 == 3);
  throw std::runtime_error("unknown skip rule " + rule);
}

// Sets each parameter's gradient for step t (computed in float64 from the
// current values, then stored in the parameter's dtype), or drops it.
inline void set_grads(const Problem& p, const std::string& rule, int t,
                      std::vector<Tensor>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!has_grad(rule, t, i)) {
      params[i].zero_grad();
      continue;
    }
    std::vector<double> v = params[i].to_vector<double>();
    std::vector<double> g(v.size());
    for (std::size_t k = 0; k < v.size(); ++k) {
      g[k] = p.A[i][k] * (v[k] - p.target[i][k]) + p.noise[i][t][k];
    }
    params[i].set_grad(from_vector(g, p.shapes[i]).to(params[i].dtype()));
  }
}

// The optimizer a golden case describes (PyTorch's option names).
inline std::unique_ptr<optim::Optimizer> make_optimizer(const json& c, std::vector<Tensor> params) {
  const std::string kind = c.at("optimizer").get<std::string>();
  const json& o = c.at("options");
  auto num = [&](const char* key, double dflt) {
    return o.contains(key) ? o.at(key).get<double>() : dflt;
  };
  auto flag = [&](const char* key) { return o.contains(key) && o.at(key).get<bool>(); };
  double beta1 = 0.9, beta2 = 0.999;
  if (o.contains("betas")) {
    beta1 = o.at("betas")[0].get<double>();
    beta2 = o.at("betas")[1].get<double>();
  }
  if (kind == "SGD") {
    return std::make_unique<optim::SGD>(std::move(params),
                                        optim::SGDOptions{.lr = num("lr", 0.01),
                                                          .momentum = num("momentum", 0),
                                                          .dampening = num("dampening", 0),
                                                          .weight_decay = num("weight_decay", 0),
                                                          .nesterov = flag("nesterov")});
  }
  if (kind == "Adam") {
    return std::make_unique<optim::Adam>(std::move(params),
                                         optim::AdamOptions{.lr = num("lr", 1e-3),
                                                            .beta1 = beta1,
                                                            .beta2 = beta2,
                                                            .eps = num("eps", 1e-8),
                                                            .weight_decay = num("weight_decay", 0),
                                                            .amsgrad = flag("amsgrad")});
  }
  if (kind == "AdamW") {
    return std::make_unique<optim::AdamW>(
        std::move(params), optim::AdamWOptions{.lr = num("lr", 1e-3),
                                               .beta1 = beta1,
                                               .beta2 = beta2,
                                               .eps = num("eps", 1e-8),
                                               .weight_decay = num("weight_decay", 1e-2),
                                               .amsgrad = flag("amsgrad")});
  }
  throw std::runtime_error("unknown optimizer " + kind);
}

// One step of a case: schedule (if any), gradients, update.
inline void golden_step(const json& c, const Problem& p, int t, std::vector<Tensor>& params,
                        optim::Optimizer& opt) {
  if (c.contains("lr_per_step"))
    opt.set_lr(c.at("lr_per_step")[static_cast<std::size_t>(t)].get<double>());
  set_grads(p, c.at("skip_rule").get<std::string>(), t, params);
  opt.step();
}

}  // namespace gradlab::test
