// core/ops_elementwise.cpp — binary ops with NumPy broadcasting, each with
// its backward. Gradients of broadcast inputs are summed back to the input
// shape by reduce_to_shape.
#include <cmath>

#include "core/autograd.h"
#include "core/internal.h"
#include "core/ops.h"

namespace gradlab {

using detail::fail;

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  Shape out = detail::take_shape();
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      fail(op, ": shapes ", shape_str(a), " and ", shape_str(b), " do not broadcast (dim ",
           static_cast<int64_t>(i) - static_cast<int64_t>(n), ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t wrap_dim(int64_t dim, int64_t rank, const char* op) {
  int64_t r = std::max<int64_t>(rank, 1);  // a 0-d tensor accepts dim 0 / -1
  if (dim < -r || dim >= r)
    fail(op, ": dim ", dim, " out of range for a tensor of rank ", rank, " (expected in [", -r,
         ", ", r - 1, "])");
  return dim < 0 ? dim + r : dim;
}

namespace {

// out[i] = f(a[i], b[i]) over the broadcast shape, computing in type C and
// storing type O. Inputs are first converted to C (a no-op when they match).
template <class C, class O, class F>
Tensor binary_kernel(const Tensor& a0, const Tensor& b0, DType cdt, DType odt, const Shape& shape, F f) {
  Tensor a = a0.dtype() == cdt ? a0 : a0.detach().to(cdt);
  Tensor b = b0.dtype() == cdt ? b0 : b0.detach().to(cdt);
  Tensor out = empty(shape, odt);
  const C* pa = reinterpret_cast<const C*>(a.impl()->storage->data);
  const C* pb = reinterpret_cast<const C*>(b.impl()->storage->data);
  O* po = out.data_ptr<O>();
  // Fast paths (most calls): dense same-shape operands, or one scalar.
  const int64_t n = out.numel();
  auto dense = [&](const Tensor& t) { return (&t.shape() == &shape || t.shape() == shape) && t.is_contiguous(); };
  if (dense(a) || a.numel() == 1) {
    const C* p = pa + a.storage_offset();
    const C* q = pb + b.storage_offset();
    if (dense(a) && dense(b)) {
      for (int64_t i = 0; i < n; ++i) po[i] = f(p[i], q[i]);
      return out;
    }
    if (dense(a) && b.numel() == 1) {
      const C qv = *q;
      for (int64_t i = 0; i < n; ++i) po[i] = f(p[i], qv);
      return out;
    }
    if (a.numel() == 1 && dense(b)) {
      const C pv = *p;
      for (int64_t i = 0; i < n; ++i) po[i] = f(pv, q[i]);
      return out;
    }
  }
  detail::nd_loop<3>(shape, {out.strides(), detail::broadcast_strides(a, shape), detail::broadcast_strides(b, shape)},
                     {0, a.storage_offset(), b.storage_offset()},
                     [&](std::array<int64_t, 3> o, int64_t n, std::array<int64_t, 3> s) {
                       O* x = po + o[0];
                       const C* p = pa + o[1];
                       const C* q = pb + o[2];
                       if (s[1] == 1 && s[2] == 1) {
                         for (int64_t i = 0; i < n; ++i) x[i] = f(p[i], q[i]);
                       } else if (s[1] == 1 && s[2] == 0) {
                         const C qv = *q;
                         for (int64_t i = 0; i < n; ++i) x[i] = f(p[i], qv);
                       } else if (s[1] == 0 && s[2] == 1) {
                         const C pv = *p;
                         for (int64_t i = 0; i < n; ++i) x[i] = f(pv, q[i]);
                       } else {
                         for (int64_t i = 0; i < n; ++i) x[i] = f(p[i * s[1]], q[i * s[2]]);
                       }
                     });
  return out;
}

enum class Kind { Arith, FloatOnly, Compare };

// Applies f over broadcast a, b. Result dtype: promote(a, b) for arithmetic
// (Float32 at least for FloatOnly), Bool for comparisons. 16-bit floats are
// computed in float32 and stored back.
template <class F>
Tensor apply_binary(const char* op, const Tensor& a, const Tensor& b, Kind kind, F f) {
  detail::require_defined(a, op);
  detail::require_defined(b, op);
  // Same shapes (the common case): no broadcast shape to build.
  const bool same = a.shape() == b.shape();
  Shape broadcast;
  if (!same) broadcast = broadcast_shapes(a.shape(), b.shape(), op);
  const Shape& shape = same ? a.shape() : broadcast;
  struct Recycle {  // hands the broadcast shape's buffer back (core/pool.h)
    Shape& s;
    ~Recycle() { detail::recycle_shape(std::move(s)); }
  } recycle{broadcast};
  DType res = promote(a.dtype(), b.dtype());
  if (kind == Kind::FloatOnly && !is_floating(res)) res = DType::Float32;
  if (kind == Kind::Arith && res == DType::Bool) res = DType::Int64;
  const DType cdt = detail::compute_dtype(res);
  if (kind == Kind::Compare) {
    return detail::dispatch_compute(cdt, [&]<class C>() {
      return binary_kernel<C, uint8_t>(a, b, cdt, DType::Bool, shape,
                                       [&](C x, C y) { return static_cast<uint8_t>(f(x, y)); });
    });
  }
  Tensor out = detail::dispatch_compute(cdt, [&]<class C>() {
    return binary_kernel<C, C>(a, b, cdt, cdt, shape, [&](C x, C y) { return static_cast<C>(f(x, y)); });
  });
  return res == cdt ? out : out.to(res);
}

// A tensor holding `s` for a scalar operand: x's dtype if floating, else
// Float32 for fractional scalars and Int64 for integral ones.
Tensor scalar_like(const Tensor& x, double s) {
  DType d = x.dtype();
  if (!is_floating(d)) d = (s == std::floor(s) && std::isfinite(s)) ? DType::Int64 : DType::Float32;
  if (d == DType::Float16 || d == DType::BFloat16) d = DType::Float32;  // keeps x's dtype on promote
  Tensor t = scalar_tensor(s, d);
  return t;
}

// Result dtype of an op between x and a scalar: x's dtype when floating.
Tensor keep_dtype(const Tensor& x, Tensor r) {
  if (is_floating(x.dtype()) && r.dtype() != x.dtype()) return r.to(x.dtype());
  return r;
}

}  // namespace

// ---- arithmetic ----------------------------------------------------------------
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = apply_binary("add", a, b, Kind::Arith, [](auto x, auto y) { return x + y; });
  if (!any_requires_grad({&a, &b})) return out;
  if (a.shape() == b.shape())  // no broadcasting to undo (the common case)
    return record("add", out, {a, b}, [](const Tensor& g) { return std::vector<Tensor>{g, g}; });
  return record("add", out, {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{reduce_to_shape(g, sa), reduce_to_shape(g, sb)};
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = apply_binary("sub", a, b, Kind::Arith, [](auto x, auto y) { return x - y; });
  if (!any_requires_grad({&a, &b})) return out;
  return record("sub", out, {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{reduce_to_shape(g, sa), reduce_to_shape(neg(g), sb)};
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = apply_binary("mul", a, b, Kind::Arith, [](auto x, auto y) { return x * y; });
  if (!any_requires_grad({&a, &b})) return out;
  // Backward needs the inputs. Capturing them (not the output) makes no cycle.
  return record("mul", out, {a, b}, [ad = a, bd = b](const Tensor& g) {
    return std::vector<Tensor>{reduce_to_shape(mul(g, bd), ad.shape()),
                               reduce_to_shape(mul(g, ad), bd.shape())};
  });
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = apply_binary("div", a, b, Kind::FloatOnly, [](auto x, auto y) { return x / y; });
  if (!any_requires_grad({&a, &b})) return out;
  Shape sa = a.shape();
  // d(a/b)/da = 1/b ; d(a/b)/db = -(a/b)/b
  return record("div", out, {a, b}, [bd = b, saved = detail::SavedOutput(out), sa](const Tensor& g) {
    const Tensor od = saved.get();
    Tensor ga = div(g, bd);
    return std::vector<Tensor>{reduce_to_shape(ga, sa), reduce_to_shape(neg(mul(ga, od)), bd.shape())};
  });
}

Tensor pow(const Tensor& a, const Tensor& b) {
  Tensor out = apply_binary("pow", a, b, Kind::FloatOnly, [](auto x, auto y) { return std::pow(x, y); });
  if (!any_requires_grad({&a, &b})) return out;
  // d(a^b)/da = b a^(b-1) ; d(a^b)/db = a^b log a (taken as 0 where a == 0)
  return record("pow", out, {a, b}, [ad = a, bd = b, saved = detail::SavedOutput(out)](const Tensor& g) {
    const Tensor od = saved.get();
    Tensor ga = mul(g, mul(bd, pow(ad, sub(bd, scalar_tensor(1.0, bd.dtype())))));
    Tensor loga = where(eq(ad, zeros({}, ad.dtype())), zeros({}, ad.dtype()), log(ad));
    Tensor gb = mul(g, mul(od, loga));
    return std::vector<Tensor>{reduce_to_shape(ga, ad.shape()), reduce_to_shape(gb, bd.shape())};
  });
}

Tensor pow(const Tensor& a, double exponent) {
  detail::require_floating(a, "pow");
  Tensor out = keep_dtype(a, apply_binary("pow", a, scalar_tensor(exponent, DType::Float64), Kind::FloatOnly,
                                          [](auto x, auto y) { return std::pow(x, y); }));
  if (!any_requires_grad({&a})) return out;
  Tensor ad = a.detach();
  return record("pow", out, {a}, [ad, exponent](const Tensor& g) {
    return std::vector<Tensor>{mul(g, pow(ad, exponent - 1.0) * exponent)};
  });
}

// Gradient of maximum/minimum: to the selected input; split evenly on ties
// (as PyTorch).
static Tensor extreme(const char* op, const Tensor& a, const Tensor& b, bool is_max) {
  Tensor out = is_max ? apply_binary(op, a, b, Kind::Arith, [](auto x, auto y) {
    return (x != x) ? x : (y != y) ? y : (x > y ? x : y);  // NaN propagates
  })
                      : apply_binary(op, a, b, Kind::Arith, [](auto x, auto y) {
                          return (x != x) ? x : (y != y) ? y : (x < y ? x : y);
                        });
  if (!any_requires_grad({&a, &b})) return out;
  Tensor ad = a.detach(), bd = b.detach();
  return record(op, out, {a, b}, [ad, bd, is_max](const Tensor& g) {
    Tensor win_a = is_max ? gt(ad, bd) : lt(ad, bd);
    Tensor tie = eq(ad, bd);
    Tensor wa = add(win_a.to(g.dtype()), tie.to(g.dtype()) * 0.5);
    Tensor wb = sub(scalar_tensor(1.0, g.dtype()), wa);
    return std::vector<Tensor>{reduce_to_shape(mul(g, wa), ad.shape()),
                               reduce_to_shape(mul(g, wb), bd.shape())};
  });
}
Tensor maximum(const Tensor& a, const Tensor& b) { return extreme("maximum", a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extreme("minimum", a, b, false); }

// ---- comparisons (Bool, no gradient) --------------------------------------------
Tensor eq(const Tensor& a, const Tensor& b) { return apply_binary("eq", a, b, Kind::Compare, [](auto x, auto y) { return x == y; }); }
Tensor ne(const Tensor& a, const Tensor& b) { return apply_binary("ne", a, b, Kind::Compare, [](auto x, auto y) { return x != y; }); }
Tensor lt(const Tensor& a, const Tensor& b) { return apply_binary("lt", a, b, Kind::Compare, [](auto x, auto y) { return x < y; }); }
Tensor le(const Tensor& a, const Tensor& b) { return apply_binary("le", a, b, Kind::Compare, [](auto x, auto y) { return x <= y; }); }
Tensor gt(const Tensor& a, const Tensor& b) { return apply_binary("gt", a, b, Kind::Compare, [](auto x, auto y) { return x > y; }); }
Tensor ge(const Tensor& a, const Tensor& b) { return apply_binary("ge", a, b, Kind::Compare, [](auto x, auto y) { return x >= y; }); }

// ---- selection ------------------------------------------------------------------
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  detail::require_defined(cond, "where");
  if (cond.dtype() != DType::Bool)
    fail("where: condition must be Bool, got ", dtype_name(cond.dtype()));
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  // select = a*c + b*(1-c) would turn inf*0 into NaN; pick elements instead.
  Tensor ce = expand(cond, shape).contiguous();
  Tensor ae = expand(a.detach(), shape), be = expand(b.detach(), shape);
  const uint8_t* pc = ce.data_ptr<uint8_t>();
  DType res = promote(a.dtype(), b.dtype());
  Tensor av = ae.to(res).contiguous(), bv = be.to(res).contiguous();
  Tensor out = empty(shape, res);
  detail::dispatch(res, [&]<class T>() {
    const T* pa = av.data_ptr<T>();
    const T* pb = bv.data_ptr<T>();
    T* po = out.data_ptr<T>();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) po[i] = pc[i] ? pa[i] : pb[i];
  });
  if (!any_requires_grad({&a, &b})) return out;
  Shape sa = a.shape(), sb = b.shape();
  return record("where", out, {a, b}, [ce, sa, sb](const Tensor& g) {
    Tensor z = zeros({}, g.dtype());
    return std::vector<Tensor>{reduce_to_shape(where(ce, g, z), sa), reduce_to_shape(where(ce, z, g), sb)};
  });
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  detail::require_defined(x, "masked_fill");
  detail::require_defined(mask, "masked_fill");
  if (mask.dtype() != DType::Bool) fail("masked_fill: mask must be Bool, got ", dtype_name(mask.dtype()));
  if (broadcast_shapes(mask.shape(), x.shape(), "masked_fill") != x.shape())
    fail("masked_fill: mask ", shape_str(mask.shape()), " does not broadcast to x ", shape_str(x.shape()));
  return where(mask, scalar_tensor(value, x.dtype()), x);
}

// ---- in place ---------------------------------------------------------------------
Tensor& add_(Tensor& self, const Tensor& other0) {
  if (broadcast_shapes(other0.shape(), self.shape(), "add_") != self.shape())
    fail("add_: other ", shape_str(other0.shape()), " does not broadcast to self ", shape_str(self.shape()));
  const DType cdt = detail::compute_dtype(self.dtype());
  if (cdt != self.dtype()) {  // 16-bit storage: compute in float32, store back
    self.copy_(add(self.detach(), other0.detach()));
    return self;
  }
  Tensor other = other0.dtype() == cdt ? other0 : other0.detach().to(cdt);
  detail::dispatch_compute(cdt, [&]<class C>() {
    C* ps = reinterpret_cast<C*>(self.impl()->storage->data);
    const C* po = reinterpret_cast<const C*>(other.impl()->storage->data);
    if (self.is_contiguous() && other.shape() == self.shape() && other.is_contiguous()) {
      C* d = ps + self.storage_offset();
      const C* q = po + other.storage_offset();
      for (int64_t i = 0, n = self.numel(); i < n; ++i) d[i] += q[i];
      return;
    }
    detail::nd_loop<2>(self.shape(), {self.strides(), detail::broadcast_strides(other, self.shape())},
                       {self.storage_offset(), other.storage_offset()},
                       [&](std::array<int64_t, 2> o, int64_t n, std::array<int64_t, 2> st) {
                         for (int64_t i = 0; i < n; ++i) ps[o[0] + i * st[0]] += po[o[1] + i * st[1]];
                       });
  });
  return self;
}

Tensor& mul_(Tensor& self, double s) {
  self.copy_(self.detach() * s);
  return self;
}

// ---- operators -------------------------------------------------------------------
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double s) { return keep_dtype(a, add(a, scalar_like(a, s))); }
Tensor operator-(const Tensor& a, double s) { return keep_dtype(a, sub(a, scalar_like(a, s))); }
Tensor operator*(const Tensor& a, double s) { return keep_dtype(a, mul(a, scalar_like(a, s))); }
Tensor operator/(const Tensor& a, double s) { return keep_dtype(a, div(a, scalar_like(a, s))); }
Tensor operator+(double s, const Tensor& a) { return keep_dtype(a, add(scalar_like(a, s), a)); }
Tensor operator-(double s, const Tensor& a) { return keep_dtype(a, sub(scalar_like(a, s), a)); }
Tensor operator*(double s, const Tensor& a) { return keep_dtype(a, mul(scalar_like(a, s), a)); }
Tensor operator/(double s, const Tensor& a) { return keep_dtype(a, div(scalar_like(a, s), a)); }
Tensor operator-(const Tensor& a) { return neg(a); }

}  // namespace gradlab
