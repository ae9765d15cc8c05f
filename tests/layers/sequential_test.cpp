// tests/layers/sequential_test.cpp — Sequential: positional names (matching
// PyTorch's keys), chaining, indexing.
#include "layers/sequential.h"

#include <gtest/gtest.h>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "layers/flatten.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "layers/tanh.h"

namespace gradlab::nn {
namespace {

TEST(Sequential, NamedParametersArePositional) {
  Generator gen(1);
  Sequential seq(std::make_shared<Flatten>(), std::make_shared<Linear>(6, 4, gen),
                 std::make_shared<ReLU>(), std::make_shared<Linear>(4, 2, gen, false));
  std::vector<std::string> names;
  for (const auto& [name, t] : seq.named_parameters()) names.push_back(name);
  // Exactly the keys of the equivalent torch.nn.Sequential's state_dict().
  EXPECT_EQ(names, (std::vector<std::string>{"1.weight", "1.bias", "3.weight"}));
  EXPECT_EQ(seq.size(), 4u);
}

TEST(Sequential, NestedNamesAreDotted) {
  Generator gen(1);
  auto block =
      std::make_shared<Sequential>(std::make_shared<Linear>(2, 2, gen), std::make_shared<Tanh>());
  Sequential seq(block, std::make_shared<Linear>(2, 1, gen));
  std::vector<std::string> names;
  for (const auto& [name, t] : seq.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.0.weight", "0.0.bias", "1.weight", "1.bias"}));
}

TEST(Sequential, ForwardComposesInOrder) {
  Generator gen(2);
  auto l1 = std::make_shared<Linear>(3, 5, gen);
  auto l2 = std::make_shared<Linear>(5, 2, gen);
  Sequential seq;
  seq.add(l1).add(std::make_shared<ReLU>()).add(l2);
  Tensor x = randn({4, 3}, gen);
  Tensor expected = l2->forward(relu(l1->forward(x)));
  EXPECT_TRUE(equal(seq.forward(x), expected));
  EXPECT_TRUE(equal(seq(x), expected));
}

TEST(Sequential, EmptyIsIdentity) {
  Sequential seq;
  Generator gen(3);
  Tensor x = randn({2, 2}, gen);
  EXPECT_TRUE(seq.empty());
  EXPECT_TRUE(equal(seq.forward(x), x));
}

TEST(Sequential, IndexingAndTypedAccess) {
  Generator gen(3);
  std::vector<std::shared_ptr<Module>> mods{std::make_shared<Linear>(2, 3, gen),
                                            std::make_shared<ReLU>()};
  Sequential seq(mods);
  EXPECT_EQ(seq[0], mods[0]);
  EXPECT_EQ(seq[1]->name(), "ReLU");
  EXPECT_EQ(seq.at<Linear>(0)->out_features(), 3);
  try {
    (void)seq[2];
    FAIL() << "index 2 must be out of range";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("index 2 out of range for 2 modules"), std::string::npos)
        << e.what();
  }
  try {
    (void)seq.at<Linear>(1);
    FAIL() << "module 1 is not a Linear";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("module 1 is a ReLU"), std::string::npos) << e.what();
  }
  EXPECT_THROW(seq.push_back(nullptr), std::invalid_argument);
}

TEST(Sequential, GradientsReachEveryLayer) {
  Generator gen(4);
  Sequential seq(std::make_shared<Linear>(3, 4, gen), std::make_shared<Tanh>(),
                 std::make_shared<Linear>(4, 1, gen));
  seq.forward(randn({5, 3}, gen)).sum().backward();
  for (const auto& [name, p] : seq.named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_EQ(p.grad().shape(), p.shape()) << name;
  }
}

TEST(Sequential, GradcheckThroughTheChain) {
  Generator gen(5);
  Sequential seq(std::make_shared<Linear>(3, 4, gen), std::make_shared<Tanh>(),
                 std::make_shared<Linear>(4, 2, gen));
  seq.to(DType::Float64);
  auto r = gradcheck([&](const std::vector<Tensor>& in) { return seq(in[0]); },
                     {randn({5, 3}, gen, DType::Float64)});
  EXPECT_TRUE(r.ok) << r.message;
}

}  // namespace
}  // namespace gradlab::nn
