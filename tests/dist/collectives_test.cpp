// tests/dist/collectives_test.cpp — dist/collectives.cpp, run as 2 and as 3
// ranks: all_reduce_ gives, bit for bit, the sum in rank order accumulated in
// float64 (the contract), the same bits as the plain version and on every
// rank, for every length (0, 1, fewer than the ranks, not a multiple of them,
// a million); Mean, Int64 with wrap-around, broadcast from every root, the
// bytes sent, and arguments rejected before any communication.
#include "dist/collectives.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dist/runtime.h"
#include "tests/dist/dist_test_util.h"

namespace gradlab::dist {
namespace {

using testing::cast;
using testing::contribution;
using testing::same_bits;
using testing::same_on_every_rank;

// The contract, computed without communicating: every rank's contribution,
// added in rank order in float64, divided by W for Mean, rounded once.
template <class T>
std::vector<T> expected_reduction(int64_t n, uint64_t seed, ReduceOp op) {
  const int w = world_size();
  std::vector<double> acc(static_cast<std::size_t>(n), 0.0);
  for (int q = 0; q < w; ++q) {
    // Rounded to T first: that is what rank q contributes.
    const std::vector<T> x = cast<T>(contribution(n, q, seed));
    for (std::size_t i = 0; i < acc.size(); ++i)
      acc[i] = q == 0 ? static_cast<double>(x[i]) : acc[i] + static_cast<double>(x[i]);
  }
  std::vector<T> out(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i)
    out[i] = static_cast<T>(op == ReduceOp::Mean ? acc[i] / w : acc[i]);
  return out;
}

template <class T>
void check_all_reduce(int64_t n, DType dtype, ReduceOp op, uint64_t seed) {
  SCOPED_TRACE("n = " + std::to_string(n) + ", " + dtype_name(dtype) +
               (op == ReduceOp::Mean ? ", Mean" : ", Sum"));
  const std::vector<T> mine = cast<T>(contribution(n, rank(), seed));
  Tensor fast = from_vector(mine, {n});
  Tensor plain = from_vector(mine, {n});
  all_reduce_(fast, op);
  all_reduce_plain_(plain, op);
  const std::vector<T> want = expected_reduction<T>(n, seed, op);
  EXPECT_TRUE(same_bits(fast.to_vector<T>(), want));
  EXPECT_TRUE(same_bits(plain.to_vector<T>(), want));
  EXPECT_TRUE(same_on_every_rank(fast.to_vector<T>(), dtype));
}

std::vector<int64_t> lengths() {
  const int64_t w = world_size();
  return {0, 1, 2, w - 1, w, w + 1, 2 * w + 1, 7, 1000, 4097, 65536 + 3};
}

TEST(AllReduce, SumIsTheRankOrderSumBitForBitForEveryLength) {
  uint64_t seed = 1;
  for (int64_t n : lengths()) {
    check_all_reduce<float>(n, DType::Float32, ReduceOp::Sum, seed++);
    check_all_reduce<double>(n, DType::Float64, ReduceOp::Sum, seed++);
  }
}

TEST(AllReduce, MeanIsTheSumDividedOnce) {
  uint64_t seed = 100;
  for (int64_t n : lengths()) {
    check_all_reduce<float>(n, DType::Float32, ReduceOp::Mean, seed++);
    check_all_reduce<double>(n, DType::Float64, ReduceOp::Mean, seed++);
  }
}

TEST(AllReduce, AMillionElements) {
  check_all_reduce<float>(1'000'003, DType::Float32, ReduceOp::Mean, 7);
}

TEST(AllReduce, ReductionOrderIsRankOrder) {
  // Float64, rank 0 holds 2^53, every other rank 1. In rank order every
  // partial sum 2^53 + 1 rounds back to 2^53 (ties to even); adding the ones
  // first would give 2^53 + (W - 1) rounded, a different value for W = 3.
  const double big = 9007199254740992.0;  // 2^53
  Tensor t = from_vector(std::vector<double>{rank() == 0 ? big : 1.0}, {1});
  all_reduce_(t);
  EXPECT_EQ(t.item(), big);
}

TEST(AllReduce, ShapesAreKept) {
  Tensor t = full({2, 3, 4}, rank() + 1.0);
  all_reduce_(t);
  const int w = world_size();
  EXPECT_EQ(t.shape(), (Shape{2, 3, 4}));
  for (float v : t.to_vector<float>()) EXPECT_EQ(v, static_cast<float>(w * (w + 1) / 2));
}

TEST(AllReduce, Int64SumsAndWrapsAround) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  Tensor t = from_vector(std::vector<int64_t>{rank() + 1, max, -5}, {3});
  all_reduce_(t);
  const int64_t w = world_size();
  const std::vector<int64_t> got = t.to_vector<int64_t>();
  EXPECT_EQ(got[0], w * (w + 1) / 2);
  // w copies of max wrap to max * w mod 2^64.
  EXPECT_EQ(static_cast<uint64_t>(got[1]), static_cast<uint64_t>(max) * static_cast<uint64_t>(w));
  EXPECT_EQ(got[2], -5 * w);
}

TEST(AllReduce, BytesSentAreTwiceWMinusOneOverWOfTheTensor) {
  const int64_t w = world_size(), n = 1000 * w;
  Tensor t = zeros({n});
  const int64_t before = stats().bytes_sent;
  all_reduce_(t);
  EXPECT_EQ(stats().bytes_sent - before, 2 * (w - 1) * n / w * 4);
  Tensor p = zeros({n});
  const int64_t before_plain = stats().bytes_sent;
  all_reduce_plain_(p);
  EXPECT_EQ(stats().bytes_sent - before_plain, (w - 1) * n * 4);
}

TEST(Broadcast, EveryRootEveryDtype) {
  for (int root = 0; root < world_size(); ++root) {
    SCOPED_TRACE("root " + std::to_string(root));
    const std::vector<double> values = contribution(37, root, 55);
    for (DType d : {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int64,
                    DType::Bool}) {
      Tensor root_copy = from_vector(values, {37}).to(d);  // what `root` holds
      Tensor t = rank() == root ? root_copy.clone() : zeros({37}, d);
      broadcast_(t, root);
      EXPECT_TRUE(same_bits(t.to_vector<double>(), root_copy.to_vector<double>())) << dtype_name(d);
    }
  }
  Tensor empty_tensor = zeros({0});
  broadcast_(empty_tensor, 0);
  EXPECT_EQ(empty_tensor.numel(), 0);
}

void expect_invalid(const std::function<void()>& fn, const std::string& fragment) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one mentioning: " << fragment;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Collectives, BadArgumentsAreRejectedBeforeCommunicating) {
  const Tensor strided = zeros({3, 4}).transpose(0, 1);
  expect_invalid([&] { all_reduce_(strided); },
                 "dist::all_reduce_: the tensor (4,3) is not contiguous");
  expect_invalid([] { all_reduce_(zeros({2}, DType::Float16)); },
                 "dist::all_reduce_: cannot reduce a Float16 tensor");
  expect_invalid([] { all_reduce_(zeros({2}, DType::Int64), ReduceOp::Mean); },
                 "Mean of an Int64 tensor");
  expect_invalid([] { all_reduce_(Tensor()); }, "dist::all_reduce_: undefined tensor");
  expect_invalid([] { all_reduce_plain_(zeros({2}, DType::Bool)); },
                 "dist::all_reduce_plain_: cannot reduce a Bool tensor");
  expect_invalid([&] { broadcast_(zeros({2}), world_size()); },
                 "dist::broadcast_: root " + std::to_string(world_size()) + " out of range for " +
                     std::to_string(world_size()) + " ranks");
  expect_invalid([&] { broadcast_(strided, 0); },
                 "dist::broadcast_: the tensor (4,3) is not contiguous");
  // Nothing was sent: the ranks are still in step.
  Tensor t = ones({5});
  all_reduce_(t);
  EXPECT_EQ(t.to_vector<float>()[4], static_cast<float>(world_size()));
}

}  // namespace
}  // namespace gradlab::dist
