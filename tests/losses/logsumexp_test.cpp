// tests/losses/logsumexp_test.cpp — losses/logsumexp.cpp beyond the course
// suite: weights b and the signed form against SciPy 1.10 golden values,
// gradients, dims and errors, 16-bit inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "losses/logsumexp.h"
#include "tests/losses/golden.h"

namespace {

using gradlab::DType;
using gradlab::LogSumExpOptions;
using gradlab::Tensor;
using losses_test::json;

const json& golden() {
  static const json g = losses_test::load_golden("losses_logsoftmax_reference.json");
  return g;
}

TEST(LogSumExpWeighted, MatchesScipy) {
  int n = 0;
  for (const json& c : golden().at("cases")) {
    const std::string op = c.at("op");
    if (op != "logsumexp_weighted" && op != "logsumexp_signed") continue;
    ++n;
    for (DType dt : {DType::Float64, DType::Float32}) {
      SCOPED_TRACE(c.at("name").get<std::string>() + " " + op + " " + gradlab::dtype_name(dt));
      LogSumExpOptions o{.dims = c.at("dims").get<std::vector<int64_t>>(),
                         .keepdim = c.at("keepdim").get<bool>()};
      if (c.contains("b")) o.b = losses_test::tensor_of(c.at("b"), dt);
      const Tensor a = losses_test::tensor_of(c.at("x"), dt);
      const double tol = dt == DType::Float64 ? 1e-12 : 1e-6;
      if (op == "logsumexp_weighted") {
        const Tensor v = gradlab::logsumexp(a, o);
        EXPECT_EQ(v.dtype(), dt);
        EXPECT_EQ(v.shape(), losses_test::shape_of(c.at("expected")));
        EXPECT_TRUE(losses_test::all_close(v, losses_test::values_of(c.at("expected")), tol, tol));
      } else {
        const gradlab::SignedLogSumExp r = gradlab::logsumexp_signed(a, o);
        EXPECT_EQ(r.value.shape(), losses_test::shape_of(c.at("expected")));
        EXPECT_TRUE(losses_test::all_close(r.value, losses_test::values_of(c.at("expected")), tol, tol));
        EXPECT_TRUE(losses_test::all_close(r.sign, losses_test::values_of(c.at("sign")), 0, 0));
      }
    }
  }
  EXPECT_GT(n, 15);
}

TEST(LogSumExpGrad, PlainEveryDims) {
  gradlab::Generator gen(1);
  const Tensor x = gradlab::randn({2, 3, 4}, gen, DType::Float64) * 5.0;
  for (const std::vector<int64_t>& dims : std::vector<std::vector<int64_t>>{{}, {0}, {2}, {0, 2}, {-1, 1}})
    for (bool keepdim : {false, true}) {
      const auto res = gradlab::gradcheck(
          [&](const std::vector<Tensor>& in) { return gradlab::logsumexp(in[0], dims, keepdim); }, {x});
      EXPECT_TRUE(res.ok) << res.message;
    }
}

TEST(LogSumExpGrad, WeightedInAAndBWithBroadcasting) {
  gradlab::Generator gen(2);
  const Tensor a = gradlab::randn({3, 4}, gen, DType::Float64);
  const Tensor b = gradlab::rand({1, 4}, gen, DType::Float64) + 0.5;
  for (const std::vector<int64_t>& dims : std::vector<std::vector<int64_t>>{{}, {0}, {1}}) {
    auto res = gradlab::gradcheck(
        [&](const std::vector<Tensor>& in) {
          return gradlab::logsumexp(in[0], LogSumExpOptions{.dims = dims, .b = in[1]});
        },
        {a, b});
    EXPECT_TRUE(res.ok) << res.message;
    // the signed value, with a sum that is negative everywhere
    res = gradlab::gradcheck(
        [&](const std::vector<Tensor>& in) {
          return gradlab::logsumexp_signed(in[0], LogSumExpOptions{.dims = dims, .b = -in[1]}).value;
        },
        {a, b});
    EXPECT_TRUE(res.ok) << res.message;
  }
}

TEST(LogSumExpGrad, ZeroWeightsGetZeroGradientEvenWhereAIsInfOrNaN) {
  Tensor a = gradlab::from_vector<double>({INFINITY, 1.0, 2.0, NAN}, {4}).requires_grad_();
  const Tensor b = gradlab::from_vector<double>({0.0, 1.0, 1.0, 0.0}, {4});
  const Tensor v = gradlab::logsumexp(a, LogSumExpOptions{.b = b});
  EXPECT_NEAR(v.item(), std::log(std::exp(1.0) + std::exp(2.0)), 1e-15);
  v.backward();
  const std::vector<double> g = a.grad().to_vector<double>();
  EXPECT_EQ(g[0], 0.0);
  EXPECT_EQ(g[3], 0.0);
  EXPECT_NEAR(g[1] + g[2], 1.0, 1e-15);
}

TEST(LogSumExpErrors, DimsAndShapes) {
  const Tensor x = gradlab::zeros({2, 3});
  EXPECT_THROW(gradlab::logsumexp(x, {1, -1}), std::invalid_argument);  // repeated
  EXPECT_THROW(gradlab::logsumexp(x, {2}), std::invalid_argument);
  try {
    gradlab::logsumexp(gradlab::zeros({2, 0}), {1});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "logsumexp: cannot reduce over zero elements (shape (2,0), dims [1])");
  }
  // an empty output with a non-empty reduction is fine
  EXPECT_EQ(gradlab::logsumexp(gradlab::zeros({0, 3}), {1}).shape(), gradlab::Shape{0});
  EXPECT_THROW(gradlab::logsumexp(x, LogSumExpOptions{.b = gradlab::ones({4})}), std::invalid_argument);
  // 0-d input: its one value
  EXPECT_EQ(gradlab::logsumexp(gradlab::scalar_tensor(2.5, DType::Float64)).item(), 2.5);
}

TEST(LogSumExpDtypes, SixteenBitAndIntegers) {
  const Tensor x = gradlab::from_vector<float>({60000.0f, 59968.0f, -1.0f}, {3});
  const Tensor h = gradlab::logsumexp(x.to(DType::Float16));
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_EQ(h.item(), 60000.0);  // 60000 + log(1 + e^-32) rounds to 60000
  Tensor hl = x.to(DType::Float16).requires_grad_();
  gradlab::logsumexp(hl).backward();
  EXPECT_EQ(hl.grad().dtype(), DType::Float16);
  EXPECT_NEAR(hl.grad().to_vector<double>()[0], 1.0, 1e-3);  // computed in float32
  EXPECT_EQ(gradlab::logsumexp(gradlab::from_vector<int64_t>({0, 0}, {2})).dtype(), DType::Float32);
}

}  // namespace
