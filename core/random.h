// core/random.h — gradlab's own counter-based random numbers (Philox4x32-10).
//
// Why our own and not <random>: the standard library's distributions
// (std::normal_distribution, ...) differ between libstdc++ and libc++, so the
// same seed would give different weights on another compiler. Philox is a
// pure function of (key, counter): the same seed gives the same stream on any
// compiler, any platform, and the state is two integers we can checkpoint.
#pragma once

#include <array>
#include <cstdint>

#include "core/tensor.h"

namespace gradlab {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0);

  // Next 32 random bits.
  uint32_t next_u32();
  uint64_t next_u64();
  // Uniform in [0, 1), 24 (float) / 53 (double) random bits.
  float uniform_float();
  double uniform_double();
  // Standard normal (Box-Muller on two uniforms; one value per call).
  double normal();
  // Uniform integer in [0, n), without modulo bias. n >= 1.
  uint64_t below(uint64_t n);

  // The complete state, for checkpoints: seed and how many 128-bit blocks
  // have been used, plus the position inside the current block.
  struct State {
    uint64_t seed = 0;
    uint64_t counter = 0;
    uint32_t index = 4;
  };
  State state() const;
  void set_state(const State& s);
  uint64_t seed() const { return seed_; }

 private:
  void refill();
  uint64_t seed_;
  uint64_t counter_ = 0;
  std::array<uint32_t, 4> block_{};
  uint32_t index_ = 4;  // next unused word of block_; 4 = empty
};

// One Philox4x32-10 block: exposed for tests against the published vectors.
std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

// Uniform [0, 1) / standard normal, floating dtypes.
Tensor rand(const Shape& shape, Generator& gen, DType dtype = DType::Float32);
Tensor randn(const Shape& shape, Generator& gen, DType dtype = DType::Float32);
// Uniform on [lo, hi) (floating).
Tensor uniform(const Shape& shape, double lo, double hi, Generator& gen,
               DType dtype = DType::Float32);
// Int64 uniform on [low, high).
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen);
// A random permutation of 0..n-1 (Fisher-Yates), Int64.
Tensor randperm(int64_t n, Generator& gen);

}  // namespace gradlab
