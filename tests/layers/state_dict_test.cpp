// tests/layers/state_dict_test.cpp — the ordered name -> Tensor map.
#include "layers/state_dict.h"

#include <gtest/gtest.h>

#include "core/ops.h"

namespace gradlab::nn {
namespace {

TEST(StateDict, KeepsInsertionOrderAndFinds) {
  StateDict d;
  d.insert("b", zeros({2}));
  d.insert("a", ones({3}));
  d.insert("c.weight", zeros({1, 1}));
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"b", "a", "c.weight"}));
  EXPECT_EQ(d.size(), 3u);
  ASSERT_NE(d.find("a"), nullptr);
  EXPECT_EQ(d.find("a")->shape(), (Shape{3}));
  EXPECT_EQ(d.find("zzz"), nullptr);
  EXPECT_TRUE(d.contains("c.weight"));
  EXPECT_FALSE(d.contains("c"));
  EXPECT_EQ(d.at("b").shape(), (Shape{2}));
}

TEST(StateDict, RejectsDuplicatesAndUndefined) {
  StateDict d{{"w", zeros({2})}};
  EXPECT_THROW(d.insert("w", zeros({2})), std::invalid_argument);
  EXPECT_THROW(d.insert("u", Tensor()), std::invalid_argument);
  try {
    (void)d.at("missing");
    FAIL() << "at() on a missing key must throw";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("\"missing\""), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gradlab::nn
