// labs/05_cross_entropy/starter/cross_entropy.cpp — YOUR implementation of
// phase 05.
//
// Replace each NOT_IMPLEMENTED() with your code; the contracts are in
// ../lab.h and the derivation in ../README.md. Check your work with:
//     gradlab lab check 05
//
// Rules: plain loops on the raw arrays; no gradlab::cross_entropy,
// log_softmax, logsumexp or softmax (the grader flags them). Suggested
// shape of the code:
//   1. check the sizes; 2. count the valid rows V (checking their targets);
//   3. for each valid row: max, sum of exp(x - max) in double, logsumexp;
//   4. forward: average; backward: (softmax - onehot) * grad_loss / V.
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "labs/05_cross_entropy/lab.h"
#include "labs/common/lab_support.h"

namespace lab05 {

float cross_entropy_forward(const std::vector<float>& logits, const std::vector<int64_t>& target,
                            const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                            int64_t ignore_index) {
  (void)logits, (void)target, (void)mask, (void)N, (void)C, (void)ignore_index;
  NOT_IMPLEMENTED("lab05::cross_entropy_forward");
}

std::vector<float> cross_entropy_backward(const std::vector<float>& logits,
                                          const std::vector<int64_t>& target,
                                          const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                                          int64_t ignore_index, float grad_loss) {
  (void)logits, (void)target, (void)mask, (void)N, (void)C, (void)ignore_index, (void)grad_loss;
  NOT_IMPLEMENTED("lab05::cross_entropy_backward");
}

}  // namespace lab05
