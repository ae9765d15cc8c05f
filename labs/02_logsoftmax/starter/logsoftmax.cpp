// labs/02_logsoftmax/starter/logsoftmax.cpp — YOUR implementation of phase 02.
//
// Replace each NOT_IMPLEMENTED() with your code; the contracts are in
// ../lab.h and the math and the recipe in ../README.md. Check your work with:
//     gradlab lab check 02
//
// You may build these from gradlab's tensor primitives (core/ops.h):
// gradlab::amax, sum, exp, log, where, isfinite, zeros_like, the operators
// + - * /, and Tensor::to(dtype). You may NOT call gradlab::logsumexp,
// gradlab::log_softmax or gradlab::softmax (the grader flags them): those
// are what you are re-deriving. Your own tests go in my_tests.cpp.
#include <utility>
#include <vector>

#include "core/ops.h"
#include "core/tensor.h"
#include "labs/02_logsoftmax/lab.h"
#include "labs/common/lab_support.h"

namespace lab02 {

// m = max over dims (keepdim, so it broadcasts back against x); replace a
// non-finite m by 0 (SciPy's rule: it makes all -inf give -inf, not NaN);
// then log(sum(exp(x - m))) + m. Float16 in: compute in Float32, return Float16.
Tensor logsumexp(const Tensor& x, std::vector<int64_t> dims, bool keepdim) {
  (void)x, (void)dims, (void)keepdim;
  NOT_IMPLEMENTED("lab02::logsumexp");
}

// (x - m) - log(sum(exp(x - m))) along dim, m guarded as in logsumexp.
// Never log() a probability.
Tensor log_softmax(const Tensor& x, int64_t dim) {
  (void)x, (void)dim;
  NOT_IMPLEMENTED("lab02::log_softmax");
}

// exp(x - m) / sum(exp(x - m)) along dim, with the PLAIN max m (no guard:
// SciPy's softmax is NaN for a slice holding +inf, or all -inf).
Tensor softmax(const Tensor& x, int64_t dim) {
  (void)x, (void)dim;
  NOT_IMPLEMENTED("lab02::softmax");
}

}  // namespace lab02
