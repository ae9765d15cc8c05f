// tests/core/ops_elementwise_test.cpp — binary ops with NumPy broadcasting
// (core/ops_elementwise.cpp): add, sub, mul, div, pow, maximum, minimum, the
// comparisons, where, masked_fill and the scalar operators.
//
// For each op: values checked by hand, a reference computed by index
// arithmetic over random broadcast pairs, a gradcheck over random broadcast
// pairs, non-contiguous operands, 0-d and zero-size operands, and the error
// messages.
#include <cmath>
#include <limits>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;
using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- the ops under test, with a scalar reference each --------------------------
struct BinaryOp {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> op;
  std::function<double(double, double)> ref;
  bool compare;  // result is Bool
};

double ref_max(double x, double y) {
  return std::isnan(x) ? x : std::isnan(y) ? y : (x > y ? x : y);
}
double ref_min(double x, double y) {
  return std::isnan(x) ? x : std::isnan(y) ? y : (x < y ? x : y);
}

const std::vector<BinaryOp>& binary_ops() {
  static const std::vector<BinaryOp> ops = {
      {"add", [](const Tensor& a, const Tensor& b) { return add(a, b); },
       [](double x, double y) { return x + y; }, false},
      {"sub", [](const Tensor& a, const Tensor& b) { return sub(a, b); },
       [](double x, double y) { return x - y; }, false},
      {"mul", [](const Tensor& a, const Tensor& b) { return mul(a, b); },
       [](double x, double y) { return x * y; }, false},
      {"div", [](const Tensor& a, const Tensor& b) { return div(a, b); },
       [](double x, double y) { return x / y; }, false},
      {"pow", [](const Tensor& a, const Tensor& b) { return pow(a, b); },
       [](double x, double y) { return std::pow(x, y); }, false},
      {"maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); }, ref_max, false},
      {"minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); }, ref_min, false},
      {"eq", [](const Tensor& a, const Tensor& b) { return eq(a, b); },
       [](double x, double y) { return double(x == y); }, true},
      {"ne", [](const Tensor& a, const Tensor& b) { return ne(a, b); },
       [](double x, double y) { return double(x != y); }, true},
      {"lt", [](const Tensor& a, const Tensor& b) { return lt(a, b); },
       [](double x, double y) { return double(x < y); }, true},
      {"le", [](const Tensor& a, const Tensor& b) { return le(a, b); },
       [](double x, double y) { return double(x <= y); }, true},
      {"gt", [](const Tensor& a, const Tensor& b) { return gt(a, b); },
       [](double x, double y) { return double(x > y); }, true},
      {"ge", [](const Tensor& a, const Tensor& b) { return ge(a, b); },
       [](double x, double y) { return double(x >= y); }, true},
  };
  return ops;
}

// out[i] = f(a[broadcast i], b[broadcast i]) by index arithmetic, in float64.
Tensor reference_binary(const Tensor& a, const Tensor& b, const Shape& out,
                        const std::function<double(double, double)>& f) {
  std::vector<double> va = values(a), vb = values(b), vo(static_cast<std::size_t>(numel_of(out)));
  for (int64_t i = 0; i < numel_of(out); ++i) {
    std::vector<int64_t> idx = unravel(i, out);
    vo[static_cast<std::size_t>(i)] =
        f(va[static_cast<std::size_t>(ravel_broadcast(idx, a.shape()))],
          vb[static_cast<std::size_t>(ravel_broadcast(idx, b.shape()))]);
  }
  return f64(vo, out);
}

// ---- values by hand -------------------------------------------------------------
TEST(Elementwise, ArithmeticByHand) {
  Tensor a = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor col = f64({10, 20}, {2, 1});
  Tensor row = f64({1, 2, 4}, {3});
  EXPECT_TRUE(tensorIs(add(a, col), {2, 3}, {11, 12, 13, 24, 25, 26}));
  EXPECT_TRUE(tensorIs(sub(a, row), {2, 3}, {0, 0, -1, 3, 3, 2}));
  EXPECT_TRUE(tensorIs(mul(col, row), {2, 3}, {10, 20, 40, 20, 40, 80}));
  EXPECT_TRUE(tensorIs(div(a, row), {2, 3}, {1, 1, 0.75, 4, 2.5, 1.5}));
  EXPECT_TRUE(tensorIs(pow(row, f64({2}, {1})), {3}, {1, 4, 16}));
  EXPECT_TRUE(tensorIs(pow(f64({4, 9}, {2}), 0.5), {2}, {2, 3}));
  EXPECT_TRUE(tensorIs(maximum(a, f64({3}, {})), {2, 3}, {3, 3, 3, 4, 5, 6}));
  EXPECT_TRUE(tensorIs(minimum(a, f64({3}, {})), {2, 3}, {1, 2, 3, 3, 3, 3}));
  EXPECT_TRUE(tensorIs(maximum(f64({kNaN, 1}, {2}), f64({0, kNaN}, {2})), {2}, {kNaN, kNaN}));
  EXPECT_TRUE(tensorIs(div(f64({1, -1, 0}, {3}), f64({0}, {})), {3}, {kInf, -kInf, kNaN}));
}

TEST(Elementwise, OperatorsAndScalars) {
  Tensor x = f64({1, 2, 3}, {3});
  EXPECT_TRUE(tensorIs(x + 1.5, {3}, {2.5, 3.5, 4.5}));
  EXPECT_TRUE(tensorIs(1.5 + x, {3}, {2.5, 3.5, 4.5}));
  EXPECT_TRUE(tensorIs(x - 1.0, {3}, {0, 1, 2}));
  EXPECT_TRUE(tensorIs(1.0 - x, {3}, {0, -1, -2}));
  EXPECT_TRUE(tensorIs(x * 2.0, {3}, {2, 4, 6}));
  EXPECT_TRUE(tensorIs(2.0 * x, {3}, {2, 4, 6}));
  EXPECT_TRUE(tensorIs(x / 2.0, {3}, {0.5, 1, 1.5}));
  EXPECT_TRUE(tensorIs(6.0 / x, {3}, {6, 3, 2}));
  EXPECT_TRUE(tensorIs(-x, {3}, {-1, -2, -3}));
  EXPECT_TRUE(tensorIs(x + x * x - x / x, {3}, {1, 5, 11}));
  // Scalars keep a floating tensor's dtype.
  EXPECT_EQ((ones({2}, DType::Float32) * 0.1).dtype(), DType::Float32);
  EXPECT_EQ((ones({2}, DType::Float16) + 1.0).dtype(), DType::Float16);
  EXPECT_EQ((ones({2}, DType::BFloat16) / 3.0).dtype(), DType::BFloat16);
}

TEST(Elementwise, DtypePromotion) {
  Tensor i = i64({1, 2, 3}, {3});
  Tensor b = from_vector<uint8_t>({1, 0, 1}, {3});
  EXPECT_EQ(add(i, i).dtype(), DType::Int64);
  EXPECT_TRUE(tensorIs(add(i, i), {3}, {2, 4, 6}));
  EXPECT_EQ(add(b, b).dtype(), DType::Int64);  // Bool arithmetic gives Int64, as PyTorch
  EXPECT_TRUE(tensorIs(add(b, b), {3}, {2, 0, 2}));
  EXPECT_EQ(add(i, ones({3}, DType::Float32)).dtype(), DType::Float32);
  EXPECT_EQ(add(ones({3}, DType::Float32), ones({3}, DType::Float64)).dtype(), DType::Float64);
  EXPECT_EQ(add(ones({3}, DType::Float16), ones({3}, DType::BFloat16)).dtype(), DType::Float32);
  EXPECT_EQ(mul(i, ones({3}, DType::Float16)).dtype(), DType::Float16);
  // True division: integers give Float32.
  EXPECT_EQ(div(i, i64({2}, {})).dtype(), DType::Float32);
  EXPECT_TRUE(tensorIs(div(i, i64({2}, {})), {3}, {0.5, 1, 1.5}));
  // Integer scalars keep Int64; fractional ones promote to Float32.
  EXPECT_EQ((i * 2.0).dtype(), DType::Int64);
  EXPECT_TRUE(tensorIs(i * 2.0, {3}, {2, 4, 6}));
  EXPECT_EQ((i + 0.5).dtype(), DType::Float32);
  EXPECT_TRUE(tensorIs(i + 0.5, {3}, {1.5, 2.5, 3.5}));
}

TEST(Elementwise, ComparisonsGiveBool) {
  Tensor a = f64({1, 2, 3}, {3});
  Tensor b = i64({2}, {});
  EXPECT_EQ(eq(a, b).dtype(), DType::Bool);
  EXPECT_TRUE(tensorIs(eq(a, b), {3}, {0, 1, 0}));
  EXPECT_TRUE(tensorIs(ne(a, b), {3}, {1, 0, 1}));
  EXPECT_TRUE(tensorIs(lt(a, b), {3}, {1, 0, 0}));
  EXPECT_TRUE(tensorIs(le(a, b), {3}, {1, 1, 0}));
  EXPECT_TRUE(tensorIs(gt(a, b), {3}, {0, 0, 1}));
  EXPECT_TRUE(tensorIs(ge(a, b), {3}, {0, 1, 1}));
  EXPECT_TRUE(tensorIs(eq(f64({kNaN}, {1}), f64({kNaN}, {1})), {1}, {0}));
  EXPECT_TRUE(tensorIs(ne(f64({kNaN}, {1}), f64({kNaN}, {1})), {1}, {1}));
  // Not differentiable: no graph even from a leaf that requires grad.
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  EXPECT_FALSE(lt(x, x).requires_grad());
}

TEST(Elementwise, WhereAndMaskedFillByHand) {
  Tensor cond = from_vector<uint8_t>({1, 0, 0, 1}, {2, 2});
  Tensor a = f64({1, 2, 3, 4}, {2, 2});
  EXPECT_TRUE(tensorIs(where(cond, a, f64({-1}, {})), {2, 2}, {1, -1, -1, 4}));
  // cond (2), a (3,1), b () broadcast to (3,2).
  EXPECT_TRUE(
      tensorIs(where(from_vector<uint8_t>({1, 0}, {2}), f64({1, 2, 3}, {3, 1}), f64({0}, {})),
               {3, 2}, {1, 0, 2, 0, 3, 0}));
  // Picks elements, so inf in the unused branch does not turn into NaN.
  EXPECT_TRUE(
      tensorIs(where(from_vector<uint8_t>({1, 0}, {2}), f64({1, kInf}, {2}), f64({kInf, 2}, {2})),
               {2}, {1, 2}));
  EXPECT_TRUE(
      tensorIs(masked_fill(a, from_vector<uint8_t>({0, 1}, {2}), -9), {2, 2}, {1, -9, 3, -9}));
  EXPECT_TRUE(tensorIs(masked_fill(a, from_vector<uint8_t>({1}, {}), -kInf), {2, 2},
                       {-kInf, -kInf, -kInf, -kInf}));
  EXPECT_EQ(masked_fill(i64({1, 2}, {2}), from_vector<uint8_t>({1, 0}, {2}), 7).dtype(),
            DType::Int64);
}

TEST(Elementwise, WhereAndMaskedFillGradients) {
  Tensor a = f64({1, 2, 3, 4}, {2, 2}), b = f64({5, 6}, {2});
  a.requires_grad_();
  b.requires_grad_();
  Tensor cond = from_vector<uint8_t>({1, 0, 0, 1}, {2, 2});
  where(cond, a, b).sum().backward();
  EXPECT_TRUE(tensorIs(a.grad(), {2, 2}, {1, 0, 0, 1}));
  EXPECT_TRUE(tensorIs(b.grad(), {2}, {1, 1}));  // summed over the broadcast dim
  Tensor x = f64({1, 2, 3}, {3});
  x.requires_grad_();
  masked_fill(x, from_vector<uint8_t>({0, 1, 0}, {3}), 0).sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {3}, {1, 0, 1}));
}

TEST(Elementwise, MaximumMinimumTiesSplitTheGradient) {
  Tensor a = f64({1, 5, 3}, {3}), b = f64({2, 5, 1}, {3});
  a.requires_grad_();
  b.requires_grad_();
  maximum(a, b).sum().backward();
  EXPECT_TRUE(tensorIs(a.grad(), {3}, {0, 0.5, 1}));
  EXPECT_TRUE(tensorIs(b.grad(), {3}, {1, 0.5, 0}));
  a.zero_grad();
  b.zero_grad();
  minimum(a, b).sum().backward();
  EXPECT_TRUE(tensorIs(a.grad(), {3}, {1, 0.5, 0}));
  EXPECT_TRUE(tensorIs(b.grad(), {3}, {0, 0.5, 1}));
}

TEST(Elementwise, PowGradientAtZeroBase) {
  // d(a^b)/db = a^b log a, taken as 0 where a == 0 (0^b is flat in b there).
  Tensor a = f64({0, 2}, {2}), b = f64({2, 3}, {2});
  a.requires_grad_();
  b.requires_grad_();
  pow(a, b).sum().backward();
  EXPECT_TRUE(tensorIs(a.grad(), {2}, {0, 12}));
  EXPECT_TRUE(tensorIs(b.grad(), {2}, {0, 8 * std::log(2.0)}, 1e-12));
  EXPECT_TRUE(tensorIs(pow(f64({0}, {1}), f64({0}, {1})), {1}, {1}));
}

// ---- 16-bit floats ---------------------------------------------------------------
TEST(Elementwise, HalfArithmeticRoundsOnceFromFloat32) {
  // 1 + 2^-11 is exactly halfway between two halves: ties go to even (1).
  Tensor one = ones({1}, DType::Float16);
  EXPECT_TRUE(tensorIs(add(one, full({1}, std::ldexp(1.0, -11), DType::Float16)), {1}, {1}));
  EXPECT_TRUE(tensorIs(add(one, full({1}, 3 * std::ldexp(1.0, -11), DType::Float16)), {1},
                       {1 + std::ldexp(1.0, -9)}));
  // 60000 + 60000 overflows the half range (max 65504).
  Tensor big = full({1}, 60000, DType::Float16);
  EXPECT_TRUE(tensorIs(add(big, big), {1}, {kInf}));
  EXPECT_EQ(add(big, big).dtype(), DType::Float16);
  // Each op's result is stored as half: 300 * 300 overflows before the division.
  Tensor h = full({1}, 300, DType::Float16);
  EXPECT_TRUE(tensorIs(div(mul(h, h), h), {1}, {kInf}));
  // BFloat16 keeps float32's range: 1e30 * 1e8 is fine.
  Tensor bf = full({1}, 1e30, DType::BFloat16);
  EXPECT_TRUE(std::isfinite(mul(bf, full({1}, 1e8, DType::BFloat16)).item()));
}

// Every result equals the float32 result rounded once to the storage dtype.
RC_GTEST_PROP(Elementwise, HalfOpsEqualFloat32OpsRoundedOnce, ()) {
  const DType dt = *rc::gen::element(DType::Float16, DType::BFloat16);
  const Shape s = *genShape(2, 5);
  Generator gen(*genSeed());
  const Tensor a = uniform(s, -300, 300, gen, dt), b = uniform(s, -300, 300, gen, dt);
  const Tensor af = a.to(DType::Float32), bf = b.to(DType::Float32);
  RC_ASSERT(equal(add(a, b), add(af, bf).to(dt)));
  RC_ASSERT(equal(sub(a, b), sub(af, bf).to(dt)));
  RC_ASSERT(equal(mul(a, b), mul(af, bf).to(dt)));
  RC_ASSERT(equal(div(a, b), div(af, bf).to(dt)));
  RC_ASSERT(equal(maximum(a, b), maximum(af, bf).to(dt)));
  RC_ASSERT(add(a, b).dtype() == dt);
}

// ---- properties over random broadcast pairs --------------------------------------
RC_GTEST_PROP(Elementwise, MatchesIndexArithmeticReference, ()) {
  const BroadcastPair p = *genBroadcastPair();
  const Tensor a = randomTensor(p.a, *genSeed()), b = randomTensor(p.b, *genSeed());
  RC_ASSERT(broadcast_shapes(p.a, p.b) == p.out);
  for (const BinaryOp& op : binary_ops()) {
    RC_LOG() << op.name << "\n";
    Tensor got = op.op(a, b);
    RC_ASSERT(got.dtype() == (op.compare ? DType::Bool : DType::Float64));
    RC_ASSERT(sameValues(got, reference_binary(a, b, p.out, op.ref)));
  }
}

RC_GTEST_PROP(Elementwise, BroadcastLaws, ()) {
  const BroadcastPair p = *genBroadcastPair();
  const Tensor a = randomTensor(p.a, *genSeed()), b = randomTensor(p.b, *genSeed());
  // a + b expands like b + a, and both commute exactly.
  RC_ASSERT(broadcast_shapes(p.a, p.b) == broadcast_shapes(p.b, p.a));
  RC_ASSERT(sameValues(add(a, b), add(b, a)));
  RC_ASSERT(sameValues(mul(a, b), mul(b, a)));
  RC_ASSERT(sameValues(maximum(a, b), maximum(b, a)));
  // Broadcasting is the same as expanding first.
  RC_ASSERT(sameValues(add(a, b), add(expand(a, p.out), expand(b, p.out))));
  // a - b = -(b - a); comparisons mirror.
  RC_ASSERT(sameValues(sub(a, b), neg(sub(b, a))));
  RC_ASSERT(sameValues(lt(a, b), gt(b, a)));
}

RC_GTEST_PROP(Elementwise, NonContiguousOperandsMatchContiguous, ()) {
  const BroadcastPair p = *genBroadcastPair();
  const ViewCase va = *genView(p.a), vb = *genView(p.b);
  const Tensor a = va.make(*genSeed()), b = vb.make(*genSeed());
  const Tensor ac = a.contiguous(), bc = b.contiguous();
  RC_ASSERT(ac.is_contiguous() ||
            ac.numel() == 0);  // zero-size: see Tensor.ZeroSizeTensorsAreContiguous
  for (const BinaryOp& op : binary_ops()) {
    RC_LOG() << op.name << "\n";
    RC_ASSERT(sameValues(op.op(a, b), op.op(ac, bc)));
  }
  const Tensor cond = gt(a, scalar_tensor(0.0, DType::Float64));
  RC_ASSERT(sameValues(where(cond, a, b), where(cond.contiguous(), ac, bc)));
  const Tensor mask = gt(b, scalar_tensor(0.0, DType::Float64));  // (b) broadcasts to (out)
  const Tensor big = add(a, b);
  RC_ASSERT(
      sameValues(masked_fill(transpose(big, 0, -1), transpose(expand(mask, p.out), 0, -1), -1.0),
                 transpose(masked_fill(big, mask, -1.0), 0, -1)));
  RC_ASSERT(sameValues(pow(a, 3.0), pow(ac, 3.0)));
  RC_ASSERT(sameValues(a * 2.0 - 1.0 / (b + 9.0), ac * 2.0 - 1.0 / (bc + 9.0)));
  RC_ASSERT(sameValues(-a, -ac));
}

RC_GTEST_PROP(Elementwise, WhereAndMaskedFillMatchReference, ()) {
  const BroadcastPair p = *genBroadcastPair();
  const Tensor x = randomTensor(p.a, *genSeed()), m = randomTensor(p.b, *genSeed());
  const Tensor cond = gt(m, scalar_tensor(0.0, DType::Float64));
  const Tensor other = randomTensor(p.out, *genSeed());
  Tensor ref = reference_binary(
      reference_binary(m, x, p.out, [](double c, double v) { return c > 0 ? v : kNaN; }), other,
      p.out, [](double v, double o) { return std::isnan(v) ? o : v; });
  RC_ASSERT(sameValues(where(cond, x, other), ref));
  // masked_fill: the mask broadcasts to x, never the other way.
  const Tensor big = randomTensor(p.out, *genSeed());
  Tensor filled = masked_fill(big, cond, 7.5);
  Tensor ref_fill =
      reference_binary(cond, big, p.out, [](double c, double v) { return c != 0 ? 7.5 : v; });
  RC_ASSERT(sameValues(filled, ref_fill));
  RC_ASSERT(
      sameValues(masked_fill(big, cond, 7.5), where(cond, full({}, 7.5, DType::Float64), big)));
}

// ---- gradcheck over random broadcast pairs ---------------------------------------
// Each gradient is checked against central differences in float64; the
// broadcast operand's gradient must be summed back to its own shape.
RC_GTEST_PROP(ElementwiseGrad, Add, ()) {
  const BroadcastPair p = *genBroadcastPair(4, 3);
  rcGradcheck([](const std::vector<Tensor>& x) { return add(x[0], x[1]); },
              {randomTensor(p.a, *genSeed()), randomTensor(p.b, *genSeed())});
}
RC_GTEST_PROP(ElementwiseGrad, Sub, ()) {
  const BroadcastPair p = *genBroadcastPair(4, 3);
  rcGradcheck([](const std::vector<Tensor>& x) { return sub(x[0], x[1]); },
              {randomTensor(p.a, *genSeed()), randomTensor(p.b, *genSeed())});
}
RC_GTEST_PROP(ElementwiseGrad, Mul, ()) {
  const BroadcastPair p = *genBroadcastPair(4, 3);
  rcGradcheck([](const std::vector<Tensor>& x) { return mul(x[0], x[1]); },
              {randomTensor(p.a, *genSeed()), randomTensor(p.b, *genSeed())});
}
RC_GTEST_PROP(ElementwiseGrad, Div, ()) {
  const BroadcastPair p = *genBroadcastPair(4, 3);
  rcGradcheck([](const std::vector<Tensor>& x) { return div(x[0], x[1]); },
              {randomTensor(p.a, *genSeed()), positiveTensor(p.b, *genSeed())});
}
RC_GTEST_PROP(ElementwiseGrad, Pow, ()) {
  const BroadcastPair p = *genBroadcastPair(4, 3);
  rcGradcheck([](const std::vector<Tensor>& x) { return pow(x[0], x[1]); },
              {positiveTensor(p.a, *genSeed()), randomTensor(p.b, *genSeed())});
}
RC_GTEST_PROP(ElementwiseGrad, PowScalarExponent, ()) {
  const Shape s = *genGradShape();
  const double e = *rc::gen::element(-2.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0);
  rcGradcheck([e](const std::vector<Tensor>& x) { return pow(x[0], e); },
              {positiveTensor(s, *genSeed())});
}
RC_GTEST_PROP(ElementwiseGrad, MaximumMinimum, ()) {
  const BroadcastPair p = *genBroadcastPair(4, 3);
  // a on the grid k/10, b on the grid k/10 + 0.05: never within eps of a tie
  // (continuous values would be, about once in a million pairs).
  Generator gen(*genSeed());
  const Tensor a = randint(-20, 20, p.a, gen).to(DType::Float64) * 0.1;
  const Tensor b = randint(-20, 20, p.b, gen).to(DType::Float64) * 0.1 + 0.05;
  rcGradcheck([](const std::vector<Tensor>& x) { return maximum(x[0], x[1]); }, {a, b});
  rcGradcheck([](const std::vector<Tensor>& x) { return minimum(x[0], x[1]); }, {a, b});
}
RC_GTEST_PROP(ElementwiseGrad, Where, ()) {
  const BroadcastPair p = *genBroadcastPair(4, 3);
  const Shape cs = *rc::gen::element(p.a, p.b, p.out);
  const Tensor cond = gt(randomTensor(cs, *genSeed()), scalar_tensor(0.0, DType::Float64));
  rcGradcheck([cond](const std::vector<Tensor>& x) { return where(cond, x[0], x[1]); },
              {randomTensor(p.a, *genSeed()), randomTensor(p.b, *genSeed())});
}
RC_GTEST_PROP(ElementwiseGrad, MaskedFill, ()) {
  const BroadcastPair p = *genBroadcastPair(4, 3);
  const Tensor mask = gt(randomTensor(p.a, *genSeed()), scalar_tensor(0.0, DType::Float64));
  rcGradcheck([mask](const std::vector<Tensor>& x) { return masked_fill(x[0], mask, -3.0); },
              {randomTensor(p.out, *genSeed())});
}
RC_GTEST_PROP(ElementwiseGrad, ScalarOperators, ()) {
  const Shape s = *genGradShape();
  rcGradcheck(
      [](const std::vector<Tensor>& x) {
        return (2.0 - x[0]) * 3.0 + 1.0 / (x[0] + 4.0) - x[0] / 2.0 + 0.5 * -x[0];
      },
      {positiveTensor(s, *genSeed())});
}
RC_GTEST_PROP(ElementwiseGrad, NonContiguousOperands, ()) {
  const BroadcastPair p = *genBroadcastPair(4, 3);
  const ViewCase va = *genView(p.a), vb = *genView(p.b);
  rcGradcheck(
      [va, vb](const std::vector<Tensor>& x) {
        return mul(va.apply(x[0]), add(vb.apply(x[1]), va.apply(x[0])));
      },
      {randomTensor(va.base_shape, *genSeed()), randomTensor(vb.base_shape, *genSeed())});
}

// ---- 0-d and zero-size operands ---------------------------------------------------
TEST(Elementwise, ZeroDimOperands) {
  Tensor s = f64({2}, {});
  Tensor r = add(s, s);
  EXPECT_EQ(r.dim(), 0);
  EXPECT_EQ(r.item(), 4);
  EXPECT_TRUE(tensorIs(mul(s, f64({1, 2, 3}, {3})), {3}, {2, 4, 6}));
  Tensor x = f64({3}, {});
  x.requires_grad_();
  Tensor y = mul(x, f64({1, 2, 3}, {3})).sum();
  y.backward();
  EXPECT_TRUE(tensorIs(x.grad(), {}, {6}));
}

TEST(Elementwise, ZeroSizeOperands) {
  Tensor e = zeros({0, 3}, DType::Float64);
  Tensor row = f64({1, 2, 3}, {3});
  EXPECT_EQ(add(e, row).shape(), (Shape{0, 3}));
  EXPECT_EQ(mul(zeros({2, 1, 0}), ones({4, 1})).shape(), (Shape{2, 4, 0}));
  EXPECT_EQ(where(zeros({0}, DType::Bool), ones({0}), ones({1})).shape(), (Shape{0}));
  row.requires_grad_();
  add(e, row).sum().backward();  // nothing flows through zero elements
  EXPECT_TRUE(tensorIs(row.grad(), {3}, {0, 0, 0}));
}

// ---- in place: add_, mul_ (no autograd) ------------------------------------------------
TEST(Elementwise, InPlaceAddMul) {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor& same = add_(x, f64({10, 20, 30}, {3}));  // broadcast over rows
  EXPECT_EQ(&same, &x);
  EXPECT_TRUE(tensorIs(x, {2, 3}, {11, 22, 33, 14, 25, 36}));
  mul_(x, 0.5);
  EXPECT_TRUE(tensorIs(x, {2, 3}, {5.5, 11, 16.5, 7, 12.5, 18}));
  // Other dtypes are converted to self's; self keeps its dtype.
  Tensor i = i64({1, 2}, {2});
  add_(i, f64({0.9, 1.9}, {2}));
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_TRUE(tensorIs(i, {2}, {1, 3}));
  Tensor f = ones({2}, DType::Float32);
  add_(f, i64({1, 2}, {2}));
  EXPECT_TRUE(tensorIs(f, {2}, {2, 3}));
  // 16-bit: computed in float32, rounded once.
  Tensor h = full({2}, 2048, DType::Float16);
  add_(h, full({2}, 1, DType::Float16));
  EXPECT_TRUE(tensorIs(h, {2}, {2048, 2048}));  // 2049 is a tie: to even
  add_(h, full({2}, 3, DType::Float32));
  EXPECT_TRUE(tensorIs(h, {2}, {2052, 2052}));
  mul_(h, 0.5);
  EXPECT_TRUE(tensorIs(h, {2}, {1026, 1026}));
  // Through a view: the base sees the change.
  Tensor base = zeros({2, 3}, DType::Float64);
  Tensor col = narrow(base, 1, 1, 1);
  add_(col, f64({1, 2}, {2, 1}));
  Tensor tb = transpose(base, 0, 1);
  add_(tb, f64({100, 200}, {2}));
  mul_(tb, 2);
  EXPECT_TRUE(tensorIs(base, {2, 3}, {200, 202, 200, 400, 404, 400}));
  // No graph is recorded, and requires_grad is untouched.
  Tensor w = f64({1}, {1});
  w.requires_grad_();
  add_(w, f64({1}, {1}));
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(tensorIs(w, {1}, {2}));
}

TEST(Elementwise, InPlaceAddErrors) {
  Tensor x = zeros({2, 3});
  EXPECT_THROWS_WITH(add_(x, zeros({2})), std::invalid_argument, "add_", "(2)", "(2,3)");
  EXPECT_THROWS_WITH(add_(x, zeros({4, 2, 3})), std::invalid_argument, "add_", "(4,2,3)", "(2,3)");
}

RC_GTEST_PROP(Elementwise, InPlaceAddMatchesAdd, ()) {
  const BroadcastPair p = *genBroadcastPair();
  const ViewCase v = *genView(p.out);
  Tensor self = v.make(*genSeed());
  RC_PRE(v.kind != ViewCase::Expanded);  // in-place into repeated memory is meaningless
  const Tensor other = randomTensor(p.b, *genSeed());
  const Tensor want = add(self, other);
  add_(self, other);
  RC_ASSERT(sameValues(self, want));
  const Tensor twice = mul(self, full({}, 2.0, DType::Float64));
  mul_(self, 2.0);
  RC_ASSERT(sameValues(self, twice));
}

// ---- errors ------------------------------------------------------------------------
TEST(Elementwise, BroadcastErrorsNameOpAndShapes) {
  EXPECT_THROWS_WITH(add(ones({2, 3}), ones({4})), std::invalid_argument, "add", "(2,3)", "(4)");
  EXPECT_THROWS_WITH(mul(ones({2, 3}), ones({3, 3})), std::invalid_argument, "mul", "(2,3)",
                     "(3,3)");
  EXPECT_THROWS_WITH(sub(ones({5}), ones({2, 4})), std::invalid_argument, "sub", "(5)", "(2,4)");
  EXPECT_THROWS_WITH(lt(ones({2}), ones({3})), std::invalid_argument, "lt", "(2)", "(3)");
  EXPECT_THROWS_WITH(where(ones({2}, DType::Bool), ones({3}), ones({1})), std::invalid_argument,
                     "where", "(2)", "(3)");
  EXPECT_THROWS_WITH(broadcast_shapes({2, 3}, {2}, "myop"), std::invalid_argument, "myop", "(2,3)",
                     "(2)");
}

TEST(Elementwise, DtypeErrorsNameOpAndDtype) {
  EXPECT_THROWS_WITH(where(ones({2}), ones({2}), ones({2})), std::invalid_argument, "where", "Bool",
                     "Float32");
  EXPECT_THROWS_WITH(masked_fill(ones({2}), ones({2}, DType::Int64), 0), std::invalid_argument,
                     "masked_fill", "Int64");
  EXPECT_THROWS_WITH(masked_fill(ones({3}), ones({2, 3}, DType::Bool), 0), std::invalid_argument,
                     "masked_fill", "(2,3)", "(3)");
  EXPECT_THROWS_WITH(pow(i64({1, 2}, {2}), 2.0), std::invalid_argument, "pow", "Int64");
  EXPECT_THROWS_WITH(add(Tensor(), ones({1})), std::invalid_argument, "add", "undefined");
}

TEST(Elementwise, WrapDimNamesDimAndRank) {
  EXPECT_EQ(wrap_dim(-1, 3, "op"), 2);
  EXPECT_EQ(wrap_dim(0, 0, "op"), 0);  // a 0-d tensor accepts dim 0 / -1
  EXPECT_THROWS_WITH(wrap_dim(3, 3, "myop"), std::invalid_argument, "myop", "dim 3", "rank 3");
  EXPECT_THROWS_WITH(wrap_dim(-4, 3, "myop"), std::invalid_argument, "myop", "dim -4", "rank 3");
}

}  // namespace
}  // namespace gradlab
