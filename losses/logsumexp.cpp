// losses/logsumexp.cpp — logsumexp (plain: the fused row kernel; weighted and
// signed: SciPy's two-pass algorithm in double). Backward passes are composed
// of core ops: they are short and not on a hot path.
#include "losses/logsumexp.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/autograd.h"
#include "core/ops.h"
#include "losses/loss_util.h"

namespace gradlab {
namespace {
using namespace losses_detail;

// The reduction plan: which dims go, the permutation that moves them last,
// and the output shapes.
struct Plan {
  std::vector<int64_t> reduced;  // sorted, non-negative
  std::vector<int64_t> perm;     // kept dims, then reduced dims
  Shape out_shape;               // without the reduced dims (or size 1 if keepdim)
  Shape keep_shape;              // reduced dims as size 1 (for broadcasting back)
  int64_t rows = 0, n = 1;
};

Plan make_plan(const Shape& shape, std::vector<int64_t> dims, bool keepdim, const char* op) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  Plan p;
  if (dims.empty()) {
    for (int64_t d = 0; d < rank; ++d) p.reduced.push_back(d);
  } else {
    for (int64_t d : dims) {
      const int64_t w = wrap_dim(d, rank == 0 ? 1 : rank, op);
      if (std::find(p.reduced.begin(), p.reduced.end(), w) != p.reduced.end())
        fail(op, ": dim ", d, " repeated in dims ", dims_str(dims));
      p.reduced.push_back(w);
    }
    if (rank == 0) p.reduced.clear();  // dim 0 / -1 of a 0-d tensor: its one value
    std::sort(p.reduced.begin(), p.reduced.end());
  }
  p.rows = 1;
  for (int64_t d = 0; d < rank; ++d) {
    const bool red = std::binary_search(p.reduced.begin(), p.reduced.end(), d);
    if (red) {
      p.n *= shape[d];
      p.keep_shape.push_back(1);
      if (keepdim) p.out_shape.push_back(1);
    } else {
      p.perm.push_back(d);
      p.rows *= shape[d];
      p.keep_shape.push_back(shape[d]);
      p.out_shape.push_back(shape[d]);
    }
  }
  if (p.n == 0)
    fail(op, ": cannot reduce over zero elements (shape ", shape_str(shape), ", dims ",
         dims_str(dims.empty() ? p.reduced : dims), ")");
  for (int64_t d : p.reduced) p.perm.push_back(d);
  return p;
}

// x (any shape) -> (rows, n) contiguous copy with the reduced dims last; no graph.
Tensor rows_view(const Tensor& x, const Plan& p) {
  NoGradGuard guard;
  Tensor t = x.dim() == 0 ? x.detach() : permute(x.detach(), p.perm);
  return reshape(t.contiguous(), {p.rows, p.n});
}

// ---- weighted / signed: SciPy's algorithm, in double ---------------------------
struct SignedResult {
  Tensor value, sign;
};

// signed_form: value = log|s| (else log(s): NaN for a negative sum).
SignedResult weighted_forward(const Tensor& a, const Tensor& b, const Plan& p, DType out_dtype,
                              bool signed_form) {
  const std::vector<double> av = rows_view(a, p).to_vector<double>();
  const std::vector<double> bv = b.defined() ? rows_view(b, p).to_vector<double>()
                                             : std::vector<double>();
  std::vector<double> value(p.rows), sign(p.rows);
  parallel_rows(p.rows, p.n, [&](int64_t r) {
    const double* ar = av.data() + r * p.n;
    const double* br = bv.empty() ? nullptr : bv.data() + r * p.n;
    // shift = max over the entries with b != 0 (NaN propagates, as np.amax),
    // replaced by 0 when not finite
    double m = -std::numeric_limits<double>::infinity();
    bool nan = false;
    for (int64_t j = 0; j < p.n; ++j) {
      if (br && br[j] == 0.0) continue;
      if (std::isnan(ar[j])) nan = true;
      else m = std::max(m, ar[j]);
    }
    const double shift = (nan || !std::isfinite(m)) ? 0.0 : m;
    double s = 0.0;
    for (int64_t j = 0; j < p.n; ++j) {
      if (br && br[j] == 0.0) continue;  // left out even where a is +-inf / NaN
      s += (br ? br[j] : 1.0) * std::exp(ar[j] - shift);
    }
    const double sg = std::isnan(s) ? s : (s > 0) - (s < 0);
    sign[r] = sg;
    value[r] = std::log(signed_form ? s * sg : s) + shift;  // -inf for 0, NaN for NaN
  });
  return {from_vector<double>(value, p.out_shape).to(out_dtype),
          from_vector<double>(sign, p.out_shape).to(out_dtype)};
}

// Records the backward of value = log|sum b e^a| (sign 1 for the unsigned form).
Tensor weighted_record(const Tensor& a, const Tensor& b, const Plan& p, const Tensor& value,
                       const Tensor& sign, const char* name) {
  std::vector<Tensor> inputs{a};
  if (b.defined()) inputs.push_back(b);
  return record(name, value, inputs,
                [a = a.detach(), b = b.defined() ? b.detach() : Tensor(), p,
                 v = value.detach(), s = sign.detach()](const Tensor& g) -> std::vector<Tensor> {
                  const DType ct = v.dtype() == DType::Float64 ? DType::Float64 : DType::Float32;
                  const Tensor gs = reshape(g.to(ct) * s.to(ct), p.keep_shape);
                  const Tensor e = exp(a.to(ct) - reshape(v.to(ct), p.keep_shape));
                  if (!b.defined()) return {(gs * e).to(a.dtype())};
                  const Tensor bc = b.to(ct);
                  const Tensor ga = where(eq(bc, scalar_tensor(0.0, ct)), scalar_tensor(0.0, ct),
                                          gs * bc * e);
                  return {reduce_to_shape(ga, a.shape()).to(a.dtype()),
                          reduce_to_shape(gs * e, b.shape()).to(b.dtype())};
                });
}

SignedResult weighted(const Tensor& a_in, const LogSumExpOptions& opts, const char* op,
                      bool signed_form) {
  const Tensor a = floating(a_in, op);
  const Tensor& b = opts.b;
  Shape shape = a.shape();
  DType dt = a.dtype();
  if (b.defined()) {
    shape = broadcast_shapes(a.shape(), b.shape(), op);
    dt = is_floating(b.dtype()) ? promote(a.dtype(), b.dtype()) : a.dtype();
  }
  const Plan p = make_plan(shape, opts.dims, opts.keepdim, op);
  const Tensor ae = shape == a.shape() ? a : expand(a, shape);
  const Tensor be = !b.defined() || shape == b.shape() ? b : expand(b, shape);
  SignedResult res = weighted_forward(ae, be, p, dt, signed_form);
  // the gradient goes to the original (unbroadcast) a and b
  const Tensor bf = b.defined() && !is_floating(b.dtype()) ? b.to(dt) : b;
  res.value = weighted_record(a, bf, p, res.value, res.sign, op);
  return res;
}

}  // namespace

Tensor logsumexp(const Tensor& x_in, std::vector<int64_t> dims, bool keepdim) {
  const char* op = "logsumexp";
  const Tensor x = floating(x_in, op);
  const Plan p = make_plan(x.shape(), dims, keepdim, op);
  const Tensor rows = rows_view(x, p);
  const DType ct = compute_dtype(x.dtype());
  std::vector<double> lse(p.rows);
  with_row_kernels(x.dtype(), [&](const auto& k, auto tag) {
    using S = decltype(tag);
    const S* xp = raw<S>(rows);
    parallel_rows(p.rows, p.n, [&](int64_t r) {
      const kernels::RowStats st = k.stats(xp + r * p.n, p.n, nullptr, false);
      lse[r] = st.shift + std::log(st.sum);
    });
  });
  const Tensor lse_ct = from_vector<double>(lse, p.out_shape).to(ct);
  const Tensor out = lse_ct.to(x.dtype());
  return record(op, out, {x},
                [x = x.detach(), lse_ct, p](const Tensor& g) -> std::vector<Tensor> {
                  const DType ct = lse_ct.dtype();
                  const Tensor gk = reshape(g.to(ct), p.keep_shape);
                  const Tensor e = exp(x.to(ct) - reshape(lse_ct, p.keep_shape));
                  return {(gk * e).to(x.dtype())};
                });
}

Tensor logsumexp(const Tensor& a, const LogSumExpOptions& opts) {
  if (!opts.b.defined()) return logsumexp(a, opts.dims, opts.keepdim);
  return weighted(a, opts, "logsumexp", false).value;
}

SignedLogSumExp logsumexp_signed(const Tensor& a, const LogSumExpOptions& opts) {
  SignedResult r = weighted(a, opts, "logsumexp_signed", true);
  return {r.value, r.sign};
}

}  // namespace gradlab
