// tests/core/pool_test.cpp — core/pool.cpp: the per-thread block cache behind
// tensors, storage and nodes, and the recycled vector buffers. What must
// hold whatever the cache does: every block is usable at its full size and
// distinct from every other live block, blocks may die on another thread
// than the one that made them, and the values tensors hold never change.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "gradlab.h"
#include "core/pool.h"

namespace gradlab {
namespace {

using detail::pool_allocate;
using detail::pool_deallocate;

struct Block {
  unsigned char* p;
  std::size_t n;
  unsigned char tag;
};

void fill(const Block& b) { std::memset(b.p, b.tag, b.n); }
bool intact(const Block& b) {
  return std::all_of(b.p, b.p + b.n, [&](unsigned char c) { return c == b.tag; });
}

TEST(Pool, BlocksOfEverySizeAreAlignedDistinctAndUsableAtFullSize) {
  std::vector<Block> live;
  for (int round = 0; round < 3; ++round) {
    for (std::size_t n = 1; n <= 2 * detail::kMaxBlock; n += 7) {
      Block b{static_cast<unsigned char*>(pool_allocate(n)), n, static_cast<unsigned char>(live.size() * 31 + 1)};
      ASSERT_NE(b.p, nullptr);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(b.p) % 16, 0u) << "size " << n;
      fill(b);
      live.push_back(b);
    }
    // Free every other block, then allocate again: reused blocks must not
    // overlap the ones still alive.
    for (std::size_t i = 0; i < live.size(); i += 2) pool_deallocate(live[i].p, live[i].n);
    std::vector<Block> kept;
    for (std::size_t i = 1; i < live.size(); i += 2) kept.push_back(live[i]);
    live = kept;
    for (const Block& b : live) ASSERT_TRUE(intact(b)) << "block of " << b.n << " bytes was overwritten";
  }
  for (const Block& b : live) pool_deallocate(b.p, b.n);
}

#ifndef GRADLAB_POOL_DISABLED
TEST(Pool, AFreedBlockIsTheNextOneOfItsSize) {
  void* a = pool_allocate(100);
  pool_deallocate(a, 100);
  void* b = pool_allocate(97);  // same 16-byte class (97..112)
  EXPECT_EQ(a, b);
  pool_deallocate(b, 97);
}

TEST(Pool, RecycledShapeBuffersAreReused) {
  std::vector<int64_t> s = detail::take_shape();
  s.assign({2, 3, 4, 5});
  const int64_t* buffer = s.data();
  detail::recycle_shape(std::move(s));
  std::vector<int64_t> t = detail::copy_shape({7, 8});
  EXPECT_EQ(t.data(), buffer);
  EXPECT_EQ(t, (std::vector<int64_t>{7, 8}));
}
#endif

TEST(Pool, BlocksFreedOnOtherThreadsAndAfterThreadExit) {
  // Thread A allocates, thread B frees (and exits, handing its cache to the
  // shared lists), then A and a third thread allocate again: no block is
  // handed out twice while alive.
  constexpr int kN = 20000;
  std::vector<Block> made(kN);
  std::thread a([&] {
    for (int i = 0; i < kN; ++i) {
      const std::size_t n = 16 + static_cast<std::size_t>(i % 20) * 16;
      made[static_cast<size_t>(i)] = {static_cast<unsigned char*>(pool_allocate(n)), n,
                                      static_cast<unsigned char>(i % 251 + 1)};
      fill(made[static_cast<size_t>(i)]);
    }
  });
  a.join();
  std::thread b([&] {
    for (int i = 0; i < kN; i += 2) pool_deallocate(made[static_cast<size_t>(i)].p, made[static_cast<size_t>(i)].n);
  });
  b.join();
  std::vector<Block> again;
  std::thread c([&] {
    for (int i = 0; i < kN; ++i) {
      const std::size_t n = 16 + static_cast<std::size_t>(i % 20) * 16;
      again.push_back({static_cast<unsigned char*>(pool_allocate(n)), n, 0xEE});
      fill(again.back());
    }
  });
  c.join();
  for (int i = 1; i < kN; i += 2) ASSERT_TRUE(intact(made[static_cast<size_t>(i)])) << "block " << i;
  for (const Block& blk : again) ASSERT_TRUE(intact(blk));
  for (int i = 1; i < kN; i += 2) pool_deallocate(made[static_cast<size_t>(i)].p, made[static_cast<size_t>(i)].n);
  for (const Block& blk : again) pool_deallocate(blk.p, blk.n);
}

TEST(Pool, TensorsMadeOnOneThreadAndDroppedOnAnotherKeepTheirValues) {
  // A producer thread builds graphs; consumers run backward and drop them.
  constexpr int kGraphs = 200;
  std::vector<Tensor> xs(kGraphs), losses(kGraphs);
  std::thread producer([&] {
    for (int i = 0; i < kGraphs; ++i) {
      xs[static_cast<size_t>(i)] = full({3}, 0.5 + i, DType::Float64);
      xs[static_cast<size_t>(i)].requires_grad_();
      Tensor y = xs[static_cast<size_t>(i)];
      for (int k = 0; k < 50; ++k) y = mul(y, scalar_tensor(1.01, DType::Float64));
      losses[static_cast<size_t>(i)] = sum(y);
    }
  });
  producer.join();
  auto consume = [&](int first) {
    for (int i = first; i < kGraphs; i += 2) {
      losses[static_cast<size_t>(i)].backward();
      losses[static_cast<size_t>(i)] = Tensor();
    }
  };
  std::thread c0(consume, 0), c1(consume, 1);
  c0.join();
  c1.join();
  const double expect = std::pow(1.01, 50);
  for (int i = 0; i < kGraphs; ++i)
    for (double g : xs[static_cast<size_t>(i)].grad().to_vector<double>()) ASSERT_NEAR(g, expect, 1e-12) << i;
}

}  // namespace
}  // namespace gradlab
