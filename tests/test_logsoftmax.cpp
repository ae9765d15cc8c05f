// tests/test_logsoftmax.cpp — the course's canonical suite for phase 02
// (logsumexp, log_softmax, softmax). It calls ONLY the phase interface in
// labs/02_logsoftmax/lab.h, so it is compiled once and linked against each
// implementation: the reference (must pass), the starter and every bug-zoo
// entry (must fail at least one test), and a student's code.
//
// Three kinds of test, as the course demands:
//   property  (RapidCheck: on failure it shrinks to the smallest input)
//             shift invariance, sums to one, max <= lse <= max + log n,
//             permutation equivariance, reductions compose, f32 ~ f64
//   reference golden values from SciPy 1.10 in float64
//             (tests/data/losses_logsoftmax_reference.json, made by
//             tests/data/gen_reference.py, provenance inside)
//   stress    [1000,1001,1002], [-1000,-999,-998], [-1000,1000], +-inf and
//             NaN rows, fp16 near 65504, a wide fp16 row, a 1,000,000-wide row
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/random.h"
#include "core/tensor.h"
#include "labs/02_logsoftmax/lab.h"
#include "tests/losses/golden.h"

namespace {

using gradlab::DType;
using gradlab::Shape;
using gradlab::Tensor;
using losses_test::all_close;
using losses_test::json;

Tensor tensor(const std::vector<double>& v, Shape shape, DType dt = DType::Float64) {
  return gradlab::from_vector<double>(v, std::move(shape)).to(dt);
}
Tensor row(const std::vector<double>& v, DType dt = DType::Float64) {
  return tensor(v, {static_cast<int64_t>(v.size())}, dt);
}
std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
double max_of(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

// ---- generators ----------------------------------------------------------------
// Values on a 1/1000 grid times a scale from 1 to 1000, so rows range from
// gentle to "naive exp overflows".
rc::Gen<std::vector<double>> gen_row(int max_len = 24) {
  return rc::gen::mapcat(rc::gen::element(1.0, 10.0, 100.0, 1000.0), [max_len](double scale) {
    return rc::gen::mapcat(rc::gen::inRange(1, max_len + 1), [scale](int n) {
      return rc::gen::container<std::vector<double>>(
          static_cast<size_t>(n), rc::gen::map(rc::gen::inRange(-1000, 1001), [scale](int v) {
            return v / 1000.0 * scale;
          }));
    });
  });
}

// ==== property ===================================================================

RC_GTEST_PROP(LogSoftmaxProperty, ShiftInvariance, ()) {
  const std::vector<double> z = *gen_row();
  const double c = *rc::gen::map(rc::gen::inRange(-100000, 100001), [](int v) { return v / 100.0; });
  std::vector<double> zc = z;
  for (double& v : zc) v += c;
  const std::vector<double> a = values(lab02::log_softmax(row(z)));
  const std::vector<double> b = values(lab02::log_softmax(row(zc)));
  // z + c is rounded: allow a few ulps of |z| + |c| per element.
  RC_ASSERT(all_close(b, a, 0.0, 1e-12 * (1.0 + std::fabs(c) + max_of(z) - *std::min_element(z.begin(), z.end()))));
}

RC_GTEST_PROP(LogSoftmaxProperty, ExpSumsToOne, ()) {
  const std::vector<double> z = *gen_row();
  double s_log = 0.0, s_soft = 0.0;
  for (double v : values(lab02::log_softmax(row(z)))) s_log += std::exp(v);
  for (double v : values(lab02::softmax(row(z)))) s_soft += v;
  RC_ASSERT(std::fabs(s_log - 1.0) <= 1e-12);
  RC_ASSERT(std::fabs(s_soft - 1.0) <= 1e-12);
}

RC_GTEST_PROP(LogSoftmaxProperty, SoftmaxIsExpOfLogSoftmax, ()) {
  const std::vector<double> z = *gen_row();
  std::vector<double> e = values(lab02::log_softmax(row(z)));
  for (double& v : e) v = std::exp(v);
  RC_ASSERT(all_close(values(lab02::softmax(row(z))), e, 1e-12, 1e-300));
}

RC_GTEST_PROP(LogSoftmaxProperty, LogSumExpBetweenMaxAndMaxPlusLogN, ()) {
  const std::vector<double> z = *gen_row();
  const double m = max_of(z);
  const double lse = lab02::logsumexp(row(z)).item();
  const double slack = 1e-12 * (1.0 + std::fabs(m));
  RC_ASSERT(lse >= m - slack);
  RC_ASSERT(lse <= m + std::log(static_cast<double>(z.size())) + slack);
}

RC_GTEST_PROP(LogSoftmaxProperty, PermutationEquivariance, ()) {
  const std::vector<double> z = *gen_row();
  std::vector<size_t> perm(z.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  for (size_t i = perm.size(); i-- > 1;)  // Fisher-Yates with generated picks
    std::swap(perm[i], perm[static_cast<size_t>(*rc::gen::inRange<size_t>(0, i + 1))]);
  std::vector<double> zp(z.size());
  for (size_t i = 0; i < z.size(); ++i) zp[i] = z[perm[i]];
  const std::vector<double> a = values(lab02::log_softmax(row(z)));
  const std::vector<double> b = values(lab02::log_softmax(row(zp)));
  for (size_t i = 0; i < z.size(); ++i)
    RC_ASSERT(std::fabs(b[i] - a[perm[i]]) <= 1e-12 * (1.0 + std::fabs(a[perm[i]])));
  const double la = lab02::logsumexp(row(z)).item(), lb = lab02::logsumexp(row(zp)).item();
  RC_ASSERT(std::fabs(la - lb) <= 1e-12 * (1.0 + std::fabs(la)));
}

// logsumexp over all dims = logsumexp over dim 1, then over dim 0; and the
// rows of a matrix are independent (dim=-1 equals each row on its own).
RC_GTEST_PROP(LogSoftmaxProperty, ReductionsCompose, ()) {
  const int rows = *rc::gen::inRange(1, 5);
  const int cols = *rc::gen::inRange(1, 9);
  std::vector<double> m;
  for (int i = 0; i < rows * cols; ++i)
    m.push_back(*rc::gen::map(rc::gen::inRange(-30000, 30001), [](int v) { return v / 100.0; }));
  const Tensor x = tensor(m, {rows, cols});
  const double all = lab02::logsumexp(x).item();
  const double nested = lab02::logsumexp(lab02::logsumexp(x, {1}), {0}).item();
  RC_ASSERT(std::fabs(all - nested) <= 1e-12 * (1.0 + std::fabs(all)));
  const std::vector<double> by_row = values(lab02::log_softmax(x, -1));
  for (int i = 0; i < rows; ++i) {
    std::vector<double> r(m.begin() + i * cols, m.begin() + (i + 1) * cols);
    const std::vector<double> one = values(lab02::log_softmax(row(r)));
    for (int j = 0; j < cols; ++j) RC_ASSERT(by_row[i * cols + j] == one[j]);
  }
}

// Float32 must agree with Float64 to float precision (computing in float is
// fine; losing the max shift or summing badly is not).
RC_GTEST_PROP(LogSoftmaxProperty, Float32MatchesFloat64, ()) {
  const std::vector<double> z = *gen_row(64);
  std::vector<double> z32;
  for (double v : z) z32.push_back(static_cast<float>(v));
  const std::vector<double> a = values(lab02::log_softmax(row(z32, DType::Float32)));
  const std::vector<double> b = values(lab02::log_softmax(row(z32)));
  RC_ASSERT(lab02::log_softmax(row(z32, DType::Float32)).dtype() == DType::Float32);
  const double scale = 1.0 + max_of(z32) - *std::min_element(z32.begin(), z32.end());
  RC_ASSERT(all_close(a, b, 0.0, 4e-7 * scale));
}

// ==== reference (SciPy 1.10, float64) ==============================================

const json& golden() {
  static const json g = losses_test::load_golden("losses_logsoftmax_reference.json");
  return g;
}

void check_case(const json& c, DType dt, double rtol, double atol) {
  const std::string op = c.at("op");
  SCOPED_TRACE(c.at("name").get<std::string>() + " " + op + " dtype " + gradlab::dtype_name(dt));
  const Tensor x = losses_test::tensor_of(c.at("x"), dt);
  Tensor out;
  if (op == "logsumexp")
    out = lab02::logsumexp(x, c.at("dims").get<std::vector<int64_t>>(), c.at("keepdim").get<bool>());
  else if (op == "log_softmax")
    out = lab02::log_softmax(x, c.at("dim").get<int64_t>());
  else
    out = lab02::softmax(x, c.at("dim").get<int64_t>());
  EXPECT_EQ(out.dtype(), dt);
  EXPECT_EQ(out.shape(), losses_test::shape_of(c.at("expected")));
  std::vector<double> expected = losses_test::values_of(c.at("expected"));
  if (dt == DType::Float32)  // beyond float's range the right answer is +-inf
    for (double& e : expected)
      if (std::fabs(e) > std::numeric_limits<float>::max()) e = e > 0 ? HUGE_VAL : -HUGE_VAL;
  EXPECT_TRUE(all_close(out, expected, rtol, atol));
}

bool lab_case(const json& c) {
  const std::string op = c.at("op");
  return op == "logsumexp" || op == "log_softmax" || op == "softmax";
}

TEST(LogSoftmaxReference, GoldenHasProvenance) {
  const json& p = golden().at("provenance");
  EXPECT_EQ(p.at("scipy").get<std::string>().rfind("1.10", 0), 0u);
  EXPECT_TRUE(p.contains("seed"));
  EXPECT_TRUE(p.contains("command"));
  EXPECT_GT(golden().at("cases").size(), 100u);
}

TEST(LogSoftmaxReference, Float64MatchesScipy) {
  int n = 0;
  for (const json& c : golden().at("cases"))
    if (lab_case(c)) check_case(c, DType::Float64, 1e-12, 1e-12), ++n;
  EXPECT_GT(n, 100);
}

// Float32 tolerances: inputs are float32-exact, but x - max is rounded to
// float (error up to ~1.2e-7 * scale, scale = the largest |x|), and exp/log
// add a few float ulps. log-values get that as absolute error, softmax as
// relative error.
void check_case_f32(const json& c) {
  double scale = 1.0;
  for (double v : losses_test::values_of(c.at("x")))
    if (std::isfinite(v)) scale = std::max(scale, std::fabs(v));
  if (c.at("op") == "softmax") check_case(c, DType::Float32, 1e-6 + 2.4e-7 * scale, 1e-37);
  else check_case(c, DType::Float32, 2e-6, 2.4e-7 * scale);
}

TEST(LogSoftmaxReference, Float32MatchesScipy) {
  for (const json& c : golden().at("cases"))
    if (lab_case(c)) check_case_f32(c);
}

// ==== stress =========================================================================

const json& golden_case(const std::string& name, const std::string& op) {
  for (const json& c : golden().at("cases"))
    if (c.at("name") == name && c.at("op") == op) return c;
  throw std::runtime_error("no golden case " + name + " " + op);
}

void expect_finite(const Tensor& t, const std::string& what) {
  for (double v : values(t)) ASSERT_TRUE(std::isfinite(v)) << what << " gave " << v;
}

TEST(LogSoftmaxStress, LargeAndVeryNegativeRows) {
  for (const char* name : {"stress_large", "stress_very_negative", "stress_wide_range",
                           "stress_far_apart", "stress_tiny_gaps"}) {
    for (DType dt : {DType::Float64, DType::Float32}) {
      const Tensor x = losses_test::tensor_of(golden_case(name, "log_softmax").at("x"), dt);
      SCOPED_TRACE(std::string(name) + " " + gradlab::dtype_name(dt));
      expect_finite(lab02::log_softmax(x), "log_softmax");
      expect_finite(lab02::softmax(x), "softmax");
      expect_finite(lab02::logsumexp(x), "logsumexp");
      for (const char* op : {"log_softmax", "softmax", "logsumexp"}) {
        if (dt == DType::Float64) check_case(golden_case(name, op), dt, 1e-12, 1e-12);
        else check_case_f32(golden_case(name, op));
      }
    }
  }
  // Near float's largest value: still no overflow in float32 (the logsumexp
  // is 3e38 + log 2, representable).
  const json& big = golden_case("stress_near_fp32_max", "logsumexp");
  expect_finite(lab02::logsumexp(losses_test::tensor_of(big.at("x"), DType::Float32)), "logsumexp");
  check_case_f32(big);
}

TEST(LogSoftmaxStress, LogSoftmaxOfFarApartValuesIsExact) {
  // log_softmax([1000, 1]) = [0, -999]: never log of an underflowed 0.
  const std::vector<double> out = values(lab02::log_softmax(row({1000.0, 1.0})));
  const json& c = golden_case("stress_far_apart", "log_softmax");
  EXPECT_TRUE(all_close(out, losses_test::values_of(c.at("expected")), 0.0, 1e-12));
}

TEST(LogSoftmaxStress, InfinityAndNaNRowsFollowScipy) {
  for (const char* name : {"stress_with_neg_inf", "stress_all_neg_inf", "stress_with_pos_inf",
                           "stress_pos_and_neg_inf", "stress_two_pos_inf", "stress_with_nan",
                           "stress_nan_and_inf", "stress_single_neg_inf", "special_matrix"}) {
    for (const json& c : golden().at("cases"))
      if (c.at("name") == name && lab_case(c)) {
        check_case(c, DType::Float64, 1e-12, 1e-12);
        check_case_f32(c);
      }
  }
}

TEST(LogSoftmaxStress, Float16NearMax) {
  // 65504 is the largest half; exp in half overflows above ~11.09.
  const std::vector<double> z = {65504.0, 64992.0, 60000.0, 0.0};  // all exact in half
  const Tensor x = row(z, DType::Float16);
  const Tensor ls = lab02::log_softmax(x), sm = lab02::softmax(x), lse = lab02::logsumexp(x);
  EXPECT_EQ(ls.dtype(), DType::Float16);
  EXPECT_EQ(sm.dtype(), DType::Float16);
  EXPECT_EQ(lse.dtype(), DType::Float16);
  // exact answers: every difference is representable in half
  EXPECT_TRUE(all_close(ls, {0.0, -512.0, -5504.0, -65504.0}, 1e-3, 0.0));
  EXPECT_TRUE(all_close(sm, {1.0, 0.0, 0.0, 0.0}, 1e-3, 0.0));
  EXPECT_TRUE(all_close(lse, {65504.0}, 1e-3, 0.0));
}

TEST(LogSoftmaxStress, Float16WideRowIsSummedInFloat32) {
  // 4096 values near 0: a sum of exp accumulated in half stalls at 2048
  // (spacing 2 there), giving log(2048) instead of about log(4096).
  gradlab::Generator gen(7);
  const Tensor x = (gradlab::randn({4096}, gen) * 0.1).to(DType::Float16);
  const std::vector<double> xv = values(x);  // the half-rounded inputs
  double m = max_of(xv), s = 0.0;
  for (double v : xv) s += std::exp(v - m);
  const double expected = m + std::log(s);
  // within 2 half ulps (2^-10 relative each) of the exact value
  EXPECT_NEAR(lab02::logsumexp(x).item(), expected, 2.0 * expected / 1024.0);
  double total = 0.0;  // 4096 outputs, each rounded to half (2^-11 relative)
  for (double v : values(lab02::softmax(x))) total += v;
  EXPECT_NEAR(total, 1.0, 2e-3);
}

TEST(LogSoftmaxStress, MillionWideRow) {
  gradlab::Generator gen(11);
  const int64_t n = 1000000;
  const Tensor x32 = gradlab::randn({n}, gen) * 10.0;  // Float32
  const std::vector<double> xv = values(x32);
  const double m = max_of(xv);
  long double s = 0.0L;
  for (double v : xv) s += std::exp(static_cast<long double>(v - m));
  const double expected = m + static_cast<double>(std::log(s));
  // float32 with 1e6 terms: a plain float sum is off by ~sqrt(n) ulps
  EXPECT_NEAR(lab02::logsumexp(x32).item(), expected, 2e-4);
  EXPECT_NEAR(lab02::logsumexp(x32.to(DType::Float64)).item(), expected, 1e-9);
  double total = 0.0;
  for (double v : values(lab02::softmax(x32))) total += v;
  EXPECT_NEAR(total, 1.0, 1e-4);
  const std::vector<double> ls = values(lab02::log_softmax(x32.to(DType::Float64)));
  EXPECT_NEAR(ls[0], xv[0] - expected, 1e-9);
  EXPECT_NEAR(ls[n - 1], xv[n - 1] - expected, 1e-9);
}

TEST(LogSoftmaxStress, ShapesDimsAndKeepdim) {
  const Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(lab02::logsumexp(x).shape(), Shape{});
  EXPECT_EQ(lab02::logsumexp(x, {1}).shape(), Shape{2});
  EXPECT_EQ(lab02::logsumexp(x, {-2}, true).shape(), (Shape{1, 3}));
  EXPECT_EQ(lab02::logsumexp(x, {}, true).shape(), (Shape{1, 1}));
  EXPECT_EQ(lab02::log_softmax(x, 0).shape(), (Shape{2, 3}));
  // dim 0 of a (2,3) matrix = dim 1 of its transpose
  const std::vector<double> a = values(lab02::softmax(x, 0));
  const std::vector<double> b = values(lab02::softmax(tensor({1, 4, 2, 5, 3, 6}, {3, 2}), 1));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(a[i * 3 + j], b[j * 2 + i], 1e-15);
}

TEST(LogSoftmaxStress, EmptyReductionIsAnError) {
  EXPECT_THROW(lab02::logsumexp(tensor({}, {0})), std::invalid_argument);
  EXPECT_THROW(lab02::logsumexp(tensor({}, {2, 0}), {1}), std::invalid_argument);
}

}  // namespace
