// tests/core/detail/half_convert_test.cpp — the bulk conversions of
// core/detail/half_convert.cpp against the scalar ones of core/dtype.h.
//
// widen: every one of the 65536 bit patterns of each format. narrow: the
// float32 values on and next to every rounding boundary of each format (each
// 16-bit value, the midpoints between neighbours and one float32 ulp either
// side), the specials, and a million random bit patterns; every length from 0
// to 40 for the vector tails.
#include "core/detail/half_convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace gradlab {
namespace {

template <class H>
float scalar_widen(H h) {
  if constexpr (std::is_same_v<H, Half>)
    return half_to_float(h);
  else
    return bfloat16_to_float(h);
}
template <class H>
H scalar_narrow(float f) {
  if constexpr (std::is_same_v<H, Half>)
    return float_to_half(f);
  else
    return float_to_bfloat16(f);
}

template <class H>
std::vector<H> all_patterns() {
  std::vector<H> v(65536);
  for (uint32_t i = 0; i < 65536; ++i) v[i].bits = static_cast<uint16_t>(i);
  return v;
}

template <class H>
void expect_widen_exact() {
  std::vector<H> src = all_patterns<H>();
  std::vector<float> dst(src.size());
  detail::widen(src.data(), dst.data(), static_cast<int64_t>(src.size()));
  for (size_t i = 0; i < src.size(); ++i) {
    const float want = scalar_widen(src[i]);
    if (std::isnan(want))
      ASSERT_TRUE(std::isnan(dst[i])) << "bits " << i;
    else
      ASSERT_EQ(float_bits(dst[i]), float_bits(want)) << "bits " << i;
  }
}

TEST(HalfConvert, WidenEveryBf16Pattern) { expect_widen_exact<BFloat16>(); }
TEST(HalfConvert, WidenEveryFp16Pattern) { expect_widen_exact<Half>(); }

// Every 16-bit value as float32, the midpoint to its successor (the tie that
// round-to-even decides) and one float32 ulp either side of both; the
// specials; random bit patterns.
template <class H>
std::vector<float> boundary_inputs() {
  std::vector<float> v;
  std::vector<H> all = all_patterns<H>();
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    const float x = scalar_widen(all[i]), y = scalar_widen(all[i + 1]);
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    const float mid = static_cast<float>((static_cast<double>(x) + y) / 2);
    for (float f : {x, mid}) {
      v.push_back(f);
      v.push_back(std::nextafter(f, INFINITY));
      v.push_back(std::nextafter(f, -INFINITY));
    }
  }
  for (float f : {0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, 65504.0f, 65519.99f, 65520.0f,
                  1e-45f, -1e-45f, 1.17549435e-38f, 5.96e-8f, 2.98e-8f, 3.0e38f, 3.4028235e38f})
    v.push_back(f);
  std::mt19937 rng(12345);
  for (int i = 0; i < 1000000; ++i) v.push_back(bits_float(static_cast<uint32_t>(rng())));
  return v;
}

template <class H>
void expect_narrow_exact() {
  std::vector<float> src = boundary_inputs<H>();
  std::vector<H> dst(src.size());
  detail::narrow(src.data(), dst.data(), static_cast<int64_t>(src.size()));
  for (size_t i = 0; i < src.size(); ++i) {
    const H want = scalar_narrow<H>(src[i]);
    if (std::isnan(src[i])) {  // NaN stays NaN (payloads may differ)
      ASSERT_TRUE(std::isnan(scalar_widen(dst[i]))) << "input bits " << float_bits(src[i]);
    } else {
      ASSERT_EQ(dst[i].bits, want.bits) << "input " << src[i] << " bits " << float_bits(src[i]);
    }
  }
}

TEST(HalfConvert, NarrowToBf16MatchesScalar) { expect_narrow_exact<BFloat16>(); }
TEST(HalfConvert, NarrowToFp16MatchesScalar) { expect_narrow_exact<Half>(); }

// Lengths 0..40 from an unaligned start: the masked tail writes exactly n
// values and nothing past them.
template <class H>
void expect_tails() {
  for (int64_t n = 0; n <= 40; ++n) {
    std::vector<float> src(static_cast<size_t>(n + 1));
    for (int64_t i = 0; i <= n; ++i) src[static_cast<size_t>(i)] = 0.5f + static_cast<float>(i);
    std::vector<H> h(static_cast<size_t>(n + 2), H{0x7777});
    detail::narrow(src.data() + 1, h.data() + 1, n);
    EXPECT_EQ(h[0].bits, 0x7777) << n;
    EXPECT_EQ(h[static_cast<size_t>(n + 1)].bits, 0x7777) << n;
    std::vector<float> back(static_cast<size_t>(n + 2), -7.0f);
    detail::widen(h.data() + 1, back.data() + 1, n);
    EXPECT_EQ(back[0], -7.0f) << n;
    EXPECT_EQ(back[static_cast<size_t>(n + 1)], -7.0f) << n;
    for (int64_t i = 0; i < n; ++i)
      EXPECT_EQ(back[static_cast<size_t>(i + 1)],
                scalar_widen(scalar_narrow<H>(src[static_cast<size_t>(i + 1)])))
          << n << " " << i;
  }
}

TEST(HalfConvert, EveryTailLengthBf16) { expect_tails<BFloat16>(); }
TEST(HalfConvert, EveryTailLengthFp16) { expect_tails<Half>(); }

}  // namespace
}  // namespace gradlab
