// core/detail/half_convert.cpp — bulk float32 <-> bf16/fp16 conversions.
//
// Two versions of each: the plain loop over the scalar conversions of
// core/dtype.h (any CPU), and an AVX-512 one chosen at run time (16 values per
// instruction; F16C's vcvtph2ps/vcvtps2ph for fp16, integer rounding for
// bf16). vcvtneps2bf16 (AVX512_BF16) is deliberately not used: it flushes
// subnormal inputs to zero, so it would not match float_to_bfloat16.
#include "core/detail/half_convert.h"

#if defined(__x86_64__)
// GCC 12 warns about the intrinsics' own _mm512_undefined_* temporaries when
// they are inlined into target("avx512f") functions (GCC bug 105593, fixed
// in GCC 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#define GRADLAB_HAVE_X86 1
#else
#define GRADLAB_HAVE_X86 0
#endif

namespace gradlab::detail {
namespace {

// ---- plain loops (the reference, and the path on CPUs without AVX-512) -------
void widen_plain(const BFloat16* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = bfloat16_to_float(src[i]);
}
void widen_plain(const Half* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = half_to_float(src[i]);
}
void narrow_plain(const float* src, BFloat16* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = float_to_bfloat16(src[i]);
}
void narrow_plain(const float* src, Half* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = float_to_half(src[i]);
}

#if GRADLAB_HAVE_X86
// ---- AVX-512 (16 lanes; the tail through masked loads and stores) -------------
#define GRADLAB_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

GRADLAB_AVX512 void widen_avx512(const BFloat16* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? __mmask16(0xffff) : __mmask16((1u << (n - i)) - 1);
    __m256i h = _mm256_maskz_loadu_epi16(m, src + i);
    __m512i w = _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16);
    _mm512_mask_storeu_ps(dst + i, m, _mm512_castsi512_ps(w));
  }
}

GRADLAB_AVX512 void widen_avx512(const Half* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? __mmask16(0xffff) : __mmask16((1u << (n - i)) - 1);
    __m256i h = _mm256_maskz_loadu_epi16(m, src + i);
    _mm512_mask_storeu_ps(dst + i, m, _mm512_cvtph_ps(h));
  }
}

// Round to nearest even on the bit pattern (as float_to_bfloat16): add
// 0x7fff plus the lowest kept bit, keep the top 16 bits; NaN becomes the
// quiet NaN with the same top bits.
GRADLAB_AVX512 void narrow_avx512(const float* src, BFloat16* dst, int64_t n) {
  const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000);
  const __m512i bias = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1),
                quiet = _mm512_set1_epi32(0x40);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? __mmask16(0xffff) : __mmask16((1u << (n - i)) - 1);
    __m512i x = _mm512_castps_si512(_mm512_maskz_loadu_ps(m, src + i));
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(x, 16), one);
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(x, _mm512_add_epi32(bias, lsb)), 16);
    __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(x, abs_mask), inf);
    r = _mm512_mask_mov_epi32(r, nan, _mm512_or_si512(_mm512_srli_epi32(x, 16), quiet));
    _mm256_mask_storeu_epi16(dst + i, m, _mm512_cvtepi32_epi16(r));
  }
}

// vcvtps2ph rounds to nearest even, overflows to inf and keeps subnormals, as
// float_to_half does; a NaN stays a quiet NaN (its payload may differ).
GRADLAB_AVX512 void narrow_avx512(const float* src, Half* dst, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? __mmask16(0xffff) : __mmask16((1u << (n - i)) - 1);
    __m512 x = _mm512_maskz_loadu_ps(m, src + i);
    __m256i h = _mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm256_mask_storeu_epi16(dst + i, m, h);
  }
}
#undef GRADLAB_AVX512

bool have_avx512() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
  }();
  return yes;
}
#else
bool have_avx512() { return false; }
#define widen_avx512 widen_plain
#define narrow_avx512 narrow_plain
#endif

}  // namespace

void widen(const BFloat16* src, float* dst, int64_t n) {
  have_avx512() ? widen_avx512(src, dst, n) : widen_plain(src, dst, n);
}
void widen(const Half* src, float* dst, int64_t n) {
  have_avx512() ? widen_avx512(src, dst, n) : widen_plain(src, dst, n);
}
void narrow(const float* src, BFloat16* dst, int64_t n) {
  have_avx512() ? narrow_avx512(src, dst, n) : narrow_plain(src, dst, n);
}
void narrow(const float* src, Half* dst, int64_t n) {
  have_avx512() ? narrow_avx512(src, dst, n) : narrow_plain(src, dst, n);
}

}  // namespace gradlab::detail
