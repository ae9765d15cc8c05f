// tests/layers/module_test.cpp — Module: registries, dotted names, modes,
// zero_grad, dtype conversion, printing, and state_dict save/load with every
// kind of load error (and no partial loads).
#include "layers/module.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "core/ops.h"
#include "core/random.h"
#include "layers/dropout.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

// A hand-written model: one own parameter and three children.
class TwoLayer : public Module {
 public:
  explicit TwoLayer(Generator& gen) {
    scale = ones({1});
    register_parameter("scale", scale);
    fc1 = register_module("fc1", std::make_shared<Linear>(3, 4, gen));
    act = register_module("act", std::make_shared<ReLU>());
    fc2 = register_module("fc2", std::make_shared<Linear>(4, 2, gen));
  }
  Tensor forward(const Tensor& x) override { return (*fc2)((*act)((*fc1)(x))) * scale; }
  std::string name() const override { return "TwoLayer"; }

  Tensor scale;
  std::shared_ptr<Linear> fc1, fc2;
  std::shared_ptr<ReLU> act;
};

std::vector<std::string> names_of(const Module& m) {
  std::vector<std::string> out;
  for (const auto& [name, t] : m.named_parameters()) out.push_back(name);
  return out;
}

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no std::invalid_argument thrown>";
}

TEST(Module, NamedParametersOwnFirstThenChildrenDepthFirst) {
  Generator gen(1);
  TwoLayer m(gen);
  EXPECT_EQ(names_of(m), (std::vector<std::string>{"scale", "fc1.weight", "fc1.bias", "fc2.weight",
                                                   "fc2.bias"}));
  std::vector<Tensor> ps = m.parameters();
  ASSERT_EQ(ps.size(), 5u);
  // Handles share identity with the members: the optimizer updates the model.
  EXPECT_EQ(ps[1].impl(), m.fc1->weight.impl());
  for (const Tensor& p : ps) EXPECT_TRUE(p.requires_grad());
  EXPECT_EQ(m.num_parameters(), 1 + 4 * 3 + 4 + 2 * 4 + 2);
  auto children = m.named_children();
  ASSERT_EQ(children.size(), 3u);
  EXPECT_EQ(children[1].first, "act");
}

TEST(Module, AssigningAMemberIsSeenByTheRegistry) {
  Generator gen(1);
  Linear lin(2, 2, gen);
  Tensor w = zeros({2, 2});
  w.requires_grad_(true);
  lin.weight = w;
  EXPECT_EQ(lin.parameters()[0].impl(), w.impl());
}

TEST(Module, TrainEvalRecursesIntoChildren) {
  Generator gen(1);
  auto drop = std::make_shared<Dropout>(0.5, gen);
  Sequential seq(std::make_shared<Linear>(2, 2, gen), drop);
  EXPECT_TRUE(seq.is_training());
  EXPECT_TRUE(drop->is_training());
  seq.eval();
  EXPECT_FALSE(seq.is_training());
  EXPECT_FALSE(drop->is_training());
  seq.train();
  EXPECT_TRUE(drop->is_training());
  seq.train(false);
  EXPECT_FALSE(drop->is_training());
}

TEST(Module, ZeroGradDropsEveryGradient) {
  Generator gen(2);
  TwoLayer m(gen);
  m.forward(randn({5, 3}, gen)).sum().backward();
  for (const Tensor& p : m.parameters()) ASSERT_TRUE(p.grad().defined());
  m.zero_grad();
  for (const Tensor& p : m.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Module, RegistrationErrors) {
  class Bad : public Module {
   public:
    Tensor a = zeros({1}), b = zeros({1}), undefined;
    Tensor forward(const Tensor& x) override { return x; }
    std::string name() const override { return "Bad"; }
    void reg(const std::string& n, Tensor& t) { register_parameter(n, t); }
    void child(const std::string& n, std::shared_ptr<Module> m) {
      register_module(n, std::move(m));
    }
  };
  Bad m;
  m.reg("a", m.a);
  EXPECT_NE(message_of([&] { m.reg("a", m.b); }).find("duplicate parameter \"a\""),
            std::string::npos);
  EXPECT_NE(message_of([&] { m.reg("x.y", m.b); }).find("\"x.y\""), std::string::npos);
  EXPECT_NE(message_of([&] { m.reg("", m.b); }).find("non-empty"), std::string::npos);
  EXPECT_NE(message_of([&] { m.reg("u", m.undefined); }).find("undefined"), std::string::npos);
  EXPECT_NE(message_of([&] { m.child("c", nullptr); }).find("null"), std::string::npos);
  m.child("c", std::make_shared<ReLU>());
  EXPECT_NE(message_of([&] { m.child("c", std::make_shared<ReLU>()); }).find("duplicate child"),
            std::string::npos);
}

// ---- state_dict ------------------------------------------------------------------

TEST(StateDictRoundTrip, LoadReproducesParametersAndOutputs) {
  Generator g1(10), g2(20);
  TwoLayer a(g1), b(g2);
  Tensor x = randn({4, 3}, g1);
  ASSERT_FALSE(equal(a.forward(x), b.forward(x)));
  StateDict sd = a.state_dict();
  EXPECT_EQ(sd.keys(), names_of(a));
  for (const auto& [name, t] : sd) EXPECT_FALSE(t.requires_grad()) << name;
  b.load_state_dict(sd);
  auto pa = a.named_parameters(), pb = b.named_parameters();
  for (std::size_t i = 0; i < pa.size(); ++i)
    EXPECT_TRUE(equal(pa[i].second, pb[i].second)) << pa[i].first;
  EXPECT_TRUE(equal(a.forward(x), b.forward(x)));
  // Loading copies values: b's parameters stay distinct tensors that still train.
  EXPECT_NE(a.fc1->weight.impl()->storage, b.fc1->weight.impl()->storage);
  EXPECT_TRUE(b.fc1->weight.requires_grad());
}

TEST(StateDictRoundTrip, ConvertsDtypeOnLoad) {
  Generator gen(3);
  Linear a(2, 3, gen), b(2, 3, gen);
  a.to(DType::Float64);
  b.load_state_dict(a.state_dict());
  EXPECT_EQ(b.weight.dtype(), DType::Float32);
  EXPECT_TRUE(allclose(b.weight, a.weight.to(DType::Float32)));
}

TEST(LoadStateDict, MissingKeyNamesKeyAndShape) {
  Generator gen(4);
  Sequential seq(std::make_shared<Linear>(3, 4, gen), std::make_shared<ReLU>(),
                 std::make_shared<Linear>(4, 2, gen));
  StateDict sd;
  for (const auto& [name, t] : seq.state_dict()) {
    if (name != "2.weight") sd.insert(name, t.clone());
  }
  std::string msg = message_of([&] { seq.load_state_dict(sd); });
  EXPECT_NE(msg.find("missing key \"2.weight\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2,4)"), std::string::npos) << msg;
}

TEST(LoadStateDict, UnexpectedKeyNamesKeyAndShape) {
  Generator gen(4);
  Linear lin(3, 2, gen);
  StateDict sd;
  for (const auto& [name, t] : lin.state_dict()) sd.insert(name, t.clone());
  sd.insert("extra.bias", zeros({7}));
  std::string msg = message_of([&] { lin.load_state_dict(sd); });
  EXPECT_NE(msg.find("unexpected key \"extra.bias\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("(7)"), std::string::npos) << msg;
}

TEST(LoadStateDict, ShapeMismatchNamesKeyAndBothShapes) {
  Generator gen(4);
  Linear lin(3, 2, gen);
  StateDict sd{{"weight", zeros({3, 2})}, {"bias", zeros({2})}};
  std::string msg = message_of([&] { lin.load_state_dict(sd); });
  EXPECT_NE(msg.find("shape mismatch for key \"weight\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("checkpoint has (3,2)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("module has (2,3)"), std::string::npos) << msg;
}

TEST(LoadStateDict, ReportsEveryProblemAtOnce) {
  Generator gen(4);
  Linear lin(3, 2, gen);
  StateDict sd{{"weight", zeros({2, 2})}, {"bogus", zeros({1})}};
  std::string msg = message_of([&] { lin.load_state_dict(sd); });
  EXPECT_NE(msg.find("3 problems"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"weight\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing key \"bias\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("unexpected key \"bogus\""), std::string::npos) << msg;
}

TEST(LoadStateDict, AFailedLoadChangesNothing) {
  Generator gen(5);
  Sequential seq(std::make_shared<Linear>(3, 4, gen), std::make_shared<Linear>(4, 2, gen));
  StateDict before;
  for (const auto& [name, t] : seq.state_dict()) before.insert(name, t.clone());
  // Good values for every key except the last, which has the wrong shape:
  // "0.weight" comes first and must still not be copied.
  StateDict sd;
  for (const auto& [name, t] : seq.state_dict()) {
    sd.insert(name, name == "1.bias" ? full({3}, 7.0) : full(t.shape(), 7.0));
  }
  EXPECT_THROW(seq.load_state_dict(sd), std::invalid_argument);
  for (const auto& [name, t] : seq.state_dict()) EXPECT_TRUE(equal(t, before.at(name))) << name;
}

// ---- dtype, sharing, printing ----------------------------------------------------

TEST(Module, ToFloat64KeepsValuesFlagsAndTies) {
  Generator gen(6);
  auto shared = std::make_shared<Linear>(2, 2, gen);
  Sequential seq(shared, std::make_shared<ReLU>(), shared);  // the same layer twice
  Tensor w32 = shared->weight.clone();
  seq.to(DType::Float64);
  EXPECT_EQ(shared->weight.dtype(), DType::Float64);
  EXPECT_TRUE(shared->weight.requires_grad());
  EXPECT_TRUE(shared->weight.is_leaf());
  EXPECT_TRUE(allclose(shared->weight.to(DType::Float32), w32, 0, 0));
  // Shared parameters are listed once; the state dict names both uses.
  EXPECT_EQ(seq.parameters().size(), 2u);
  EXPECT_EQ(seq.state_dict().keys(),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_THROW(seq.to(DType::Int64), std::invalid_argument);
}

TEST(Module, ToKeepsWeightsTiedAcrossModules) {
  Generator gen(6);
  auto a = std::make_shared<Linear>(2, 2, gen);
  auto b = std::make_shared<Linear>(2, 2, gen);
  b->weight = a->weight;  // tie
  Sequential seq(a, b);
  seq.to(DType::Float64);
  EXPECT_EQ(a->weight.impl(), b->weight.impl());
  EXPECT_EQ(seq.parameters().size(), 3u);
}

TEST(Module, ReprPrintsTheTree) {
  Generator gen(7);
  Sequential seq(std::make_shared<Linear>(2, 3, gen), std::make_shared<ReLU>(),
                 std::make_shared<Linear>(3, 1, gen, false));
  EXPECT_EQ(seq.repr(),
            "Sequential(\n"
            "  (0): Linear(in_features=2, out_features=3, bias=true)\n"
            "  (1): ReLU()\n"
            "  (2): Linear(in_features=3, out_features=1, bias=false)\n"
            ")");
  auto outer = std::make_shared<Sequential>(std::make_shared<Sequential>(std::make_shared<ReLU>()));
  EXPECT_EQ(outer->repr(),
            "Sequential(\n"
            "  (0): Sequential(\n"
            "    (0): ReLU()\n"
            "  )\n"
            ")");
}

// Property: any MLP's state dict loads into a differently seeded twin, after
// which both compute the same function.
RC_GTEST_PROP(StateDictProperty, RoundTripForRandomMlps, ()) {
  const auto sizes = *rc::gen::container<std::vector<int64_t>>(*rc::gen::inRange<std::size_t>(2, 5),
                                                               rc::gen::inRange<int64_t>(1, 6));
  const auto seed = *rc::gen::arbitrary<uint32_t>();
  Generator ga(seed), gb(seed + 1ull);
  Sequential a, b;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    a.push_back(std::make_shared<Linear>(sizes[i], sizes[i + 1], ga));
    b.push_back(std::make_shared<Linear>(sizes[i], sizes[i + 1], gb));
  }
  b.load_state_dict(a.state_dict());
  Tensor x = randn({3, sizes[0]}, ga);
  RC_ASSERT(equal(a.forward(x), b.forward(x)));
}

}  // namespace
}  // namespace gradlab::nn
