// losses/softmax.cpp — log_softmax and softmax: a fused kernel over the last
// dim (forward and backward), other dims moved last with core ops.
#include "losses/softmax.h"

#include <cmath>
#include <limits>

#include "core/autograd.h"
#include "core/ops.h"
#include "losses/loss_util.h"

namespace gradlab {
namespace {
using namespace losses_detail;

// x: (..., n) -> (..., n) along the last dim; x floating.
Tensor softmax_last(const Tensor& x_in, bool log) {
  const Tensor x = x_in.detach().contiguous();
  const DType dt = x.dtype();
  Tensor out = empty(x.shape(), dt);
  advise_huge_pages(out);
  const int64_t n = x.shape().back();
  const int64_t rows = n == 0 ? 0 : x.numel() / n;
  with_row_kernels(dt, [&](const auto& k, auto tag) {
    using S = decltype(tag);
    const S* xp = raw<S>(x);
    S* op = raw<S>(out);
    parallel_rows(rows, n, [&](int64_t r) {
      const S* xr = xp + r * n;
      S* yr = op + r * n;
      const kernels::RowStats st = k.stats(xr, n, nullptr, false);
      if (log) {
        k.log_softmax(xr, n, st.shift, std::log(st.sum), yr);
      } else if (std::isfinite(st.max) && !std::isnan(st.sum)) {
        k.softmax(xr, n, st.shift, 1.0 / st.sum, yr);
      } else {  // SciPy: +inf, all -inf or NaN in the slice -> all NaN
        const double nan = std::numeric_limits<double>::quiet_NaN();
        k.softmax(xr, n, nan, nan, yr);
      }
    });
  });
  return record(log ? "log_softmax" : "softmax", out, {x_in},
                [y = out.detach(), log, n, rows](const Tensor& g) -> std::vector<Tensor> {
                  const Tensor gc = g.to(y.dtype()).contiguous();
                  Tensor gx = empty(y.shape(), y.dtype());
                  advise_huge_pages(gx);
                  with_row_kernels(y.dtype(), [&](const auto& k, auto tag) {
                    using S = decltype(tag);
                    const S* yp = raw<S>(y);
                    const S* gp = raw<S>(gc);
                    S* xp = raw<S>(gx);
                    parallel_rows(rows, n, [&](int64_t r) {
                      if (log) k.log_softmax_backward(yp + r * n, gp + r * n, n, xp + r * n);
                      else k.softmax_backward(yp + r * n, gp + r * n, n, xp + r * n);
                    });
                  });
                  return {gx};
                });
}

Tensor softmax_any(const Tensor& x_in, int64_t dim, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  const Tensor x = floating(x_in, op);
  if (x.dim() == 0) {  // a single value: one slice of length 1
    wrap_dim(dim, 1, op);
    return reshape(softmax_last(reshape(x, {1}), log), {});
  }
  const int64_t d = wrap_dim(dim, x.dim(), op);
  const int64_t last = x.dim() - 1;
  if (d == last) return softmax_last(x, log);
  return contiguous(transpose(softmax_last(transpose(x, d, last), log), d, last));
}

}  // namespace

Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_any(x, dim, true); }
Tensor softmax(const Tensor& x, int64_t dim) { return softmax_any(x, dim, false); }

}  // namespace gradlab
