// layers/init.cpp — weight initialisers.
#include "layers/init.h"

#include <cmath>
#include <stdexcept>

namespace gradlab::nn::init {

int64_t fan_in(const Shape& shape) {
  if (shape.size() < 2) {
    throw std::invalid_argument("init::fan_in: need a weight with at least 2 dims, got " +
                                shape_str(shape));
  }
  int64_t fan = shape[1];
  for (std::size_t d = 2; d < shape.size(); ++d) fan *= shape[d];
  return fan;
}

Tensor uniform_symmetric(const Shape& shape, double bound, Generator& gen, DType dtype) {
  if (!(bound >= 0)) {
    throw std::invalid_argument("init::uniform_symmetric: bound must be >= 0, got " +
                                std::to_string(bound));
  }
  return uniform(shape, -bound, bound, gen, dtype);
}

Tensor kaiming_uniform(const Shape& shape, double a, Generator& gen, DType dtype) {
  int64_t fan = fan_in(shape);
  if (fan == 0) {
    throw std::invalid_argument("init::kaiming_uniform: fan_in is 0 for shape " + shape_str(shape));
  }
  double gain = std::sqrt(2.0 / (1.0 + a * a));
  double bound = gain * std::sqrt(3.0 / static_cast<double>(fan));
  return uniform_symmetric(shape, bound, gen, dtype);
}

}  // namespace gradlab::nn::init
