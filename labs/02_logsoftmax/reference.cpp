// labs/02_logsoftmax/reference.cpp — the reference implementation of phase
// 02: a thin adapter onto gradlab's own losses/ (logsumexp.h, softmax.h).
#include "labs/02_logsoftmax/lab.h"

#include "losses/logsumexp.h"
#include "losses/softmax.h"

namespace lab02 {

Tensor logsumexp(const Tensor& x, std::vector<int64_t> dims, bool keepdim) {
  return gradlab::logsumexp(x, std::move(dims), keepdim);
}

Tensor log_softmax(const Tensor& x, int64_t dim) { return gradlab::log_softmax(x, dim); }

Tensor softmax(const Tensor& x, int64_t dim) { return gradlab::softmax(x, dim); }

}  // namespace lab02
