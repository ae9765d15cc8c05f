// tests/labs/test_data_parallel.cpp — the phase-12 suite (labs/12_data_parallel/lab.h):
// chunks, the ring all-reduce, buckets, shards and gradient averaging, run
// as W threads over the in-process transport of data_parallel_support.h.
//
//   property   (RapidCheck) the ring equals the serial sum on every rank for
//              any world size and length (lengths not divisible by W
//              included), sends no more than the ring's share, gives the same
//              bits whatever the order messages arrive in; chunks and shards
//              tile their range evenly; buckets hold every parameter once;
//              averaging gives the global-batch mean for any shard sizes.
//   reference  golden values from numpy / PyTorch in float64
//              (tests/data/labs/data_parallel_reference.json, with provenance).
//   stress     1 rank, 7 ranks, length 0 and 1, 10^7 floats on 3 ranks, a last batch
//              smaller than the world.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "labs/12_data_parallel/lab.h"
#include "tests/labs/data_parallel_support.h"

namespace {

using data_parallel_test::World;
using Arrays = std::vector<std::vector<float>>;  // one array per rank

// ---- helpers -------------------------------------------------------------------------

// Runs ring_all_reduce on copies of `in` (one array per rank) and returns
// every rank's result.
Arrays all_reduce(const Arrays& in, World& world) {
  Arrays data = in;
  const auto n = static_cast<int64_t>(in[0].size());
  world.run([&](lab12::Comm& comm) {
    lab12::ring_all_reduce(comm, data[static_cast<std::size_t>(comm.rank())].data(), n);
  });
  return data;
}
Arrays all_reduce(const Arrays& in, uint64_t seed = 1) {
  World world(static_cast<int>(in.size()), {.seed = seed});
  return all_reduce(in, world);
}

std::vector<double> exact_sum(const Arrays& in) {
  std::vector<double> s(in[0].size(), 0.0);
  for (const auto& a : in)
    for (std::size_t i = 0; i < a.size(); ++i) s[i] += a[i];
  return s;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// W arrays of n integers in [-1000, 1000] stored as floats: every order of
// addition gives the exact sum, so "equals the serial sum" can be exact.
rc::Gen<Arrays> integer_arrays(int w, int64_t n) {
  return rc::gen::container<Arrays>(
      static_cast<std::size_t>(w),
      rc::gen::container<std::vector<float>>(
          static_cast<std::size_t>(n), rc::gen::map(rc::gen::inRange(-1000, 1001),
                                                    [](int v) { return static_cast<float>(v); })));
}

// W arrays of n floats of wildly different magnitudes: the order of
// addition changes the rounding.
Arrays wide_arrays(int w, int64_t n, uint64_t seed) {
  Arrays out(static_cast<std::size_t>(w), std::vector<float>(static_cast<std::size_t>(n)));
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> exponent(-12, 12);
  for (auto& a : out)
    for (float& v : a) v = std::ldexp(normal(gen), exponent(gen));
  return out;
}

// ---- 1. chunks -----------------------------------------------------------------------

RC_GTEST_PROP(ChunkProperty, ChunksTileTheArray, ()) {
  const auto n = *rc::gen::inRange<int64_t>(0, 1000);
  const auto w = *rc::gen::inRange(1, 17);
  int64_t expect_first = 0;
  for (int c = 0; c < w; ++c) {
    const auto [first, last] = lab12::chunk_range(n, w, c);
    RC_LOG() << "chunk " << c << " = [" << first << ", " << last << ")\n";
    RC_ASSERT(first == expect_first);                        // contiguous, in order
    RC_ASSERT(last - first == n / w + (c < n % w ? 1 : 0));  // the first n % w one longer
    expect_first = last;
  }
  RC_ASSERT(expect_first == n);  // the whole array
}

// ---- 2. the ring ---------------------------------------------------------------------

RC_GTEST_PROP(RingProperty, EqualsTheSerialSumOnEveryRank, ()) {
  const auto w = *rc::gen::inRange(1, 9);
  const auto n = *rc::gen::inRange<int64_t>(0, 300);
  const Arrays in = *integer_arrays(w, n);
  World world(w);
  const Arrays out = all_reduce(in, world);
  const std::vector<double> want = exact_sum(in);
  for (int r = 0; r < w; ++r) {
    for (int64_t i = 0; i < n; ++i) {
      RC_LOG() << "rank " << r << ", element " << i << "\n";
      RC_ASSERT(out[static_cast<std::size_t>(r)][static_cast<std::size_t>(i)] ==
                static_cast<float>(want[static_cast<std::size_t>(i)]));
    }
  }
  RC_ASSERT(world.undelivered() == 0);  // every message sent was received
}

RC_GTEST_PROP(RingProperty, SendsNoMoreThanTheRing, ()) {
  const auto w = *rc::gen::inRange(2, 9);
  const auto n = *rc::gen::inRange<int64_t>(0, 500);
  World world(w);
  all_reduce(*integer_arrays(w, n), world);
  // 2 (W-1) chunks of at most ceil(n / W) floats each.
  const int64_t budget = 2 * (w - 1) * ((n + w - 1) / w);
  for (int r = 0; r < w; ++r) {
    RC_LOG() << "rank " << r << " sent " << world.floats_sent(r) << " floats; the ring sends at "
             << "most " << budget << "\n";
    RC_ASSERT(world.floats_sent(r) <= budget);
  }
}

RC_GTEST_PROP(RingProperty, SameBitsWhateverTheArrivalOrder, ()) {
  const auto w = *rc::gen::inRange(3, 8);
  const auto n = *rc::gen::inRange<int64_t>(1, 200);
  const Arrays in = wide_arrays(w, n, *rc::gen::arbitrary<uint64_t>());
  const Arrays first = all_reduce(in, /*seed=*/1);
  const std::vector<double> exact = exact_sum(in);
  for (int r = 0; r < w; ++r) RC_ASSERT(same_bits(first[static_cast<std::size_t>(r)], first[0]));
  // Close to the exact sum: W - 1 float additions, each off by half an ulp.
  for (int64_t i = 0; i < n; ++i) {
    double magnitude = 0;
    for (const auto& a : in) magnitude += std::fabs(a[static_cast<std::size_t>(i)]);
    RC_ASSERT(std::fabs(first[0][static_cast<std::size_t>(i)] -
                        exact[static_cast<std::size_t>(i)]) <= w * std::ldexp(magnitude, -24));
  }
  for (uint64_t seed = 2; seed <= 6; ++seed) {
    RC_LOG() << "transport seed " << seed << " vs seed 1\n";
    const Arrays again = all_reduce(in, seed);
    for (int r = 0; r < w; ++r) RC_ASSERT(same_bits(again[static_cast<std::size_t>(r)], first[0]));
  }
}

// ---- 3. buckets ----------------------------------------------------------------------

RC_GTEST_PROP(BucketProperty, EveryParameterOnceInReverseOrder, ()) {
  const auto numels = *rc::gen::container<std::vector<int64_t>>(rc::gen::inRange<int64_t>(1, 400));
  const auto cap = *rc::gen::inRange<int64_t>(1, 1000);
  const std::vector<std::vector<int64_t>> buckets = lab12::make_buckets(numels, cap);
  std::vector<int64_t> order;
  for (const auto& b : buckets) {
    RC_ASSERT(!b.empty());
    int64_t size = 0;
    for (int64_t i : b) {
      RC_ASSERT(i >= 0 && i < static_cast<int64_t>(numels.size()));
      size += numels[static_cast<std::size_t>(i)];
    }
    RC_ASSERT(size <= cap || b.size() == 1);  // within the budget unless alone
    order.insert(order.end(), b.begin(), b.end());
  }
  RC_ASSERT(order.size() == numels.size());  // every parameter exactly once ...
  for (std::size_t k = 0; k < order.size(); ++k)
    RC_ASSERT(order[k] == static_cast<int64_t>(numels.size() - 1 - k));  // ... last one first
  // Greedy: a bucket closes only when the next parameter would overflow it.
  for (std::size_t k = 0; k + 1 < buckets.size(); ++k) {
    int64_t size = 0;
    for (int64_t i : buckets[k]) size += numels[static_cast<std::size_t>(i)];
    RC_ASSERT(size + numels[static_cast<std::size_t>(buckets[k + 1].front())] > cap);
  }
}

// ---- 4. shards -----------------------------------------------------------------------

RC_GTEST_PROP(ShardProperty, SlicesTileTheBatch, ()) {
  const auto start = *rc::gen::inRange<int64_t>(0, 10000);
  const auto count = *rc::gen::inRange<int64_t>(0, 300);
  const auto w = *rc::gen::inRange(1, 17);
  int64_t expect_first = start;
  for (int r = 0; r < w; ++r) {
    const auto [first, last] = lab12::shard_range(start, count, r, w);
    RC_LOG() << "rank " << r << " = [" << first << ", " << last << ")\n";
    RC_ASSERT(first == expect_first);                                // disjoint, in rank order
    RC_ASSERT(last - first == count / w + (r < count % w ? 1 : 0));  // even
    expect_first = last;
  }
  RC_ASSERT(expect_first == start + count);  // the whole batch, nothing more
}

// ---- 5. averaging --------------------------------------------------------------------

// Runs average_gradients on every rank; grads[r] and counts[r] are rank r's.
std::vector<Arrays> average(std::vector<Arrays> grads, const std::vector<int64_t>& counts,
                            const std::vector<std::vector<int64_t>>& buckets) {
  World world(static_cast<int>(counts.size()));
  world.run([&](lab12::Comm& comm) {
    const auto r = static_cast<std::size_t>(comm.rank());
    lab12::average_gradients(comm, grads[r], buckets, counts[r]);
  });
  return grads;
}

// sum_r n_r g_r / sum_r n_r, in double, and a bound for its float rounding.
std::pair<double, double> weighted_mean(const std::vector<Arrays>& grads,
                                        const std::vector<int64_t>& counts, std::size_t p,
                                        std::size_t i) {
  double num = 0, mag = 0, den = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    num += static_cast<double>(counts[r]) * grads[r][p][i];
    mag += static_cast<double>(counts[r]) * std::fabs(grads[r][p][i]);
    den += static_cast<double>(counts[r]);
  }
  return {num / den, 8.0 * static_cast<double>(counts.size()) * std::ldexp(mag / den, -24)};
}

RC_GTEST_PROP(AverageProperty, GlobalBatchMeanOnEveryRank, ()) {
  const auto w = *rc::gen::inRange(1, 7);
  const auto numels = *rc::gen::nonEmpty(
      rc::gen::container<std::vector<int64_t>>(rc::gen::inRange<int64_t>(1, 40)));
  auto counts = *rc::gen::container<std::vector<int64_t>>(static_cast<std::size_t>(w),
                                                          rc::gen::inRange<int64_t>(0, 6));
  if (std::all_of(counts.begin(), counts.end(), [](int64_t c) { return c == 0; })) counts[0] = 1;
  const auto cap = *rc::gen::inRange<int64_t>(1, 100);
  std::vector<Arrays> grads(static_cast<std::size_t>(w));
  std::mt19937_64 gen(*rc::gen::arbitrary<uint64_t>());
  std::normal_distribution<float> normal;
  for (int r = 0; r < w; ++r)
    for (int64_t ne : numels) {
      std::vector<float> g(static_cast<std::size_t>(ne), 0.0f);
      if (counts[static_cast<std::size_t>(r)] > 0)
        for (float& v : g) v = normal(gen);
      grads[static_cast<std::size_t>(r)].push_back(g);
    }
  // The buckets come from the reference rule (not the student's make_buckets):
  // averaging is tested on its own.
  std::vector<std::vector<int64_t>> buckets;
  int64_t size = 0;
  for (auto i = static_cast<int64_t>(numels.size()) - 1; i >= 0; --i) {
    if (buckets.empty() || size + numels[static_cast<std::size_t>(i)] > cap) {
      buckets.emplace_back();
      size = 0;
    }
    buckets.back().push_back(i);
    size += numels[static_cast<std::size_t>(i)];
  }
  RC_LOG() << "local example counts:";
  for (int64_t c : counts) RC_LOG() << " " << c;
  RC_LOG() << "\n";
  const std::vector<Arrays> out = average(grads, counts, buckets);
  for (std::size_t p = 0; p < numels.size(); ++p) {
    for (std::size_t i = 0; i < out[0][p].size(); ++i) {
      const auto [want, tol] = weighted_mean(grads, counts, p, i);
      RC_ASSERT(std::fabs(out[0][p][i] - want) <= tol + 1e-30);
    }
    for (int r = 1; r < w; ++r)
      RC_ASSERT(same_bits(out[static_cast<std::size_t>(r)][p], out[0][p]));
  }
}

// ---- reference: golden data from numpy / PyTorch ---------------------------------

const nlohmann::json& golden() {
  static const nlohmann::json j = [] {
    std::ifstream f(std::string(GRADLAB_TEST_DATA_DIR) + "/labs/data_parallel_reference.json");
    if (!f) throw std::runtime_error("cannot open tests/data/labs/data_parallel_reference.json");
    return nlohmann::json::parse(f);
  }();
  return j;
}

TEST(DataParallelReference, GoldenFileHasProvenance) {
  const auto& p = golden().at("provenance");
  for (const char* key : {"generator", "command", "torch", "numpy", "seed", "dtype"})
    EXPECT_TRUE(p.contains(key)) << key;
}

TEST(DataParallelReference, RingMatchesNumpy) {
  const auto& g = golden().at("ring");
  const Arrays in = g.at("data").get<Arrays>();
  const std::vector<double> want = g.at("sum").get<std::vector<double>>();
  const Arrays out = all_reduce(in);
  for (std::size_t r = 0; r < out.size(); ++r)
    for (std::size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(out[r][i], want[i], 3 * std::ldexp(std::fabs(want[i]) + 1e-3, -23))
          << "rank " << r << ", element " << i;
}

// A linear model on a global batch of 10 examples split over 4 ranks: each
// rank's gradient of the mean squared error over its shard (test code, in
// double), averaged by average_gradients, must be PyTorch's full-batch one.
TEST(DataParallelReference, ShardedRegressionGradientMatchesPyTorch) {
  const auto& g = golden().at("regression");
  const int w = g.at("world_size").get<int>();
  const auto n = g.at("n").get<int64_t>(), d = g.at("d").get<int64_t>();
  const std::vector<double> x = g.at("x").get<std::vector<double>>(),
                            y = g.at("y").get<std::vector<double>>(),
                            wt = g.at("w").get<std::vector<double>>();
  const double b = g.at("b").get<std::vector<double>>()[0];
  std::vector<Arrays> grads(static_cast<std::size_t>(w));
  std::vector<int64_t> counts;
  for (int r = 0; r < w; ++r) {
    const auto [first, last] = lab12::shard_range(0, n, r, w);
    ASSERT_GE(first, 0);
    ASSERT_LE(last, n);
    std::vector<double> gw(static_cast<std::size_t>(d), 0.0);
    double gb = 0;
    for (int64_t k = first; k < last; ++k) {
      double e = b - y[static_cast<std::size_t>(k)];
      for (int64_t j = 0; j < d; ++j)
        e += x[static_cast<std::size_t>(k * d + j)] * wt[static_cast<std::size_t>(j)];
      for (int64_t j = 0; j < d; ++j)
        gw[static_cast<std::size_t>(j)] += 2 * e * x[static_cast<std::size_t>(k * d + j)];
      gb += 2 * e;
    }
    const int64_t m = last - first;
    std::vector<float> fw(gw.size()), fb{0.0f};
    for (std::size_t j = 0; j < gw.size(); ++j) fw[j] = m ? static_cast<float>(gw[j] / m) : 0.0f;
    if (m) fb[0] = static_cast<float>(gb / m);
    grads[static_cast<std::size_t>(r)] = {fw, fb};
    counts.push_back(m);
  }
  const std::vector<Arrays> out = average(grads, counts, {{1, 0}});
  const std::vector<double> gw = g.at("grad_w").get<std::vector<double>>();
  const double gb = g.at("grad_b").get<std::vector<double>>()[0];
  for (int r = 0; r < w; ++r) {
    for (int64_t j = 0; j < d; ++j) {
      EXPECT_NEAR(out[static_cast<std::size_t>(r)][0][static_cast<std::size_t>(j)],
                  gw[static_cast<std::size_t>(j)], 1e-5)
          << "rank " << r << ", d loss / d w[" << j << "]";
    }
    EXPECT_NEAR(out[static_cast<std::size_t>(r)][1][0], gb, 1e-5)
        << "rank " << r << ", d loss / d b";
  }
}

TEST(DataParallelReference, BucketsOfTheFashionMnistMlp) {
  const auto& g = golden().at("buckets");
  EXPECT_EQ(lab12::make_buckets(g.at("numels").get<std::vector<int64_t>>(),
                                g.at("bucket_floats").get<int64_t>()),
            g.at("buckets").get<std::vector<std::vector<int64_t>>>());
}

// ---- stress ----------------------------------------------------------------------------

TEST(DataParallelStress, OneRankSendsNothingAndKeepsItsData) {
  World world(1);
  const Arrays out = all_reduce({{1.5f, -2.0f, 3.25f}}, world);
  EXPECT_EQ(out[0], (std::vector<float>{1.5f, -2.0f, 3.25f}));
  EXPECT_EQ(world.messages_sent(0), 0);
  const std::vector<Arrays> avg = average({{{0.5f, 0.25f}}}, {3}, {{0}});
  EXPECT_NEAR(avg[0][0][0], 0.5f, 1e-7);
  EXPECT_NEAR(avg[0][0][1], 0.25f, 1e-7);
}

TEST(DataParallelStress, SevenRanks) {
  Arrays in(7, std::vector<float>(1000));
  for (int r = 0; r < 7; ++r)
    for (int i = 0; i < 1000; ++i)
      in[static_cast<std::size_t>(r)][static_cast<std::size_t>(i)] =
          static_cast<float>(r * 1000 + i);
  const Arrays out = all_reduce(in);
  for (int r = 0; r < 7; ++r)
    for (int i = 0; i < 1000; ++i)
      ASSERT_EQ(out[static_cast<std::size_t>(r)][static_cast<std::size_t>(i)],
                static_cast<float>(21000 + 7 * i))
          << "rank " << r << ", element " << i;
}

TEST(DataParallelStress, LengthOneAndZeroOnSevenRanks) {
  Arrays one(7);
  for (int r = 0; r < 7; ++r) one[static_cast<std::size_t>(r)] = {static_cast<float>(r + 1)};
  for (const auto& a : all_reduce(one)) EXPECT_EQ(a, std::vector<float>{28.0f});
  const Arrays none(7);
  for (const auto& a : all_reduce(none)) EXPECT_TRUE(a.empty());
}

TEST(DataParallelStress, TenMillionFloatsOnThreeRanks) {
  const int64_t n = 10'000'000;
  const auto value = [](int r, int64_t i) { return static_cast<float>(i % 1000 - 500 + r); };
  Arrays data(
      3, std::vector<float>(static_cast<std::size_t>(n)));  // chunks of 3333334, 3333333, 3333333
  for (int r = 0; r < 3; ++r)
    for (int64_t i = 0; i < n; ++i)
      data[static_cast<std::size_t>(r)][static_cast<std::size_t>(i)] = value(r, i);
  World world(3, {.max_yields = 0});
  world.run([&](lab12::Comm& comm) {
    lab12::ring_all_reduce(comm, data[static_cast<std::size_t>(comm.rank())].data(), n);
  });
  for (int r = 0; r < 3; ++r) {
    const std::vector<float>& got = data[static_cast<std::size_t>(r)];
    for (int64_t i = 0; i < n; ++i) {
      const float want = value(0, i) + value(1, i) + value(2, i);  // exact
      if (got[static_cast<std::size_t>(i)] != want) {
        FAIL() << "rank " << r << ", element " << i << ": got " << got[static_cast<std::size_t>(i)]
               << ", want " << want;
      }
    }
    EXPECT_LE(world.floats_sent(r), 2 * 2 * (n / 3 + 1));
  }
}

// A last batch of 3 examples on 7 ranks: 4 ranks get none, and their (zero)
// gradients must not count.
TEST(DataParallelStress, LastBatchSmallerThanTheWorld) {
  std::vector<int64_t> counts;
  for (int r = 0; r < 7; ++r) {
    const auto [first, last] = lab12::shard_range(120, 3, r, 7);
    counts.push_back(last - first);
  }
  EXPECT_EQ(counts, (std::vector<int64_t>{1, 1, 1, 0, 0, 0, 0}));
  std::vector<Arrays> grads(7, Arrays{{0.0f, 0.0f}});
  grads[0][0] = {1.0f, 3.0f};
  grads[1][0] = {2.0f, 3.0f};
  grads[2][0] = {6.0f, 3.0f};
  for (const Arrays& g : average(grads, counts, {{0}})) {
    EXPECT_NEAR(g[0][0], 3.0f, 1e-6);  // (1 + 2 + 6) / 3
    EXPECT_NEAR(g[0][1], 3.0f, 1e-6);
  }
}

TEST(DataParallelStress, OneHugeParameterGetsABucketOfItsOwn) {
  EXPECT_EQ(lab12::make_buckets({5, 1'000'000, 5}, 10),
            (std::vector<std::vector<int64_t>>{{2}, {1}, {0}}));
  EXPECT_EQ(lab12::make_buckets({5, 5}, 1'000'000), (std::vector<std::vector<int64_t>>{{1, 0}}));
  EXPECT_TRUE(lab12::make_buckets({}, 10).empty());
}

}  // namespace
