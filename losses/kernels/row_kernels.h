// losses/kernels/row_kernels.h — the per-row numeric kernels behind the fused
// losses (log_softmax, softmax, logsumexp, cross_entropy). Internal: not part
// of the public API, not installed.
//
// A "row" is n contiguous values along the reduced (last) dimension. Every
// kernel works on one row; the callers in losses/*.cpp split rows across
// threads with OpenMP. Float32, Float16 and BFloat16 rows are computed in
// float32 with explicit SIMD (a vectorised exp; see row_kernels_simd.h);
// Float64 rows use scalar code with std::exp. The SIMD width is picked once,
// at run time, from the CPU (AVX-512, AVX2+FMA+F16C, or the portable SSE2 /
// generic build), so one binary runs everywhere and uses what it finds.
//
// This header includes nothing but <cstdint> on purpose: the ISA-specific
// translation units that implement it are compiled with -mavx2 / -mavx512f,
// and must not instantiate inline functions shared with the rest of the
// program (the linker could keep an AVX copy for a machine without AVX).
#pragma once

#include <cstdint>

namespace gradlab::kernels {

// The result of one streaming pass over a row x[0..n), SciPy's rule:
//   max   = the largest non-NaN value (-inf if none)
//   shift = max when finite, else 0
//   sum   = sum_c exp(x_c - shift)   (NaN if any x_c is NaN)
//   dot   = sum_c u_c * x_c  (u = nullptr means u_c = 1), when asked; else 0
// so logsumexp(x) = shift + log(sum). The max is found online, block by
// block, and the running sum is rescaled when it grows: one pass over memory.
struct RowStats {
  double max;
  double shift;
  double sum;
  double dot;
};

// One set of kernels for one storage type T (float, uint16_t holding IEEE
// half or bfloat16 bits, double) computing in U (float, or double for
// double rows). All pointers are to contiguous rows.
template <class T, class U> struct RowKernels {
  using Compute = U;
  // See RowStats. u: n weights for the dot (nullptr = ones).
  RowStats (*stats)(const T* x, int64_t n, const U* u, bool want_dot);
  // Cross-entropy gradient of one row, p_c = exp((x_c - shift) - logsum):
  //   out_c = a * p_c - b * u_c        (u = nullptr means u_c = 1)
  //   out_y -= gamma                    (only when 0 <= y < n)
  // stream: write `out` with non-temporal stores where aligned (for outputs
  // far larger than the caches: saves reading each line before writing it).
  void (*ce_grad)(const T* x, int64_t n, double shift, double logsum, double a, double b,
                  const U* u, int64_t y, double gamma, T* out, bool stream);
  // out_c = (x_c - shift) - logsum
  void (*log_softmax)(const T* x, int64_t n, double shift, double logsum, T* out);
  // out_c = exp(x_c - shift) * inv_sum
  void (*softmax)(const T* x, int64_t n, double shift, double inv_sum, T* out);
  // Backward of log_softmax from its output y: gx_c = g_c - exp(y_c) * sum(g).
  void (*log_softmax_backward)(const T* y, const T* g, int64_t n, T* gx);
  // Backward of softmax from its output y: gx_c = y_c * (g_c - sum(g * y)).
  void (*softmax_backward)(const T* y, const T* g, int64_t n, T* gx);
};

struct KernelSet {
  const char* isa;  // "avx512", "avx2" or "generic"
  RowKernels<float, float> f32;
  RowKernels<uint16_t, float> f16;   // IEEE binary16 bits
  RowKernels<uint16_t, float> bf16;  // bfloat16 bits
  RowKernels<double, double> f64;
};

// The best kernel set this CPU supports, chosen on first use. The environment
// variable GRADLAB_KERNELS=generic|avx2|avx512 forces one (if supported).
const KernelSet& kernels();
// A specific set, or nullptr if unknown or not supported by this CPU (tests
// use it to check that every ISA gives the same answers).
const KernelSet* kernels_for(const char* isa);

// Implemented in the ISA-specific translation units (row_kernels_*.cpp).
// The avx512/avx2 ones return nullptr when built for a non-x86 target.
const KernelSet* kernels_generic();
const KernelSet* kernels_avx2();
const KernelSet* kernels_avx512();
// The scalar float64 kernels (shared by every set).
RowKernels<double, double> kernels_f64();

}  // namespace gradlab::kernels
