// core/ops_linalg.cpp — matmul through OpenBLAS GEMM (float32/float64) and
// the 16-bit back end of core/detail/half_gemm.h (bf16 through oneDNN on
// AVX512_BF16 CPUs, fp16 and the fallback through widen + sgemm; both
// accumulate in float32 and round once).
//
// a: (..., n, k) @ b: (..., k, m) -> (..., n, m). A 2-D operand whose rows
// or columns are contiguous (including a transposed view) goes to GEMM as is,
// with the transpose flag; anything else is copied once. When b is a plain
// matrix and a's batch is contiguous, the batch is folded into n so a Linear
// layer over (B, T, in) is one GEMM call.
#include <cblas.h>

#include "core/autograd.h"
#include "core/detail/half_gemm.h"
#include "core/internal.h"
#include "core/ops.h"

namespace gradlab {

using detail::fail;

namespace {

// A matrix operand as GEMM wants it: pointer, transpose flag, leading dim.
struct GemmOperand {
  Tensor owner;  // keeps a copy alive when one was needed
  CBLAS_TRANSPOSE trans = CblasNoTrans;
  int64_t ld = 0;
};

// For a batch of matrices with the last two dims (r, c): usable in place if
// rows are contiguous (stride (ld,1)) or columns are (stride (1,ld)).
GemmOperand as_gemm(const Tensor& x) {
  const int64_t nd = x.dim();
  const int64_t r = x.size(nd - 2), c = x.size(nd - 1);
  const int64_t sr = x.strides()[static_cast<size_t>(nd - 2)], sc = x.strides()[static_cast<size_t>(nd - 1)];
  if ((sc == 1 || c == 1) && sr >= std::max<int64_t>(c, 1)) return {x, CblasNoTrans, sr};
  if ((sr == 1 || r == 1) && sc >= std::max<int64_t>(r, 1)) return {x, CblasTrans, sc};
  Tensor cx = x.detach().clone();
  return {cx, CblasNoTrans, std::max<int64_t>(c, 1)};
}

template <class T>
void gemm(const GemmOperand& A, const GemmOperand& B, int64_t n, int64_t m, int64_t k, const T* pa, const T* pb,
          T* pc) {
  const int ni = static_cast<int>(n), mi = static_cast<int>(m), ki = static_cast<int>(k);
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, A.trans, B.trans, ni, mi, ki, 1.0f, pa, static_cast<int>(A.ld), pb,
                static_cast<int>(B.ld), 0.0f, pc, std::max(mi, 1));
  } else if constexpr (std::is_same_v<T, double>) {
    cblas_dgemm(CblasRowMajor, A.trans, B.trans, ni, mi, ki, 1.0, pa, static_cast<int>(A.ld), pb,
                static_cast<int>(B.ld), 0.0, pc, std::max(mi, 1));
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    detail::gemm_bf16(A.trans == CblasTrans, B.trans == CblasTrans, n, m, k, pa, A.ld, pb, B.ld,
                      pc, std::max<int64_t>(m, 1));
  } else if constexpr (std::is_same_v<T, Half>) {
    detail::gemm_f16(A.trans == CblasTrans, B.trans == CblasTrans, n, m, k, pa, A.ld, pb, B.ld,
                     pc, std::max<int64_t>(m, 1));
  } else {  // Int64: plain loops (no BLAS for integers)
    auto at = [&](const T* p, const GemmOperand& o, int64_t i, int64_t j) {
      return o.trans == CblasNoTrans ? p[i * o.ld + j] : p[j * o.ld + i];
    };
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        T acc = 0;
        for (int64_t t = 0; t < k; ++t) acc += at(pa, A, i, t) * at(pb, B, t, j);
        pc[i * m + j] = acc;
      }
  }
}

// Batched, broadcast product of a (..., n, k) and b (..., k, m), both >= 2-D.
Tensor matmul_nd(const Tensor& a0, const Tensor& b0) {
  // The product is computed in the promoted dtype itself: the 16-bit floats
  // have their own GEMM (float32 accumulation inside it).
  const DType res = promote(a0.dtype(), b0.dtype());
  if (res == DType::Bool) fail("matmul: Bool operands");
  Tensor a = a0.dtype() == res ? a0.detach() : a0.detach().to(res);
  Tensor b = b0.dtype() == res ? b0.detach() : b0.detach().to(res);
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  if (b.size(-2) != k) fail("matmul: lhs ", shape_str(a0.shape()), " vs rhs ", shape_str(b0.shape()));
  if (std::max({n, m, k}) > INT32_MAX) fail("matmul: dims beyond BLAS's int range");
  Shape abatch(a.shape().begin(), a.shape().end() - 2), bbatch(b.shape().begin(), b.shape().end() - 2);
  for (size_t i = 1; i <= std::min(abatch.size(), bbatch.size()); ++i) {
    const int64_t x = abatch[abatch.size() - i], y = bbatch[bbatch.size() - i];
    if (x != y && x != 1 && y != 1)
      fail("matmul: lhs ", shape_str(a0.shape()), " vs rhs ", shape_str(b0.shape()),
           " (batch dims do not broadcast)");
  }
  Shape batch = broadcast_shapes(abatch, bbatch, "matmul");
  // Fold the batch of `a` into its rows when b is one matrix: one big GEMM
  // (k > 0: a (..., n, 0) cannot be reshaped to (-1, 0); the empty product is
  // handled below).
  if (bbatch.empty() && !abatch.empty() && k > 0 && a.is_contiguous()) {
    Tensor out2 = matmul_nd(reshape(a, {-1, k}), b);
    Shape os = abatch;
    os.push_back(n);
    os.push_back(m);
    return reshape(out2, os);
  }
  Shape os = batch;
  os.push_back(n);
  os.push_back(m);
  Tensor out = empty(os, res);
  if (out.numel() == 0) return out;
  if (k == 0) return zeros(os, res);
  Shape ae = batch, be = batch;
  ae.insert(ae.end(), {n, k});
  be.insert(be.end(), {k, m});
  Tensor ax = expand(a, ae), bx = expand(b, be);
  GemmOperand A = as_gemm(ax), B = as_gemm(bx);
  int64_t nb = 1;
  for (int64_t s : batch) nb *= s;
  // Offsets of each batch entry in A and B (strides of the batch dims).
  detail::dispatch(res, [&]<class T>() {
    if constexpr (std::is_same_v<T, uint8_t>) {
      fail("matmul: Bool operands");
    } else {
      const T* pa = reinterpret_cast<const T*>(A.owner.impl()->storage->data) + A.owner.storage_offset();
      const T* pb = reinterpret_cast<const T*>(B.owner.impl()->storage->data) + B.owner.storage_offset();
      T* pc = out.data_ptr<T>();
      const size_t bd = batch.size();
      Shape idx(bd, 0);
      for (int64_t i = 0; i < nb; ++i) {
        int64_t oa = 0, ob = 0;
        for (size_t d = 0; d < bd; ++d) {
          oa += idx[d] * A.owner.strides()[d];
          ob += idx[d] * B.owner.strides()[d];
        }
        gemm<T>(A, B, n, m, k, pa + oa, pb + ob, pc + i * n * m);
        for (size_t d = bd; d-- > 0;) {
          if (++idx[d] < batch[d]) break;
          idx[d] = 0;
        }
      }
    }
  });
  return out;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  detail::require_defined(a, "matmul");
  detail::require_defined(b, "matmul");
  if (a.dim() == 0 || b.dim() == 0)
    fail("matmul: both operands need at least 1 dim, got lhs ", shape_str(a.shape()), " and rhs ",
         shape_str(b.shape()));
  // 1-D operands (NumPy): promote to a matrix, multiply, drop the added dim.
  if (a.dim() == 1 || b.dim() == 1) {
    if (a.size(-1) != (b.dim() == 1 ? b.size(0) : b.size(-2)))
      fail("matmul: lhs ", shape_str(a.shape()), " vs rhs ", shape_str(b.shape()));
    Tensor a2 = a.dim() == 1 ? unsqueeze(a, 0) : a;
    Tensor b2 = b.dim() == 1 ? unsqueeze(b, 1) : b;
    Tensor r = matmul(a2, b2);
    if (b.dim() == 1) r = squeeze(r, -1);
    if (a.dim() == 1) r = squeeze(r, a.dim() == 1 && b.dim() == 1 ? 0 : -2);
    return r;
  }
  if (a.size(-1) != b.size(-2)) fail("matmul: lhs ", shape_str(a.shape()), " vs rhs ", shape_str(b.shape()));
  Tensor out = matmul_nd(a, b);
  if (!any_requires_grad({&a, &b})) return out;
  Tensor ad = a.detach(), bd = b.detach();
  const bool need_a = a.requires_grad(), need_b = b.requires_grad();
  // dA = dC @ B^T, dB = A^T @ dC, each summed over broadcast batch dims.
  // Only the gradients someone needs are computed: for a first layer, dA
  // (w.r.t. the input batch) would cost as much as the forward pass.
  return record("matmul", out, {a, b}, [ad, bd, need_a, need_b](const Tensor& g) {
    Tensor ga, gb;
    if (need_a) ga = reduce_to_shape(matmul(g, transpose(bd, -1, -2)), ad.shape());
    if (need_b && bd.dim() == 2 && ad.dim() > 2) {
      // Fold the batch: A^T dC over all rows at once. (The row count is
      // spelled out: -1 cannot be inferred when k or m is 0.)
      int64_t rows = 1;
      for (int64_t d = 0; d + 1 < ad.dim(); ++d) rows *= ad.size(d);
      gb = matmul(transpose(reshape(ad, {rows, ad.size(-1)}), 0, 1),
                  reshape(g, {rows, g.size(-1)}));
    } else if (need_b && bd.dim() == 2 && ad.dim() == 2 && bd.strides()[0] == 1 && bd.size(1) > 1) {
      // b is a transposed view (a Linear layer's W^T): compute dW = dC^T A
      // in W's own layout, so the gradient reaching W needs no copy.
      gb = transpose(matmul(transpose(g, 0, 1), ad), 0, 1);
    } else if (need_b) {
      gb = matmul(transpose(ad, -1, -2), g);
    }
    if (gb.defined()) gb = reduce_to_shape(gb, bd.shape());
    return std::vector<Tensor>{ga, gb};
  });
}

}  // namespace gradlab
