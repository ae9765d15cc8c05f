// tests/core/random_test.cpp — Philox4x32-10 and the random factories
// (core/random.cpp).
//
// The block function against the published known-answer vectors (Random123's
// kat_vectors); the Generator stream defined from it; determinism; state
// save/restore; ranges of rand/uniform/randint for every dtype (16-bit
// included: a value may never round up to the excluded upper bound); randn
// moments with wide bounds; randperm is a permutation.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

using Block = std::array<uint32_t, 4>;

// ---- Philox4x32-10 known answers (Random123 kat_vectors) -----------------------------------
TEST(Philox, KnownAnswerVectors) {
  EXPECT_EQ(philox4x32({0, 0, 0, 0}, {0, 0}),
            (Block{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(
      philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}),
      (Block{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(
      philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u}),
      (Block{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

// ---- the Generator stream -----------------------------------------------------------------
// Words come from Philox blocks keyed by the seed (low, high word), counter
// 0, 1, 2, ... in the first two counter words: a definition that is the same
// on every compiler and platform.
TEST(Generator, StreamIsPhiloxBlocksKeyedBySeed) {
  const uint64_t seed = 0x0123456789abcdefULL;
  Generator g(seed);
  for (uint32_t c = 0; c < 3; ++c) {
    Block want = philox4x32({c, 0, 0, 0}, {0x89abcdefu, 0x01234567u});
    for (uint32_t w : want) EXPECT_EQ(g.next_u32(), w);
  }
  Generator g2(seed);
  const uint32_t hi = g2.next_u32(), lo = g2.next_u32();
  Generator g3(seed);
  EXPECT_EQ(g3.next_u64(), (uint64_t{hi} << 32) | lo);
  EXPECT_EQ(g3.seed(), seed);
}

TEST(Generator, SameSeedSameNumbers) {
  Generator a(42), b(42), c(43);
  std::vector<uint32_t> va, vb, vc;
  for (int i = 0; i < 100; ++i) {
    va.push_back(a.next_u32());
    vb.push_back(b.next_u32());
    vc.push_back(c.next_u32());
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
  Generator x(5), y(5);
  EXPECT_TRUE(equal(randn({3, 4}, x), randn({3, 4}, y)));
  EXPECT_TRUE(equal(rand({7}, x, DType::Float64), rand({7}, y, DType::Float64)));
  EXPECT_TRUE(equal(randint(-3, 9, {11}, x), randint(-3, 9, {11}, y)));
  EXPECT_TRUE(equal(randperm(20, x), randperm(20, y)));
  EXPECT_TRUE(
      equal(uniform({5}, 2, 3, x, DType::BFloat16), uniform({5}, 2, 3, y, DType::BFloat16)));
  Generator z(6);
  EXPECT_FALSE(equal(randn({3, 4}, x), randn({3, 4}, z)));
}

TEST(Generator, UniformsUseTheTopBits) {
  Generator a(9), b(9);
  for (int i = 0; i < 10; ++i) {
    const uint32_t w = a.next_u32();
    EXPECT_EQ(b.uniform_float(), static_cast<float>(w >> 8) * 0x1.0p-24f);
  }
  Generator c(9), d(9);
  for (int i = 0; i < 10; ++i) {
    const uint64_t w = c.next_u64();
    EXPECT_EQ(d.uniform_double(), static_cast<double>(w >> 11) * 0x1.0p-53);
  }
}

// Save the state anywhere in the stream (fresh, mid-block, block boundary),
// keep drawing, restore: the same numbers come again.
RC_GTEST_PROP(Generator, StateSaveRestoreContinuesTheStream, ()) {
  const uint64_t seed = *genSeed();
  const int skip = *uniformInRange<int>(0, 13);
  Generator g(seed);
  for (int i = 0; i < skip; ++i) g.next_u32();
  const Generator::State s = g.state();
  RC_ASSERT(s.seed == seed);
  std::vector<uint32_t> first;
  for (int i = 0; i < 9; ++i) first.push_back(g.next_u32());
  Generator h(12345);  // a different generator, restored
  h.set_state(s);
  std::vector<uint32_t> again;
  for (int i = 0; i < 9; ++i) again.push_back(h.next_u32());
  RC_ASSERT(first == again);
  g.set_state(s);
  Generator r(0);
  r.set_state(s);
  RC_ASSERT(equal(randn({5}, g, DType::Float64), randn({5}, r, DType::Float64)));
}

TEST(Generator, SetStateRejectsImpossibleStates) {
  Generator g(0);
  EXPECT_THROWS_WITH(g.set_state({0, 0, 2}), std::invalid_argument, "set_state", "index 2",
                     "counter 0");
  EXPECT_THROWS_WITH(g.set_state({0, 3, 5}), std::invalid_argument, "set_state", "index 5");
}

RC_GTEST_PROP(Generator, BelowIsInRange, ()) {
  const uint64_t n =
      *rc::gen::oneOf(uniformInRange<uint64_t>(1, 20),
                      rc::gen::resize(rc::kNominalSize, rc::gen::arbitrary<uint64_t>()));
  RC_PRE(n >= 1);
  Generator g(*genSeed());
  for (int i = 0; i < 50; ++i) RC_ASSERT(g.below(n) < n);
}

TEST(Generator, BelowHitsEveryValue) {
  Generator g(3);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 7000; ++i) ++counts[g.below(7)];
  for (int c : counts) EXPECT_GT(c, 800);  // expected 1000 each
  EXPECT_EQ(g.below(1), 0u);
  EXPECT_THROWS_WITH(g.below(0), std::invalid_argument, "below", "n");
}

// ---- tensor factories ------------------------------------------------------------------------
// [0, 1) for every floating dtype: the largest draw must not round up to 1
// when stored in a narrower format (Float16 keeps 11 significant bits,
// BFloat16 8; a 24-bit float32 draw near 1 would round to 1.0).
TEST(Random, RandIsInUnitIntervalForEveryDtype) {
  for (DType dt : {DType::Float16, DType::BFloat16, DType::Float32, DType::Float64}) {
    Generator g(11);
    Tensor r = rand({200000}, g, dt);
    EXPECT_EQ(r.dtype(), dt);
    EXPECT_GE(min(r).item(), 0.0) << dtype_name(dt);
    EXPECT_LT(max(r).item(), 1.0) << dtype_name(dt);
    EXPECT_NEAR(mean(r.to(DType::Float64)).item(), 0.5, 0.01) << dtype_name(dt);
  }
}

TEST(Random, UniformStaysBelowHighForEveryDtype) {
  for (DType dt : {DType::Float16, DType::BFloat16, DType::Float32, DType::Float64}) {
    Generator g(12);
    Tensor r = uniform({200000}, -1, 1, g, dt);
    EXPECT_GE(min(r).item(), -1.0) << dtype_name(dt);
    EXPECT_LT(max(r).item(), 1.0) << dtype_name(dt);
    EXPECT_NEAR(mean(r.to(DType::Float64)).item(), 0.0, 0.02) << dtype_name(dt);
  }
  Generator g(1);
  Tensor r = uniform({1000}, 5, 7, g, DType::Float64);
  EXPECT_GE(min(r).item(), 5.0);
  EXPECT_LT(max(r).item(), 7.0);
  EXPECT_TRUE(tensorIs(uniform({3}, 2, 2, g), {3}, {2, 2, 2}));  // empty range: lo
  EXPECT_THROWS_WITH(uniform({3}, 2, 1, g), std::invalid_argument, "uniform", "2", "1");
  EXPECT_THROWS_WITH(uniform({3}, 0, HUGE_VAL, g), std::invalid_argument, "uniform");
}

TEST(Random, RandnMomentsAreSane) {
  Generator g(2024);
  Tensor x = randn({100000}, g, DType::Float64);
  const double m = mean(x).item();
  const double var = mean(square(x - m)).item();
  // Standard errors: mean 0.003, variance 0.0045; bounds are ~7 sigma.
  EXPECT_NEAR(m, 0.0, 0.02);
  EXPECT_NEAR(var, 1.0, 0.03);
  const double frac_within_1 =
      mean(lt(abs(x), full({}, 1.0, DType::Float64)).to(DType::Float64)).item();
  EXPECT_NEAR(frac_within_1, 0.6827, 0.01);
  EXPECT_TRUE(std::isfinite(max(abs(x)).item()));
  EXPECT_LT(max(abs(x)).item(), 7.0);
  for (DType dt : {DType::Float16, DType::BFloat16, DType::Float32}) {
    Tensor y = randn({20000}, g, dt);
    EXPECT_EQ(y.dtype(), dt);
    EXPECT_NEAR(mean(y.to(DType::Float64)).item(), 0.0, 0.05) << dtype_name(dt);
  }
}

RC_GTEST_PROP(Random, RandintIsInRange, ()) {
  const int64_t low = *uniformInRange<int64_t>(-50, 50);
  const int64_t span = *uniformInRange<int64_t>(1, 30);
  const Shape s = *genShape(3, 5);
  Generator g(*genSeed());
  Tensor r = randint(low, low + span, s, g);
  RC_ASSERT(r.dtype() == DType::Int64);
  RC_ASSERT(r.shape() == s);
  for (int64_t v : r.to_vector<int64_t>()) RC_ASSERT(v >= low && v < low + span);
}

TEST(Random, RandintHitsEveryValue) {
  Generator g(4);
  std::vector<int64_t> v = randint(-2, 3, {5000}, g).to_vector<int64_t>();
  std::set<int64_t> seen(v.begin(), v.end());
  EXPECT_EQ(seen, (std::set<int64_t>{-2, -1, 0, 1, 2}));
  // A huge range does not overflow.
  Tensor big = randint(INT64_MIN / 2, INT64_MAX / 2, {100}, g);
  for (int64_t x : big.to_vector<int64_t>()) EXPECT_TRUE(x >= INT64_MIN / 2 && x < INT64_MAX / 2);
  EXPECT_THROWS_WITH(randint(3, 3, {2}, g), std::invalid_argument, "randint", "[3, 3)");
}

RC_GTEST_PROP(Random, RandpermIsAPermutation, ()) {
  const int64_t n = *uniformInRange<int64_t>(0, 60);
  Generator g(*genSeed());
  Tensor p = randperm(n, g);
  RC_ASSERT(p.dtype() == DType::Int64);
  RC_ASSERT(p.shape() == Shape{n});
  std::vector<int64_t> v = p.to_vector<int64_t>();
  std::sort(v.begin(), v.end());
  std::vector<int64_t> want(static_cast<std::size_t>(n));
  std::iota(want.begin(), want.end(), 0);
  RC_ASSERT(v == want);
}

TEST(Random, RandpermShuffles) {
  Generator g(8);
  // The first position holds 0 in about 1/10 of 2000 shuffles; the identity
  // permutation (probability 1/10!) essentially never comes out.
  int first_is_zero = 0, identity = 0;
  for (int i = 0; i < 2000; ++i) {
    std::vector<int64_t> v = randperm(10, g).to_vector<int64_t>();
    if (v[0] == 0) ++first_is_zero;
    if (std::is_sorted(v.begin(), v.end())) ++identity;
  }
  EXPECT_NEAR(first_is_zero, 200, 80);
  EXPECT_LE(identity, 1);
  EXPECT_EQ(randperm(0, g).numel(), 0);
  EXPECT_TRUE(tensorIs(randperm(1, g), {1}, {0}));
  EXPECT_THROWS_WITH(randperm(-1, g), std::invalid_argument, "randperm", "-1");
}

TEST(Random, FactoryErrorsNameOpAndDtype) {
  Generator g(0);
  EXPECT_THROWS_WITH(rand({2}, g, DType::Int64), std::invalid_argument, "rand", "Int64");
  EXPECT_THROWS_WITH(randn({2}, g, DType::Bool), std::invalid_argument, "randn", "Bool");
  EXPECT_THROWS_WITH(uniform({2}, 0, 1, g, DType::Int64), std::invalid_argument, "uniform",
                     "Int64");
  EXPECT_THROWS_WITH(randn({2, -3}, g), std::invalid_argument, "randn", "(2,-3)");
  EXPECT_EQ(randn({0, 3}, g).shape(), (Shape{0, 3}));
  EXPECT_EQ(rand({}, g).dim(), 0);
}

}  // namespace
}  // namespace gradlab
