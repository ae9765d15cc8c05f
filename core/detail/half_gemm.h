// core/detail/half_gemm.h — the GEMM back end for the 16-bit floats, behind
// gradlab::matmul (private; not installed).
//
// BFloat16: oneDNN's matmul (Debian's libdnnl-dev) when the CPU has
// AVX512_BF16: its brgemm kernels multiply bf16 pairs with vdpbf16ps and
// accumulate in float32, then round once to bf16. oneDNN rather than a kernel
// of our own: at 1024^3 it runs ~3.5x OpenBLAS's sgemm on this class of CPU
// (bench/bench_mixed_precision.cpp), and it keeps that speed on the small
// and transposed shapes of a backward pass. On a CPU without the instruction
// (detected at run time), or when forced, the plain path runs instead: widen
// both operands to float32, cblas_sgemm, round to bf16. Both paths accumulate
// in float32 and round once, so they agree within the same error bound.
//
// Float16: widen + cblas_sgemm + round (the same plain path): OpenBLAS has no
// fp16 GEMM, and oneDNN 2.6 has one only for AVX512_FP16 CPUs.
//
// Thread count: oneDNN parallelises over the output, except that with a
// transposed A and a long k it may split k across threads, which would make
// results depend on the thread count; a transposed A with k >= 1024 is
// therefore copied to row-major first (tests/core/detail/half_gemm_test.cpp
// checks 1 vs 2 threads give identical bits).
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace gradlab::detail {

// C = op(A) @ op(B): op(A) is (n, k), op(B) is (k, m), C is (n, m) row-major
// with leading dimension ldc >= m. A matrix with trans = false is stored
// row-major (element (i, j) at i * ld + j); with trans = true it is stored
// transposed (element (i, j) at j * ld + i). n, m, k >= 0; k == 0 gives C = 0.
void gemm_bf16(bool trans_a, bool trans_b, int64_t n, int64_t m, int64_t k, const BFloat16* a,
               int64_t lda, const BFloat16* b, int64_t ldb, BFloat16* c, int64_t ldc);
void gemm_f16(bool trans_a, bool trans_b, int64_t n, int64_t m, int64_t k, const Half* a,
              int64_t lda, const Half* b, int64_t ldb, Half* c, int64_t ldc);

// The path gemm_bf16 takes now.
enum class HalfGemmPath {
  OneDnnBf16,    // oneDNN, AVX512_BF16
  Float32Sgemm,  // widen to float32, cblas_sgemm, round
};
HalfGemmPath bf16_gemm_path();
const char* half_gemm_path_name(HalfGemmPath path);  // "onednn-bf16", "float32-sgemm"

// Whether this CPU (and OS) can run AVX512_BF16 instructions.
bool cpu_has_avx512_bf16();

// While alive (on any thread), gemm_bf16 takes the float32 path, as on a CPU
// without AVX512_BF16. Nests. Setting the environment variable
// GRADLAB_BF16_GEMM=fallback does the same for a whole run ("auto", the
// default, picks by the CPU; anything else is an error naming the value).
class ForceFloat32HalfGemm {
 public:
  ForceFloat32HalfGemm();
  ~ForceFloat32HalfGemm();
  ForceFloat32HalfGemm(const ForceFloat32HalfGemm&) = delete;
  ForceFloat32HalfGemm& operator=(const ForceFloat32HalfGemm&) = delete;
};

// Calls of gemm_bf16 / gemm_f16 on this thread, by the path they took (what
// the tests use to see which path ran).
struct HalfGemmCalls {
  int64_t onednn_bf16 = 0;
  int64_t float32_sgemm = 0;
};
HalfGemmCalls half_gemm_calls();

}  // namespace gradlab::detail
