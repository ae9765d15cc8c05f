// tests/core/ops_unary_test.cpp — elementwise unary ops (core/ops_unary.cpp):
// neg, abs, exp, log, log1p, sqrt, relu, tanh, sigmoid, gelu, clamp, square,
// isnan, isfinite.
//
// For each op: values by hand (special values included), a float64 reference
// over random shapes, gradcheck over random shapes (plain and non-contiguous
// inputs), the dtype rules (Int64 allowed only for neg/abs/relu/clamp;
// Float16/BFloat16 computed in float32 and rounded once, checked over every
// 16-bit pattern), 0-d and zero-size inputs.
#include <cmath>
#include <limits>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct UnaryOp {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<double(double)> ref;
};

double ref_gelu(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }
double ref_sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

const std::vector<UnaryOp>& unary_ops() {
  static const std::vector<UnaryOp> ops = {
      {"neg", [](const Tensor& x) { return neg(x); }, [](double v) { return -v; }},
      {"abs", [](const Tensor& x) { return abs(x); }, [](double v) { return std::fabs(v); }},
      {"exp", [](const Tensor& x) { return exp(x); }, [](double v) { return std::exp(v); }},
      {"log", [](const Tensor& x) { return log(x); }, [](double v) { return std::log(v); }},
      {"log1p", [](const Tensor& x) { return log1p(x); }, [](double v) { return std::log1p(v); }},
      {"sqrt", [](const Tensor& x) { return sqrt(x); }, [](double v) { return std::sqrt(v); }},
      {"relu", [](const Tensor& x) { return relu(x); }, [](double v) { return v > 0 ? v : 0.0; }},
      {"tanh", [](const Tensor& x) { return tanh(x); }, [](double v) { return std::tanh(v); }},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, ref_sigmoid},
      {"gelu", [](const Tensor& x) { return gelu(x); }, ref_gelu},
      {"clamp", [](const Tensor& x) { return clamp(x, -0.5, 0.7); },
       [](double v) { return v < -0.5  ? -0.5
                             : v > 0.7 ? 0.7
                                       : v; }},
      {"square", [](const Tensor& x) { return square(x); }, [](double v) { return v * v; }},
  };
  return ops;
}

// Values k/10 + 0.05 in [-1.95, 1.95]: never within 0.05 of 0 or of a
// multiple of 0.1, so kinks (abs, relu at 0; clamp at -0.5, 0.7) are far
// from every finite-difference step.
Tensor grid_tensor(const Shape& s, uint64_t seed) {
  Generator gen(seed);
  return randint(-20, 20, s, gen).to(DType::Float64) * 0.1 + 0.05;
}

// ---- values by hand --------------------------------------------------------------
TEST(Unary, ValuesByHand) {
  Tensor x = f64({-2, -0.5, 0, 1, 3}, {5});
  EXPECT_TRUE(tensorIs(neg(x), {5}, {2, 0.5, 0, -1, -3}));
  EXPECT_TRUE(tensorIs(abs(x), {5}, {2, 0.5, 0, 1, 3}));
  EXPECT_TRUE(tensorIs(relu(x), {5}, {0, 0, 0, 1, 3}));
  EXPECT_TRUE(tensorIs(square(x), {5}, {4, 0.25, 0, 1, 9}));
  EXPECT_TRUE(tensorIs(clamp(x, -1, 2), {5}, {-1, -0.5, 0, 1, 2}));
  EXPECT_TRUE(tensorIs(exp(f64({0, 1, -kInf, kInf}, {4})), {4}, {1, std::exp(1.0), 0, kInf}));
  EXPECT_TRUE(tensorIs(log(f64({1, std::exp(2.0), 0, -1}, {4})), {4}, {0, 2, -kInf, kNaN}, 1e-15));
  // log1p keeps precision near 0 where log(1 + x) would round to 0.
  EXPECT_TRUE(tensorIs(log1p(f64({1e-20, 0, -1}, {3})), {3}, {1e-20, 0, -kInf}));
  EXPECT_TRUE(tensorIs(sqrt(f64({4, 0, 2.25, -1}, {4})), {4}, {2, 0, 1.5, kNaN}));
  EXPECT_TRUE(tensorIs(tanh(f64({0, kInf, -kInf, 20}, {4})), {4}, {0, 1, -1, 1}));
  // sigmoid never overflows: exp of a large positive number is never taken.
  EXPECT_TRUE(tensorIs(sigmoid(f64({0, -1000, 1000, 2}, {4})), {4},
                       {0.5, 0, 1, 1 / (1 + std::exp(-2.0))}, 1e-16));
  // e^-100 is a float32 subnormal (spacing 2^-149 ~ 1.4e-45): correct to one step.
  EXPECT_TRUE(tensorIs(sigmoid(full({1}, -100, DType::Float32)), {1}, {std::exp(-100.0)}, 1.5e-45));
  // gelu(x) = x Φ(x): Φ(1) = 0.8413447460685429, Φ(-1) = 0.15865525393145707.
  EXPECT_TRUE(tensorIs(gelu(f64({0, 1, -1, 10}, {4})), {4},
                       {0, 0.8413447460685429, -0.15865525393145707, 10}, 1e-15));
  EXPECT_TRUE(tensorIs(clamp(f64({kNaN}, {1}), 0, 1), {1}, {kNaN}));  // NaN passes through
}

TEST(Unary, IsnanIsfinite) {
  Tensor x = f64({1, kNaN, kInf, -kInf, 0}, {5});
  EXPECT_EQ(isnan(x).dtype(), DType::Bool);
  EXPECT_TRUE(tensorIs(isnan(x), {5}, {0, 1, 0, 0, 0}));
  EXPECT_TRUE(tensorIs(isfinite(x), {5}, {1, 0, 0, 0, 1}));
  EXPECT_TRUE(tensorIs(isnan(x.to(DType::Float16)), {5}, {0, 1, 0, 0, 0}));
  EXPECT_TRUE(tensorIs(isfinite(i64({1, 2}, {2})), {2}, {1, 1}));
  EXPECT_TRUE(
      tensorIs(isnan(transpose(f64({kNaN, 1, 2, kNaN}, {2, 2}), 0, 1)), {2, 2}, {1, 0, 0, 1}));
}

TEST(Unary, GradientsAtKinksByHand) {
  // abs'(0) = 0, relu'(0) = 0, clamp passes the gradient on its bounds, sqrt'(0) = inf.
  Tensor x = f64({-1, 0, 2}, {3});
  x.requires_grad_();
  abs(x).sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {3}, {-1, 0, 1}));
  x.zero_grad();
  relu(x).sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {3}, {0, 0, 1}));
  x.zero_grad();
  clamp(x, 0, 2).sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {3}, {0, 1, 1}));
  Tensor z = f64({0, 4}, {2});
  z.requires_grad_();
  sqrt(z).sum().backward();
  EXPECT_TRUE(tensorIs(z.grad(), {2}, {kInf, 0.25}));
}

// ---- dtypes --------------------------------------------------------------------------
TEST(Unary, IntegerInputs) {
  Tensor i = i64({-3, 0, 4}, {3});
  EXPECT_EQ(neg(i).dtype(), DType::Int64);
  EXPECT_TRUE(tensorIs(neg(i), {3}, {3, 0, -4}));
  EXPECT_TRUE(tensorIs(abs(i), {3}, {3, 0, 4}));
  EXPECT_TRUE(tensorIs(relu(i), {3}, {0, 0, 4}));
  EXPECT_EQ(abs(i).dtype(), DType::Int64);
  EXPECT_THROWS_WITH(exp(i), std::invalid_argument, "exp", "Int64");
  EXPECT_THROWS_WITH(log(i), std::invalid_argument, "log", "Int64");
  EXPECT_THROWS_WITH(sqrt(i), std::invalid_argument, "sqrt", "Int64");
  EXPECT_THROWS_WITH(tanh(i), std::invalid_argument, "tanh", "Int64");
  EXPECT_THROWS_WITH(sigmoid(i), std::invalid_argument, "sigmoid", "Int64");
  EXPECT_THROWS_WITH(gelu(i), std::invalid_argument, "gelu", "Int64");
  EXPECT_THROWS_WITH(log1p(ones({2}, DType::Bool)), std::invalid_argument, "log1p", "Bool");
  EXPECT_THROWS_WITH(neg(ones({2}, DType::Bool)), std::invalid_argument, "neg", "Bool");
  EXPECT_THROWS_WITH(clamp(ones({2}), 1, 0), std::invalid_argument, "clamp", "1", "0");
}

// Every one of the 65536 half (and bfloat16) bit patterns, NaN, inf and
// subnormals included: the 16-bit result is the float32 result rounded once.
TEST(Unary, SixteenBitInputsComputeInFloat32) {
  std::vector<float> all;
  for (uint32_t b = 0; b < 65536; ++b) all.push_back(half_to_float(Half{static_cast<uint16_t>(b)}));
  std::vector<float> allb;
  for (uint32_t b = 0; b < 65536; ++b)
    allb.push_back(bfloat16_to_float(BFloat16{static_cast<uint16_t>(b)}));
  for (auto [dt, vals] : {std::pair{DType::Float16, &all}, std::pair{DType::BFloat16, &allb}}) {
    Tensor x = from_vector<float>(*vals, {65536}).to(dt);
    Tensor xf = x.to(DType::Float32);
    for (const UnaryOp& op : unary_ops()) {
      Tensor got = op.op(x);
      EXPECT_EQ(got.dtype(), dt) << op.name;
      EXPECT_TRUE(equal(got, op.op(xf).to(dt))) << op.name << " on " << dtype_name(dt);
    }
  }
}

TEST(Unary, ZeroDimAndZeroSize) {
  Tensor s = f64({0.5}, {});
  for (const UnaryOp& op : unary_ops()) {
    Tensor r = op.op(s);
    EXPECT_EQ(r.dim(), 0) << op.name;
    EXPECT_DOUBLE_EQ(r.item(), op.ref(0.5)) << op.name;
    EXPECT_EQ(op.op(zeros({0, 3}, DType::Float64)).shape(), (Shape{0, 3})) << op.name;
  }
  Tensor e = zeros({2, 0}, DType::Float64);
  e.requires_grad_();
  exp(e).sum().backward();
  EXPECT_EQ(e.grad().shape(), (Shape{2, 0}));
}

// ---- properties ------------------------------------------------------------------------
RC_GTEST_PROP(Unary, MatchesScalarReference, ()) {
  const Tensor x = *genTensor();
  const std::vector<double> xv = values(x);
  for (const UnaryOp& op : unary_ops()) {
    RC_LOG() << op.name << "\n";
    Tensor got = op.op(x);
    RC_ASSERT(got.shape() == x.shape());
    RC_ASSERT(got.dtype() == DType::Float64);
    std::vector<double> want;
    for (double v : xv) want.push_back(op.ref(v));
    RC_ASSERT(sameValues(got, f64(want, x.shape()), 1e-15));
  }
}

RC_GTEST_PROP(Unary, NonContiguousInputMatchesContiguous, ()) {
  const ViewCase v = *genView();
  const Tensor x = v.make(*genSeed());
  const Tensor xc = x.contiguous();
  for (const UnaryOp& op : unary_ops()) {
    RC_LOG() << op.name << "\n";
    RC_ASSERT(sameValues(op.op(x), op.op(xc)));
  }
  RC_ASSERT(sameValues(isnan(log(x)), isnan(log(xc))));
  RC_ASSERT(sameValues(isfinite(log(x)), isfinite(log(xc))));
}

RC_GTEST_PROP(Unary, IdentitiesHold, ()) {
  const Shape s = *genShape();
  const Tensor x = randomTensor(s, *genSeed()), p = positiveTensor(s, *genSeed());
  RC_ASSERT(sameValues(exp(log(p)), p, 1e-15));
  RC_ASSERT(sameValues(square(sqrt(p)), p, 1e-15));
  RC_ASSERT(sameValues(neg(neg(x)), x));
  RC_ASSERT(sameValues(sub(relu(x), relu(neg(x))), x));
  RC_ASSERT(sameValues(add(sigmoid(x), sigmoid(neg(x))), ones(s, DType::Float64), 1e-15));
  RC_ASSERT(sameValues(
      tanh(x), sub(mul(sigmoid(x * 2.0), full({}, 2, DType::Float64)), ones({}, DType::Float64)),
      1e-14));
}

// ---- gradcheck -------------------------------------------------------------------------
// Inputs are chosen inside each op's smooth domain: positive for log, log1p
// and sqrt; away from the kink for abs, relu and clamp.
Tensor input_for(const char* name, const Shape& s, uint64_t seed) {
  const std::string n = name;
  if (n == "log" || n == "log1p" || n == "sqrt") return positiveTensor(s, seed);
  if (n == "abs" || n == "relu" || n == "clamp") return grid_tensor(s, seed);
  return randomTensor(s, seed);
}

RC_GTEST_PROP(UnaryGrad, EveryOp, ()) {
  const Shape s = *genGradShape();
  const uint64_t seed = *genSeed();
  for (const UnaryOp& op : unary_ops()) {
    RC_LOG() << op.name << "\n";
    auto f = op.op;
    rcGradcheck([f](const std::vector<Tensor>& x) { return f(x[0]); },
                {input_for(op.name, s, seed)});
  }
}

RC_GTEST_PROP(UnaryGrad, EveryOpOnNonContiguousInput, ()) {
  const ViewCase v = *genView(genGradShape());
  const uint64_t seed = *genSeed();
  for (const UnaryOp& op : unary_ops()) {
    RC_LOG() << op.name << "\n";
    auto f = op.op;
    rcGradcheck([f, v](const std::vector<Tensor>& x) { return f(v.apply(x[0])); },
                {input_for(op.name, v.base_shape, seed)});
  }
}

RC_GTEST_PROP(UnaryGrad, Composition, ()) {
  const Shape s = *genGradShape();
  rcGradcheck(
      [](const std::vector<Tensor>& x) {
        return gelu(tanh(x[0]) * sigmoid(x[0])) + log1p(exp(x[0]));
      },
      {randomTensor(s, *genSeed())});
}

}  // namespace
}  // namespace gradlab
