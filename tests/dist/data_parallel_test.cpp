// tests/dist/data_parallel_test.cpp — dist/data_parallel.cpp under mpiexec:
// the root's parameters reach every rank, buckets partition the parameters
// in reverse order, synced gradients are the mean over ranks (bit for bit)
// or the global-batch mean for uneven shards, and training end to end: the
// same global batch on 1 process and on W ranks gives the same loss curve to
// fp32 rounding, a rerun is bit-identical, and the replicas never drift.
#include "dist/data_parallel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numeric>
#include <utility>
#include <string>
#include <vector>

#include "core/random.h"
#include "datasets/dataset.h"
#include "datasets/loader.h"
#include "datasets/synthetic.h"
#include "dist/collectives.h"
#include "dist/runtime.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "losses/cross_entropy.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "tests/dist/dist_test_util.h"

namespace gradlab::dist {
namespace {

using testing::cast;
using testing::contribution;
using testing::same_bits;
using testing::same_on_every_rank;

std::shared_ptr<nn::Sequential> mlp(int64_t in, int64_t hidden, int64_t out, uint64_t seed) {
  Generator gen(seed);
  return std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(in, hidden, gen),
                                          std::make_shared<nn::ReLU>(),
                                          std::make_shared<nn::Linear>(hidden, out, gen));
}

// Every parameter value, flattened in parameters() order.
std::vector<float> flat_params(const nn::Module& m) {
  std::vector<float> out;
  for (const Tensor& p : m.parameters()) {
    const std::vector<float> v = p.to_vector<float>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

TEST(DataParallel, ConstructionGivesEveryRankTheRootsParameters) {
  for (int root = 0; root < world_size(); ++root) {
    auto model = mlp(5, 7, 3, 100 + static_cast<uint64_t>(rank()));  // different on each rank
    const std::vector<float> roots = flat_params(*mlp(5, 7, 3, 100 + static_cast<uint64_t>(root)));
    DataParallel dp(model, {.root = root});
    EXPECT_TRUE(same_bits(flat_params(*model), roots)) << "root " << root;
  }
}

TEST(DataParallel, BucketsArePlannedFromTheParameters) {
  auto model = std::make_shared<nn::Sequential>();
  Generator gen(1);
  for (auto [in, out] : std::vector<std::pair<int64_t, int64_t>>{{40, 30}, {30, 20}, {20, 10}})
    model->push_back(std::make_shared<nn::Linear>(in, out, gen));
  std::vector<int64_t> numels;
  for (const Tensor& p : model->parameters()) numels.push_back(p.numel());
  for (int64_t cap : {int64_t{1}, int64_t{1000}, int64_t{2500}, int64_t{1} << 20}) {
    DataParallel dp(model, {.bucket_bytes = cap});
    const std::vector<Bucket> want =
        plan_buckets(numels, std::vector<DType>(numels.size(), DType::Float32), cap);
    ASSERT_EQ(dp.buckets().size(), want.size()) << "bucket_bytes " << cap;
    for (std::size_t k = 0; k < want.size(); ++k) {
      EXPECT_EQ(dp.buckets()[k].params, want[k].params);
      EXPECT_EQ(dp.buckets()[k].bytes, want[k].bytes);
    }
  }
}

// Sets every parameter's gradient to rank r's contribution (seeded by the
// parameter's index), as float, and returns them flattened.
std::vector<std::vector<float>> set_grads(nn::Module& m, int r, uint64_t seed) {
  std::vector<std::vector<float>> grads;
  uint64_t k = seed;
  for (const Tensor& p : m.parameters()) {
    const std::vector<float> g = cast<float>(contribution(p.numel(), r, k++));
    p.set_grad(from_vector(g, p.shape()));
    grads.push_back(g);
  }
  return grads;
}

TEST(DataParallel, SyncGradientsIsTheMeanOverRanksBitForBit) {
  for (int64_t cap : {int64_t{64}, int64_t{1} << 20}) {  // many buckets, one bucket
    auto model = mlp(9, 11, 4, 3);
    DataParallel dp(model, {.bucket_bytes = cap});
    set_grads(*model, rank(), 42);
    dp.sync_gradients();
    const int w = world_size();
    std::vector<std::vector<std::vector<float>>> all;  // [rank][param][i]
    for (int q = 0; q < w; ++q) {
      auto other = mlp(9, 11, 4, 3);
      all.push_back(set_grads(*other, q, 42));
    }
    const std::vector<Tensor> params = model->parameters();
    for (std::size_t j = 0; j < params.size(); ++j) {
      std::vector<float> want(all[0][j].size());
      for (std::size_t i = 0; i < want.size(); ++i) {
        double acc = all[0][j][i];
        for (int q = 1; q < w; ++q) acc += all[static_cast<std::size_t>(q)][j][i];
        want[i] = static_cast<float>(acc / w);
      }
      EXPECT_TRUE(same_bits(params[j].grad().to_vector<float>(), want)) << "parameter " << j;
    }
    EXPECT_EQ(dp.last_sync().buckets, static_cast<int64_t>(dp.buckets().size()));
    EXPECT_EQ(dp.last_sync().bytes, model->num_parameters() * 4);
    EXPECT_GT(dp.last_sync().bytes_sent, 0);
  }
}

TEST(DataParallel, WeightedSyncIsTheGlobalMeanEvenWithAnEmptyShard) {
  // Rank r had n_r = r + 1 examples, except the last rank, which had none
  // and ran no backward at all.
  const int w = world_size();
  const auto count = [&](int q) { return q == w - 1 ? 0 : q + 1; };
  auto model = mlp(6, 5, 3, 8);
  DataParallel dp(model, {.bucket_bytes = 100});
  if (count(rank()) > 0) {
    set_grads(*model, rank(), 7);
  } else {
    model->zero_grad();
  }
  dp.sync_gradients(count(rank()));
  std::vector<std::vector<std::vector<float>>> all;
  for (int q = 0; q < w; ++q) all.push_back(set_grads(*mlp(6, 5, 3, 8), q, 7));
  int64_t total = 0;
  for (int q = 0; q < w; ++q) total += count(q);
  const std::vector<Tensor> params = model->parameters();
  for (std::size_t j = 0; j < params.size(); ++j) {
    ASSERT_TRUE(params[j].grad().defined()) << "parameter " << j;
    const std::vector<float> got = params[j].grad().to_vector<float>();
    for (std::size_t i = 0; i < got.size(); ++i) {
      double exact = 0, scale = 0;
      for (int q = 0; q < w; ++q) {
        const double term = count(q) * static_cast<double>(all[static_cast<std::size_t>(q)][j][i]);
        exact += term;
        scale += std::fabs(term);
      }
      exact /= static_cast<double>(total);
      // Two roundings to fp32 (n_r g_r, then the quotient) plus the sum's.
      EXPECT_NEAR(got[i], exact, 4e-7 * scale / static_cast<double>(total) + 1e-30)
          << "parameter " << j << " element " << i;
    }
  }
}

TEST(DataParallel, MissingGradientIsAnErrorBeforeCommunicating) {
  auto model = mlp(4, 4, 2, 1);
  DataParallel dp(model);
  model->zero_grad();
  try {
    dp.sync_gradients();
    ADD_FAILURE() << "sync without gradients accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("dist::DataParallel::sync_gradients: parameter "
                                         "'0.weight' has no gradient on rank " +
                                         std::to_string(rank())),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(dp.sync_gradients(-1), std::invalid_argument);
  // The ranks are still in step.
  set_grads(*model, rank(), 3);
  dp.sync_gradients(1);
}

TEST(DataParallel, NoExamplesOnAnyRankIsAnErrorOnEveryRank) {
  auto model = mlp(4, 4, 2, 1);
  DataParallel dp(model);
  model->zero_grad();
  EXPECT_THROW(dp.sync_gradients(0), std::invalid_argument);
}

TEST(DataParallel, ChangedParametersAreAnError) {
  auto model = mlp(4, 4, 2, 1);
  DataParallel dp(model);
  model->to(DType::Float64);
  EXPECT_THROW(dp.sync_gradients(), std::invalid_argument);
  EXPECT_THROW(DataParallel(nullptr), std::invalid_argument);
  EXPECT_THROW(DataParallel(model, {.bucket_bytes = 0}), std::invalid_argument);
  EXPECT_THROW(DataParallel(model, {.root = world_size()}), std::invalid_argument);
}

// ---- training end to end -----------------------------------------------------

// 4 blobs in 8-d, 289 examples: with a global batch of 32, the last batch
// has 1 example, so on 2 or more ranks some shards are empty.
data::Dataset blobs() {
  const data::Dataset all = data::make_blobs(
      {.n_per_class = 80, .num_classes = 4, .dim = 8, .cluster_std = 2.0, .seed = 5});
  std::vector<int64_t> first(289);
  std::iota(first.begin(), first.end(), 0);
  return data::subset(all, first);
}

struct TrainRun {
  std::vector<double> losses;  // the global-batch mean loss of every step
  std::vector<float> params;   // at the end
};

std::unique_ptr<optim::Optimizer> make_optimizer(const nn::Module& m, bool adam) {
  if (adam) return std::make_unique<optim::Adam>(m.parameters(), optim::AdamOptions{.lr = 1e-2});
  return std::make_unique<optim::SGD>(m.parameters(),
                                      optim::SGDOptions{.lr = 0.05, .momentum = 0.9});
}

// One process, the whole global batch per step.
TrainRun train_single(bool adam, int epochs) {
  auto model = mlp(8, 16, 4, 11);
  auto opt = make_optimizer(*model, adam);
  const data::DataLoader loader(blobs(), {.batch_size = 32, .seed = 3});
  TrainRun run;
  for (int e = 0; e < epochs; ++e) {
    for (const data::Batch& b : loader.epoch(e)) {
      opt->zero_grad();
      Tensor loss = cross_entropy((*model)(b.x), b.y);
      loss.backward();
      opt->step();
      run.losses.push_back(loss.item());
    }
  }
  run.params = flat_params(*model);
  return run;
}

// This rank's shard of every global batch, gradients synced by DataParallel.
TrainRun train_parallel(bool adam, int epochs) {
  auto model = mlp(8, 16, 4, 11 + static_cast<uint64_t>(rank()));  // rank 0's init wins
  DataParallel dp(model, {.bucket_bytes = 256});                   // several buckets
  auto opt = make_optimizer(*model, adam);
  const data::DataLoader loader(
      blobs(), {.batch_size = 32, .seed = 3, .rank = rank(), .world_size = world_size()});
  TrainRun run;
  for (int e = 0; e < epochs; ++e) {
    for (const data::Batch& b : loader.epoch(e)) {
      const int64_t n = b.x.size(0);
      opt->zero_grad();
      double local = 0;
      if (n > 0) {
        Tensor loss = cross_entropy(dp(b.x), b.y);
        loss.backward();
        local = loss.item();
      }
      dp.sync_gradients(n);
      opt->step();
      // The global mean loss: sum of n_r * loss_r over the sum of n_r.
      Tensor parts = from_vector(
          std::vector<double>{local * static_cast<double>(n), static_cast<double>(n)}, {2});
      all_reduce_(parts);
      const std::vector<double> p = parts.to_vector<double>();
      run.losses.push_back(p[0] / p[1]);
    }
  }
  run.params = flat_params(*model);
  return run;
}

double max_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::fabs(a[i] - b[i]) / std::fabs(a[i]));
  return worst;
}

TEST(DataParallelTraining, SameLossCurveAsOneProcessWithTheGlobalBatch) {
  for (bool adam : {false, true}) {
    SCOPED_TRACE(adam ? "Adam" : "SGD with momentum");
    const TrainRun single = train_single(adam, 3);
    const TrainRun parallel = train_parallel(adam, 3);
    ASSERT_EQ(parallel.losses.size(), single.losses.size());
    ASSERT_EQ(single.losses.size(), 30u);  // 10 batches (the last of 1 example) x 3 epochs
    // The per-example gradients are the same; only how fp32 groups their sum
    // differs (two half-batch means averaged vs one batch mean).
    const double diff = max_relative_difference(single.losses, parallel.losses);
    std::cout << "[ info ] " << (adam ? "Adam" : "SGD") << ": largest relative loss difference "
              << "1 process vs " << world_size() << " ranks over 30 steps: " << diff << "\n";
    EXPECT_LT(diff, 2e-5);  // measured: 3e-6 (SGD), 3e-7 (Adam) on 2 ranks
    EXPECT_LT(single.losses.back(), 0.5 * single.losses.front());  // it did learn
  }
}

TEST(DataParallelTraining, RerunIsBitIdenticalAndReplicasNeverDrift) {
  const TrainRun a = train_parallel(/*adam=*/true, 2);
  const TrainRun b = train_parallel(/*adam=*/true, 2);
  EXPECT_TRUE(same_bits(a.losses, b.losses));
  EXPECT_TRUE(same_bits(a.params, b.params));
  EXPECT_TRUE(same_on_every_rank(a.params, DType::Float32));
}

}  // namespace
}  // namespace gradlab::dist
