// core/ops_index.cpp — gather, index_select, one_hot, cat, stack.
// Index tensors are validated up front: an out-of-range index names the op,
// the index value, its position and the size it must be below.
#include <cstring>

#include "core/autograd.h"
#include "core/internal.h"
#include "core/ops.h"

namespace gradlab {

using detail::fail;

namespace {

void require_index(const Tensor& index, const char* op) {
  detail::require_defined(index, op);
  if (index.dtype() != DType::Int64) fail(op, ": index must be Int64, got ", dtype_name(index.dtype()));
}

// Adds src into dst at index along dim (the backward of gather / index_select).
// mode 0: gather layout (index has src's shape); mode 1: index_select (1-D).
Tensor scatter_add_back(const Shape& xs, int64_t dim, const Tensor& index, const Tensor& g, bool select_mode) {
  Tensor out = zeros(xs, g.dtype());
  Tensor gc = g.contiguous();
  const DType cdt = detail::compute_dtype(g.dtype());
  Tensor acc = cdt == g.dtype() ? out : out.to(cdt);
  Tensor gv = cdt == g.dtype() ? gc : gc.to(cdt);
  std::vector<int64_t> idx = index.to_vector<int64_t>();
  detail::dispatch_compute(cdt, [&]<class T>() {
    T* po = acc.data_ptr<T>();
    const T* pg = gv.data_ptr<T>();
    const Shape& gs = gv.shape();
    const Shape ost = contiguous_strides(xs);
    const Shape gst = contiguous_strides(gs);
    const int64_t n = gv.numel();
    for (int64_t i = 0; i < n; ++i) {
      int64_t rem = i, off = 0;
      for (size_t d = 0; d < gs.size(); ++d) {
        int64_t c = rem / gst[d];
        rem %= gst[d];
        if (static_cast<int64_t>(d) == dim) c = select_mode ? idx[static_cast<size_t>(c)] : idx[static_cast<size_t>(i)];
        off += c * ost[d];
      }
      po[off] += pg[i];
    }
  });
  return cdt == g.dtype() ? acc : acc.to(g.dtype());
}

}  // namespace

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  detail::require_defined(x, "gather");
  require_index(index, "gather");
  if (index.dim() != x.dim())
    fail("gather: index ", shape_str(index.shape()), " must have the rank of x ", shape_str(x.shape()));
  const int64_t d = wrap_dim(dim, x.dim(), "gather");
  for (int64_t i = 0; i < x.dim(); ++i)
    if (i != d && index.size(i) > x.size(i))
      fail("gather: index ", shape_str(index.shape()), " larger than x ", shape_str(x.shape()), " at dim ", i);
  Tensor xc = x.detach().contiguous();
  std::vector<int64_t> idx = index.to_vector<int64_t>();
  const int64_t limit = x.dim() == 0 ? 1 : x.size(d);
  for (size_t i = 0; i < idx.size(); ++i)
    if (idx[i] < 0 || idx[i] >= limit)
      fail("gather: index ", idx[i], " out of range for dim ", dim, " of size ", limit, " at position ", i);
  Tensor out = empty(index.shape(), x.dtype());
  detail::dispatch(x.dtype(), [&]<class T>() {
    const T* px = xc.data_ptr<T>();
    T* po = out.data_ptr<T>();
    const Shape ist = contiguous_strides(index.shape()), xst = xc.strides();
    for (size_t i = 0; i < idx.size(); ++i) {
      int64_t rem = static_cast<int64_t>(i), off = 0;
      for (size_t k = 0; k < ist.size(); ++k) {
        int64_t c = rem / ist[k];
        rem %= ist[k];
        off += (static_cast<int64_t>(k) == d ? idx[i] : c) * xst[k];
      }
      po[i] = px[off];
    }
  });
  Shape xs = x.shape();
  Tensor ix = index;
  return record("gather", out, {x}, [xs, d, ix](const Tensor& g) {
    return std::vector<Tensor>{scatter_add_back(xs, d, ix, g, false)};
  });
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  detail::require_defined(x, "index_select");
  require_index(index, "index_select");
  if (index.dim() != 1) fail("index_select: index must be 1-D, got ", shape_str(index.shape()));
  if (x.dim() == 0) fail("index_select: cannot index a 0-d tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "index_select");
  std::vector<int64_t> idx = index.to_vector<int64_t>();
  const int64_t n = x.size(d);
  for (size_t i = 0; i < idx.size(); ++i)
    if (idx[i] < -n || idx[i] >= n)
      fail("index_select: index ", idx[i], " out of range for dim ", dim, " of size ", n, " at position ", i);
  // Copy contiguous slabs: outer x [one index] x inner.
  Tensor xc = x.detach().contiguous();
  Shape os = x.shape();
  os[static_cast<size_t>(d)] = static_cast<int64_t>(idx.size());
  Tensor out = empty(os, x.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.size(i);
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.size(i);
  const size_t bytes = static_cast<size_t>(inner) * itemsize(x.dtype());
  const std::byte* px = xc.impl()->storage->data + xc.storage_offset() * static_cast<int64_t>(itemsize(x.dtype()));
  std::byte* po = out.impl()->storage->data;
  const int64_t k = static_cast<int64_t>(idx.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < k; ++j) {
      int64_t src = idx[static_cast<size_t>(j)] < 0 ? idx[static_cast<size_t>(j)] + n : idx[static_cast<size_t>(j)];
      if (bytes) std::memcpy(po + static_cast<size_t>(o * k + j) * bytes, px + static_cast<size_t>(o * n + src) * bytes, bytes);
    }
  Shape xs = x.shape();
  Tensor ix = where(lt(index, zeros({}, DType::Int64)), index + n, index);
  return record("index_select", out, {x}, [xs, d, ix](const Tensor& g) {
    return std::vector<Tensor>{scatter_add_back(xs, d, ix, g, true)};
  });
}

Tensor one_hot(const Tensor& index, int64_t num_classes) {
  require_index(index, "one_hot");
  if (num_classes < 1) fail("one_hot: num_classes must be >= 1, got ", num_classes);
  std::vector<int64_t> idx = index.to_vector<int64_t>();
  Shape os = index.shape();
  os.push_back(num_classes);
  Tensor out = zeros(os, DType::Int64);
  int64_t* p = out.data_ptr<int64_t>();
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] < 0 || idx[i] >= num_classes)
      fail("one_hot: class ", idx[i], " out of range for ", num_classes, " classes at position ", i);
    p[static_cast<int64_t>(i) * num_classes + idx[i]] = 1;
  }
  return out;
}

Tensor cat(const std::vector<Tensor>& ts, int64_t dim) {
  if (ts.empty()) fail("cat: expects at least one tensor");
  for (const Tensor& t : ts) detail::require_defined(t, "cat");
  const Tensor& first = ts[0];
  if (first.dim() == 0) fail("cat: zero-dimensional tensor cannot be concatenated");
  const int64_t d = wrap_dim(dim, first.dim(), "cat");
  DType res = first.dtype();
  int64_t total = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const Tensor& t = ts[i];
    if (t.dim() != first.dim())
      fail("cat: tensor 0 ", shape_str(first.shape()), " vs tensor ", i, " ", shape_str(t.shape()), " (rank differs)");
    for (int64_t k = 0; k < t.dim(); ++k)
      if (k != d && t.size(k) != first.size(k))
        fail("cat: tensor 0 ", shape_str(first.shape()), " vs tensor ", i, " ", shape_str(t.shape()),
             " (dim ", k, " differs)");
    total += t.size(d);
    res = promote(res, t.dtype());
  }
  Shape os = first.shape();
  os[static_cast<size_t>(d)] = total;
  Tensor out = empty(os, res);
  std::vector<int64_t> sizes;
  int64_t at = 0;
  for (const Tensor& t : ts) {
    narrow(out, d, at, t.size(d)).copy_(t.detach());
    sizes.push_back(t.size(d));
    at += t.size(d);
  }
  return record("cat", out, ts, [d, sizes](const Tensor& g) {
    std::vector<Tensor> gs;
    int64_t pos = 0;
    for (int64_t s : sizes) {
      gs.push_back(narrow(g, d, pos, s).contiguous());
      pos += s;
    }
    return gs;
  });
}

Tensor stack(const std::vector<Tensor>& ts, int64_t dim) {
  if (ts.empty()) fail("stack: expects at least one tensor");
  const int64_t d = wrap_dim(dim, ts[0].dim() + 1, "stack");
  std::vector<Tensor> us;
  for (size_t i = 0; i < ts.size(); ++i) {
    detail::require_defined(ts[i], "stack");
    if (ts[i].shape() != ts[0].shape())
      fail("stack: tensor 0 ", shape_str(ts[0].shape()), " vs tensor ", i, " ", shape_str(ts[i].shape()));
    us.push_back(unsqueeze(ts[i], d));
  }
  return cat(us, d);
}

// ---- comparisons of whole tensors ------------------------------------------------
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  Shape s = broadcast_shapes(a.shape(), b.shape(), "allclose");
  std::vector<double> va = expand(a.detach(), s).to_vector<double>();
  std::vector<double> vb = expand(b.detach(), s).to_vector<double>();
  for (size_t i = 0; i < va.size(); ++i) {
    double x = va[i], y = vb[i];
    if (std::isnan(x) || std::isnan(y)) {
      if (equal_nan && std::isnan(x) && std::isnan(y)) continue;
      return false;
    }
    if (x == y) continue;  // equal infinities
    if (std::isinf(x) || std::isinf(y)) return false;  // inf vs -inf or finite: never close
    if (!(std::fabs(x - y) <= atol + rtol * std::fabs(y))) return false;
  }
  return true;
}

bool equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  Tensor ac = a.contiguous(), bc = b.contiguous();
  const size_t n = static_cast<size_t>(a.numel()) * itemsize(a.dtype());
  return n == 0 || std::memcmp(ac.impl()->storage->data + ac.storage_offset() * static_cast<int64_t>(itemsize(a.dtype())),
                               bc.impl()->storage->data + bc.storage_offset() * static_cast<int64_t>(itemsize(b.dtype())),
                               n) == 0;
}

}  // namespace gradlab
