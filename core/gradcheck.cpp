// core/gradcheck.cpp — analytic vs numerical gradients in float64.
//
// The output is reduced to a scalar with a fixed random projection w
// (L = Σ w ⊙ fn(x)), so one backward checks every output element. The
// numerical gradient is the central difference (L(x+eps) - L(x-eps)) / 2eps,
// one input element at a time.
#include "core/gradcheck.h"

#include <cmath>
#include <sstream>

#include "core/autograd.h"
#include "core/internal.h"
#include "core/ops.h"
#include "core/random.h"

namespace gradlab {

namespace {
std::string index_str(int64_t flat, const Shape& shape) {
  Shape st = contiguous_strides(shape);
  Shape idx;
  for (size_t d = 0; d < shape.size(); ++d) {
    idx.push_back(flat / st[d]);
    flat %= st[d];
  }
  return shape_str(idx);
}
}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& opts) {
  // float64 leaves (non-floating inputs, e.g. indices, pass through as is).
  std::vector<Tensor> xs;
  for (const Tensor& x : inputs) {
    if (x.defined() && is_floating(x.dtype())) {
      Tensor c = x.detach().to(DType::Float64).clone();
      c.requires_grad_(true);
      xs.push_back(c);
    } else {
      xs.push_back(x);
    }
  }
  Tensor y0 = fn(xs);
  Generator gen(0x9e3779b97f4a7c15ULL);
  Tensor w = randn(y0.shape(), gen, DType::Float64);
  auto loss = [&](const std::vector<Tensor>& in) {
    NoGradGuard ng;
    return sum(mul(fn(in).to(DType::Float64), w)).item();
  };
  if (!y0.requires_grad()) {
    GradcheckResult r;
    r.ok = false;
    r.message = "gradcheck: output does not require grad (is the op recorded for autograd?)";
    return r;
  }
  sum(mul(y0.to(DType::Float64), w)).backward();

  GradcheckResult worst;
  double worst_excess = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    if (!xs[k].defined() || !xs[k].requires_grad()) continue;
    Tensor analytic_t = xs[k].grad();
    std::vector<double> analytic =
        analytic_t.defined() ? analytic_t.to_vector<double>() : std::vector<double>(static_cast<size_t>(xs[k].numel()), 0.0);
    double* p = xs[k].data_ptr<double>();
    for (int64_t i = 0; i < xs[k].numel(); ++i) {
      const double orig = p[i];
      p[i] = orig + opts.eps;
      const double lp = loss(xs);
      p[i] = orig - opts.eps;
      const double lm = loss(xs);
      p[i] = orig;
      const double numeric = (lp - lm) / (2 * opts.eps);
      const double a = analytic[static_cast<size_t>(i)];
      const double err = std::fabs(a - numeric);
      const double bound = opts.atol + opts.rtol * std::fabs(numeric);
      const bool bad = !(err <= bound) || std::isnan(a) != std::isnan(numeric);
      if (bad && (worst.ok || err - bound > worst_excess)) {
        worst_excess = err - bound;
        std::ostringstream os;
        os << "gradcheck: input " << k << " " << shape_str(xs[k].shape()) << " element " << i << " (index "
           << index_str(i, xs[k].shape()) << "): analytic " << a << " vs numeric " << numeric << ", abs err "
           << err << ", rel err " << err / std::max(std::fabs(numeric), 1e-300);
        worst.ok = false;
        worst.message = os.str();
      }
    }
  }
  return worst;
}

}  // namespace gradlab
