// labs/04_linear/bugs/weight_not_transposed.cpp — BUG ZOO.
//
// The mistake: linear_forward reads W as if it were stored (in, out) and
// computes x @ W instead of x @ W^T, i.e. y[n][o] = sum_i x[n][i] * W[i*out + o].
// With PyTorch's (out, in) layout that multiplies by the wrong weights (and
// only "works" shape-wise because the buffer has in * out values either way).
// Caught by: Property.LinearForwardMatchesDefinition (shrinks to a 1x2 input
// and 2 outputs), Reference.LinearForward, Stress.LargeLayer and
// Training.MlpLearnsSpirals.
#include "labs/04_linear/adapter.h"
#include "labs/04_linear/lab.h"

namespace lab04 {

std::vector<float> linear_forward(const std::vector<float>& x, const std::vector<float>& W,
                                  const std::vector<float>& b, int64_t N, int64_t in, int64_t out) {
  adapter::check_size("linear_forward", "x", x, N * in);
  adapter::check_size("linear_forward", "W", W, out * in);
  adapter::check_size("linear_forward", "b", b, out);
  std::vector<float> y(static_cast<std::size_t>(N * out));
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t o = 0; o < out; ++o) {
      double acc = b[static_cast<std::size_t>(o)];
      for (int64_t i = 0; i < in; ++i) {
        acc += static_cast<double>(x[static_cast<std::size_t>(n * in + i)]) *
               W[static_cast<std::size_t>(i * out + o)];  // BUG: should be W[o * in + i]
      }
      y[static_cast<std::size_t>(n * out + o)] = static_cast<float>(acc);
    }
  }
  return y;
}

// ---- correct functions: forwarded to the reference adapter ----

LinearGrads linear_backward(const std::vector<float>& x, const std::vector<float>& W,
                            const std::vector<float>& dy, int64_t N, int64_t in, int64_t out) {
  return adapter::linear_backward(x, W, dy, N, in, out);
}

LinearParams linear_init(int64_t in, int64_t out, gradlab::Generator& gen) {
  return adapter::linear_init(in, out, gen);
}

std::vector<float> relu_forward(const std::vector<float>& x) { return adapter::relu_forward(x); }

std::vector<float> relu_backward(const std::vector<float>& x, const std::vector<float>& dy) {
  return adapter::relu_backward(x, dy);
}

}  // namespace lab04
