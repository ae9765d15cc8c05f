// losses/kernels/row_kernels_simd.h — float32 SIMD math for the row kernels,
// written with GCC/Clang vector extensions so the same source becomes SSE2,
// AVX2 or AVX-512 code depending on the flags of the translation unit that
// includes it (row_kernels_generic.cpp, _avx2.cpp, _avx512.cpp). Each of those
// defines GRADLAB_KERNEL_ENTRY (the function returning its KernelSet) and
// GRADLAB_KERNEL_ISA (its name) and includes this file once.
//
// The vectorised exp (vexp), in both versions:
//   exp(x) = 2^k * exp(r),  r = x - k ln 2 small,
// with ln 2 split in two constants (Cody-Waite) so that r is exact to float
// precision. Edge cases are handled without branches: x is first clamped to
// [-110, 89] (NaN passes through: maxps/minps keep it), so exp(-inf) = 0
// exactly, exp(+inf) = +inf, results below 2^-126 come out as subnormals, and
// NaN gives NaN. Both are within about 1 ulp on the whole range (tested in
// tests/losses/row_kernels_test.cpp).
//  - SSE2 / AVX2: Cephes' expf, as in Eigen's pexp_float. k = round(x / ln 2),
//    r in [-ln2/2, ln2/2], exp(r) a degree-7 polynomial (1 + r + r^2 P5(r)),
//    and 2^k built in two halves (2^(k/2) * 2^(k - k/2)) so both factors are
//    normal floats for every k in [-159, 129].
//  - AVX-512: a table of 2^(j/32), j = 0..31, held in two registers
//    (vpermt2ps looks an entry up in one instruction). k = n / 32 with
//    n = round(32 x / ln 2), so r is 16 times smaller (|r| <= ln2/64) and a
//    degree-3 polynomial suffices: exp(r) = 1 + q, q = r + r^2/2 + r^3/6
//    (truncation error below 6e-10). The result is T[n mod 32] + T * q,
//    scaled by 2^floor(k) with vscalefps (which floors its exponent and
//    handles overflow and underflow). 12 instructions instead of 15: the exp
//    is most of the work in every loss kernel.
#include <cstdint>

#include "losses/kernels/row_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#if !defined(__F16C__)
#include "core/dtype.h"  // scalar half <-> float (this TU is the baseline build)
#endif

namespace gradlab::kernels {
namespace {

#if defined(__AVX512F__)
constexpr int kW = 16;
#elif defined(__AVX2__)
constexpr int kW = 8;
#else
constexpr int kW = 4;
#endif

typedef float vf __attribute__((vector_size(kW * 4)));
typedef int32_t vi __attribute__((vector_size(kW * 4)));
typedef uint32_t vu __attribute__((vector_size(kW * 4)));
typedef uint16_t vh __attribute__((vector_size(kW * 2)));
typedef double vdh __attribute__((vector_size(kW * 4)));  // W/2 doubles: one register

// W double accumulators as two native registers (a W-wide double vector is
// wider than the ISA's registers, and GCC spills it to memory).
struct DAcc {
  vdh lo, hi;
};

#define GL_INLINE inline __attribute__((always_inline))

#if defined(__AVX512F__)
// 2^(j/32), j = 0..31, each correctly rounded to float (generated with
// Python's decimal module at 60 digits).
alignas(64) constexpr float kExp2Table[32] = {
    0x1.000000p+0f, 0x1.059b0ep+0f, 0x1.0b5586p+0f, 0x1.11301ep+0f, 0x1.172b84p+0f, 0x1.1d4874p+0f,
    0x1.2387a6p+0f, 0x1.29e9e0p+0f, 0x1.306fe0p+0f, 0x1.371a74p+0f, 0x1.3dea64p+0f, 0x1.44e086p+0f,
    0x1.4bfdaep+0f, 0x1.5342b6p+0f, 0x1.5ab07ep+0f, 0x1.6247ecp+0f, 0x1.6a09e6p+0f, 0x1.71f75ep+0f,
    0x1.7a1148p+0f, 0x1.82589ap+0f, 0x1.8ace54p+0f, 0x1.93737cp+0f, 0x1.9c4918p+0f, 0x1.a5503cp+0f,
    0x1.ae89fap+0f, 0x1.b7f770p+0f, 0x1.c199bep+0f, 0x1.cb720ep+0f, 0x1.d5818ep+0f, 0x1.dfc974p+0f,
    0x1.ea4afap+0f, 0x1.f50766p+0f};
#endif

struct MathF32 {
  using V = vf;
  using D = DAcc;
  using U = float;
  static constexpr int W = kW;

  static GL_INLINE vf splat(double v) { return vf{} + static_cast<float>(v); }
  // max(x, m), keeping m where x is NaN (exactly what maxps does).
  static GL_INLINE vf vmax(vf x, vf m) {
#if defined(__AVX512F__)
    return _mm512_max_ps(x, m);
#elif defined(__AVX__)
    return _mm256_max_ps(x, m);
#else
    return x > m ? x : m;
#endif
  }
  // min(max(x, lo), hi), NaN kept: maxps/minps return their second operand
  // when either is NaN (one instruction each, where the portable `x < lo ?
  // lo : x` compiles to a compare and a blend).
  static GL_INLINE vf clamp(vf x, vf lo, vf hi) {
#if defined(__AVX512F__)
    return _mm512_min_ps(hi, _mm512_max_ps(lo, x));
#elif defined(__AVX__)
    return _mm256_min_ps(hi, _mm256_max_ps(lo, x));
#elif defined(__SSE2__)
    return _mm_min_ps(hi, _mm_max_ps(lo, x));
#else
    x = x < lo ? lo : x;  // NaN stays NaN: the comparisons are false
    return x > hi ? hi : x;
#endif
  }
  static GL_INLINE vf vexp(vf x) {
    x = clamp(x, splat(-110.0), splat(89.0));
    // round to an integer by the 1.5 * 2^23 trick (the value is < 2^22 here)
    const vf magic = splat(12582912.0);
#if defined(__AVX512F__)
    // t holds n = round(32 x / ln 2) in its low mantissa bits; k = n / 32 exactly
    const vf t = x * splat(46.16624130844683) + magic;
    const vf k = t * splat(1.0 / 32) - magic * splat(1.0 / 32);
    // r = x - k ln2, with ln2 = 0.693359375 - 2.12194440e-4 (k * first part exact)
    vf r = x - k * splat(0.693359375);
    r = r - k * splat(-2.12194440e-4);
    const vf q = ((r * splat(1.0 / 6) + splat(0.5)) * r + splat(1.0)) * r;
    // 2^(j/32) for j = n mod 32: vpermt2ps uses the low 5 bits of t as the index
    const vf tj = _mm512_permutex2var_ps(load_u(kExp2Table), _mm512_castps_si512(t),
                                         load_u(kExp2Table + 16));
    return _mm512_scalef_ps(tj * q + tj, k);  // * 2^floor(k), IEEE overflow/underflow/NaN
#else
    vf fx = x * splat(1.44269504088896341) + magic;  // n = round(x * log2(e))
    fx = fx - magic;
    // r = x - n ln2, with ln2 = 0.693359375 - 2.12194440e-4 (first part exact)
    vf r = x - fx * splat(0.693359375);
    r = r - fx * splat(-2.12194440e-4);
    const vf r2 = r * r;
    vf p = splat(1.9875691500e-4);
    p = p * r + splat(1.3981999507e-3);
    p = p * r + splat(8.3334519073e-3);
    p = p * r + splat(4.1665795894e-2);
    p = p * r + splat(1.6666665459e-1);
    p = p * r + splat(5.0000001201e-1);
    p = p * r2 + r + splat(1.0);
    fx = fx == fx ? fx : vf{};  // NaN lanes: any n works (p is NaN)
    const vi n = __builtin_convertvector(fx, vi);
    const vi n1 = n >> 1, n2 = n - n1;
    const vf s1 = __builtin_bit_cast(vf, (n1 + 127) << 23);
    const vf s2 = __builtin_bit_cast(vf, (n2 + 127) << 23);
    return p * s1 * s2;
#endif
  }
  static GL_INLINE double hmax(vf v) {
    float m = v[0];
    for (int i = 1; i < kW; ++i) m = v[i] > m ? v[i] : m;
    return m;
  }
  static GL_INLINE double hsum(vf v) {
    double s = 0.0;
    for (int i = 0; i < kW; ++i) s += v[i];
    return s;
  }
  static GL_INLINE double hsum_d(const DAcc& d) {
    double s = 0.0;
    for (int i = 0; i < kW / 2; ++i) s += d.lo[i];
    for (int i = 0; i < kW / 2; ++i) s += d.hi[i];
    return s;
  }
  // The two halves of v, widened to double.
  static GL_INLINE void widen(vf v, vdh& lo, vdh& hi) {
#if defined(__AVX512F__)
    lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
    hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
#elif defined(__AVX__)
    lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
    hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
#elif defined(__SSE2__)
    lo = _mm_cvtps_pd(v);
    hi = _mm_cvtps_pd(_mm_movehl_ps(v, v));
#else
    for (int i = 0; i < kW / 2; ++i) lo[i] = v[i], hi[i] = v[i + kW / 2];
#endif
  }
  // acc += x  /  acc += u * x, in double
  static GL_INLINE void dot_add(DAcc& acc, vf x) {
    vdh lo, hi;
    widen(x, lo, hi);
    acc.lo += lo;
    acc.hi += hi;
  }
  static GL_INLINE void dot_add(DAcc& acc, vf u, vf x) {
    vdh xl, xh, ul, uh;
    widen(x, xl, xh);
    widen(u, ul, uh);
    acc.lo += ul * xl;
    acc.hi += uh * xh;
  }
  static GL_INLINE vf load_u(const float* p) {
    vf v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  }
  static GL_INLINE void store_fence() {
#if defined(__SSE2__)
    _mm_sfence();
#endif
  }
};

// A non-temporal store of one register's bytes when p is aligned to its
// size, a plain store otherwise. R: a native vector type of 16/32/64 bytes.
template <class R> GL_INLINE void stream_bytes(void* p, R r) {
  constexpr uintptr_t kSize = sizeof(R);
  if ((reinterpret_cast<uintptr_t>(p) & (kSize - 1)) != 0) {
    __builtin_memcpy(p, &r, kSize);
    return;
  }
#if defined(__AVX512F__)
  if constexpr (kSize == 64) {
    __m512i v;
    __builtin_memcpy(&v, &r, 64);
    _mm512_stream_si512(static_cast<__m512i*>(p), v);
    return;
  }
#endif
#if defined(__AVX__)
  if constexpr (kSize == 32) {
    __m256i v;
    __builtin_memcpy(&v, &r, 32);
    _mm256_stream_si256(static_cast<__m256i*>(p), v);
    return;
  }
#endif
#if defined(__SSE2__)
  if constexpr (kSize == 16) {
    __m128i v;
    __builtin_memcpy(&v, &r, 16);
    _mm_stream_si128(static_cast<__m128i*>(p), v);
    return;
  }
#endif
  __builtin_memcpy(p, &r, kSize);
}

// ---- storage formats ---------------------------------------------------------
struct SF32 {
  using T = float;
  static GL_INLINE vf load(const float* p) { return MathF32::load_u(p); }
  static GL_INLINE void store(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }
  static GL_INLINE void store_stream(float* p, vf v) { stream_bytes(p, v); }
  static GL_INLINE float neg_inf() { return -__builtin_inff(); }
  static GL_INLINE float zero() { return 0.0f; }
};

struct SF16 {  // IEEE binary16; round to nearest even on store
  using T = uint16_t;
  static GL_INLINE vf load(const uint16_t* p) {
#if defined(__AVX512F__)
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
#elif defined(__F16C__)
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
#else
    vf v;
    for (int i = 0; i < kW; ++i) v[i] = half_to_float(Half{p[i]});
    return v;
#endif
  }
  static GL_INLINE void store(uint16_t* p, vf v) {
#if defined(__AVX512F__)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                        _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#elif defined(__F16C__)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
#else
    for (int i = 0; i < kW; ++i) p[i] = float_to_half(v[i]).bits;
#endif
  }
  static GL_INLINE void store_stream(uint16_t* p, vf v) {
#if defined(__AVX512F__)
    stream_bytes(p, _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#elif defined(__F16C__)
    stream_bytes(p, _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
#else
    store(p, v);
#endif
  }
  static GL_INLINE uint16_t neg_inf() { return 0xfc00u; }
  static GL_INLINE uint16_t zero() { return 0; }
};

struct SBF16 {  // bfloat16: the top half of a float; round to nearest even
  using T = uint16_t;
  static GL_INLINE vf load(const uint16_t* p) {
    vh h;
    __builtin_memcpy(&h, p, sizeof h);
    return __builtin_bit_cast(vf, __builtin_convertvector(h, vu) << 16);
  }
  static GL_INLINE void store(uint16_t* p, vf v) {
    const vu u = __builtin_bit_cast(vu, v);
    const vu rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    const vu quiet_nan = (u >> 16) | 0x40u;
    const vu out = (u & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded;
    const vh h = __builtin_convertvector(out, vh);
    __builtin_memcpy(p, &h, sizeof h);
  }
  static GL_INLINE void store_stream(uint16_t* p, vf v) {
    if constexpr (sizeof(vh) >= 16) {
      uint16_t buf[kW];
      store(buf, v);
      vh h;
      __builtin_memcpy(&h, buf, sizeof h);
      stream_bytes(p, h);
    } else {
      store(p, v);
    }
  }
  static GL_INLINE uint16_t neg_inf() { return 0xff80u; }
  static GL_INLINE uint16_t zero() { return 0; }
};

#include "losses/kernels/row_kernels_algo.h"

}  // namespace

const KernelSet* GRADLAB_KERNEL_ENTRY() {
  static const KernelSet set{GRADLAB_KERNEL_ISA, RowAlgo<MathF32, SF32>::table(),
                             RowAlgo<MathF32, SF16>::table(), RowAlgo<MathF32, SBF16>::table(),
                             kernels_f64()};
  return &set;
}

}  // namespace gradlab::kernels
