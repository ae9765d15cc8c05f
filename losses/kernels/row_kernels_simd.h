// losses/kernels/row_kernels_simd.h — float32 SIMD math for the row kernels,
// written with GCC/Clang vector extensions so the same source becomes SSE2,
// AVX2 or AVX-512 code depending on the flags of the translation unit that
// includes it (row_kernels_generic.cpp, _avx2.cpp, _avx512.cpp). Each of those
// defines GRADLAB_KERNEL_ENTRY (the function returning its KernelSet) and
// GRADLAB_KERNEL_ISA (its name) and includes this file once.
//
// The vectorised exp (vexp) is Cephes' expf, as in Eigen's pexp_float:
//   exp(x) = 2^n * exp(r),  n = round(x / ln 2),  r = x - n ln 2 in [-ln2/2, ln2/2]
// with ln 2 split in two constants (Cody-Waite) so that r is exact to float
// precision, exp(r) a degree-7 polynomial (1 + r + r^2 * P5(r)), max error
// about 1 ulp on the whole range. Edge cases are handled without branches:
// x is clamped to [-110, 89] (NaN passes through the clamps, since every
// comparison with NaN is false), so exp(-inf) = 0 exactly, exp(+inf) = +inf,
// results below 2^-126 come out as subnormals, and NaN gives NaN. 2^n is
// built in two halves (2^(n/2) * 2^(n - n/2)) so both factors are normal
// floats for every n in [-159, 129]; AVX-512 does the same with vscalefps.
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
  static GL_INLINE vf vexp(vf x) {
    const vf lo = splat(-110.0), hi = splat(89.0);
    x = x < lo ? lo : x;  // NaN stays NaN: the comparisons are false
    x = x > hi ? hi : x;
    // n = round(x * log2(e)), by the 1.5 * 2^23 trick (|x * log2(e)| < 2^22 here)
    const vf magic = splat(12582912.0);
    vf fx = x * splat(1.44269504088896341) + magic;
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
#if defined(__AVX512F__)
    return _mm512_scalef_ps(p, fx);  // p * 2^fx, with IEEE overflow/underflow/NaN
#else
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
