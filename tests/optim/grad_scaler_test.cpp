// tests/optim/grad_scaler_test.cpp — optim::GradScaler (optim/grad_scaler.cpp).
//
//  * Golden trajectories from PyTorch 1.13's own GradScaler class run on the
//    CPU (tests/data/optim_grad_scaler.json, written by
//    tests/data/gen_grad_scaler_reference.py; its docstring lists the three
//    CUDA-only spots it replaces): the scale used, which optimizers stepped,
//    the scale and growth tracker after update() (all exact), and the
//    parameters after every step (1e-9 absolute in float64, 1e-5 in float32).
//  * A step with an inf gradient is skipped and the scale halves.
//  * fp16 without scaling loses a small gradient (it underflows to zero on
//    its way back through half storage); with scaling it arrives.
//  * Checkpoint/resume through the JSON state is bit-identical; bad JSON,
//    bad options and calls out of order are errors naming what is wrong.
#include "optim/grad_scaler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "optim/clip_grad.h"
#include "tests/optim/golden.h"

namespace gradlab::test {
namespace {

using optim::GradScaler;
using optim::GradScalerOptions;
using ::testing::HasSubstr;

const json& golden() {
  static const json j = load_json("optim_grad_scaler.json");
  return j;
}

const json& golden_case(const std::string& name) {
  for (const json& c : golden().at("cases"))
    if (c.at("name").get<std::string>() == name) return c;
  throw std::runtime_error("no golden case " + name);
}

GradScalerOptions scaler_options(const json& s) {
  GradScalerOptions o;
  if (s.contains("init_scale")) o.init_scale = s.at("init_scale").get<double>();
  if (s.contains("growth_factor")) o.growth_factor = s.at("growth_factor").get<double>();
  if (s.contains("backoff_factor")) o.backoff_factor = s.at("backoff_factor").get<double>();
  if (s.contains("growth_interval")) o.growth_interval = s.at("growth_interval").get<int64_t>();
  return o;
}

// One golden case, replayed: the parameters, their optimizers, the scaler.
struct Replay {
  const json& c;
  Problem p;
  DType dtype;
  std::vector<Tensor> params;
  std::vector<std::unique_ptr<optim::Optimizer>> opts;
  GradScaler scaler;

  explicit Replay(const json& the_case)
      : c(the_case),
        p(load_problem(golden())),
        dtype(c.at("dtype").get<std::string>() == "float32" ? DType::Float32 : DType::Float64),
        params(make_params(p, dtype)),
        scaler(scaler_options(c.at("scaler"))) {
    for (const json& o : c.at("optimizers")) {
      std::vector<Tensor> mine;
      for (const json& i : o.at("params")) mine.push_back(params[i.get<std::size_t>()]);
      opts.push_back(make_optimizer(json{{"optimizer", o.at("type")}, {"options", o.at("options")}},
                                    std::move(mine)));
    }
  }

  // c_i = A_i * (p_i - target_i) + noise_i[t] in the case's dtype, with the
  // step's injections (as the generator).
  std::vector<Tensor> constants(int t) const {
    NoGradGuard no_grad;
    std::vector<Tensor> cs;
    for (std::size_t i = 0; i < params.size(); ++i) {
      Tensor a = from_vector(p.A[i], p.shapes[i]).to(dtype);
      Tensor target = from_vector(p.target[i], p.shapes[i]).to(dtype);
      Tensor noise = from_vector(p.noise[i][static_cast<std::size_t>(t)], p.shapes[i]).to(dtype);
      cs.push_back((a * (params[i].detach() - target) + noise).contiguous());
    }
    for (const json& inj : c.at("inject")) {
      if (inj.at("step").get<int>() != t) continue;
      Tensor& ci = cs[inj.at("param").get<std::size_t>()];
      if (inj.contains("multiply")) {
        ci = (ci * inj.at("multiply").get<double>()).contiguous();
        continue;
      }
      const std::string v = inj.at("value").get<std::string>();
      const double x = v == "nan"   ? std::numeric_limits<double>::quiet_NaN()
                       : v == "inf" ? std::numeric_limits<double>::infinity()
                                    : -std::numeric_limits<double>::infinity();
      Tensor flat = reshape(ci, {-1});
      narrow(flat, 0, inj.at("index").get<int64_t>(), 1).fill_(x);
    }
    return cs;
  }

  // One training step; returns which optimizers stepped.
  std::vector<bool> step(int t) {
    for (auto& o : opts) o->zero_grad();
    std::vector<Tensor> cs = constants(t);
    Tensor loss;
    for (std::size_t i = 0; i < params.size(); ++i) {
      Tensor term = sum(params[i] * cs[i]);
      loss = loss.defined() ? loss + term : term;
    }
    scaler.scale(loss).backward();
    const json& clip = c.at("clip_steps");
    if (std::find(clip.begin(), clip.end(), t) != clip.end()) {
      for (auto& o : opts) scaler.unscale_(*o);
      optim::clip_grad_norm_(params, c.at("max_norm").get<double>());
    }
    std::vector<bool> stepped;
    for (auto& o : opts) stepped.push_back(scaler.step(*o));
    if (c.contains("new_scale") && c.at("new_scale").at("step").get<int>() == t)
      scaler.update(c.at("new_scale").at("value").get<double>());
    else
      scaler.update();
    return stepped;
  }
};

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, MatchesPyTorchAtEveryStep) {
  Replay run(golden_case(GetParam()));
  const double tol = run.dtype == DType::Float32 ? 1e-5 : 1e-9;
  const json& traj = run.c.at("trajectory");
  const int steps = run.c.at("steps").get<int>();
  ASSERT_EQ(traj.size(), static_cast<std::size_t>(steps));
  for (int t = 0; t < steps; ++t) {
    const json& want = traj[static_cast<std::size_t>(t)];
    const std::string at = GetParam() + ", step " + std::to_string(t);
    ASSERT_EQ(run.scaler.get_scale(), want.at("scale_used").get<double>()) << at;
    const std::vector<bool> stepped = run.step(t);
    ASSERT_EQ(stepped, want.at("stepped").get<std::vector<bool>>()) << at;
    ASSERT_EQ(run.scaler.get_scale(), want.at("scale").get<double>()) << at;
    ASSERT_EQ(run.scaler.growth_tracker(), want.at("growth_tracker").get<int64_t>()) << at;
    for (std::size_t i = 0; i < run.params.size(); ++i) {
      const auto w = want.at("params")[i].get<std::vector<double>>();
      const std::vector<double> got = run.params[i].to_vector<double>();
      ASSERT_EQ(got.size(), w.size());
      for (std::size_t k = 0; k < got.size(); ++k)
        ASSERT_NEAR(got[k], w[k], tol) << at << ", parameter " << i << ", element " << k;
    }
  }
  const json& fs = run.c.at("final_state");
  const optim::GradScalerState s = run.scaler.state();
  EXPECT_EQ(s.scale, fs.at("scale").get<double>());
  EXPECT_EQ(s.growth_factor, fs.at("growth_factor").get<double>());
  EXPECT_EQ(s.backoff_factor, fs.at("backoff_factor").get<double>());
  EXPECT_EQ(s.growth_interval, fs.at("growth_interval").get<int64_t>());
  EXPECT_EQ(s.growth_tracker, fs.at("_growth_tracker").get<int64_t>());
}

// Every case in the golden file, so a new case cannot be left untested.
std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const json& c : golden().at("cases")) names.push_back(c.at("name").get<std::string>());
  return names;
}
INSTANTIATE_TEST_SUITE_P(GradScaler, Golden, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

// The golden file itself exercises what its cases claim (so that a
// regenerated file cannot quietly lose them): skips, growth, a capped growth.
TEST(GradScalerGolden, CasesCoverSkipsGrowthAndCap) {
  int skips = 0, growths = 0;
  for (const json& c : golden().at("cases")) {
    double prev = c.at("trajectory")[0].at("scale_used").get<double>();
    for (const json& s : c.at("trajectory")) {
      for (const json& x : s.at("stepped")) skips += x.get<bool>() ? 0 : 1;
      growths += s.at("scale").get<double>() > prev ? 1 : 0;
      prev = s.at("scale").get<double>();
    }
  }
  EXPECT_GE(skips, 10);
  EXPECT_GE(growths, 10);
  const json& cap = golden_case("growth_capped_below_float32_inf").at("trajectory");
  EXPECT_EQ(cap[0].at("scale").get<double>(), std::ldexp(1.0, 126));
  EXPECT_EQ(cap[0].at("growth_tracker").get<int64_t>(), 0);
}

// ---- the rule on a hand-made step ------------------------------------------------

// A parameter with the given gradient after scaler.scale(sum(p * c)).backward().
struct OneParam {
  Tensor p = from_vector<float>({1, 2, 3}, {3}).requires_grad_();
  optim::SGD opt{{p}, optim::SGDOptions{.lr = 0.5}};
  void backward(GradScaler& s, const std::vector<float>& c) {
    opt.zero_grad();
    s.scale(sum(p * from_vector<float>(c, {3}))).backward();
  }
};

TEST(GradScaler, InfGradientSkipsTheStepAndHalvesTheScale) {
  OneParam m;
  GradScaler scaler;  // PyTorch's defaults
  ASSERT_EQ(scaler.get_scale(), 65536.0);
  m.backward(scaler, {1, 1, 1});
  EXPECT_EQ(m.p.grad().to_vector<float>(), (std::vector<float>{65536, 65536, 65536}));
  EXPECT_TRUE(scaler.step(m.opt));
  scaler.update();
  EXPECT_EQ(m.p.to_vector<float>(), (std::vector<float>{0.5f, 1.5f, 2.5f}));
  EXPECT_EQ(scaler.growth_tracker(), 1);

  m.backward(scaler, {1, std::numeric_limits<float>::infinity(), 1});
  EXPECT_FALSE(scaler.step(m.opt));  // skipped
  scaler.update();
  EXPECT_EQ(m.p.to_vector<float>(), (std::vector<float>{0.5f, 1.5f, 2.5f}));  // untouched
  EXPECT_EQ(scaler.get_scale(), 32768.0);
  EXPECT_EQ(scaler.growth_tracker(), 0);
  EXPECT_EQ(m.opt.step_count(), 1);  // the optimizer never saw the bad step

  // A NaN likewise; an overflow of S * c (float32: 32768 * 1e35 = inf) too.
  m.backward(scaler, {std::nanf(""), 1, 1});
  EXPECT_FALSE(scaler.step(m.opt));
  scaler.update();
  m.backward(scaler, {1e35f, 1, 1});
  EXPECT_FALSE(scaler.step(m.opt));
  scaler.update();
  EXPECT_EQ(scaler.get_scale(), 8192.0);
}

TEST(GradScaler, GrowsAfterGrowthIntervalGoodSteps) {
  OneParam m;
  GradScaler scaler({.init_scale = 8, .growth_interval = 3});
  for (int t = 0; t < 7; ++t) {
    m.backward(scaler, {0.1f, 0.1f, 0.1f});
    EXPECT_TRUE(scaler.step(m.opt));
    scaler.update();
  }
  EXPECT_EQ(scaler.get_scale(), 32.0);  // grew after steps 3 and 6
  EXPECT_EQ(scaler.growth_tracker(), 1);
}

// unscale_ leaves the true gradient for clipping; step() does not unscale twice.
TEST(GradScaler, UnscaleBeforeClippingAndStepping) {
  OneParam m;
  GradScaler scaler({.init_scale = 1024});
  m.backward(scaler, {3, 4, 0});
  scaler.unscale_(m.opt);
  EXPECT_EQ(m.p.grad().to_vector<float>(), (std::vector<float>{3, 4, 0}));
  EXPECT_NEAR(optim::clip_grad_norm_({m.p}, 1.0), 5.0, 1e-6);
  EXPECT_TRUE(scaler.step(m.opt));
  scaler.update();
  std::vector<float> p = m.p.to_vector<float>();
  EXPECT_NEAR(p[0], 1 - 0.5 * 0.6, 1e-6);
  EXPECT_NEAR(p[1], 2 - 0.5 * 0.8, 1e-6);
}

// ---- why scaling: fp16 gradients underflow -----------------------------------------

// loss = 1e-8 * sum(x @ W^T) with the product in fp16 (float32 master W):
// the gradient entering the fp16 region is 1e-8 per element, below fp16's
// smallest subnormal 2^-24 (it rounds to 0), so W's gradient comes back all
// zeros. Scaled by 2^16 it is 6.6e-4, well inside fp16's range, and the
// unscaled float32 gradient matches the float32 reference to fp16 precision.
TEST(GradScaler, Fp16LosesSmallGradientsWithoutScalingAndKeepsThemWithIt) {
  Generator gen(9);
  Tensor x = uniform({16, 8}, 0.5, 2.0, gen);
  Tensor w = randn({4, 8}, gen).requires_grad_();
  optim::SGD opt({w}, optim::SGDOptions{.lr = 0.1});
  auto loss_fp16 = [&] {
    Tensor h = matmul(x.to(DType::Float16), w.to(DType::Float16).t());  // (16, 4) fp16
    return sum(h.to(DType::Float32)) * 1e-8;
  };
  // float32 reference: dL/dW[o][j] = 1e-8 * sum_i x[i][j].
  sum(matmul(x, w.t()) * 1e-8).backward();
  const std::vector<float> want = w.grad().to_vector<float>();
  for (float v : want) ASSERT_GT(std::fabs(v), 1e-7f);

  w.zero_grad();
  loss_fp16().backward();
  ASSERT_EQ(w.grad().dtype(), DType::Float32);
  for (float v : w.grad().to_vector<float>()) EXPECT_EQ(v, 0.0f);  // all lost

  w.zero_grad();
  GradScaler scaler;
  scaler.scale(loss_fp16()).backward();
  scaler.unscale_(opt);
  const std::vector<float> got = w.grad().to_vector<float>();
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], std::ldexp(std::fabs(want[i]), -9)) << i;
  EXPECT_TRUE(scaler.step(opt));
}

// ---- state, JSON, resume -------------------------------------------------------------

TEST(GradScaler, ResumeFromJsonStateIsBitIdentical) {
  const json& c = golden_case("sgd_momentum_growth_and_backoff");
  const int steps = c.at("steps").get<int>(), cut = 11;
  Replay whole(c);
  for (int t = 0; t < steps; ++t) whole.step(t);

  Replay first(c);
  for (int t = 0; t < cut; ++t) first.step(t);
  const std::string saved = optim::grad_scaler_state_to_json(first.scaler.state());
  const optim::OptimizerState opt_state = first.opts[0]->state();
  Replay second(c);
  for (std::size_t i = 0; i < second.params.size(); ++i) second.params[i].copy_(first.params[i]);
  second.opts[0]->load_state(opt_state);
  second.scaler.load_state(optim::grad_scaler_state_from_json(saved));
  for (int t = cut; t < steps; ++t) {
    // scale() is the first call of each step, as in PyTorch after load_state_dict.
    second.step(t);
  }
  for (std::size_t i = 0; i < whole.params.size(); ++i)
    EXPECT_TRUE(equal(whole.params[i], second.params[i])) << "parameter " << i;
  EXPECT_EQ(whole.scaler.get_scale(), second.scaler.get_scale());
  EXPECT_EQ(whole.scaler.growth_tracker(), second.scaler.growth_tracker());
}

TEST(GradScaler, JsonHasPyTorchsKeysAndRoundTrips) {
  optim::GradScalerState s{.enabled = true,
                           .scale = 1.5 * std::ldexp(1.0, 100),
                           .growth_factor = 3.0,
                           .backoff_factor = 0.25,
                           .growth_interval = 7,
                           .growth_tracker = 6};
  const std::string text = optim::grad_scaler_state_to_json(s);
  const json j = json::parse(text);
  for (const char* k : {"enabled", "scale", "growth_factor", "backoff_factor", "growth_interval",
                        "_growth_tracker"})
    EXPECT_TRUE(j.contains(k)) << k;
  const optim::GradScalerState r = optim::grad_scaler_state_from_json(text);
  EXPECT_EQ(r.scale, s.scale);
  EXPECT_EQ(r.growth_factor, 3.0);
  EXPECT_EQ(r.backoff_factor, 0.25);
  EXPECT_EQ(r.growth_interval, 7);
  EXPECT_EQ(r.growth_tracker, 6);
  GradScaler g;
  g.load_state(r);
  EXPECT_EQ(g.get_scale(), s.scale);
  EXPECT_EQ(g.options().growth_interval, 7);
}

template <class E>
void expect_error(const std::function<void()>& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one mentioning " << fragments[0];
  } catch (const E& e) {
    for (const std::string& frag : fragments) EXPECT_THAT(e.what(), HasSubstr(frag));
  }
}

TEST(GradScaler, BadJsonNamesTheKeyAndValue) {
  using optim::grad_scaler_state_from_json;
  using E = std::invalid_argument;
  const std::string ok = R"({"enabled":true,"scale":8.0,"growth_factor":2.0,"backoff_factor":0.5,)"
                         R"("growth_interval":10,"_growth_tracker":3)";
  EXPECT_EQ(grad_scaler_state_from_json(ok + "}").scale, 8.0);
  expect_error<E>([&] { grad_scaler_state_from_json("{"); }, {"not valid JSON"});
  expect_error<E>([&] { grad_scaler_state_from_json("[1]"); }, {"expected an object"});
  expect_error<E>([&] { grad_scaler_state_from_json(ok + R"(,"extra":1})"); },
                  {"unknown key 'extra'"});
  expect_error<E>([&] { grad_scaler_state_from_json(R"({"enabled":true,"scale":8.0})"); },
                  {"missing key 'growth_factor'"});
  auto with = [&](const std::string& key, const std::string& value) {
    json j = json::parse(ok + "}");
    j[key] = json::parse(value);
    return j.dump();
  };
  expect_error<E>([&] { grad_scaler_state_from_json(with("scale", "\"big\"")); },
                  {"'scale' must be a number", "\"big\""});
  expect_error<E>([&] { grad_scaler_state_from_json(with("scale", "-4")); }, {"scale", "-4"});
  expect_error<E>([&] { grad_scaler_state_from_json(with("scale", "1e39")); },
                  {"scale", "float32"});
  expect_error<E>([&] { grad_scaler_state_from_json(with("growth_interval", "2.5")); },
                  {"'growth_interval' must be an integer", "2.5"});
  expect_error<E>([&] { grad_scaler_state_from_json(with("growth_factor", "1")); },
                  {"growth_factor must be > 1", "1"});
  expect_error<E>([&] { grad_scaler_state_from_json(with("backoff_factor", "1.5")); },
                  {"backoff_factor must be in (0, 1)", "1.5"});
  expect_error<E>([&] { grad_scaler_state_from_json(with("_growth_tracker", "10")); },
                  {"growth_tracker must be in [0, 10)", "10"});
  expect_error<E>([&] { grad_scaler_state_from_json(with("enabled", "1")); },
                  {"'enabled' must be true or false"});
}

TEST(GradScaler, BadOptionsAreRejected) {
  using E = std::invalid_argument;
  expect_error<E>([] { GradScaler({.init_scale = 0}); }, {"init_scale", "0"});
  expect_error<E>([] { GradScaler({.init_scale = 1e40}); }, {"init_scale", "float32"});
  expect_error<E>([] { GradScaler({.growth_factor = 0.9}); }, {"growth_factor", "0.9"});
  expect_error<E>([] { GradScaler({.backoff_factor = 0}); }, {"backoff_factor", "0"});
  expect_error<E>([] { GradScaler({.growth_interval = 0}); }, {"growth_interval", "0"});
  GradScaler ok({.init_scale = 4});
  OneParam m;
  m.backward(ok, {1, 1, 1});
  ok.step(m.opt);
  expect_error<E>([&] { ok.update(std::nan("")); }, {"new_scale", "nan"});
}

TEST(GradScaler, CallsOutOfOrderAreErrors) {
  using E = std::logic_error;
  OneParam m;
  GradScaler s;
  expect_error<E>([&] { s.step(m.opt); }, {"step", "scale() was never called"});
  m.backward(s, {1, 1, 1});
  expect_error<E>([&] { s.update(); }, {"update", "no inf/NaN checks"});
  s.unscale_(m.opt);
  expect_error<E>([&] { s.unscale_(m.opt); }, {"unscale_", "already called"});
  s.step(m.opt);
  expect_error<E>([&] { s.step(m.opt); }, {"step", "already called"});
  expect_error<E>([&] { s.unscale_(m.opt); }, {"unscale_", "after step()"});
  s.update();
  m.backward(s, {1, 1, 1});
  EXPECT_TRUE(s.step(m.opt));  // a new iteration is fine
}

TEST(GradScaler, HalfGradientsAreRefused) {
  Tensor p = zeros({2}, DType::Float32).requires_grad_();
  optim::SGD opt({p});
  GradScaler s({.init_scale = 1024});  // within fp16's range
  s.scale(sum(p)).backward();
  const Tensor before = p.grad().clone();
  p.set_grad(p.grad().to(DType::Float16));
  expect_error<std::invalid_argument>([&] { s.unscale_(opt); },
                                      {"parameter 0", "Float16 gradient", "float32"});
  EXPECT_TRUE(equal(p.grad().to(DType::Float32), before));  // left as it was
}

TEST(GradScaler, DisabledPassesThrough) {
  OneParam m;
  GradScaler s({.enabled = false});
  Tensor loss = sum(m.p);
  EXPECT_EQ(s.scale(loss).impl(), loss.impl());
  EXPECT_EQ(s.get_scale(), 1.0);
  m.backward(s, {1, std::numeric_limits<float>::infinity(), 1});
  EXPECT_TRUE(s.step(m.opt));  // no checks: the optimizer steps
  s.update();
  EXPECT_FALSE(s.state().enabled);
  GradScaler enabled;
  expect_error<std::invalid_argument>([&] { enabled.load_state(s.state()); }, {"disabled"});
}

}  // namespace
}  // namespace gradlab::test
