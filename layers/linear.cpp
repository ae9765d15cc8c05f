// layers/linear.cpp — y = x W^T + b, composed from matmul and add.
#include "layers/linear.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "layers/init.h"

namespace gradlab::nn {

Linear::Linear(int64_t in_features, int64_t out_features, Generator& gen, bool with_bias)
    : in_features_(in_features), out_features_(out_features) {
  if (in_features < 1 || out_features < 1) {
    throw std::invalid_argument("Linear: in_features and out_features must be >= 1, got " +
                                std::to_string(in_features) + " and " +
                                std::to_string(out_features));
  }
  // kaiming_uniform(a = sqrt(5)): bound = sqrt(2 / 6) * sqrt(3 / in) = 1 / sqrt(in).
  weight = init::kaiming_uniform({out_features, in_features}, std::sqrt(5.0), gen);
  register_parameter("weight", weight);
  if (with_bias) {
    double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
    bias = init::uniform_symmetric({out_features}, bound, gen);
    register_parameter("bias", bias);
  }
}

Tensor Linear::forward(const Tensor& x) {
  if (x.dim() < 1 || x.size(-1) != in_features_) {
    throw std::invalid_argument("Linear: input " + shape_str(x.shape()) +
                                " must end in in_features = " + std::to_string(in_features_));
  }
  Tensor y = matmul(x, weight.t());  // (..., in) @ (in, out) -> (..., out)
  return bias.defined() ? y + bias : y;
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) +
         ", out_features=" + std::to_string(out_features_) +
         ", bias=" + (bias.defined() ? "true" : "false");
}

}  // namespace gradlab::nn
