// bench/bench_mixed_precision.cpp — the 16-bit matmul back end
// (core/detail/half_gemm.h) against cblas_sgemm, in the same run:
//  * BM_Sgemm:             cblas_sgemm on float32 (the hardware floor gradlab's
//                          float32 matmul sits on)
//  * BM_MatmulBf16:        gradlab::matmul on bf16 tensors (oneDNN on
//                          AVX512_BF16 CPUs); target >= 1.6x BM_Sgemm's GFLOPS
//  * BM_MatmulBf16Float32: the same with the float32 fallback forced (what a
//                          CPU without AVX512_BF16 gets)
//  * BM_MatmulFp16:        gradlab::matmul on fp16 tensors (widen + sgemm)
// Each at 1024^3 with 1 and 2 threads (args: n, threads), plus the three GEMMs
// of one training step of the 784-256-128-10 MLP's first layer (batch 128).
// Run: ./build/bench/bench_mixed_precision
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <omp.h>

#include <vector>

#include "core/detail/half_gemm.h"
#include "gradlab.h"

extern "C" void openblas_set_num_threads(int);

using namespace gradlab;

namespace {

void set_threads(int64_t threads) {
  omp_set_num_threads(static_cast<int>(threads));
  openblas_set_num_threads(static_cast<int>(threads));
}

void gflops(benchmark::State& state, double flops) {
  state.counters["GFLOPS"] = benchmark::Counter(
      flops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.SetLabel(detail::half_gemm_path_name(detail::bf16_gemm_path()));
}

void BM_Sgemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  set_threads(state.range(1));
  Generator gen(1);
  std::vector<float> a = randn({n, n}, gen).to_vector<float>(),
                     b = randn({n, n}, gen).to_vector<float>();
  std::vector<float> c(static_cast<size_t>(n) * n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n,
                0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  gflops(state, 2.0 * n * n * n);
  state.SetLabel("openblas");
}

void run_matmul(benchmark::State& state, DType dtype) {
  const int64_t n = state.range(0);
  set_threads(state.range(1));
  Generator gen(1);
  Tensor a = randn({n, n}, gen).to(dtype), b = randn({n, n}, gen).to(dtype);
  for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b));
  gflops(state, 2.0 * static_cast<double>(n * n * n));
}

void BM_MatmulBf16(benchmark::State& state) { run_matmul(state, DType::BFloat16); }
void BM_MatmulBf16Float32(benchmark::State& state) {
  detail::ForceFloat32HalfGemm force;
  run_matmul(state, DType::BFloat16);
}
void BM_MatmulFp16(benchmark::State& state) {
  run_matmul(state, DType::Float16);
  state.SetLabel("float32-sgemm");
}

// The first layer of the MLP, one step: forward x (128,784) @ W^T, and the
// weight gradient (dW = dY^T x) (no input gradient for a first layer).
template <DType D>
void BM_MlpLayer1Step(benchmark::State& state) {
  set_threads(state.range(0));
  Generator gen(2);
  Tensor x = randn({128, 784}, gen).to(D), w = randn({256, 784}, gen).to(D);
  Tensor dy = randn({128, 256}, gen).to(D);
  for (auto _ : state) {
    benchmark::DoNotOptimize(matmul(x, w.t()));
    benchmark::DoNotOptimize(matmul(dy.t(), x));
  }
  gflops(state, 2 * 2.0 * 128 * 784 * 256);
  if (D == DType::Float32) state.SetLabel("openblas");
}

}  // namespace

BENCHMARK(BM_Sgemm)->Args({1024, 1})->Args({1024, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MatmulBf16)
    ->Args({1024, 1})
    ->Args({1024, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_MatmulBf16Float32)
    ->Args({1024, 1})
    ->Args({1024, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_MatmulFp16)
    ->Args({1024, 1})
    ->Args({1024, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_MlpLayer1Step<DType::Float32>)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_MlpLayer1Step<DType::BFloat16>)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

BENCHMARK_MAIN();
