// core/ops_reduce.cpp — reductions over any set of dims, with keepdim.
//
// Every reduction brings the reduced dims to the end (a permuted view, copied
// to contiguous memory when needed), so the kernel only ever reduces
// contiguous blocks: out[m] = reduce(block m). Sums over *leading* dims of a
// contiguous tensor (a bias gradient, sum over the batch) skip the copy and
// add whole rows instead.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/autograd.h"
#include "core/internal.h"
#include "core/ops.h"

namespace gradlab {

using detail::fail;

namespace {

struct ReducePlan {
  std::vector<bool> reduced;  // per dim of x
  Shape out_shape;            // without keepdim
  Shape keep_shape;           // with keepdim (reduced dims = 1)
  int64_t outer = 1;          // number of outputs
  int64_t inner = 1;          // elements reduced per output
};

ReducePlan plan(const Tensor& x, const std::vector<int64_t>& dims, const char* op) {
  ReducePlan p;
  const int64_t r = x.dim();
  p.reduced.assign(static_cast<size_t>(r), dims.empty());
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, r, op);
    if (r == 0) continue;  // 0-d: dim 0 / -1 means "the element"
    if (p.reduced[static_cast<size_t>(w)]) fail(op, ": dim ", d, " appears more than once in the dims list");
    p.reduced[static_cast<size_t>(w)] = true;
  }
  for (int64_t d = 0; d < r; ++d) {
    int64_t s = x.shape()[static_cast<size_t>(d)];
    if (p.reduced[static_cast<size_t>(d)]) {
      p.keep_shape.push_back(1);
      p.inner *= s;
    } else {
      p.out_shape.push_back(s);
      p.keep_shape.push_back(s);
      p.outer *= s;
    }
  }
  return p;
}

// x permuted so the reduced dims come last, as contiguous memory (C type).
Tensor reduced_last(const Tensor& x, const ReducePlan& p, DType cdt) {
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (!p.reduced[static_cast<size_t>(d)]) perm.push_back(d);
  for (int64_t d = 0; d < x.dim(); ++d)
    if (p.reduced[static_cast<size_t>(d)]) perm.push_back(d);
  Tensor t = x.detach();
  if (t.dtype() != cdt) t = t.to(cdt);
  return permute(t, perm).contiguous();
}

// True when the reduced dims are exactly dims 0..k-1 of a contiguous x.
bool leading_block(const Tensor& x, const ReducePlan& p) {
  if (!x.is_contiguous() || p.outer == 1) return false;
  size_t k = 0;
  while (k < p.reduced.size() && p.reduced[k]) ++k;
  for (size_t d = k; d < p.reduced.size(); ++d)
    if (p.reduced[d]) return false;
  return k > 0;
}

Tensor finish(Tensor out, const ReducePlan& p, bool keepdim) {
  return view(out, keepdim ? p.keep_shape : p.out_shape);
}

// Sum kernel: float types accumulate in double, integers in int64.
Tensor sum_forward(const Tensor& x, const ReducePlan& p, DType res) {
  const DType cdt = detail::compute_dtype(res);
  Tensor out = empty({p.outer}, cdt);
  detail::dispatch_compute(cdt, [&]<class C>() {
    using Acc = std::conditional_t<std::is_floating_point_v<C>, double, int64_t>;
    C* po = out.data_ptr<C>();
    if (leading_block(x, p) && x.dtype() == cdt) {
      const C* px = x.data_ptr<C>();
      std::vector<Acc> acc(static_cast<size_t>(p.outer), Acc(0));
      for (int64_t i = 0; i < p.inner; ++i) {
        const C* row = px + i * p.outer;
        for (int64_t j = 0; j < p.outer; ++j) acc[static_cast<size_t>(j)] += static_cast<Acc>(row[j]);
      }
      for (int64_t j = 0; j < p.outer; ++j) po[j] = static_cast<C>(acc[static_cast<size_t>(j)]);
      return;
    }
    Tensor xc = reduced_last(x, p, cdt);
    const C* px = xc.data_ptr<C>();
    for (int64_t m = 0; m < p.outer; ++m) {
      Acc acc = 0;
      const C* b = px + m * p.inner;
      for (int64_t i = 0; i < p.inner; ++i) acc += static_cast<Acc>(b[i]);
      po[m] = static_cast<C>(acc);
    }
  });
  return res == cdt ? out : out.to(res);
}

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  detail::require_defined(x, "sum");
  ReducePlan p = plan(x, dims, "sum");
  DType res = is_floating(x.dtype()) ? x.dtype() : DType::Int64;
  Tensor out = finish(sum_forward(x, p, res), p, keepdim);
  Shape xs = x.shape(), ks = p.keep_shape;
  return record("sum", out, {x}, [xs, ks](const Tensor& g) {
    return std::vector<Tensor>{expand(reshape(g, ks), xs).contiguous()};
  });
}
Tensor sum(const Tensor& x) { return sum(x, {}, false); }

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  detail::require_floating(x, "mean");
  ReducePlan p = plan(x, dims, "mean");
  // mean of zero elements is NaN (0/0), as NumPy and PyTorch
  return div(sum(x, dims, keepdim), scalar_tensor(static_cast<double>(p.inner), x.dtype()));
}
Tensor mean(const Tensor& x) { return mean(x, {}, false); }

// ---- max / min -------------------------------------------------------------------
namespace {
// NaN wins (propagates), as NumPy's max.
template <class C> bool better(C a, C b, bool is_max) {
  if (a != a) return b == b;  // a NaN beats any non-NaN
  if (b != b) return false;
  return is_max ? a > b : a < b;
}

// values (outer) and first index of the extreme in each block.
void extreme_forward(const Tensor& x, const ReducePlan& p, bool is_max, const char* op, Tensor* values,
                     Tensor* indices) {
  if (p.inner == 0)
    fail(op, ": cannot reduce an empty dimension of a tensor of shape ", shape_str(x.shape()));
  if (x.dtype() == DType::Bool) fail(op, ": Bool input");
  const DType cdt = detail::compute_dtype(x.dtype());
  Tensor xc = reduced_last(x, p, cdt);
  Tensor v = empty({p.outer}, cdt);
  Tensor idx = empty({p.outer}, DType::Int64);
  detail::dispatch_compute(cdt, [&]<class C>() {
    const C* px = xc.data_ptr<C>();
    C* pv = v.data_ptr<C>();
    int64_t* pi = idx.data_ptr<int64_t>();
    for (int64_t m = 0; m < p.outer; ++m) {
      const C* b = px + m * p.inner;
      int64_t best = 0;
      for (int64_t i = 1; i < p.inner; ++i)
        if (better(b[i], b[best], is_max)) best = i;
      pv[m] = b[best];
      pi[m] = best;
    }
  });
  if (values) *values = v.dtype() == x.dtype() ? v : v.to(x.dtype());
  if (indices) *indices = idx;
}

Tensor extreme(const char* op, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, bool is_max) {
  detail::require_defined(x, op);
  ReducePlan p = plan(x, dims, op);
  Tensor v;
  extreme_forward(x, p, is_max, op, &v, nullptr);
  Tensor out = finish(v, p, keepdim);
  if (!any_requires_grad({&x})) return out;
  Tensor xd = x.detach();
  Tensor vk = reshape(v, p.keep_shape);
  std::vector<int64_t> rdims;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (p.reduced[static_cast<size_t>(d)]) rdims.push_back(d);
  Shape ks = p.keep_shape;
  // Gradient shared evenly among the elements equal to the extreme.
  return record(op, out, {x}, [xd, vk, rdims, ks](const Tensor& g) {
    Tensor hit = eq(xd, vk).to(g.dtype());
    Tensor count = rdims.empty() && xd.dim() > 0 ? sum(hit, {}, true) : sum(hit, rdims, true);
    return std::vector<Tensor>{mul(div(reshape(g, ks), count), hit)};
  });
}
}  // namespace

Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) { return extreme("amax", x, dims, keepdim, true); }
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) { return extreme("amin", x, dims, keepdim, false); }
Tensor max(const Tensor& x) { return extreme("max", x, {}, false, true); }
Tensor min(const Tensor& x) { return extreme("min", x, {}, false, false); }

static Tensor arg_extreme(const char* op, const Tensor& x, std::vector<int64_t> dims, bool keepdim, bool is_max) {
  detail::require_defined(x, op);
  ReducePlan p = plan(x, dims, op);
  Tensor idx;
  extreme_forward(x, p, is_max, op, nullptr, &idx);
  return finish(idx, p, keepdim);
}
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) { return arg_extreme("argmax", x, {dim}, keepdim, true); }
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) { return arg_extreme("argmin", x, {dim}, keepdim, false); }
Tensor argmax(const Tensor& x) {
  detail::require_defined(x, "argmax");
  return arg_extreme("argmax", reshape(x.detach(), {-1}), {0}, false, true);
}

}  // namespace gradlab
