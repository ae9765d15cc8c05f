// tests/dist/dist_test_util.h — helpers of the dist suites: the data each
// rank contributes (a pure function of (seed, rank), so that every rank can
// also compute every other rank's, and with it the expected answer, without
// communicating), bitwise comparison, and exchanging a value to check that
// ranks agree.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/tensor.h"
#include "dist/collectives.h"
#include "dist/runtime.h"

namespace gradlab::dist::testing {

// n values of rank `rank`'s contribution: uniform in (-1, 1) with 24 random
// bits, scaled by powers of two from 2^-20 to 2^20, so that the order of
// addition changes the rounding. (A hash of (seed, rank, i), not randn: the
// suites generate millions of them for every rank.)
inline std::vector<double> contribution(int64_t n, int rank, uint64_t seed) {
  std::vector<double> out(static_cast<std::size_t>(n));
  const uint64_t base = (seed * 1000003 + static_cast<uint64_t>(rank)) << 32;
  for (std::size_t i = 0; i < out.size(); ++i) {
    uint64_t x = base + i + 0x9E3779B97F4A7C15ull;  // SplitMix64
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    const double u = static_cast<double>(x >> 40) / 8388608.0 - 1.0;  // 24 bits
    out[i] = std::ldexp(u, static_cast<int>((x >> 8) % 41) - 20);
  }
  return out;
}

template <class T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// True when a and b hold the same bits (so NaN == NaN and 0 != -0).
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Whether every rank holds the same bits in `values` (rank 0's are broadcast
// and compared); collective.
template <class T>
bool same_on_every_rank(const std::vector<T>& values, DType dtype) {
  Tensor mine = from_vector(values, {static_cast<int64_t>(values.size())}).to(dtype);
  Tensor root = mine.clone();
  broadcast_(root, 0);
  const std::vector<T> a = mine.to_vector<T>(), b = root.to_vector<T>();
  // Each rank's verdict, summed: all ranks agree only if none disagrees.
  Tensor bad = from_vector(std::vector<int64_t>{same_bits(a, b) ? 0 : 1}, {1});
  all_reduce_(bad);
  return bad.item() == 0;
}

}  // namespace gradlab::dist::testing
