// tests/core/gradcheck_test.cpp — the numerical gradient checker
// (core/gradcheck.cpp): it accepts correct backwards, rejects wrong ones
// wherever the error is, and reports the worst element's input, flat index,
// multi-index, both values and the errors.
#include <cmath>
#include <limits>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;
using ::testing::HasSubstr;

// cube(x) = x^3 with a backward that adds `bump` to the gradient of element
// `bad` (bump = 0: the correct backward 3x^2).
Tensor bumped_cube(const Tensor& x, int64_t bad, double bump) {
  Tensor xd = x.detach();
  Tensor out = xd * xd * xd;
  return record("bumped_cube", out, {x}, [xd, bad, bump](const Tensor& g) {
    Tensor grad = (g * (xd * xd * 3.0)).contiguous().clone();
    if (bad >= 0) grad.data_ptr<double>()[bad] += bump;
    return std::vector<Tensor>{grad};
  });
}

TEST(Gradcheck, AcceptsCorrectBackwards) {
  Tensor a = f64({1, 2, 3, 4}, {2, 2}), b = f64({0.5, -1, 2, 0.25}, {2, 2});
  EXPECT_TRUE(
      gradcheck([](const std::vector<Tensor>& x) { return bumped_cube(x[0], -1, 0); }, {a}));
  GradcheckResult r =
      gradcheck([](const std::vector<Tensor>& x) { return matmul(x[0], x[1]); }, {a, b});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(r.message.empty());
  // 0-d, zero-size and Float32 inputs (checked as float64 leaves).
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& x) { return exp(x[0]); }, {f64({0.3}, {})}));
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& x) { return exp(x[0]); }, {zeros({0, 2})}));
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& x) { return tanh(x[0]); },
                        {from_vector<float>({0.1f, 2}, {2})}));
}

TEST(Gradcheck, ReportsTheWorstElement) {
  Tensor a = f64({1, 2, 3, 4}, {2, 2});
  GradcheckResult r =
      gradcheck([](const std::vector<Tensor>& x) { return bumped_cube(x[0], 3, 1.0); }, {a});
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_THAT(r.message, hasAll({"gradcheck", "input 0", "element 3", "(index (1,1))", "analytic",
                                 "numeric", "abs err 1,", "rel err"}));
  // Two wrong elements: the larger error is reported.
  GradcheckResult r2 = gradcheck(
      [](const std::vector<Tensor>& x) {
        return add(bumped_cube(x[0], 0, 0.5), bumped_cube(x[0], 2, 2.0));
      },
      {a});
  EXPECT_THAT(r2.message, hasAll({"element 2", "(index (1,0))", "abs err 2,"}));
}

TEST(Gradcheck, NamesTheInput) {
  Tensor a = f64({1, 2}, {2}), b = f64({3, 4, 5}, {3});
  GradcheckResult r = gradcheck(
      [](const std::vector<Tensor>& x) { return add(sum(x[0]), bumped_cube(x[1], 1, -3.0)); },
      {a, b});
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.message, hasAll({"input 1", "(3)", "element 1", "(index (1))", "abs err 3,"}));
}

TEST(Gradcheck, HonoursTolerances) {
  // A backward off by a relative 1e-4 passes the default rtol 1e-3 ...
  Tensor x = f64({1, 2, 3}, {3});
  auto slightly_off = [](const std::vector<Tensor>& in) {
    Tensor xd = in[0].detach();
    return record("slightly_off", xd * xd, {in[0]}, [xd](const Tensor& g) {
      return std::vector<Tensor>{g * xd * (2.0 * (1 + 1e-4))};
    });
  };
  EXPECT_TRUE(gradcheck(slightly_off, {x}));
  // ... and fails a tighter one.
  GradcheckResult r = gradcheck(slightly_off, {x}, {.eps = 1e-6, .atol = 0, .rtol = 1e-6});
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.message, HasSubstr("rel err"));
}

TEST(Gradcheck, NaNGradientFails) {
  auto nan_grad = [](const std::vector<Tensor>& in) {
    return record("nan_grad", in[0].detach() * 1.0, {in[0]}, [](const Tensor& g) {
      return std::vector<Tensor>{g * std::numeric_limits<double>::quiet_NaN()};
    });
  };
  EXPECT_FALSE(gradcheck(nan_grad, {f64({1, 2}, {2})}).ok);
}

TEST(Gradcheck, OutputWithoutGraphIsReported) {
  GradcheckResult r =
      gradcheck([](const std::vector<Tensor>& x) { return x[0].detach() * 2.0; }, {f64({1}, {1})});
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.message, HasSubstr("does not require grad"));
  GradcheckResult r2 =
      gradcheck([](const std::vector<Tensor>& x) { return argmax(x[0]); }, {f64({1, 3}, {2})});
  EXPECT_FALSE(r2.ok);
}

TEST(Gradcheck, IntegerInputsPassThrough) {
  Tensor index = i64({2, 0, 2}, {3});
  GradcheckResult r = gradcheck(
      [](const std::vector<Tensor>& x) {
        EXPECT_EQ(x[1].dtype(), DType::Int64);
        return index_select(x[0], 0, x[1]);
      },
      {f64({1, 2, 3}, {3}), index});
  EXPECT_TRUE(r.ok) << r.message;
}

// Wherever the wrong element is, in any shape, gradcheck finds it.
RC_GTEST_PROP(Gradcheck, FindsAWrongElementAnywhere, ()) {
  const Shape s = *genGradShape(1);
  const int64_t n = numel_of(s);
  const int64_t bad = *uniformInRange<int64_t>(0, n);
  const Tensor x = randomTensor(s, *genSeed());
  GradcheckResult ok =
      gradcheck([](const std::vector<Tensor>& in) { return bumped_cube(in[0], -1, 0); }, {x});
  RC_ASSERT(ok.ok);
  GradcheckResult r =
      gradcheck([bad](const std::vector<Tensor>& in) { return bumped_cube(in[0], bad, 0.5); }, {x});
  RC_ASSERT(!r.ok);
  RC_ASSERT(r.message.find("element " + std::to_string(bad) + " ") != std::string::npos);
  RC_ASSERT(r.message.find(shape_str(unravel(bad, s))) != std::string::npos);
}

}  // namespace
}  // namespace gradlab
