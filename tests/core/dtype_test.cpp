// tests/core/dtype_test.cpp — dtypes and the 16-bit float formats
// (core/dtype.h): names, sizes, promotion, and float32 <-> Float16/BFloat16
// conversion: round to nearest even, 65504 max, 65520 -> inf, subnormals,
// NaN. Conversions are checked against an independent reference (the
// nearest representable value found by search) over random float32 bit
// patterns, and exhaustively over every 16-bit pattern for the way back.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

constexpr double kInf = std::numeric_limits<double>::infinity();

uint16_t h(float f) { return float_to_half(f).bits; }
uint16_t bf(float f) { return float_to_bfloat16(f).bits; }
float hf(uint16_t bits) { return half_to_float(Half{bits}); }

TEST(Dtype, NamesSizesKinds) {
  EXPECT_STREQ(dtype_name(DType::Bool), "Bool");
  EXPECT_STREQ(dtype_name(DType::Int64), "Int64");
  EXPECT_STREQ(dtype_name(DType::Float16), "Float16");
  EXPECT_STREQ(dtype_name(DType::BFloat16), "BFloat16");
  EXPECT_STREQ(dtype_name(DType::Float32), "Float32");
  EXPECT_STREQ(dtype_name(DType::Float64), "Float64");
  EXPECT_EQ(itemsize(DType::Bool), 1u);
  EXPECT_EQ(itemsize(DType::Int64), 8u);
  EXPECT_EQ(itemsize(DType::Float16), 2u);
  EXPECT_EQ(itemsize(DType::BFloat16), 2u);
  EXPECT_EQ(itemsize(DType::Float32), 4u);
  EXPECT_EQ(itemsize(DType::Float64), 8u);
  EXPECT_FALSE(is_floating(DType::Bool));
  EXPECT_FALSE(is_floating(DType::Int64));
  EXPECT_TRUE(is_floating(DType::Float16));
  EXPECT_TRUE(is_floating(DType::BFloat16));
  EXPECT_TRUE(is_floating(DType::Float32));
  EXPECT_TRUE(is_floating(DType::Float64));
  EXPECT_EQ(shape_str({}), "()");
  EXPECT_EQ(shape_str({7}), "(7)");
  EXPECT_EQ(shape_str({2, 0, 3}), "(2,0,3)");
}

TEST(Dtype, PromotionIsSymmetricAndFollowsPyTorch) {
  using D = DType;
  const D all[] = {D::Bool, D::Int64, D::Float16, D::BFloat16, D::Float32, D::Float64};
  for (D a : all) {
    EXPECT_EQ(promote(a, a), a);
    for (D b : all)
      EXPECT_EQ(promote(a, b), promote(b, a)) << dtype_name(a) << " " << dtype_name(b);
  }
  EXPECT_EQ(promote(D::Bool, D::Int64), D::Int64);
  EXPECT_EQ(promote(D::Int64, D::Float16), D::Float16);
  EXPECT_EQ(promote(D::Bool, D::BFloat16), D::BFloat16);
  EXPECT_EQ(promote(D::Float16, D::BFloat16), D::Float32);
  EXPECT_EQ(promote(D::Float16, D::Float32), D::Float32);
  EXPECT_EQ(promote(D::BFloat16, D::Float64), D::Float64);
  EXPECT_EQ(promote(D::Float32, D::Float64), D::Float64);
}

// ---- Float16 by hand ----------------------------------------------------------------------------
TEST(Dtype, HalfKnownValues) {
  EXPECT_EQ(h(0.f), 0x0000);
  EXPECT_EQ(h(-0.f), 0x8000);
  EXPECT_EQ(h(1.f), 0x3c00);
  EXPECT_EQ(h(-2.f), 0xc000);
  EXPECT_EQ(h(0.5f), 0x3800);
  EXPECT_EQ(h(65504.f), 0x7bff);  // largest finite half
  EXPECT_EQ(h(65519.99f), 0x7bff);
  EXPECT_EQ(h(65520.f), 0x7c00);  // halfway to 2^16: ties to even = inf
  EXPECT_EQ(h(-65520.f), 0xfc00);
  EXPECT_EQ(h(1e10f), 0x7c00);
  EXPECT_EQ(h(INFINITY), 0x7c00);
  EXPECT_EQ(h(-INFINITY), 0xfc00);
  EXPECT_EQ(h(std::ldexp(1.f, -14)), 0x0400);     // smallest normal
  EXPECT_EQ(h(std::ldexp(1.f, -24)), 0x0001);     // smallest subnormal
  EXPECT_EQ(h(std::ldexp(1023.f, -24)), 0x03ff);  // largest subnormal
  EXPECT_EQ(h(std::ldexp(1.f, -25)), 0x0000);     // halfway to 2^-24: ties to even = 0
  EXPECT_EQ(h(std::ldexp(3.f, -26)), 0x0001);     // 0.75 * 2^-24 rounds up
  EXPECT_EQ(h(std::ldexp(3.f, -25)), 0x0002);     // 1.5 * 2^-24: tie, to even (2)
  EXPECT_EQ(h(std::ldexp(5.f, -25)), 0x0002);     // 2.5 * 2^-24: tie, to even (2)
  EXPECT_EQ(h(std::ldexp(-1.f, -30)), 0x8000);    // underflow keeps the sign
  // Round to nearest even in the normal range: spacing at 1 is 2^-10.
  EXPECT_EQ(h(1.f + std::ldexp(1.f, -11)), 0x3c00);  // tie -> even (1)
  EXPECT_EQ(h(1.f + std::ldexp(3.f, -11)), 0x3c02);  // tie -> even (1 + 2^-9)
  EXPECT_EQ(h(1.f + std::ldexp(1.f, -11) + std::ldexp(1.f, -20)), 0x3c01);  // above the tie
  EXPECT_EQ(h(2047.f), 0x67ff);
  EXPECT_EQ(h(2049.f), 0x6800);  // 2048 + 1: tie -> even (2048)
  EXPECT_EQ(h(2051.f), 0x6802);  // tie -> even (2052)
  // Back to float: exact.
  EXPECT_EQ(hf(0x7bff), 65504.f);
  EXPECT_EQ(hf(0x0001), std::ldexp(1.f, -24));
  EXPECT_EQ(hf(0x03ff), std::ldexp(1023.f, -24));
  EXPECT_EQ(hf(0x8001), -std::ldexp(1.f, -24));
  EXPECT_EQ(hf(0x7c00), INFINITY);
  EXPECT_EQ(hf(0xfc00), -INFINITY);
  EXPECT_TRUE(std::signbit(hf(0x8000)));
}

TEST(Dtype, HalfNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(hf(h(nan))));
  EXPECT_TRUE(std::isnan(hf(h(-nan))));
  EXPECT_TRUE(
      std::isnan(hf(h(bits_float(0x7f800001u)))));  // payload only in the low bits: still NaN
  EXPECT_TRUE(std::isnan(hf(h(bits_float(0xff800001u)))));
  EXPECT_TRUE(std::isnan(hf(0x7e00)));
  EXPECT_TRUE(std::isnan(hf(0x7c01)));
}

TEST(Dtype, BFloat16KnownValues) {
  EXPECT_EQ(bf(1.f), 0x3f80);
  EXPECT_EQ(bf(-2.f), 0xc000);
  EXPECT_EQ(bf(bits_float(0x3f808000u)), 0x3f80);            // tie -> even
  EXPECT_EQ(bf(bits_float(0x3f818000u)), 0x3f82);            // tie -> even
  EXPECT_EQ(bf(bits_float(0x3f808001u)), 0x3f81);            // above the tie
  EXPECT_EQ(bf(3.3895314e38f), 0x7f7f);                      // largest finite bfloat16
  EXPECT_EQ(bf(std::numeric_limits<float>::max()), 0x7f80);  // rounds past the largest: inf
  EXPECT_EQ(bf(INFINITY), 0x7f80);
  EXPECT_EQ(bf(bits_float(0x00000001u)), 0x0000);  // tiny subnormal rounds to 0
  EXPECT_EQ(bf(bits_float(0x00008001u)), 0x0001);  // float subnormals stay subnormal
  EXPECT_TRUE(std::isnan(bfloat16_to_float(float_to_bfloat16(bits_float(0x7f800001u)))));
  EXPECT_TRUE(std::isnan(bfloat16_to_float(float_to_bfloat16(bits_float(0xffc00000u)))));
  EXPECT_EQ(bfloat16_to_float(BFloat16{0x3f80}), 1.f);
}

// ---- exhaustive and property checks
// -------------------------------------------------------------- Every 16-bit pattern: to float32
// and back is the identity (NaN stays NaN).
TEST(Dtype, EveryHalfAndBFloat16PatternRoundTrips) {
  for (uint32_t b = 0; b < 65536; ++b) {
    const uint16_t bits = static_cast<uint16_t>(b);
    const float f = hf(bits), g = bfloat16_to_float(BFloat16{bits});
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(hf(h(f)))) << b;
    } else {
      ASSERT_EQ(h(f), bits) << b;
    }
    if (std::isnan(g)) {
      EXPECT_TRUE(std::isnan(bfloat16_to_float(float_to_bfloat16(g)))) << b;
    } else {
      ASSERT_EQ(bf(g), bits) << b;
    }
  }
}

// Reference rounding: the nearest of all finite halves (ties to the even
// pattern), with overflow to inf from 65520 = 65504 + half an ulp.
uint16_t reference_half(float f) {
  static const std::vector<double> positives = [] {
    std::vector<double> v;
    for (uint32_t b = 0; b < 0x7c00; ++b) v.push_back(hf(static_cast<uint16_t>(b)));
    return v;
  }();
  const uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  const double a = std::fabs(static_cast<double>(f));
  if (a >= 65520.0) return sign | 0x7c00;
  if (a >= 65504.0) return sign | 0x7bff;
  auto it = std::lower_bound(positives.begin(), positives.end(), a);
  uint16_t hi = static_cast<uint16_t>(it - positives.begin());
  if (hi == 0 || positives[hi] == a) return sign | hi;
  uint16_t lo = hi - 1;
  const double dlo = a - positives[lo], dhi = positives[hi] - a;
  if (dlo < dhi) return sign | lo;
  if (dhi < dlo) return sign | hi;
  return sign | ((lo & 1) ? hi : lo);
}

uint16_t reference_bfloat16(float f) {
  const uint32_t x = float_bits(f);
  if (std::isinf(f)) return static_cast<uint16_t>(x >> 16);
  const uint32_t lo = x & 0xffff0000u;
  const double vlo = bits_float(lo);
  // The next pattern up; past the largest finite value it is inf, which
  // IEEE rounding treats as 2^128 for the distance.
  const uint32_t hi = lo + 0x10000u;
  const double vhi =
      (hi & 0x7fffffffu) == 0x7f800000u ? std::copysign(std::ldexp(1.0, 128), f) : bits_float(hi);
  const double dlo = std::fabs(f - vlo), dhi = std::fabs(vhi - f);
  if (dlo < dhi || (dlo == dhi && ((lo >> 16) & 1) == 0)) return static_cast<uint16_t>(lo >> 16);
  return static_cast<uint16_t>(hi >> 16);
}

// Exact ties are rare among random floats (1 in 8192 for half), so a third
// of the cases are built as midpoints between two neighbouring 16-bit values
// (exact in float32), and a third land within a float32 ulp of one.
rc::Gen<float> gen_near_half_midpoint() {
  return rc::gen::apply(
      [](uint32_t b, int nudge) {
        const uint16_t lo = static_cast<uint16_t>(b % 0x7c00u) | static_cast<uint16_t>(b & 0x8000u);
        const double mid = (static_cast<double>(hf(lo)) + hf(static_cast<uint16_t>(lo + 1))) / 2;
        return bits_float(float_bits(static_cast<float>(mid)) + static_cast<uint32_t>(nudge));
      },
      rc::gen::resize(rc::kNominalSize, rc::gen::arbitrary<uint32_t>()),
      rc::gen::element(0, 0, 1, -1));
}

RC_GTEST_PROP(Dtype, HalfRoundsToNearestEven, ()) {
  // Any float32 bit pattern, patterns in the half range, and near-ties.
  const float f = *rc::gen::oneOf(
      rc::gen::map(rc::gen::resize(rc::kNominalSize, rc::gen::arbitrary<uint32_t>()), bits_float),
      rc::gen::map(uniformInRange<uint32_t>(0x33000000u, 0x47800000u), bits_float),
      gen_near_half_midpoint());
  RC_PRE(!std::isnan(f));
  RC_ASSERT(h(f) == reference_half(f));
}

RC_GTEST_PROP(Dtype, BFloat16RoundsToNearestEven, ()) {
  // Any pattern, or one whose low 16 bits sit at or next to the tie 0x8000.
  const uint32_t any = *rc::gen::resize(rc::kNominalSize, rc::gen::arbitrary<uint32_t>());
  const uint32_t low = *rc::gen::element(0x8000u, 0x8000u, 0x7fffu, 0x8001u, any & 0xffffu);
  const float f = bits_float((any & 0xffff0000u) | low);
  RC_PRE(!std::isnan(f));
  RC_ASSERT(bf(f) == reference_bfloat16(f));
}

// ---- tensors of 16-bit floats -------------------------------------------------------------------
TEST(Dtype, HalfTensorsConvertLikeTheScalarFunctions) {
  std::vector<float> v = {
      0.1f, 65519.f, 65520.f, -1e-8f, std::ldexp(3.f, -25), 1.f + std::ldexp(1.f, -11)};
  Tensor t = from_vector<float>(v, {6}).to(DType::Float16);
  const Half* p = t.data_ptr<Half>();
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(p[i].bits, h(v[i])) << i;
  Tensor b = from_vector<float>(v, {6}).to(DType::BFloat16);
  const BFloat16* q = b.data_ptr<BFloat16>();
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(q[i].bits, bf(v[i])) << i;
  // float64 goes through float32 first.
  EXPECT_TRUE(
      tensorIs(f64({65504.0, 70000.0, -kInf}, {3}).to(DType::Float16), {3}, {65504, kInf, -kInf}));
}

// Arithmetic on 16-bit floats is carried out in float32 and rounded once.
TEST(Dtype, HalfArithmeticIsFloat32RoundedOnce) {
  Generator gen(7);
  Tensor a = uniform({1000}, -100, 100, gen, DType::Float16),
         b = uniform({1000}, -100, 100, gen, DType::Float16);
  const Half* pa = a.data_ptr<Half>();
  const Half* pb = b.data_ptr<Half>();
  Tensor s = add(a, b), m = mul(a, b), d = div(a, b);
  for (int64_t i = 0; i < 1000; ++i) {
    const float x = half_to_float(pa[i]), y = half_to_float(pb[i]);
    ASSERT_EQ(s.data_ptr<Half>()[i].bits, h(x + y)) << i;
    ASSERT_EQ(m.data_ptr<Half>()[i].bits, h(x * y)) << i;
    ASSERT_EQ(d.data_ptr<Half>()[i].bits, h(x / y)) << i;
  }
  EXPECT_EQ(sum(ones({4096}, DType::Float16)).item(), 4096);  // a half accumulator stalls at 2048
}

}  // namespace
}  // namespace gradlab
