// bench/bench_core.cpp — core benchmarks (Google Benchmark):
//  * autograd overhead: a chain of 100,000 elementwise ops on 4-element
//    tensors (mul, add, tanh in turn), forward + backward; reported as time
//    per op (counter "us_per_op").
//  * matmul 1024x1024x1024 float32 through gradlab vs cblas_sgemm directly.
// Run: ./build/bench/bench_core  (or `make bench`).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <vector>

#include "gradlab.h"

using namespace gradlab;

static void BM_AutogradChain(benchmark::State& state) {
  const int64_t n_ops = state.range(0);
  Tensor x = from_vector<float>({0.1f, 0.2f, 0.3f, 0.4f}, {4});
  Tensor w = from_vector<float>({0.9f, 1.1f, 0.95f, 1.05f}, {4});
  Tensor b = from_vector<float>({0.01f, -0.02f, 0.03f, -0.04f}, {4});
  x.requires_grad_();
  w.requires_grad_();
  b.requires_grad_();
  for (auto _ : state) {
    Tensor y = x;
    for (int64_t i = 0; i < n_ops; ++i) {
      switch (i % 3) {
        case 0: y = mul(y, w); break;
        case 1: y = add(y, b); break;
        default: y = tanh(y); break;
      }
    }
    sum(y).backward();
    benchmark::DoNotOptimize(x.grad());
    x.zero_grad();
    w.zero_grad();
    b.zero_grad();
  }
  state.counters["us_per_op"] = benchmark::Counter(
      static_cast<double>(n_ops) * 1e-6, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AutogradChain)->Arg(100000)->Unit(benchmark::kMillisecond);

static void BM_MatmulGradlab(benchmark::State& state) {
  const int64_t n = state.range(0);
  Generator gen(1);
  Tensor a = randn({n, n}, gen), b = randn({n, n}, gen);
  for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b));
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}
BENCHMARK(BM_MatmulGradlab)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

static void BM_MatmulCblas(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Generator gen(1);
  std::vector<float> a = randn({n, n}, gen).to_vector<float>(), b = randn({n, n}, gen).to_vector<float>();
  std::vector<float> c(static_cast<size_t>(n) * n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}
BENCHMARK(BM_MatmulCblas)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
