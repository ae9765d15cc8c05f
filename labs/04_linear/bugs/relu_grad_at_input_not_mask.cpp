// labs/04_linear/bugs/relu_grad_at_input_not_mask.cpp — BUG ZOO.
//
// The mistake: relu_backward multiplies dy by the INPUT where it is
// positive (dy * relu(x)) instead of by the 0/1 mask (dy * [x > 0]). The
// derivative of max(x, 0) is 1 for x > 0, not x.
// Caught by: Property.ReluMatchesDefinition (shrinks to x = 0.25),
// Reference.Relu, Stress.ReluSpecialValues and Training.MlpLearnsSpirals.
#include <stdexcept>

#include "labs/04_linear/adapter.h"
#include "labs/04_linear/lab.h"

namespace lab04 {

std::vector<float> relu_backward(const std::vector<float>& x, const std::vector<float>& dy) {
  if (x.size() != dy.size()) throw std::invalid_argument("relu_backward: x and dy differ in size");
  std::vector<float> dx(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    dx[i] = x[i] > 0 ? dy[i] * x[i] : 0.0f;  // BUG: should be dy[i] (mask, not value)
  }
  return dx;
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

LinearParams linear_init(int64_t in, int64_t out, gradlab::Generator& gen) {
  return adapter::linear_init(in, out, gen);
}

std::vector<float> relu_forward(const std::vector<float>& x) { return adapter::relu_forward(x); }

}  // namespace lab04
