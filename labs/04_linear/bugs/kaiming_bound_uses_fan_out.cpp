// labs/04_linear/bugs/kaiming_bound_uses_fan_out.cpp — BUG ZOO.
//
// The mistake: linear_init takes the bound from the FAN-OUT, 1/sqrt(out),
// instead of the fan-in 1/sqrt(in). The fan-in is what keeps the variance of
// each output unit independent of how many inputs it sums; with a wide
// input and a narrow output (in = 1000, out = 10) the weights come out 10x
// too large.
// Caught by: Property.InitMatchesTheGeneratorStream, Reference.LinearInit
// and Stress.InitStatisticsAtScale.
#include <cmath>
#include <stdexcept>
#include <string>

#include "labs/04_linear/adapter.h"
#include "labs/04_linear/lab.h"

namespace lab04 {

LinearParams linear_init(int64_t in, int64_t out, gradlab::Generator& gen) {
  if (in < 1 || out < 1) {
    throw std::invalid_argument("linear_init: need in, out >= 1, got " + std::to_string(in) + ", " +
                                std::to_string(out));
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(out));  // BUG: should be in (fan-in)
  LinearParams p;
  p.W.resize(static_cast<std::size_t>(out * in));
  p.b.resize(static_cast<std::size_t>(out));
  for (float& w : p.W) w = static_cast<float>(-bound + 2 * bound * gen.uniform_double());
  for (float& v : p.b) v = static_cast<float>(-bound + 2 * bound * gen.uniform_double());
  return p;
}

// ---- correct functions: forwarded to the reference adapter ----

std::vector<float> linear_forward(const std::vector<float>& x, const std::vector<float>& W,
                                  const std::vector<float>& b, int64_t N, int64_t in, int64_t out) {
  return adapter::linear_forward(x, W, b, N, in, out);
}

LinearGrads linear_backward(const std::vector<float>& x, const std::vector<float>& W,
                            const std::vector<float>& dy, int64_t N, int64_t in, int64_t out) {
  return adapter::linear_backward(x, W, dy, N, in, out);
}

std::vector<float> relu_forward(const std::vector<float>& x) { return adapter::relu_forward(x); }

std::vector<float> relu_backward(const std::vector<float>& x, const std::vector<float>& dy) {
  return adapter::relu_backward(x, dy);
}

}  // namespace lab04
