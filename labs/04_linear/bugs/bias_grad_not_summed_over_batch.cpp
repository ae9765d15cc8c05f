// labs/04_linear/bugs/bias_grad_not_summed_over_batch.cpp — BUG ZOO.
//
// The mistake: in linear_backward the bias gradient is ASSIGNED per example
// (db[o] = dy[n][o]) instead of accumulated, so it ends up holding only the
// last example's gradient. The bias is shared by every row of the batch, so
// its gradient must be the sum over the batch. (dx and dW are right.)
// Caught by: Property.LinearBackwardMatchesFiniteDifferences (shrinks to a
// batch of 2), Reference.LinearBackward and Stress.LargeLayer. (The spirals
// MLP still learns: a bias is a small part of the model.)
#include "labs/04_linear/adapter.h"
#include "labs/04_linear/lab.h"

namespace lab04 {

LinearGrads linear_backward(const std::vector<float>& x, const std::vector<float>& W,
                            const std::vector<float>& dy, int64_t N, int64_t in, int64_t out) {
  LinearGrads g = adapter::linear_backward(x, W, dy, N, in, out);  // dx, dW are right
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t o = 0; o < out; ++o) {
      g.db[static_cast<std::size_t>(o)] =
          dy[static_cast<std::size_t>(n * out + o)];  // BUG: should be +=
    }
  }
  return g;
}

// ---- correct functions: forwarded to the reference adapter ----

std::vector<float> linear_forward(const std::vector<float>& x, const std::vector<float>& W,
                                  const std::vector<float>& b, int64_t N, int64_t in, int64_t out) {
  return adapter::linear_forward(x, W, b, N, in, out);
}

LinearParams linear_init(int64_t in, int64_t out, gradlab::Generator& gen) {
  return adapter::linear_init(in, out, gen);
}

std::vector<float> relu_forward(const std::vector<float>& x) { return adapter::relu_forward(x); }

std::vector<float> relu_backward(const std::vector<float>& x, const std::vector<float>& dy) {
  return adapter::relu_backward(x, dy);
}

}  // namespace lab04
