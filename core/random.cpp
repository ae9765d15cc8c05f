// core/random.cpp — Philox4x32-10 (Salmon et al., "Parallel random numbers:
// as easy as 1, 2, 3", SC'11) and the tensor factories built on it.
#include "core/random.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>

#include "core/internal.h"

namespace gradlab {

using detail::fail;

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> ctr, std::array<uint32_t, 2> key) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // multipliers
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // key schedule (Weyl)
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kM0) * ctr[0];
    const uint64_t p1 = static_cast<uint64_t>(kM1) * ctr[2];
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
    key[0] += kW0;
    key[1] += kW1;
  }
  return ctr;
}

Generator::Generator(uint64_t seed) : seed_(seed) {}

void Generator::refill() {
  block_ = philox4x32({static_cast<uint32_t>(counter_), static_cast<uint32_t>(counter_ >> 32), 0, 0},
                      {static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32)});
  ++counter_;
  index_ = 0;
}

uint32_t Generator::next_u32() {
  if (index_ >= 4) refill();
  return block_[index_++];
}

uint64_t Generator::next_u64() {
  const uint64_t hi = next_u32();
  return (hi << 32) | next_u32();
}

float Generator::uniform_float() { return static_cast<float>(next_u32() >> 8) * 0x1.0p-24f; }
double Generator::uniform_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Generator::normal() {
  // Box-Muller; u1 in (0, 1] so log(u1) is finite.
  const double u1 = 1.0 - uniform_double();
  const double u2 = uniform_double();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

uint64_t Generator::below(uint64_t n) {
  if (n == 0) fail("Generator::below: n must be >= 1");
  // Rejection sampling: draw from the largest multiple of n below 2^64.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = next_u64();
  while (x >= limit);
  return x % n;
}

Generator::State Generator::state() const {
  // Re-derive the block position: counter_ counts blocks already generated.
  return {seed_, counter_, index_};
}

void Generator::set_state(const State& s) {
  seed_ = s.seed;
  if (s.index > 4) fail("Generator::set_state: index ", s.index, " out of range [0, 4]");
  if (s.index < 4) {
    if (s.counter == 0) fail("Generator::set_state: index ", s.index, " with counter 0");
    counter_ = s.counter - 1;
    refill();
    index_ = s.index;
  } else {
    counter_ = s.counter;
    index_ = 4;
  }
}

// ---- tensor factories ------------------------------------------------------------
namespace {
void require_float_dtype(DType d, const char* op) {
  if (!is_floating(d)) fail(op, ": dtype must be floating, got ", dtype_name(d));
}
// The next representable value below v (v finite).
template <class T> T one_ulp_down(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::nextafter(v, -std::numeric_limits<T>::infinity());
  } else if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    // Sign-magnitude bits: a positive value steps one pattern down, a
    // negative one (or zero) one pattern away from zero.
    const bool positive = !(v.bits & 0x8000u) && (v.bits & 0x7fffu) != 0;
    T r;
    const bool zero = (v.bits & 0x7fffu) == 0;
    r.bits = static_cast<uint16_t>(positive ? v.bits - 1u : (zero ? 0x8001u : v.bits + 1u));
    return r;
  } else {
    return v;
  }
}
template <class F> Tensor fill_with(const Shape& shape, DType dtype, F draw) {
  Tensor out = empty(shape, dtype);
  detail::dispatch(dtype, [&]<class T>() {
    T* p = out.data_ptr<T>();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = detail::from_double<T>(draw());
  });
  return out;
}
}  // namespace

Tensor rand(const Shape& shape, Generator& gen, DType dtype) {
  require_float_dtype(dtype, "rand");
  shape_numel(shape, "rand");
  if (dtype == DType::Float64) return fill_with(shape, dtype, [&] { return gen.uniform_double(); });
  // k random bits times 2^-k, k = the dtype's significand width (24 for
  // Float32, 11 for Float16, 8 for BFloat16): every value is exact in the
  // dtype and below 1. More bits would round the largest draws up to 1.0.
  const int bits = dtype == DType::Float32 ? 24 : dtype == DType::Float16 ? 11 : 8;
  const float scale = std::ldexp(1.0f, -bits);
  return fill_with(shape, dtype, [&] {
    return static_cast<double>(static_cast<float>(gen.next_u32() >> (32 - bits)) * scale);
  });
}

Tensor randn(const Shape& shape, Generator& gen, DType dtype) {
  require_float_dtype(dtype, "randn");
  shape_numel(shape, "randn");
  return fill_with(shape, dtype, [&] { return gen.normal(); });
}

Tensor uniform(const Shape& shape, double lo, double hi, Generator& gen, DType dtype) {
  require_float_dtype(dtype, "uniform");
  if (!(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi)) fail("uniform: bad range [", lo, ", ", hi, ")");
  shape_numel(shape, "uniform");
  Tensor out = empty(shape, dtype);
  detail::dispatch(dtype, [&]<class T>() {
    T* p = out.data_ptr<T>();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) {
      T v = detail::from_double<T>(lo + (hi - lo) * gen.uniform_double());
      // Rounding to the dtype can land on hi (often for Float16/BFloat16):
      // take the representable value just below instead, keeping [lo, hi).
      if (lo < hi && detail::to_double(v) >= hi) v = one_ulp_down(v);
      p[i] = v;
    }
  });
  return out;
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen) {
  if (high <= low) fail("randint: empty range [", low, ", ", high, ")");
  shape_numel(shape, "randint");
  Tensor out = empty(shape, DType::Int64);
  int64_t* p = out.data_ptr<int64_t>();
  const uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  for (int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = low + static_cast<int64_t>(gen.below(span));
  return out;
}

Tensor randperm(int64_t n, Generator& gen) {
  if (n < 0) fail("randperm: n must be >= 0, got ", n);
  Tensor out = arange(n);
  int64_t* p = out.data_ptr<int64_t>();
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[gen.below(static_cast<uint64_t>(i) + 1)]);
  return out;
}

}  // namespace gradlab
