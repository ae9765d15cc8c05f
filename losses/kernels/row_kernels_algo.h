// losses/kernels/row_kernels_algo.h — the row algorithms, written once for
// any "math" policy M (the SIMD float32 one in row_kernels_simd.h, the scalar
// float64 one in row_kernels_f64.cpp) and any storage format S (float, half,
// bfloat16, double).
//
//   M: V (a vector of W compute values), D (W double accumulators), W, U,
//      splat, vmax (NaN in the first argument keeps the second), vexp,
//      hmax, hsum, hsum_d, dot_add (D += x or D += u * x), load_u (W U's)
//      store_fence (after non-temporal stores)
//   S: T (storage type), load / store / store_stream (non-temporal where
//      aligned) of W values, neg_inf / zero in storage
//
// Included only by the kernel translation units, inside an anonymous
// namespace, and uses no standard-library functions (see row_kernels.h for
// why).
//
// The forward pass is the "online softmax" idea in blocked form: the row is
// read in blocks of kBlock values that stay in L1, once. Each block's
// exp(x - shift) are summed with the shift known so far (the running max),
// and the block's max is taken in the same loop. If the block raised the max
// by at most kLag, its sum is kept and the running sum rescaled to the new
// shift (terms up to e^kLag cannot overflow a float); a larger jump (or an
// infinite max) sends the block through a second loop with the new shift.
// The first block takes its max first, so only a row whose max jumps by more
// than kLag after it (rare: logits are not usually spread by 64 nats between
// blocks) pays for a second look at that block. exp is evaluated once per
// element in the common case (an element-wise online update would need two).
template <class M, class S> struct RowAlgo {
  using T = typename S::T;
  using V = typename M::V;
  using D = typename M::D;
  using U = typename M::U;
  static constexpr int W = M::W;
  static constexpr int64_t kBlock = 1024;  // a multiple of every W

  // ---- partial vectors (row tails shorter than W) ----------------------------
  static V load_part(const T* p, int64_t rem, T fill) {
    T buf[W];
    for (int i = 0; i < W; ++i) buf[i] = i < rem ? p[i] : fill;
    return S::load(buf);
  }
  static void store_part(T* p, int64_t rem, V v) {
    T buf[W];
    S::store(buf, v);
    for (int64_t i = 0; i < rem; ++i) p[i] = buf[i];
  }
  static V load_u_part(const U* u, int64_t rem) {
    U buf[W];
    for (int i = 0; i < W; ++i) buf[i] = i < rem ? u[i] : U(0);
    return M::load_u(buf);
  }

  // ---- forward statistics ----------------------------------------------------
  static constexpr double kLag = 64.0;  // 1024 * e^64 is far below FLT_MAX

  // The block's max (NaN ignored; NaN reaches the sum).
  static double block_max(const T* xb, int64_t full, int64_t rem) {
    V m = M::splat(-__builtin_inff());
    for (int64_t i = 0; i < full; i += W) m = M::vmax(S::load(xb + i), m);
    if (rem) m = M::vmax(load_part(xb + full, rem, S::neg_inf()), m);
    return M::hmax(m);
  }
  // Sum of exp(x - shift) over one block.
  static double block_sum(const T* xb, int64_t full, int64_t rem, double shift) {
    const V sh = M::splat(shift);
    V acc = V{};
    for (int64_t i = 0; i < full; i += W) acc += M::vexp(S::load(xb + i) - sh);
    if (rem) acc += M::vexp(load_part(xb + full, rem, S::neg_inf()) - sh);
    return M::hsum(acc);
  }

  template <bool DOT, bool HAS_U>
  static RowStats stats_impl(const T* x, int64_t n, const U* u) {
    double max = -__builtin_inf(), shift = 0.0, sum = 0.0;
    D dacc = D{};
    for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
      const int64_t len = n - b0 < kBlock ? n - b0 : kBlock;
      const int64_t full = len / W * W, rem = len - full;
      const T* xb = x + b0;
      if (b0 == 0) {  // the first block sets the shift
        max = block_max(xb, full, rem);
        shift = __builtin_isfinite(max) ? max : 0.0;
      }
      // one loop: sum of exp(x - shift), the block's max, the dot if asked
      const V sh = M::splat(shift);
      V acc = V{}, m = M::splat(-__builtin_inff());
      for (int64_t i = 0; i < full; i += W) {
        const V v = S::load(xb + i);
        m = M::vmax(v, m);
        acc += M::vexp(v - sh);
        if constexpr (DOT) {
          if constexpr (HAS_U) M::dot_add(dacc, M::load_u(u + b0 + i), v);
          else M::dot_add(dacc, v);
        }
      }
      if (rem) {
        const V v = load_part(xb + full, rem, S::neg_inf());
        m = M::vmax(v, m);
        acc += M::vexp(v - sh);
        if constexpr (DOT) {
          const V vz = load_part(xb + full, rem, S::zero());
          if constexpr (HAS_U) M::dot_add(dacc, load_u_part(u + b0 + full, rem), vz);
          else M::dot_add(dacc, vz);
        }
      }
      double bsum = M::hsum(acc);
      const double bm = M::hmax(m);
      if (bm > max) {  // the max grew: move the running sum to the new shift
        const double ns = __builtin_isfinite(bm) ? bm : 0.0;
        // kept only if this block's terms were summed safely: the old shift was
        // a finite max (shift < bm: the block's largest terms did not
        // underflow) and no term exceeds e^kLag (bm = +inf fails this too)
        const bool keep = __builtin_isfinite(max) && bm - shift <= kLag;
        sum += keep ? bsum : 0.0;
        if (sum != 0.0) sum *= __builtin_exp(shift - ns);
        max = bm;
        shift = ns;
        bsum = keep ? 0.0 : block_sum(xb, full, rem, shift);
      }
      sum += bsum;
    }
    return RowStats{max, shift, sum, DOT ? M::hsum_d(dacc) : 0.0};
  }
  static RowStats stats(const T* x, int64_t n, const U* u, bool want_dot) {
    if (!want_dot) return stats_impl<false, false>(x, n, nullptr);
    return u ? stats_impl<true, true>(x, n, u) : stats_impl<true, false>(x, n, nullptr);
  }

  // ---- cross-entropy gradient ------------------------------------------------
  template <bool STREAM> static void store_main(T* p, V v) {
    if constexpr (STREAM) S::store_stream(p, v);
    else S::store(p, v);
  }
  template <bool HAS_U, bool STREAM>
  static void ce_grad_impl(const T* x, int64_t n, double shift, double logsum, double a,
                           double b, const U* u, int64_t y, double gamma, T* out) {
    const V sh = M::splat(shift), ls = M::splat(logsum), va = M::splat(a), vb = M::splat(b);
    const int64_t full = n / W * W, rem = n - full;
    for (int64_t i = 0; i < full; i += W) {
      const V p = M::vexp((S::load(x + i) - sh) - ls);
      if constexpr (HAS_U) store_main<STREAM>(out + i, va * p - vb * M::load_u(u + i));
      else store_main<STREAM>(out + i, va * p - vb);
    }
    if constexpr (STREAM) M::store_fence();  // order the streamed stores before the rest
    if (rem) {
      const V p = M::vexp((load_part(x + full, rem, S::zero()) - sh) - ls);
      if constexpr (HAS_U) store_part(out + full, rem, va * p - vb * load_u_part(u + full, rem));
      else store_part(out + full, rem, va * p - vb);
    }
    if (y >= 0 && y < n) {  // the target class: the same formula, minus gamma
      const V p = M::vexp((load_part(x + y, 1, S::zero()) - sh) - ls);
      if constexpr (HAS_U) {
        store_part(out + y, 1, (va * p - vb * load_u_part(u + y, 1)) - M::splat(gamma));
      } else {
        store_part(out + y, 1, (va * p - vb) - M::splat(gamma));
      }
    }
  }
  static void ce_grad(const T* x, int64_t n, double shift, double logsum, double a, double b,
                      const U* u, int64_t y, double gamma, T* out, bool stream) {
    if (stream) {
      if (u) ce_grad_impl<true, true>(x, n, shift, logsum, a, b, u, y, gamma, out);
      else ce_grad_impl<false, true>(x, n, shift, logsum, a, b, nullptr, y, gamma, out);
    } else {
      if (u) ce_grad_impl<true, false>(x, n, shift, logsum, a, b, u, y, gamma, out);
      else ce_grad_impl<false, false>(x, n, shift, logsum, a, b, nullptr, y, gamma, out);
    }
  }

  // ---- log_softmax / softmax forward -----------------------------------------
  static void log_softmax(const T* x, int64_t n, double shift, double logsum, T* out) {
    const V sh = M::splat(shift), ls = M::splat(logsum);
    const int64_t full = n / W * W, rem = n - full;
    for (int64_t i = 0; i < full; i += W) S::store(out + i, (S::load(x + i) - sh) - ls);
    if (rem) store_part(out + full, rem, (load_part(x + full, rem, S::zero()) - sh) - ls);
  }
  static void softmax(const T* x, int64_t n, double shift, double inv_sum, T* out) {
    const V sh = M::splat(shift), inv = M::splat(inv_sum);
    const int64_t full = n / W * W, rem = n - full;
    for (int64_t i = 0; i < full; i += W) S::store(out + i, M::vexp(S::load(x + i) - sh) * inv);
    if (rem) store_part(out + full, rem, M::vexp(load_part(x + full, rem, S::zero()) - sh) * inv);
  }

  // ---- backward of log_softmax / softmax -------------------------------------
  // sum_c g_c (uy = false) or sum_c g_c * y_c (uy = true), in double per block.
  template <bool WITH_Y> static double row_sum(const T* g, const T* y, int64_t n) {
    double total = 0.0;
    for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
      const int64_t len = n - b0 < kBlock ? n - b0 : kBlock;
      const int64_t full = len / W * W, rem = len - full;
      V acc = V{};
      for (int64_t i = b0; i < b0 + full; i += W) {
        if constexpr (WITH_Y) acc += S::load(g + i) * S::load(y + i);
        else acc += S::load(g + i);
      }
      if (rem) {
        const V gv = load_part(g + b0 + full, rem, S::zero());
        if constexpr (WITH_Y) acc += gv * load_part(y + b0 + full, rem, S::zero());
        else acc += gv;
      }
      total += M::hsum(acc);
    }
    return total;
  }
  static void log_softmax_backward(const T* y, const T* g, int64_t n, T* gx) {
    const V s = M::splat(row_sum<false>(g, nullptr, n));
    const int64_t full = n / W * W, rem = n - full;
    for (int64_t i = 0; i < full; i += W)
      S::store(gx + i, S::load(g + i) - M::vexp(S::load(y + i)) * s);
    if (rem) {
      const V gv = load_part(g + full, rem, S::zero()), yv = load_part(y + full, rem, S::zero());
      store_part(gx + full, rem, gv - M::vexp(yv) * s);
    }
  }
  static void softmax_backward(const T* y, const T* g, int64_t n, T* gx) {
    const V d = M::splat(row_sum<true>(g, y, n));
    const int64_t full = n / W * W, rem = n - full;
    for (int64_t i = 0; i < full; i += W) S::store(gx + i, S::load(y + i) * (S::load(g + i) - d));
    if (rem) {
      const V gv = load_part(g + full, rem, S::zero()), yv = load_part(y + full, rem, S::zero());
      store_part(gx + full, rem, yv * (gv - d));
    }
  }

  static RowKernels<T, U> table() {
    return RowKernels<T, U>{&stats, &ce_grad, &log_softmax, &softmax, &log_softmax_backward,
                         &softmax_backward};
  }
};
