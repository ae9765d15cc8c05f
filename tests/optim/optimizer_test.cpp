// tests/optim/optimizer_test.cpp — what every optimizer shares: parameter
// checks, skipping parameters without gradients, zero_grad, lr, state
// save/load (with every load error, and no partial loads), and the property
// that lr = 0 leaves parameters unchanged.
#include "optim/optimizer.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "core/ops.h"
#include "core/random.h"
#include "layers/linear.h"
#include "optim/adam.h"
#include "optim/sgd.h"

namespace gradlab::optim {
namespace {

std::vector<Tensor> two_params(Generator& gen, DType dtype = DType::Float64) {
  Tensor a = randn({2, 3}, gen, dtype), b = randn({4}, gen, dtype);
  a.requires_grad_(true);
  b.requires_grad_(true);
  return {a, b};
}

void random_grads(std::vector<Tensor>& ps, Generator& gen) {
  for (Tensor& p : ps) p.set_grad(randn(p.shape(), gen, p.dtype()));
}

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no std::invalid_argument thrown>";
}

TEST(Optimizer, RejectsBadParameterLists) {
  EXPECT_THROW(SGD({}, {}), std::invalid_argument);
  EXPECT_THROW(SGD({Tensor()}, {}), std::invalid_argument);
  EXPECT_NE(message_of([] { SGD({zeros({2}, DType::Int64)}, {}); }).find("Float32 or Float64"),
            std::string::npos);
  Tensor t = zeros({2, 3}, DType::Float64).t();
  EXPECT_NE(message_of([&] { Adam({t}, {}); }).find("contiguous"), std::string::npos);
}

TEST(Optimizer, UpdatesTheModelsOwnTensors) {
  Generator gen(1);
  nn::Linear lin(3, 2, gen);
  SGD opt(lin.parameters(), {.lr = 0.1});
  Tensor w0 = lin.weight.clone();
  lin.forward(randn({4, 3}, gen)).sum().backward();
  opt.step();
  EXPECT_FALSE(equal(lin.weight.detach(), w0));
  EXPECT_TRUE(allclose(lin.weight.detach(), w0 - lin.weight.grad() * 0.1, 1e-6, 1e-7));
}

TEST(Optimizer, SkipsParametersWithoutGradient) {
  Generator gen(2);
  std::vector<Tensor> ps = two_params(gen);
  Adam opt(ps, {.lr = 0.1});
  Tensor b0 = ps[1].clone();
  ps[0].set_grad(ones({2, 3}, DType::Float64));
  opt.step();
  EXPECT_TRUE(equal(ps[1].detach(), b0));
  // Only parameter 0 has state.
  EXPECT_EQ(opt.state().tensors.keys(),
            (std::vector<std::string>{"0.step", "0.exp_avg", "0.exp_avg_sq"}));
  EXPECT_EQ(opt.step_count(), 1);
}

TEST(Optimizer, ZeroGradAndLr) {
  Generator gen(3);
  std::vector<Tensor> ps = two_params(gen);
  SGD opt(ps, {.lr = 0.5});
  random_grads(ps, gen);
  opt.zero_grad();
  for (const Tensor& p : ps) EXPECT_FALSE(p.grad().defined());
  EXPECT_EQ(opt.lr(), 0.5);
  opt.set_lr(0.25);
  EXPECT_EQ(opt.lr(), 0.25);
  EXPECT_THROW(opt.set_lr(-1), std::invalid_argument);
}

TEST(OptimizerState, SnapshotIsIndependentAndRestoresLrAndStep) {
  Generator gen(4);
  std::vector<Tensor> ps = two_params(gen);
  SGD opt(ps, {.lr = 0.1, .momentum = 0.9});
  random_grads(ps, gen);
  opt.step();
  OptimizerState s = opt.state();
  Tensor buf0 = s.tensors.at("0.momentum_buffer").clone();
  random_grads(ps, gen);
  opt.step();  // changes the live buffer, not the snapshot
  EXPECT_TRUE(equal(s.tensors.at("0.momentum_buffer"), buf0));
  opt.set_lr(0.7);
  opt.load_state(s);
  EXPECT_EQ(opt.lr(), 0.1);
  EXPECT_EQ(opt.step_count(), 1);
  EXPECT_TRUE(equal(opt.state().tensors.at("0.momentum_buffer"), buf0));
}

TEST(OptimizerState, LoadErrorsNameTheKey) {
  Generator gen(5);
  std::vector<Tensor> ps = two_params(gen);
  Adam opt(ps, {});
  random_grads(ps, gen);
  opt.step();
  const OptimizerState good = opt.state();
  auto with = [&](const std::string& drop, const std::string& add, Tensor value) {
    OptimizerState s;
    s.step = good.step;
    s.lr = good.lr;
    for (const auto& [k, v] : good.tensors) {
      if (k != drop) s.tensors.insert(k, k == add ? value : v);
    }
    if (!add.empty() && !s.tensors.contains(add)) s.tensors.insert(add, value);
    return s;
  };
  std::string m =
      message_of([&] { opt.load_state(with("", "1.exp_avg", zeros({5}, DType::Float64))); });
  EXPECT_NE(m.find("shape mismatch for key \"1.exp_avg\": checkpoint has (5), parameter needs (4)"),
            std::string::npos)
      << m;
  m = message_of([&] { opt.load_state(with("", "2.exp_avg", zeros({4}, DType::Float64))); });
  EXPECT_NE(m.find("unexpected key \"2.exp_avg\": the optimizer has 2 parameters"),
            std::string::npos)
      << m;
  m = message_of([&] {
    opt.load_state(with("", "0.momentum_buffer", zeros({2, 3}, DType::Float64)));
  });
  EXPECT_NE(m.find("unexpected key \"0.momentum_buffer\""), std::string::npos) << m;
  m = message_of([&] { opt.load_state(with("0.exp_avg_sq", "", Tensor())); });
  EXPECT_NE(m.find("missing key \"0.exp_avg_sq\""), std::string::npos) << m;
  m = message_of([&] { opt.load_state(with("", "x.exp_avg", zeros({4}))); });
  EXPECT_NE(m.find("malformed key \"x.exp_avg\""), std::string::npos) << m;
  m = message_of([&] { opt.load_state(with("", "0.step", zeros({1}, DType::Int64))); });
  EXPECT_NE(m.find("key \"0.step\": checkpoint has (1), parameter needs ()"), std::string::npos)
      << m;
}

TEST(OptimizerState, AFailedLoadChangesNothing) {
  Generator gen(6);
  std::vector<Tensor> a = two_params(gen);
  std::vector<Tensor> b;
  for (const Tensor& t : a) b.push_back(t.detach().clone().requires_grad_(true));
  Adam opt_a(a, {.lr = 0.05}), opt_b(b, {.lr = 0.05});
  Generator ga(7), gb(7);
  random_grads(a, ga);
  random_grads(b, gb);
  opt_a.step();
  opt_b.step();
  // A state with valid buffers for parameter 0 but a bad one for parameter 1.
  OptimizerState bad;
  bad.step = 99;
  bad.lr = 1.0;
  bad.tensors.insert("0.step", full({}, 50, DType::Int64));
  bad.tensors.insert("0.exp_avg", full({2, 3}, 3.0, DType::Float64));
  bad.tensors.insert("0.exp_avg_sq", full({2, 3}, 3.0, DType::Float64));
  bad.tensors.insert("1.exp_avg", zeros({3}, DType::Float64));
  EXPECT_THROW(opt_a.load_state(bad), std::invalid_argument);
  EXPECT_EQ(opt_a.step_count(), 1);
  EXPECT_EQ(opt_a.lr(), 0.05);
  // opt_a continues exactly like the untouched opt_b.
  for (int t = 0; t < 3; ++t) {
    random_grads(a, ga);
    random_grads(b, gb);
    opt_a.step();
    opt_b.step();
  }
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(equal(a[i].detach(), b[i].detach()));
}

// Property: with lr = 0 no optimizer moves any parameter, whatever the
// gradients, momentum, weight decay (coupled or decoupled) or amsgrad.
RC_GTEST_PROP(OptimizerProperty, ZeroLrLeavesParametersUnchanged, ()) {
  const auto kind = *rc::gen::inRange(0, 3);
  const auto seed = *rc::gen::arbitrary<uint32_t>();
  const double wd = *rc::gen::element(0.0, 0.1, 1.0);
  const double momentum = *rc::gen::element(0.0, 0.5, 0.9);
  const bool flag = *rc::gen::arbitrary<bool>();
  const DType dtype = *rc::gen::element(DType::Float32, DType::Float64);
  Generator gen(seed);
  std::vector<Tensor> ps = two_params(gen, dtype);
  std::vector<Tensor> before;
  for (const Tensor& p : ps) before.push_back(p.clone());
  std::unique_ptr<Optimizer> opt;
  if (kind == 0) {
    opt = std::make_unique<SGD>(
        ps,
        SGDOptions{
            .lr = 0, .momentum = momentum, .weight_decay = wd, .nesterov = flag && momentum > 0});
  } else if (kind == 1) {
    opt = std::make_unique<Adam>(ps, AdamOptions{.lr = 0, .weight_decay = wd, .amsgrad = flag});
  } else {
    opt = std::make_unique<AdamW>(ps, AdamWOptions{.lr = 0, .weight_decay = wd, .amsgrad = flag});
  }
  for (int t = 0; t < 3; ++t) {
    random_grads(ps, gen);
    opt->step();
  }
  for (std::size_t i = 0; i < ps.size(); ++i) RC_ASSERT(equal(ps[i].detach(), before[i]));
}

}  // namespace
}  // namespace gradlab::optim
