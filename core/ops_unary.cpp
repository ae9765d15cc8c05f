// core/ops_unary.cpp — elementwise unary ops, each with its backward.
// Backward captures only what it needs: the output for exp/tanh/sigmoid/sqrt,
// the input for log/log1p/abs/relu/gelu.
#include <cmath>

#include "core/autograd.h"
#include "core/internal.h"
#include "core/ops.h"

namespace gradlab {

using detail::fail;

namespace {

// out = f(x) elementwise, computing in float/double (or int64 when allowed).
// 16-bit inputs compute in float32 and the result returns to their dtype.
template <bool allow_int, class F>
Tensor apply_unary(const char* op, const Tensor& x0, F f) {
  detail::require_defined(x0, op);
  if (!is_floating(x0.dtype()) && !(allow_int && x0.dtype() == DType::Int64)) detail::require_floating(x0, op);
  const DType cdt = detail::compute_dtype(x0.dtype());
  Tensor x = x0.dtype() == cdt ? x0 : x0.detach().to(cdt);
  Tensor out = empty(x.shape(), cdt);
  detail::dispatch_compute(cdt, [&]<class C>() {
    if constexpr (std::is_same_v<C, uint8_t> || (!allow_int && !std::is_floating_point_v<C>)) {
      fail(op, ": unsupported dtype ", dtype_name(cdt));
    } else {
      const C* px = reinterpret_cast<const C*>(x.impl()->storage->data);
      C* po = out.data_ptr<C>();
      if (x.is_contiguous()) {  // fast path: one flat loop
        const C* p = px + x.storage_offset();
        for (int64_t i = 0, n = x.numel(); i < n; ++i) po[i] = static_cast<C>(f(p[i]));
        return;
      }
      detail::nd_loop<2>(x.shape(), {out.strides(), x.strides()}, {0, x.storage_offset()},
                         [&](std::array<int64_t, 2> o, int64_t n, std::array<int64_t, 2> s) {
                           C* y = po + o[0];
                           const C* p = px + o[1];
                           if (s[1] == 1) {
                             for (int64_t i = 0; i < n; ++i) y[i] = static_cast<C>(f(p[i]));
                           } else {
                             for (int64_t i = 0; i < n; ++i) y[i] = static_cast<C>(f(p[i * s[1]]));
                           }
                         });
    }
  });
  return cdt == x0.dtype() ? out : out.to(x0.dtype());
}

// Backward helper: grad_in[i] = f(g[i], saved[i]) for same-shape g and saved,
// in one pass (instead of composing three or four ops).
template <class F>
Tensor backward_map(const Tensor& g, const Tensor& saved, F f) {
  const DType cdt = detail::compute_dtype(g.dtype());
  Tensor gc = (g.dtype() == cdt ? g : g.to(cdt)).contiguous();
  Tensor sc = (saved.dtype() == cdt ? saved : saved.to(cdt)).contiguous();
  Tensor out = empty(g.shape(), cdt);
  detail::dispatch_compute(cdt, [&]<class C>() {
    if constexpr (std::is_floating_point_v<C>) {
      const C* pg = gc.data_ptr<C>();
      const C* ps = sc.data_ptr<C>();
      C* po = out.data_ptr<C>();
      for (int64_t i = 0, n = out.numel(); i < n; ++i) po[i] = f(pg[i], ps[i]);
    } else {
      fail("backward: non-floating gradient");
    }
  });
  return cdt == g.dtype() ? out : out.to(g.dtype());
}

}  // namespace

Tensor neg(const Tensor& x) {
  Tensor out = apply_unary<true>("neg", x, [](auto v) { return -v; });
  return record("neg", out, {x}, [](const Tensor& g) { return std::vector<Tensor>{neg(g)}; });
}

Tensor abs(const Tensor& x) {
  Tensor out = apply_unary<true>("abs", x, [](auto v) { return v < 0 ? -v : v; });
  if (!any_requires_grad({&x})) return out;
  Tensor xd = x.detach();
  // d|x|/dx = sign(x), 0 at 0 (as PyTorch)
  return record("abs", out, {x}, [xd](const Tensor& g) {
    Tensor z = zeros({}, xd.dtype());
    Tensor sign = sub(gt(xd, z).to(g.dtype()), lt(xd, z).to(g.dtype()));
    return std::vector<Tensor>{mul(g, sign)};
  });
}

Tensor exp(const Tensor& x) {
  Tensor out = apply_unary<false>("exp", x, [](auto v) { return std::exp(v); });
  if (!any_requires_grad({&x})) return out;
  detail::SavedOutput saved(out);
  return record("exp", out, {x}, [saved](const Tensor& g) {
    const Tensor od = saved.get();
    return std::vector<Tensor>{backward_map(g, od, [](auto gi, auto y) { return gi * y; })};
  });
}

Tensor log(const Tensor& x) {
  Tensor out = apply_unary<false>("log", x, [](auto v) { return std::log(v); });
  if (!any_requires_grad({&x})) return out;
  Tensor xd = x.detach();
  return record("log", out, {x}, [xd](const Tensor& g) { return std::vector<Tensor>{div(g, xd)}; });
}

Tensor log1p(const Tensor& x) {
  Tensor out = apply_unary<false>("log1p", x, [](auto v) { return std::log1p(v); });
  if (!any_requires_grad({&x})) return out;
  Tensor xd = x.detach();
  return record("log1p", out, {x}, [xd](const Tensor& g) { return std::vector<Tensor>{div(g, xd + 1.0)}; });
}

Tensor sqrt(const Tensor& x) {
  Tensor out = apply_unary<false>("sqrt", x, [](auto v) { return std::sqrt(v); });
  if (!any_requires_grad({&x})) return out;
  detail::SavedOutput saved(out);
  return record("sqrt", out, {x}, [saved](const Tensor& g) {
    const Tensor od = saved.get();
    return std::vector<Tensor>{div(g, od * 2.0)};
  });
}

Tensor relu(const Tensor& x) {
  // NaN stays NaN (as PyTorch): a NaN must never be hidden as a 0.
  Tensor out = apply_unary<true>("relu", x, [](auto v) { return (v > 0 || v != v) ? v : decltype(v)(0); });
  if (!any_requires_grad({&x})) return out;
  detail::SavedOutput saved(out);
  return record("relu", out, {x}, [saved](const Tensor& g) {
    const Tensor od = saved.get();
    return std::vector<Tensor>{backward_map(g, od, [](auto gi, auto y) { return y > 0 ? gi : decltype(gi)(0); })};
  });
}

Tensor tanh(const Tensor& x) {
  Tensor out = apply_unary<false>("tanh", x, [](auto v) { return std::tanh(v); });
  if (!any_requires_grad({&x})) return out;
  detail::SavedOutput saved(out);
  // d tanh = 1 - tanh^2
  return record("tanh", out, {x}, [saved](const Tensor& g) {
    const Tensor od = saved.get();
    return std::vector<Tensor>{backward_map(g, od, [](auto gi, auto y) { return gi * (1 - y * y); })};
  });
}

Tensor sigmoid(const Tensor& x) {
  // Stable for large |v|: never exp of a large positive number.
  Tensor out = apply_unary<false>("sigmoid", x, [](auto v) {
    using T = decltype(v);
    if (v >= 0) return T(1) / (T(1) + std::exp(-v));
    T e = std::exp(v);
    return e / (T(1) + e);
  });
  if (!any_requires_grad({&x})) return out;
  detail::SavedOutput saved(out);
  return record("sigmoid", out, {x}, [saved](const Tensor& g) {
    const Tensor od = saved.get();
    return std::vector<Tensor>{backward_map(g, od, [](auto gi, auto y) { return gi * y * (1 - y); })};
  });
}

Tensor gelu(const Tensor& x) {
  // gelu(x) = x Φ(x), Φ the standard normal CDF = (1 + erf(x/√2)) / 2.
  Tensor out = apply_unary<false>("gelu", x, [](auto v) {
    using T = decltype(v);
    return v * T(0.5) * (T(1) + std::erf(v * T(M_SQRT1_2)));
  });
  if (!any_requires_grad({&x})) return out;
  Tensor xd = x.detach();
  // d gelu = Φ(x) + x φ(x), φ(x) = exp(-x²/2) / √(2π)
  return record("gelu", out, {x}, [xd](const Tensor& g) {
    Tensor d = apply_unary<false>("gelu_backward", xd, [](auto v) {
      using T = decltype(v);
      T cdf = T(0.5) * (T(1) + std::erf(v * T(M_SQRT1_2)));
      T pdf = std::exp(T(-0.5) * v * v) * T(0.3989422804014327);
      return cdf + v * pdf;
    });
    return std::vector<Tensor>{mul(g, d)};
  });
}

Tensor clamp(const Tensor& x, double lo, double hi) {
  if (lo > hi) fail("clamp: lo ", lo, " > hi ", hi);
  Tensor out = apply_unary<true>("clamp", x, [lo, hi](auto v) {
    using T = decltype(v);
    if (v != v) return v;
    return static_cast<T>(v < lo ? lo : (v > hi ? hi : v));
  });
  if (!any_requires_grad({&x})) return out;
  Tensor xd = x.detach();
  return record("clamp", out, {x}, [xd, lo, hi](const Tensor& g) {
    Tensor inside = apply_unary<false>("clamp_backward", xd, [lo, hi](auto v) {
      return static_cast<decltype(v)>(v >= lo && v <= hi ? 1 : 0);
    });
    return std::vector<Tensor>{mul(g, inside)};
  });
}

Tensor square(const Tensor& x) { return mul(x, x); }

static Tensor classify(const char* op, const Tensor& x, bool want_nan) {
  detail::require_defined(x, op);
  Tensor out = empty(x.shape(), DType::Bool);
  std::vector<double> v = x.to_vector<double>();
  uint8_t* p = out.data_ptr<uint8_t>();
  for (size_t i = 0; i < v.size(); ++i) p[i] = want_nan ? std::isnan(v[i]) : std::isfinite(v[i]);
  return out;
}
Tensor isnan(const Tensor& x) { return classify("isnan", x, true); }
Tensor isfinite(const Tensor& x) { return classify("isfinite", x, false); }

}  // namespace gradlab
