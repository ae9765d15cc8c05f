// core/ops.h — every tensor op, as free functions in namespace gradlab (the
// libtorch naming). All ops accept non-contiguous inputs, never modify their
// inputs, and are differentiable in their floating arguments unless noted.
// Float16/BFloat16 inputs are computed in float32 and the result is converted
// back to the input dtype.
//
// Errors: std::invalid_argument naming the op and the offending shapes,
// dims or dtypes, e.g. "matmul: lhs (2,3) vs rhs (4,5)".
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace gradlab {

// ---- broadcasting ------------------------------------------------------------
// NumPy broadcast of two shapes; error names `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op = "broadcast");
// Normalise a possibly negative dim against rank; error names op, dim, rank.
int64_t wrap_dim(int64_t dim, int64_t rank, const char* op);

// ---- elementwise binary (core/ops_elementwise.cpp) ---------------------------
// a: (...A), b: (...B) -> broadcast(A, B); result dtype = promote(a, b).
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);  // true division (ints -> Float32)
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, double exponent);
Tensor maximum(const Tensor& a, const Tensor& b);  // grad goes to the larger (split on ties)
Tensor minimum(const Tensor& a, const Tensor& b);
// Comparisons -> Bool, not differentiable.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
// cond: Bool, broadcast with a and b -> broadcast(cond, a, b).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// x with `value` wherever mask (Bool, broadcastable to x) is true.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

// Scalar forms keep x's dtype when x is floating (Int64 tensors with a
// fractional scalar become Float32).
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double s);
Tensor operator-(const Tensor& a, double s);
Tensor operator*(const Tensor& a, double s);
Tensor operator/(const Tensor& a, double s);
Tensor operator+(double s, const Tensor& a);
Tensor operator-(double s, const Tensor& a);
Tensor operator*(double s, const Tensor& a);
Tensor operator/(double s, const Tensor& a);
Tensor operator-(const Tensor& a);

// ---- elementwise unary (core/ops_unary.cpp) ----------------------------------
// x: (...) -> (...). Floating only, except neg/abs/relu which take Int64 too.
Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor gelu(const Tensor& x);  // exact (erf) form, as PyTorch's default
Tensor clamp(const Tensor& x, double lo, double hi);
Tensor square(const Tensor& x);
// Bool: true where NaN / where ±inf or NaN.
Tensor isnan(const Tensor& x);
Tensor isfinite(const Tensor& x);

// ---- reductions (core/ops_reduce.cpp) ----------------------------------------
// dims: any set of dims (negative allowed, no repeats); empty = all dims.
// x: (...) -> x with dims removed (or kept as size 1 with keepdim).
// Float32 sums accumulate in float64 for accuracy.
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// max/min over all elements (error on empty). Gradient flows to every
// element equal to the extreme value, split evenly (as PyTorch's amax).
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// Int64 index of the first maximum along dim; not differentiable.
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false);
// argmax over the flattened tensor -> 0-d Int64.
Tensor argmax(const Tensor& x);

// ---- shape and views (core/ops_shape.cpp) ------------------------------------
// Views share storage; reshape copies only when a view is impossible.
Tensor reshape(const Tensor& x, const Shape& shape);  // one -1 allowed
Tensor view(const Tensor& x, const Shape& shape);     // error if not viewable
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1);
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
// Elements [start, start + length) of `dim`.
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
// Python-style x[start:end:step] on dim (negative start/end count from the end,
// clamped like Python); step >= 1.
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
// Index one position of `dim`, removing it.
Tensor select(const Tensor& x, int64_t dim, int64_t index);
// Size-1 dims (or -1 to keep) expanded to `shape` with stride 0.
Tensor expand(const Tensor& x, const Shape& shape);
Tensor squeeze(const Tensor& x);  // all size-1 dims
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor contiguous(const Tensor& x);

// ---- linear algebra (core/ops_linalg.cpp) ------------------------------------
// a: (..., n, k), b: (..., k, m) -> (..., n, m), batch dims broadcast.
// 1-D operands follow NumPy (vector-matrix, matrix-vector, dot).
// Float32/Float64 through OpenBLAS GEMM. BFloat16 x BFloat16 -> BFloat16 and
// Float16 x Float16 -> Float16 accumulate in float32 and round once (bf16:
// oneDNN on CPUs with AVX512_BF16, else widen + sgemm; core/detail/half_gemm.h).
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- indexing and assembly (core/ops_index.cpp) ------------------------------
// out[i][j] = x[i][index[i][j]] (dim=1), as torch.gather; index Int64 with
// x's rank. Differentiable in x.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// Picks the entries of 1-D Int64 `index` along dim. Differentiable in x.
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
// index: (...) Int64 in [0, num_classes) -> (..., num_classes) Int64.
Tensor one_hot(const Tensor& index, int64_t num_classes);
// Same shapes except along dim; dtypes promoted.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
// Same shapes; new dim inserted at `dim`.
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);

// ---- in place, no autograd (optimizers, gradient accumulation) ----------------
// self += other (other broadcast to self's shape, converted to its dtype).
Tensor& add_(Tensor& self, const Tensor& other);
// self *= s.
Tensor& mul_(Tensor& self, double s);

// ---- numerics helpers --------------------------------------------------------
// True when every element is close: |a - b| <= atol + rtol * |b| (NaN == NaN
// when equal_nan).
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
// Bitwise-equal values and identical shapes/dtypes.
bool equal(const Tensor& a, const Tensor& b);

}  // namespace gradlab
