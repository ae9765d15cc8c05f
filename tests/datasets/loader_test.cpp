// tests/datasets/loader_test.cpp — DataLoader (datasets/loader.cpp): every
// example exactly once per epoch, batch sizes and drop_last, features kept
// with their labels, the order a pure function of (seed, epoch) so resuming
// reproduces an uninterrupted run, sharding over ranks (disjoint shards that
// make up the single-process batch), and argument checks.
#include "datasets/loader.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <numeric>

#include "tests/datasets/test_util.h"

namespace gradlab::data {
namespace {

using testing::expect_throw;

// n examples of shape (2, 3) whose six features all equal the example's
// index; label i (so each example is recognisable from either tensor).
Dataset numbered(int64_t n) {
  std::vector<float> x;
  std::vector<int64_t> y;
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < 6; ++j) x.push_back(static_cast<float>(i));
    y.push_back(i);
  }
  Dataset d;
  d.features = from_vector(x, {n, 2, 3});
  d.labels = from_vector(y, {n});
  d.num_classes = std::max<int64_t>(n, 1);
  return d;
}

// All labels of one epoch, in order, checking each batch on the way.
std::vector<int64_t> run_epoch(const DataLoader& loader, int64_t epoch) {
  std::vector<int64_t> seen;
  int64_t batches = 0;
  for (const Batch& b : loader.epoch(epoch)) {
    const std::vector<int64_t> y = b.y.to_vector<int64_t>();
    const std::vector<float> x = b.x.to_vector<float>();
    const auto rows = static_cast<int64_t>(y.size());
    EXPECT_EQ(b.x.shape(), (Shape{rows, 2, 3}));
    for (int64_t r = 0; r < rows; ++r) {
      for (int j = 0; j < 6; ++j)
        EXPECT_EQ(x[static_cast<std::size_t>(r * 6 + j)],
                  static_cast<float>(y[static_cast<std::size_t>(r)]));
    }
    seen.insert(seen.end(), y.begin(), y.end());
    ++batches;
  }
  EXPECT_EQ(batches, loader.num_batches());
  return seen;
}

RC_GTEST_PROP(Loader, EveryExampleOncePerEpochInBatchesOfTheRightSize, ()) {
  const auto n = *rc::gen::inRange<int64_t>(0, 200);
  const LoaderOptions opts{.batch_size = *rc::gen::inRange<int64_t>(1, 70),
                           .shuffle = *rc::gen::arbitrary<bool>(),
                           .drop_last = *rc::gen::arbitrary<bool>(),
                           .seed = *rc::gen::arbitrary<uint64_t>()};
  const DataLoader loader(numbered(n), opts);
  const auto epoch = *rc::gen::inRange<int64_t>(0, 1000);
  const std::vector<int64_t> order = loader.order(epoch);

  const int64_t full = n / opts.batch_size, rest = n % opts.batch_size;
  RC_ASSERT(loader.num_batches() == full + (!opts.drop_last && rest > 0 ? 1 : 0));
  std::vector<int64_t> seen;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    const Batch batch = loader.batch(order, b);
    const int64_t want = b < full ? opts.batch_size : rest;
    RC_ASSERT(batch.y.numel() == want);
    const std::vector<int64_t> y = batch.y.to_vector<int64_t>();
    const std::vector<float> x = batch.x.to_vector<float>();
    for (int64_t r = 0; r < want; ++r)
      RC_ASSERT(x[static_cast<std::size_t>(r * 6)] ==
                static_cast<float>(y[static_cast<std::size_t>(r)]));
    seen.insert(seen.end(), y.begin(), y.end());
  }
  // The batches are the order, cut in pieces.
  RC_ASSERT(std::equal(seen.begin(), seen.end(), order.begin()));
  std::sort(seen.begin(), seen.end());
  RC_ASSERT(std::adjacent_find(seen.begin(), seen.end()) == seen.end());  // no repeats
  const auto expected = opts.drop_last ? full * opts.batch_size : n;
  RC_ASSERT(static_cast<int64_t>(seen.size()) == expected);
  if (!opts.drop_last) {
    for (int64_t i = 0; i < n; ++i) RC_ASSERT(seen[static_cast<std::size_t>(i)] == i);
  }
}

RC_GTEST_PROP(Loader, OrderIsAPureFunctionOfSeedAndEpoch, ()) {
  const auto n = *rc::gen::inRange<int64_t>(1, 300);
  const auto seed = *rc::gen::arbitrary<uint64_t>();
  const auto k = *rc::gen::inRange<int64_t>(0, 20);
  const DataLoader a(numbered(n), {.batch_size = 8, .seed = seed});
  // An uninterrupted run: epochs 0..k in turn.
  std::vector<int64_t> uninterrupted;
  for (int64_t e = 0; e <= k; ++e) uninterrupted = a.order(e);
  // A resumed run: a fresh loader asked for epoch k directly.
  const DataLoader b(numbered(n), {.batch_size = 8, .seed = seed});
  RC_ASSERT(b.order(k) == uninterrupted);
}

TEST(Loader, EpochRangeYieldsTheSameBatchesAsOrder) {
  const DataLoader loader(numbered(37), {.batch_size = 5, .seed = 11});
  const std::vector<int64_t> seen = run_epoch(loader, 3);
  EXPECT_EQ(seen, loader.order(3));
  EXPECT_EQ(loader.epoch(3).size(), 8);
}

TEST(Loader, EpochsAndSeedsGiveDifferentOrders) {
  const DataLoader a(numbered(100), {.batch_size = 10, .seed = 1});
  const DataLoader b(numbered(100), {.batch_size = 10, .seed = 2});
  EXPECT_NE(a.order(0), a.order(1));
  EXPECT_NE(a.order(0), b.order(0));
  EXPECT_NE(epoch_seed(1, 0), epoch_seed(0, 1));
}

TEST(Loader, NoShuffleKeepsDatasetOrder) {
  const DataLoader loader(numbered(10), {.batch_size = 4, .shuffle = false});
  std::vector<int64_t> identity(10);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(run_epoch(loader, 0), identity);
  EXPECT_EQ(run_epoch(loader, 5), identity);
}

TEST(Loader, BatchesOwnTheirData) {
  const DataLoader loader(numbered(10), {.batch_size = 4, .shuffle = false});
  Batch first = loader.batch(loader.order(0), 0);
  first.x.fill_(-5.0);
  EXPECT_EQ(loader.batch(loader.order(0), 0).x.to_vector<float>()[0], 0.0f);
  EXPECT_EQ(loader.dataset().features.to_vector<float>()[0], 0.0f);
}

TEST(Loader, BadArguments) {
  expect_throw<std::invalid_argument>([] { DataLoader(numbered(3), {.batch_size = 0}); },
                                      {"DataLoader: batch_size must be >= 1, got 0"});
  Dataset bad = numbered(3);
  bad.num_classes = 2;  // label 2 out of range
  expect_throw<std::invalid_argument>([&] { DataLoader(bad, {}); },
                                      {"DataLoader: label 2 out of range"});
  const DataLoader loader(numbered(10), {.batch_size = 4});
  expect_throw<std::invalid_argument>([&] { loader.batch(loader.order(0), 3); },
                                      {"batch 3 out of range for 3 batches"});
  expect_throw<std::invalid_argument>(
      [&] {
        loader.batch({0, 1}, 0);
      },
      {"order has 2 entries for 10"});
  expect_throw<std::invalid_argument>([&] { loader.order(-1); }, {"negative epoch"});
}

// ---- sharding (rank, world_size) ------------------------------------------

// The shards of global batch b on each of `w` ranks, in rank order.
std::vector<std::vector<int64_t>> shards_of(const std::vector<DataLoader>& ranks,
                                            const std::vector<int64_t>& order, int64_t b) {
  std::vector<std::vector<int64_t>> out;
  for (const DataLoader& r : ranks) out.push_back(r.batch(order, b).y.to_vector<int64_t>());
  return out;
}

RC_GTEST_PROP(LoaderShards, RanksSplitEveryGlobalBatchIntoDisjointEvenShards, ()) {
  const auto n = *rc::gen::inRange<int64_t>(0, 300);
  const auto w = *rc::gen::inRange<int64_t>(1, 9);
  const LoaderOptions opts{.batch_size = w * *rc::gen::inRange<int64_t>(1, 12),
                           .shuffle = *rc::gen::arbitrary<bool>(),
                           .drop_last = *rc::gen::arbitrary<bool>(),
                           .seed = *rc::gen::arbitrary<uint64_t>()};
  const auto epoch = *rc::gen::inRange<int64_t>(0, 1000);
  const DataLoader single(numbered(n), opts);  // one process, the same global batch
  std::vector<DataLoader> ranks;
  for (int64_t r = 0; r < w; ++r) {
    LoaderOptions o = opts;
    o.rank = r;
    o.world_size = w;
    ranks.emplace_back(numbered(n), o);
  }
  const std::vector<int64_t> order = single.order(epoch);
  std::vector<int64_t> seen;  // by every rank, over the epoch
  for (const DataLoader& r : ranks) {
    RC_ASSERT(r.num_batches() == single.num_batches());
    RC_ASSERT(r.order(epoch) == order);
  }
  for (int64_t b = 0; b < single.num_batches(); ++b) {
    const std::vector<std::vector<int64_t>> shards = shards_of(ranks, order, b);
    std::vector<int64_t> joined;
    for (const auto& sh : shards) joined.insert(joined.end(), sh.begin(), sh.end());
    // Together, in rank order, the shards are exactly the single-process batch.
    RC_ASSERT(joined == single.batch(order, b).y.to_vector<int64_t>());
    const auto count = static_cast<int64_t>(joined.size());
    for (int64_t r = 0; r < w; ++r) {
      const auto got = static_cast<int64_t>(shards[static_cast<std::size_t>(r)].size());
      if (count == opts.batch_size) RC_ASSERT(got == opts.batch_size / w);  // a full batch
      // Uneven last batch: the first count % w ranks get one more.
      RC_ASSERT(got == count / w + (r < count % w ? 1 : 0));
      const auto [first, last] = ranks[static_cast<std::size_t>(r)].shard_range(b);
      RC_ASSERT(last - first == got);
    }
    seen.insert(seen.end(), joined.begin(), joined.end());
  }
  // Never an example twice in an epoch, on one rank or across ranks; every
  // example once unless drop_last dropped the last batch.
  std::sort(seen.begin(), seen.end());
  RC_ASSERT(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  const int64_t full = n / opts.batch_size * opts.batch_size;
  RC_ASSERT(static_cast<int64_t>(seen.size()) == (opts.drop_last ? full : n));
}

TEST(LoaderShards, LastBatchSmallerThanTheWorldLeavesSomeRanksEmpty) {
  // 9 examples, global batch 4 on 4 ranks: batches of 4, 4 and 1.
  for (int64_t r = 0; r < 4; ++r) {
    const DataLoader loader(numbered(9),
                            {.batch_size = 4, .shuffle = false, .rank = r, .world_size = 4});
    ASSERT_EQ(loader.num_batches(), 3);
    const std::vector<int64_t> order = loader.order(0);
    EXPECT_EQ(loader.batch(order, 0).y.to_vector<int64_t>(), std::vector<int64_t>{r});
    EXPECT_EQ(loader.batch(order, 1).y.to_vector<int64_t>(), std::vector<int64_t>{4 + r});
    const Batch last = loader.batch(order, 2);
    EXPECT_EQ(last.x.shape(), (Shape{r == 0 ? 1 : 0, 2, 3}));
    EXPECT_EQ(last.y.to_vector<int64_t>(),
              r == 0 ? std::vector<int64_t>{8} : std::vector<int64_t>{});
  }
}

TEST(LoaderShards, EpochRangeGivesThisRanksShards) {
  const DataLoader r1(numbered(10), {.batch_size = 4, .seed = 3, .rank = 1, .world_size = 2});
  const std::vector<int64_t> order = r1.order(2);
  std::vector<int64_t> want;  // positions 2,3 of each batch of 4, then 9 (last batch: 8 | 9)
  for (int64_t pos : {2, 3, 6, 7, 9}) want.push_back(order[static_cast<std::size_t>(pos)]);
  EXPECT_EQ(run_epoch(r1, 2), want);
}

TEST(LoaderShards, EvenSplit) {
  EXPECT_EQ(even_split(10, 4, 0), (std::pair<int64_t, int64_t>{0, 3}));
  EXPECT_EQ(even_split(10, 4, 1), (std::pair<int64_t, int64_t>{3, 6}));
  EXPECT_EQ(even_split(10, 4, 2), (std::pair<int64_t, int64_t>{6, 8}));
  EXPECT_EQ(even_split(10, 4, 3), (std::pair<int64_t, int64_t>{8, 10}));
  EXPECT_EQ(even_split(2, 5, 4), (std::pair<int64_t, int64_t>{2, 2}));
  EXPECT_EQ(even_split(0, 1, 0), (std::pair<int64_t, int64_t>{0, 0}));
  expect_throw<std::invalid_argument>([] { even_split(5, 2, 2); },
                                      {"even_split: part 2 of 2 of 5 items is out of range"});
  EXPECT_THROW(even_split(-1, 2, 0), std::invalid_argument);
  EXPECT_THROW(even_split(5, 0, 0), std::invalid_argument);
}

TEST(LoaderShards, BadArguments) {
  expect_throw<std::invalid_argument>(
      [] { DataLoader(numbered(8), {.batch_size = 4, .world_size = 0}); },
      {"DataLoader: world_size must be >= 1, got 0"});
  expect_throw<std::invalid_argument>(
      [] { DataLoader(numbered(8), {.batch_size = 4, .rank = 2, .world_size = 2}); },
      {"DataLoader: rank 2 out of range for world_size 2"});
  expect_throw<std::invalid_argument>(
      [] { DataLoader(numbered(8), {.batch_size = 4, .rank = -1, .world_size = 2}); },
      {"rank -1 out of range"});
  expect_throw<std::invalid_argument>(
      [] { DataLoader(numbered(8), {.batch_size = 128, .world_size = 3}); },
      {"batch_size 128", "not a multiple of world_size 3"});
  const DataLoader loader(numbered(8), {.batch_size = 4, .world_size = 2});
  expect_throw<std::invalid_argument>([&] { loader.shard_range(2); },
                                      {"DataLoader::shard_range: batch 2 out of range"});
}

// Not a timing assertion (machines vary): prints what one epoch of
// Fashion-MNIST-sized batches costs, so a regression is visible in the log.
TEST(Loader, FashionMnistSizedEpochIsCheap) {
  const int64_t n = 60000;
  Dataset d;
  d.features = zeros({n, 784});
  d.labels = zeros({n}, DType::Int64);
  d.num_classes = 10;
  const DataLoader loader(d, {.batch_size = 128, .seed = 0});
  const auto t0 = std::chrono::steady_clock::now();
  int64_t rows = 0;
  for (const Batch& b : loader.epoch(0)) rows += b.x.shape()[0];
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(rows, n);
  std::cout << "[ info ] one shuffled epoch of 60000 x 784 in batches of 128: " << s << " s\n";
}

}  // namespace
}  // namespace gradlab::data
