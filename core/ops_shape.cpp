// core/ops_shape.cpp — views: new shape/strides/offset over the same storage,
// no copy. Each view's backward maps the gradient back to the input's layout.
#include <algorithm>
#include <cstdint>
#include <optional>

#include "core/autograd.h"
#include "core/internal.h"
#include "core/ops.h"

namespace gradlab {

using detail::fail;

namespace {

Tensor make_view(const Tensor& x, Shape shape, Shape strides, int64_t offset) {
  auto impl = detail::make_impl();
  impl->storage = x.impl()->storage;
  impl->offset = offset;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->dtype = x.dtype();
  return Tensor(std::move(impl));
}

// Resolve one -1 and check the element count.
Shape infer_shape(const Tensor& x, Shape shape, const char* op) {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) fail(op, ": only one dimension can be -1, got ", shape_str(shape));
      infer = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      fail(op, ": negative size ", shape[i], " in shape ", shape_str(shape));
    } else {
      if (shape[i] != 0 && known > INT64_MAX / shape[i])
        fail(op, ": shape ", shape_str(shape), " has more elements than int64 can count");
      known *= shape[i];
    }
  }
  const int64_t n = x.numel();
  if (infer >= 0) {
    if (known == 0 || n % known != 0)
      fail(op, ": cannot reshape tensor of shape ", shape_str(x.shape()), " (", n, " elements) into ",
           shape_str(shape));
    shape[static_cast<size_t>(infer)] = n / known;
  } else if (known != n) {
    fail(op, ": cannot reshape tensor of shape ", shape_str(x.shape()), " (", n, " elements) into ",
         shape_str(shape), " (", known, " elements)");
  }
  return shape;
}

// Strides that let `x` be seen with `shape` without copying, if any
// (the algorithm of PyTorch's computeStride).
std::optional<Shape> view_strides(const Tensor& x, const Shape& shape) {
  if (x.is_contiguous() || x.numel() == 0) return contiguous_strides(shape);
  const Shape& os = x.shape();
  const Shape& ost = x.strides();
  Shape ns(shape.size());
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk = ost.back(), tensor_numel = 1, view_numel = 1;
  for (int64_t td = static_cast<int64_t>(os.size()) - 1; td >= 0; --td) {
    tensor_numel *= os[static_cast<size_t>(td)];
    if (td == 0 || (os[static_cast<size_t>(td - 1)] != 1 &&
                    ost[static_cast<size_t>(td - 1)] != tensor_numel * chunk)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[static_cast<size_t>(view_d)] == 1)) {
        ns[static_cast<size_t>(view_d)] = view_numel * chunk;
        view_numel *= shape[static_cast<size_t>(view_d)];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (td > 0) {
        chunk = ost[static_cast<size_t>(td - 1)];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return ns;
}

Tensor reshape_like(const Tensor& g, const Shape& s) { return reshape(g, s); }

}  // namespace

Tensor view(const Tensor& x, const Shape& shape0) {
  detail::require_defined(x, "view");
  Shape shape = infer_shape(x, shape0, "view");
  auto st = view_strides(x, shape);
  if (!st)
    fail("view: tensor of shape ", shape_str(x.shape()), " with strides ", shape_str(x.strides()),
         " cannot be viewed as ", shape_str(shape), "; use reshape() (which copies)");
  Tensor out = make_view(x, shape, *st, x.storage_offset());
  Shape xs = x.shape();
  return record("view", out, {x}, [xs](const Tensor& g) { return std::vector<Tensor>{reshape_like(g, xs)}; });
}

Tensor reshape(const Tensor& x, const Shape& shape0) {
  detail::require_defined(x, "reshape");
  Shape shape = infer_shape(x, shape0, "reshape");
  if (view_strides(x, shape)) return view(x, shape);
  return view(contiguous(x), shape);
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  detail::require_defined(x, "flatten");
  if (x.dim() == 0) return reshape(x, {1});
  int64_t s = wrap_dim(start_dim, x.dim(), "flatten"), e = wrap_dim(end_dim, x.dim(), "flatten");
  if (s > e) fail("flatten: start_dim ", start_dim, " comes after end_dim ", end_dim);
  Shape shape;
  for (int64_t d = 0; d < s; ++d) shape.push_back(x.shape()[static_cast<size_t>(d)]);
  int64_t m = 1;
  for (int64_t d = s; d <= e; ++d) m *= x.shape()[static_cast<size_t>(d)];
  shape.push_back(m);
  for (int64_t d = e + 1; d < x.dim(); ++d) shape.push_back(x.shape()[static_cast<size_t>(d)]);
  return reshape(x, shape);
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  detail::require_defined(x, "permute");
  const int64_t r = x.dim();
  if (static_cast<int64_t>(dims.size()) != r)
    fail("permute: got ", dims.size(), " dims for a tensor of rank ", r);
  Shape shape(static_cast<size_t>(r)), strides(static_cast<size_t>(r));
  std::vector<int64_t> inverse(static_cast<size_t>(r), -1);
  for (int64_t i = 0; i < r; ++i) {
    int64_t d = wrap_dim(dims[static_cast<size_t>(i)], r, "permute");
    if (inverse[static_cast<size_t>(d)] != -1) fail("permute: dim ", dims[static_cast<size_t>(i)], " repeated");
    inverse[static_cast<size_t>(d)] = i;
    shape[static_cast<size_t>(i)] = x.shape()[static_cast<size_t>(d)];
    strides[static_cast<size_t>(i)] = x.strides()[static_cast<size_t>(d)];
  }
  Tensor out = make_view(x, shape, strides, x.storage_offset());
  return record("permute", out, {x}, [inverse](const Tensor& g) { return std::vector<Tensor>{permute(g, inverse)}; });
}

Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) {
  detail::require_defined(x, "transpose");
  if (x.dim() == 0) {
    wrap_dim(d0, 0, "transpose");
    wrap_dim(d1, 0, "transpose");
    return permute(x, {});
  }
  std::vector<int64_t> perm(static_cast<size_t>(x.dim()));
  for (int64_t i = 0; i < x.dim(); ++i) perm[static_cast<size_t>(i)] = i;
  std::swap(perm[static_cast<size_t>(wrap_dim(d0, x.dim(), "transpose"))],
            perm[static_cast<size_t>(wrap_dim(d1, x.dim(), "transpose"))]);
  return permute(x, perm);
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  detail::require_defined(x, "slice");
  if (x.dim() == 0) fail("slice: cannot slice a 0-d tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "slice");
  if (step < 1) fail("slice: step must be >= 1, got ", step);
  const int64_t n = x.shape()[static_cast<size_t>(d)];
  auto clampi = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
  start = clampi(start);
  end = std::max(clampi(end), start);
  Shape shape = x.shape(), strides = x.strides();
  shape[static_cast<size_t>(d)] = (end - start + step - 1) / step;
  strides[static_cast<size_t>(d)] *= step;
  Tensor out = make_view(x, shape, strides, x.storage_offset() + start * x.strides()[static_cast<size_t>(d)]);
  Shape xs = x.shape();
  return record("slice", out, {x}, [xs, d, start, end, step](const Tensor& g) {
    Tensor full = zeros(xs, g.dtype());
    slice(full, d, start, end, step).copy_(g);
    return std::vector<Tensor>{full};
  });
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  detail::require_defined(x, "narrow");
  if (x.dim() == 0) fail("narrow: cannot narrow a 0-d tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "narrow");
  const int64_t n = x.shape()[static_cast<size_t>(d)];
  if (start < 0 || length < 0 || start + length > n)
    fail("narrow: start ", start, " + length ", length, " out of range for dim ", dim, " of size ", n);
  return slice(x, d, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  detail::require_defined(x, "select");
  if (x.dim() == 0) fail("select: cannot index a 0-d tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "select");
  const int64_t n = x.shape()[static_cast<size_t>(d)];
  if (index < -n || index >= n) fail("select: index ", index, " out of range for dim ", dim, " of size ", n);
  if (index < 0) index += n;
  return squeeze(narrow(x, d, index, 1), d);
}

Tensor expand(const Tensor& x, const Shape& shape0) {
  detail::require_defined(x, "expand");
  if (shape0.size() < static_cast<size_t>(x.dim()))
    fail("expand: target ", shape_str(shape0), " has fewer dims than the tensor ", shape_str(x.shape()));
  const size_t lead = shape0.size() - static_cast<size_t>(x.dim());
  Shape shape = shape0, strides(shape0.size(), 0);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      if (shape[i] < 0) fail("expand: size -1 not allowed for a new leading dim in ", shape_str(shape0));
      continue;
    }
    int64_t s = x.shape()[i - lead];
    if (shape[i] == -1) shape[i] = s;
    if (s == shape[i]) strides[i] = x.strides()[i - lead];
    else if (s != 1)
      fail("expand: tensor of shape ", shape_str(x.shape()), " cannot be expanded to ", shape_str(shape0),
           " (dim ", i, ": ", s, " vs ", shape[i], ")");
  }
  if (shape == x.shape()) return x;
  Tensor out = make_view(x, shape, strides, x.storage_offset());
  Shape xs = x.shape();
  return record("expand", out, {x}, [xs](const Tensor& g) { return std::vector<Tensor>{reduce_to_shape(g, xs)}; });
}

Tensor squeeze(const Tensor& x) {
  detail::require_defined(x, "squeeze");
  Shape s;
  for (int64_t v : x.shape())
    if (v != 1) s.push_back(v);
  return s == x.shape() ? x : reshape(x, s);
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  detail::require_defined(x, "squeeze");
  if (x.dim() == 0) return x;
  const int64_t d = wrap_dim(dim, x.dim(), "squeeze");
  if (x.shape()[static_cast<size_t>(d)] != 1) return x;
  Shape s = x.shape();
  s.erase(s.begin() + d);
  return reshape(x, s);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  detail::require_defined(x, "unsqueeze");
  const int64_t d = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape s = x.shape();
  s.insert(s.begin() + d, 1);
  return reshape(x, s);
}

Tensor contiguous(const Tensor& x) {
  detail::require_defined(x, "contiguous");
  if (x.is_contiguous()) return x;
  Tensor out = x.detach().clone();
  return record("contiguous", out, {x}, [](const Tensor& g) { return std::vector<Tensor>{g}; });
}

}  // namespace gradlab
