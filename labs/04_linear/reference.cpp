// labs/04_linear/reference.cpp — the reference implementation of phase 04:
// every function of lab.h answered by gradlab's own nn::Linear, relu and
// autograd (adapter.h).
#include "labs/04_linear/adapter.h"
#include "labs/04_linear/lab.h"

namespace lab04 {

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

std::vector<float> relu_backward(const std::vector<float>& x, const std::vector<float>& dy) {
  return adapter::relu_backward(x, dy);
}

}  // namespace lab04
