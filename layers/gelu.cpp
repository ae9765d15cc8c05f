// layers/gelu.cpp — GELU: the exact form is core's gelu op; the tanh
// approximation is composed from elementwise ops (autograd differentiates it).
#include "layers/gelu.h"

#include <cmath>
#include <numbers>

#include "core/ops.h"

namespace gradlab::nn {

Tensor GELU::forward(const Tensor& x) {
  if (approximate_ == Approximate::None) return gradlab::gelu(x);
  const double k = std::sqrt(2.0 / std::numbers::pi);
  Tensor inner = (x + gradlab::pow(x, 3.0) * 0.044715) * k;
  return x * 0.5 * (gradlab::tanh(inner) + 1.0);
}

std::string GELU::extra_repr() const {
  return approximate_ == Approximate::Tanh ? "approximate='tanh'" : "approximate='none'";
}

}  // namespace gradlab::nn
