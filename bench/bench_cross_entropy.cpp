// bench/bench_cross_entropy.cpp — the fused cross-entropy, forward + backward,
// on the workload, next to the memory copy that bounds it.
//
//   BM_CrossEntropy/<threads>/<dtype>  logits (4096, 32000), eps = 0.1, every
//        7th target ignored, Mean; one iteration = cross_entropy(...) +
//        backward(). dtype 0 = Float32, 1 = Float16. Counters:
//        peak_extra_MB  peak resident memory during one forward+backward
//                       beyond the logits and their gradient (should be
//                       O(rows): a few hundred KB)
//        logits_MB      size of the logits
//   BM_CrossEntropyOp/<threads>/<dtype>  the same, but calling the op's
//        recorded backward function directly instead of loss.backward():
//        the fused op alone, without the autograd engine's handling of the
//        leaf gradient (today it clones a leaf's first gradient, one more
//        rows x C read + write and allocation; see the closing note).
//   BM_Copy/<threads>  memcpy of the Float32 logits' bytes between two
//        pre-faulted buffers (split across threads); bytes_per_second counts
//        read + write bytes (STREAM's "copy" convention). The memory floor of
//        forward + backward is 3 x logits bytes / this bandwidth (read logits
//        forward, read them again backward, write the gradient).
//
// Times are wall-clock (real_time) and process CPU time summed over threads
// (cpu_time): on a machine shared with other jobs the CPU time is the
// steadier figure. bench/compare_cross_entropy.py runs this with
// --benchmark_format=json and times PyTorch on the same workload in the same
// run.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "losses/cross_entropy.h"

namespace {

constexpr int64_t kRows = 4096, kClasses = 32000;

// Resident-set figures from /proc/self/status, in bytes (0 if unavailable).
int64_t proc_status_bytes(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(std::strlen(key))) * 1024;
  return 0;
}
// Resets VmHWM to the current RSS (Linux >= 4.0).
void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

struct Workload {
  gradlab::Tensor logits, target;
  gradlab::CrossEntropyOptions opts;
};

Workload make_workload(gradlab::DType dtype) {
  gradlab::Generator gen(2024);
  Workload w;
  w.logits = gradlab::randn({kRows, kClasses}, gen).to(dtype);
  std::vector<int64_t> t(kRows);
  for (int64_t i = 0; i < kRows; ++i) t[i] = i % 7 == 0 ? -100 : static_cast<int64_t>(gen.below(kClasses));
  w.target = gradlab::from_vector<int64_t>(t, {kRows});
  w.opts = {.reduction = gradlab::Reduction::Mean, .label_smoothing = 0.1};
  w.logits.requires_grad_();
  return w;
}

void step(const Workload& w) {
  w.logits.zero_grad();
  gradlab::Tensor loss = gradlab::cross_entropy(w.logits, w.target, w.opts);
  loss.backward();
  benchmark::DoNotOptimize(w.logits.grad().impl().get());
}

// Forward, then the op's own backward function (no engine): returns the
// gradient w.r.t. the logits.
gradlab::Tensor op_step(const Workload& w) {
  gradlab::Tensor loss = gradlab::cross_entropy(w.logits, w.target, w.opts);
  const gradlab::Tensor seed = gradlab::scalar_tensor(1.0);
  return loss.impl()->grad_fn->backward(seed)[0];
}

template <bool kEngine> void run_cross_entropy(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const gradlab::DType dtype = state.range(1) == 0 ? gradlab::DType::Float32 : gradlab::DType::Float16;
  omp_set_num_threads(threads);
  const Workload w = make_workload(dtype);
  const int64_t logits_bytes = w.logits.numel() * static_cast<int64_t>(gradlab::itemsize(dtype));
  auto one = [&] {
    if constexpr (kEngine) step(w);
    else benchmark::DoNotOptimize(op_step(w).impl().get());
  };
  one();  // warm up (first touch, thread pool)

  // Peak memory of one step beyond the logits and their gradient.
  w.logits.zero_grad();
  const int64_t before = proc_status_bytes("VmRSS:");
  reset_peak_rss();
  one();
  const int64_t peak = proc_status_bytes("VmHWM:");
  state.counters["peak_extra_MB"] = static_cast<double>(peak - before - logits_bytes) / 1e6;
  state.counters["logits_MB"] = static_cast<double>(logits_bytes) / 1e6;

  for (auto _ : state) one();
  state.SetBytesProcessed(state.iterations() * 3 * logits_bytes);
}
void BM_CrossEntropy(benchmark::State& state) { run_cross_entropy<true>(state); }
void BM_CrossEntropyOp(benchmark::State& state) { run_cross_entropy<false>(state); }

void BM_Copy(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const size_t bytes = static_cast<size_t>(kRows * kClasses) * sizeof(float);
  std::vector<char> src(bytes, 1), dst(bytes, 0);  // pre-faulted
  for (auto _ : state) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int p = 0; p < threads; ++p) {
      const size_t lo = bytes * p / threads, hi = bytes * (p + 1) / threads;
      std::memcpy(dst.data() + lo, src.data() + lo, hi - lo);
    }
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 2 * static_cast<int64_t>(bytes));
}

BENCHMARK(BM_CrossEntropy)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "fp16"})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Iterations(5);
BENCHMARK(BM_CrossEntropyOp)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "fp16"})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Iterations(5);
BENCHMARK(BM_Copy)
    ->Arg(1)
    ->Arg(2)
    ->ArgNames({"threads"})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
