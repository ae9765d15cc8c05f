// tests/layers/embedding_test.cpp — Embedding: lookups, N(0,1) init, the
// padding row (zero, never trained), index errors, gradcheck.
#include "layers/embedding.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

Tensor idx(const std::vector<int64_t>& v, const Shape& shape) { return from_vector(v, shape); }

TEST(Embedding, HandCheckedLookup) {
  Generator gen(1);
  Embedding emb(3, 2, gen);
  emb.load_state_dict({{"weight", test::f64({0, 0, 1, 2, 3, 4}, {3, 2})}});
  Tensor y = emb(idx({2, 1, 0, 2}, {2, 2}));
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2}));
  EXPECT_TRUE(test::values_near(y, {3, 4, 1, 2, 0, 0, 3, 4}, 0));
  EXPECT_EQ(emb(idx({1}, {})).shape(), (Shape{2}));  // a 0-d index gives one vector
}

TEST(Embedding, InitIsStandardNormal) {
  Generator gen(2);
  Embedding emb(200, 50, gen);
  std::vector<double> v = emb.weight.to_vector<double>();
  double sum = 0, sq = 0;
  for (double x : v) {
    sum += x;
    sq += x * x;
  }
  const double n = static_cast<double>(v.size());  // 10000 draws
  EXPECT_NEAR(sum / n, 0.0, 0.05);                 // sd 0.01
  EXPECT_NEAR(sq / n, 1.0, 0.07);                  // sd ~0.014
}

TEST(Embedding, PaddingRowIsZeroAndGetsNoGradient) {
  Generator gen(3);
  Embedding emb(5, 3, gen, /*padding_idx=*/1);
  std::vector<double> w = emb.weight.to_vector<double>();
  for (int j = 0; j < 3; ++j) EXPECT_EQ(w[3 + j], 0.0);
  EXPECT_NE(w[0], 0.0);
  // Token 1 (padding) three times, token 3 twice, token 0 once.
  Tensor y = emb(idx({1, 3, 1, 0, 3, 1}, {2, 3}));
  y.sum().backward();
  // d(sum)/d(row r) = number of occurrences of r, except the padding row.
  std::vector<double> expected = {1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0};
  EXPECT_TRUE(test::values_near(emb.weight.grad(), expected, 0));
}

TEST(Embedding, LoadedPaddingRowIsUsedButStillNotTrained) {
  Generator gen(3);
  Embedding emb(3, 2, gen, /*padding_idx=*/-1);  // -1 means row 2, as PyTorch
  EXPECT_EQ(emb.padding_idx(), 2);
  emb.load_state_dict({{"weight", test::f64({1, 2, 3, 4, 5, 6}, {3, 2})}});
  Tensor y = emb(idx({2, 0}, {2}));
  EXPECT_TRUE(test::values_near(y, {5, 6, 1, 2}, 0));
  y.sum().backward();
  EXPECT_TRUE(test::values_near(emb.weight.grad(), {1, 1, 0, 0, 0, 0}, 0));
}

TEST(Embedding, Errors) {
  Generator gen(4);
  EXPECT_THROW(Embedding(0, 2, gen), std::invalid_argument);
  EXPECT_THROW(Embedding(3, 2, gen, 3), std::invalid_argument);
  EXPECT_THROW(Embedding(3, 2, gen, -4), std::invalid_argument);
  Embedding emb(10, 2, gen);
  try {
    emb(idx({0, 3, 12}, {3}));
    FAIL() << "expected an index error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("index 12 out of range for 10 embeddings at position 2"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(emb(idx({-1}, {1})), std::invalid_argument);
  EXPECT_THROW(emb(zeros({2})), std::invalid_argument);  // Float32 indices
}

TEST(Embedding, GradcheckWithAndWithoutPadding) {
  Generator gen(5);
  // With padding_idx = 2 the padding row is deliberately not differentiated
  // (checked above), so the tokens avoid it; the masked path is still used.
  Tensor tokens = idx({0, 3, 3, 1, 1, 0}, {3, 2});
  for (std::optional<int64_t> pad : {std::optional<int64_t>{}, std::optional<int64_t>{2}}) {
    Embedding emb(4, 3, gen, pad);
    emb.to(DType::Float64);
    auto fn = [&](const std::vector<Tensor>& in) {
      emb.weight = in[0];
      return emb(tokens);
    };
    auto r = gradcheck(fn, {emb.weight.detach().clone()});
    EXPECT_TRUE(r.ok) << r.message;
  }
}

}  // namespace
}  // namespace gradlab::nn
