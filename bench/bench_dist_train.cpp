// bench/bench_dist_train.cpp — one epoch of the default Fashion-MNIST MLP
// (784-256-128-10, ReLU, Adam 1e-3, global batch 128) trained through
// dist::DataParallel, timed step by step: compute (forward + backward),
// gradient sync (the bucketed all-reduce), optimizer. Run it as
//
//   mpirun -np 2 build/bench/dist/bench_dist_train        # 2 ranks
//   OMP_NUM_THREADS=2 build/bench/dist/bench_dist_train   # 1 process, 2 threads
//
// (bench/dist_scaling.sh runs the comparisons). The global batch is the same
// whatever the world size: with W ranks each computes 128 / W examples per
// step. Prints the epoch time, throughput, the per-step split, the bytes the
// sync moves, and the test accuracy (so that runs can be compared for what
// they learn, not only for speed). Figures only; nothing is asserted.
#include <omp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "datasets/idx.h"
#include "datasets/loader.h"
#include "datasets/transforms.h"
#include "dist/dist.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "losses/cross_entropy.h"
#include "optim/adam.h"

using namespace gradlab;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::vector<int64_t> parse_widths(const std::string& s) {
  std::vector<int64_t> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoll(item));
  return out;
}

// (N, 28, 28) images -> (N, 784), standardised with the training set's mean
// and std (as `gradlab train` does for images).
data::Dataset flat(const data::Dataset& d) {
  data::Dataset out = d;
  out.features = reshape(d.features, {d.size(), d.example_numel()}).contiguous();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  dist::Session session(&argc, &argv);
  CLI::App app{"One epoch of an MLP on Fashion-MNIST through dist::DataParallel, timed"};
  std::string dir = data::kFashionMnistDir, hidden = "256,128";
  int64_t batch = 128, limit = 0, epochs = 1;
  uint64_t seed = 1;
  double bucket_mib = 1.0;
  app.add_option("--data", dir, "Fashion-MNIST directory");
  app.add_option("--hidden", hidden, "hidden widths, e.g. 256,128");
  app.add_option("--batch", batch, "global batch size (a multiple of the world size)");
  app.add_option("--epochs", epochs, "epochs");
  app.add_option("--limit", limit, "use only the first N training examples (0: all)");
  app.add_option("--seed", seed, "seed of the initialisation and the shuffling");
  app.add_option("--bucket-mib", bucket_mib, "DataParallel bucket size in MiB");
  CLI11_PARSE(app, argc, argv);
  const int rank = dist::rank(), world = dist::world_size();

  data::Dataset train = flat(data::load_fashion_mnist(dir, data::Split::Train));
  data::Dataset test = flat(data::load_fashion_mnist(dir, data::Split::Test));
  if (limit > 0 && limit < train.size()) {
    std::vector<int64_t> first(static_cast<std::size_t>(limit));
    for (int64_t i = 0; i < limit; ++i) first[static_cast<std::size_t>(i)] = i;
    train = data::subset(train, first);
  }
  const data::Normalizer norm = data::fit_normalizer(train, data::NormMode::Global);
  train = data::normalize(train, norm);
  test = data::normalize(test, norm);

  Generator gen(seed);
  auto model = std::make_shared<nn::Sequential>();
  int64_t width = 784;
  std::string arch = "784";
  for (int64_t h : parse_widths(hidden)) {
    model->push_back(std::make_shared<nn::Linear>(width, h, gen));
    model->push_back(std::make_shared<nn::ReLU>());
    width = h;
    arch += "-" + std::to_string(h);
  }
  model->push_back(std::make_shared<nn::Linear>(width, 10, gen));
  arch += "-10";

  dist::DataParallel dp(model, {.bucket_bytes = static_cast<int64_t>(bucket_mib * 1048576)});
  optim::Adam opt(model->parameters(), {.lr = 1e-3});
  const data::DataLoader loader(
      train,
      {.batch_size = batch, .shuffle = true, .seed = seed, .rank = rank, .world_size = world});

  double t_compute = 0, t_sync = 0, t_opt = 0, loss_sum = 0;
  int64_t steps = 0, seen = 0, bytes = 0, sent = 0;
  dist::barrier();
  const auto t_start = Clock::now();
  for (int64_t e = 0; e < epochs; ++e) {
    for (const data::Batch& b : loader.epoch(e)) {
      const int64_t n = b.x.size(0);
      auto t0 = Clock::now();
      opt.zero_grad();
      if (n > 0) {
        Tensor loss = cross_entropy(dp(b.x), b.y);
        loss.backward();
        loss_sum += loss.item() * static_cast<double>(n);
      }
      t_compute += since(t0);
      t0 = Clock::now();
      dp.sync_gradients(n);
      t_sync += since(t0);
      t0 = Clock::now();
      opt.step();
      t_opt += since(t0);
      bytes += dp.last_sync().bytes;
      sent += dp.last_sync().bytes_sent;
      seen += n;
      ++steps;
    }
  }
  dist::barrier();
  const double epoch_s = since(t_start);

  // Figures of every rank: loss and examples summed, times averaged. (A
  // rank's sync time includes waiting for a slower rank to finish computing.)
  Tensor sums = from_vector(std::vector<double>{loss_sum, static_cast<double>(seen)}, {2});
  dist::all_reduce_(sums);
  Tensor times = from_vector(std::vector<double>{t_compute, t_sync, t_opt}, {3});
  dist::all_reduce_(times, dist::ReduceOp::Mean);
  const std::vector<double> s = sums.to_vector<double>(), t = times.to_vector<double>();

  if (rank == 0) {
    double acc = 0;
    {
      NoGradGuard no_grad;
      model->eval();
      const std::vector<int64_t> pred = argmax((*model)(test.features), -1).to_vector<int64_t>();
      const std::vector<int64_t> y = test.labels.to_vector<int64_t>();
      for (std::size_t i = 0; i < y.size(); ++i) acc += pred[i] == y[i] ? 1 : 0;
      acc /= static_cast<double>(y.size());
    }
    const double ms = 1e3 / static_cast<double>(steps);
    std::printf(
        "bench_dist_train: %d rank%s x %d thread%s, mlp %s (%lld parameters, %.2f MB of "
        "gradients, %zu bucket%s), global batch %lld (%lld per rank), %lld steps\n",
        world, world > 1 ? "s" : "", omp_get_max_threads(), omp_get_max_threads() > 1 ? "s" : "",
        arch.c_str(), static_cast<long long>(model->num_parameters()),
        static_cast<double>(model->num_parameters()) * 4e-6, dp.buckets().size(),
        dp.buckets().size() > 1 ? "s" : "", static_cast<long long>(batch),
        static_cast<long long>(batch / world), static_cast<long long>(steps));
    std::printf("  epoch %.3f s, %.0f examples/s\n", epoch_s, s[1] / epoch_s);
    std::printf("  per step (mean over ranks): compute %.3f ms, sync %.3f ms, optimizer %.3f ms\n",
                t[0] * ms, t[1] * ms, t[2] * ms);
    std::printf("  sync per step: %.3f MB reduced, %.3f MB sent by rank 0\n",
                static_cast<double>(bytes) * 1e-6 / static_cast<double>(steps),
                static_cast<double>(sent) * 1e-6 / static_cast<double>(steps));
    std::printf("  train loss %.4f, test accuracy %.4f\n", s[0] / s[1], acc);
  }
  return 0;
}
