// layers/dropout.cpp — inverted dropout composed from rand, a comparison and mul.
#include "layers/dropout.h"

#include <sstream>
#include <stdexcept>

#include "core/ops.h"

namespace gradlab::nn {

Dropout::Dropout(double p, Generator& gen) : p_(p), gen_(&gen) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument("Dropout: p must be in [0, 1], got " + std::to_string(p));
  }
}

Tensor Dropout::forward(const Tensor& x) {
  if (!is_training() || p_ == 0.0) return x;
  if (p_ == 1.0) return x * 0.0;  // keeps the graph: the gradient is zero too
  // keep: u >= p with u ~ U[0, 1), so P(keep) = 1 - p. The mask holds
  // 0 or 1 / (1 - p) and needs no gradient; mul's backward routes the
  // gradient through the kept elements only.
  Tensor u = rand(x.shape(), *gen_, DType::Float32);
  Tensor keep = ge(u, scalar_tensor(p_, DType::Float32));
  DType dt = is_floating(x.dtype()) ? x.dtype() : DType::Float32;
  Tensor mask = keep.to(dt) * (1.0 / (1.0 - p_));
  return x * mask;
}

std::string Dropout::extra_repr() const {
  std::ostringstream os;
  os << "p=" << p_;
  return os.str();
}

}  // namespace gradlab::nn
