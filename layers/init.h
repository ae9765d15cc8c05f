// layers/init.h — weight initialisers, as torch.nn.init, returning fresh
// tensors drawn from a Generator (so the same seed gives the same model on any
// compiler and platform).
#pragma once

#include <cstdint>

#include "core/random.h"
#include "core/tensor.h"

namespace gradlab::nn::init {

// fan_in of a weight shape as PyTorch computes it: shape[1] * prod(shape[2:])
// (a Linear weight (out, in) has fan_in = in). Error for fewer than 2 dims.
int64_t fan_in(const Shape& shape);

// U(-bound, bound) with bound = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2))
// (leaky-ReLU gain). PyTorch's Linear default uses a = sqrt(5), giving
// bound = 1 / sqrt(fan_in). Error if fan_in is 0.
Tensor kaiming_uniform(const Shape& shape, double a, Generator& gen, DType dtype = DType::Float32);

// U(-bound, bound).
Tensor uniform_symmetric(const Shape& shape, double bound, Generator& gen,
                         DType dtype = DType::Float32);

}  // namespace gradlab::nn::init
