// labs/04_linear/starter/linear.cpp — YOUR implementation of phase 04.
//
// Replace each NOT_IMPLEMENTED() with your code; the contracts are in
// ../lab.h and the derivations in ../README.md. Check your work with:
//     gradlab lab check 04
//
// Rules: plain loops on std::vector<float> (row-major), no gradlab tensor
// ops or layers (the grader flags gradlab::matmul, gradlab::relu,
// gradlab::nn::Linear). Accumulating the sums in double is a good habit.
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "labs/04_linear/lab.h"
#include "labs/common/lab_support.h"

namespace lab04 {

// Hint: W is (out, in), so W[o][i] is W[o * in + i]. Check the sizes first.
std::vector<float> linear_forward(const std::vector<float>& x, const std::vector<float>& W,
                                  const std::vector<float>& b, int64_t N, int64_t in, int64_t out) {
  (void)x, (void)W, (void)b, (void)N, (void)in, (void)out;
  NOT_IMPLEMENTED("lab04::linear_forward");
}

// Hint: write the three gradients as sums over indices first (README), then
// as loops. Every parameter gradient sums over the batch.
LinearGrads linear_backward(const std::vector<float>& x, const std::vector<float>& W,
                            const std::vector<float>& dy, int64_t N, int64_t in, int64_t out) {
  (void)x, (void)W, (void)dy, (void)N, (void)in, (void)out;
  NOT_IMPLEMENTED("lab04::linear_backward");
}

// Hint: bound from the FAN-IN; draw W (all out * in values) before b.
LinearParams linear_init(int64_t in, int64_t out, gradlab::Generator& gen) {
  (void)in, (void)out, (void)gen;
  NOT_IMPLEMENTED("lab04::linear_init");
}

std::vector<float> relu_forward(const std::vector<float>& x) {
  (void)x;
  NOT_IMPLEMENTED("lab04::relu_forward");
}

// Hint: the gradient is a 0/1 mask times dy. Where is the mask 1?
std::vector<float> relu_backward(const std::vector<float>& x, const std::vector<float>& dy) {
  (void)x, (void)dy;
  NOT_IMPLEMENTED("lab04::relu_backward");
}

}  // namespace lab04
