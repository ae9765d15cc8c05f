// core/detail/half_gemm.cpp — bf16 GEMM through oneDNN, and the float32 path
// (widen, cblas_sgemm, round) used for fp16, on CPUs without AVX512_BF16 and
// when forced. See half_gemm.h for why oneDNN.
#include "core/detail/half_gemm.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/detail/half_convert.h"

namespace gradlab::detail {
namespace {

std::atomic<int> g_forced{0};
thread_local HalfGemmCalls t_calls;

// GRADLAB_BF16_GEMM: unset or "auto" -> pick by CPU; "fallback" -> float32.
bool env_forces_fallback() {
  static const bool forced = [] {
    const char* v = std::getenv("GRADLAB_BF16_GEMM");
    if (v == nullptr || std::strcmp(v, "auto") == 0) return false;
    if (std::strcmp(v, "fallback") == 0) return true;
    throw std::invalid_argument(
        std::string("GRADLAB_BF16_GEMM: expected 'auto' or 'fallback', got '") + v + "'");
  }();
  return forced;
}

// Per-thread scratch for the float32 path (reused: no allocation per call
// once the largest shape has been seen).
struct Scratch {
  std::vector<float> a, b, c;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Widens the stored matrix of an operand (rows x cols in storage order, leading
// dim ld) into a compact float32 buffer (leading dim cols).
template <class H>
void widen_matrix(const H* src, int64_t rows, int64_t cols, int64_t ld, std::vector<float>& dst) {
  dst.resize(static_cast<size_t>(rows * cols));
  if (ld == cols) {
    widen(src, dst.data(), rows * cols);
    return;
  }
  for (int64_t r = 0; r < rows; ++r) widen(src + r * ld, dst.data() + r * cols, cols);
}

// The plain path: float32 copies of both operands, one sgemm, one rounding.
template <class H>
void gemm_via_sgemm(bool ta, bool tb, int64_t n, int64_t m, int64_t k, const H* a, int64_t lda,
                    const H* b, int64_t ldb, H* c, int64_t ldc) {
  ++t_calls.float32_sgemm;
  Scratch& s = scratch();
  // Stored shapes: A is (n, k), or (k, n) when transposed; B likewise.
  const int64_t ar = ta ? k : n, ac = ta ? n : k, br = tb ? m : k, bc = tb ? k : m;
  widen_matrix(a, ar, ac, lda, s.a);
  widen_matrix(b, br, bc, ldb, s.b);
  s.c.resize(static_cast<size_t>(n * m));
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), 1.0f, s.a.data(),
              static_cast<int>(std::max<int64_t>(ac, 1)), s.b.data(),
              static_cast<int>(std::max<int64_t>(bc, 1)), 0.0f, s.c.data(),
              static_cast<int>(std::max<int64_t>(m, 1)));
  for (int64_t i = 0; i < n; ++i) narrow(s.c.data() + i * m, c + i * ldc, m);
}

template <class H>
void fill_zero(H* c, int64_t n, int64_t m, int64_t ldc) {
  for (int64_t i = 0; i < n; ++i) std::fill(c + i * ldc, c + i * ldc + m, H{});
}

// ---- oneDNN -------------------------------------------------------------------
dnnl::engine& onednn_engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}
dnnl::stream& onednn_stream() {
  thread_local dnnl::stream s(onednn_engine());
  return s;
}

// k at or beyond which a transposed A is copied first (see half_gemm.h:
// measured with oneDNN 2.6.3, k-splitting with a transposed A started at
// k = 4096; a transposed A with k <= 1024 never differed between 1, 2 and 4
// threads).
constexpr int64_t kCopyTransposedAFromK = 1024;

// Returns false if oneDNN has no implementation for this problem (the caller
// then takes the float32 path).
bool gemm_bf16_onednn(bool ta, bool tb, int64_t n, int64_t m, int64_t k, const BFloat16* a,
                      int64_t lda, const BFloat16* b, int64_t ldb, BFloat16* c, int64_t ldc) {
  using dnnl::memory;
  std::vector<BFloat16> a_rows;
  if (ta && k >= kCopyTransposedAFromK) {  // A^T stored (k, n): copy to (n, k) row-major
    a_rows.resize(static_cast<size_t>(n * k));
    for (int64_t t = 0; t < k; ++t)
      for (int64_t i = 0; i < n; ++i) a_rows[static_cast<size_t>(i * k + t)] = a[t * lda + i];
    a = a_rows.data();
    lda = k;
    ta = false;
  }
  try {
    dnnl::engine& eng = onednn_engine();
    const memory::desc ad({n, k}, memory::data_type::bf16,
                          ta ? memory::dims{1, lda} : memory::dims{lda, 1});
    const memory::desc bd({k, m}, memory::data_type::bf16,
                          tb ? memory::dims{1, ldb} : memory::dims{ldb, 1});
    const memory::desc cd({n, m}, memory::data_type::bf16, memory::dims{ldc, 1});
    // oneDNN's primitive cache makes a repeated shape cost ~2 us here (the
    // first one JIT-compiles its kernel, ~0.5 ms).
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(ad, bd, cd), eng);
    dnnl::matmul mm(pd);
    memory am(ad, eng, const_cast<BFloat16*>(a)), bm(bd, eng, const_cast<BFloat16*>(b)),
        cm(cd, eng, c);
    dnnl::stream& s = onednn_stream();
    mm.execute(s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
    s.wait();
  } catch (const dnnl::error&) {
    return false;
  }
  ++t_calls.onednn_bf16;
  return true;
}

}  // namespace

bool cpu_has_avx512_bf16() {
#if defined(__x86_64__)
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") != 0;
  }();
  return yes;
#else
  return false;
#endif
}

HalfGemmPath bf16_gemm_path() {
  if (g_forced.load(std::memory_order_relaxed) > 0 || env_forces_fallback() ||
      !cpu_has_avx512_bf16())
    return HalfGemmPath::Float32Sgemm;
  return HalfGemmPath::OneDnnBf16;
}

const char* half_gemm_path_name(HalfGemmPath path) {
  return path == HalfGemmPath::OneDnnBf16 ? "onednn-bf16" : "float32-sgemm";
}

ForceFloat32HalfGemm::ForceFloat32HalfGemm() { g_forced.fetch_add(1); }
ForceFloat32HalfGemm::~ForceFloat32HalfGemm() { g_forced.fetch_sub(1); }

HalfGemmCalls half_gemm_calls() { return t_calls; }

void gemm_bf16(bool ta, bool tb, int64_t n, int64_t m, int64_t k, const BFloat16* a, int64_t lda,
               const BFloat16* b, int64_t ldb, BFloat16* c, int64_t ldc) {
  if (n == 0 || m == 0) return;
  if (k == 0) return fill_zero(c, n, m, ldc);
  if (bf16_gemm_path() == HalfGemmPath::OneDnnBf16 &&
      gemm_bf16_onednn(ta, tb, n, m, k, a, lda, b, ldb, c, ldc))
    return;
  gemm_via_sgemm(ta, tb, n, m, k, a, lda, b, ldb, c, ldc);
}

void gemm_f16(bool ta, bool tb, int64_t n, int64_t m, int64_t k, const Half* a, int64_t lda,
              const Half* b, int64_t ldb, Half* c, int64_t ldc) {
  if (n == 0 || m == 0) return;
  if (k == 0) return fill_zero(c, n, m, ldc);
  gemm_via_sgemm(ta, tb, n, m, k, a, lda, b, ldb, c, ldc);
}

}  // namespace gradlab::detail
