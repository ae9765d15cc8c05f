// tests/dist/buckets_test.cpp — dist/buckets.h (no MPI needed): every
// parameter in exactly one bucket, in reverse order, within the byte budget
// unless alone, greedy, one dtype per bucket; bad arguments.
#include "dist/buckets.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace gradlab::dist {
namespace {

RC_GTEST_PROP(Buckets, PartitionInReverseOrderWithinTheBudget, ()) {
  const auto numels = *rc::gen::container<std::vector<int64_t>>(rc::gen::inRange<int64_t>(0, 300));
  std::vector<DType> dtypes;
  for (std::size_t i = 0; i < numels.size(); ++i)
    dtypes.push_back(*rc::gen::element(DType::Float32, DType::Float64));
  const auto cap = *rc::gen::inRange<int64_t>(1, 3000);
  const std::vector<Bucket> buckets = plan_buckets(numels, dtypes, cap);
  std::vector<int64_t> order;
  for (const Bucket& b : buckets) {
    RC_ASSERT(!b.params.empty());
    int64_t bytes = 0, elements = 0;
    for (int64_t i : b.params) {
      const auto ui = static_cast<std::size_t>(i);
      RC_ASSERT(dtypes[ui] == b.dtype);
      elements += numels[ui];
      bytes += numels[ui] * static_cast<int64_t>(itemsize(dtypes[ui]));
    }
    RC_ASSERT(b.elements == elements);
    RC_ASSERT(b.bytes == bytes);
    RC_ASSERT(b.bytes <= cap || b.params.size() == 1);
    order.insert(order.end(), b.params.begin(), b.params.end());
  }
  // Every parameter once, last registered first.
  RC_ASSERT(order.size() == numels.size());
  for (std::size_t k = 0; k < order.size(); ++k)
    RC_ASSERT(order[k] == static_cast<int64_t>(numels.size() - 1 - k));
  // Greedy: a bucket is closed only when the next parameter does not fit or
  // has another dtype.
  for (std::size_t k = 0; k + 1 < buckets.size(); ++k) {
    const auto next = static_cast<std::size_t>(buckets[k + 1].params.front());
    const int64_t next_bytes = numels[next] * static_cast<int64_t>(itemsize(dtypes[next]));
    RC_ASSERT(dtypes[next] != buckets[k].dtype || buckets[k].bytes + next_bytes > cap);
  }
}

TEST(Buckets, OneBucketWhenEverythingFitsOnePerParameterWhenNothingDoes) {
  const std::vector<int64_t> numels{100, 10, 50};
  const std::vector<DType> f32(3, DType::Float32);
  const std::vector<Bucket> one = plan_buckets(numels, f32, 1 << 20);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].params, (std::vector<int64_t>{2, 1, 0}));
  EXPECT_EQ(one[0].bytes, 640);
  EXPECT_EQ(plan_buckets(numels, f32, 1).size(), 3u);
  // 50 + 10 floats fit in 240 bytes, the 100 do not join them.
  const std::vector<Bucket> two = plan_buckets(numels, f32, 240);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].params, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(two[1].params, (std::vector<int64_t>{0}));
  EXPECT_TRUE(plan_buckets({}, {}, 10).empty());
}

TEST(Buckets, BadArguments) {
  EXPECT_THROW(plan_buckets({1}, {DType::Float32}, 0), std::invalid_argument);
  EXPECT_THROW(plan_buckets({1, 2}, {DType::Float32}, 10), std::invalid_argument);
  try {
    plan_buckets({4, -1}, {DType::Float32, DType::Float32}, 10);
    ADD_FAILURE() << "negative size accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "dist::plan_buckets: parameter 1 has -1 elements");
  }
}

}  // namespace
}  // namespace gradlab::dist
