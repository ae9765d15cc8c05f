// labs/01_tensors/lab.h — phase 01: shapes, strides and broadcasting on raw data.
//
// The interface the phase-01 suite (tests/labs/test_tensors.cpp) calls. You
// implement these four functions in starter/tensors.cpp, on plain vectors:
// no gradlab::Tensor here, only the bookkeeping every tensor library does
// under the hood.
//
// A strided tensor is a flat `storage` plus three pieces of metadata:
//   shape          sizes of each dimension, e.g. (2,3)
//   strides        how many storage elements to skip to move by one along each
//                  dimension, e.g. (3,1) for a row-major (2,3) matrix
//   storage_offset where element (0,0,...) lives in the storage
// Element (i0, i1, ...) lives at storage[storage_offset + i0*s0 + i1*s1 + ...].
// A transpose, a slice or a broadcast (expand) only changes this metadata.
//
// Shapes are written the NumPy way: "(2,3)", and "()" for rank 0 (a scalar).
#pragma once

#include <cstdint>
#include <vector>

namespace lab01 {

using Shape = std::vector<int64_t>;

// ---- broadcasting ------------------------------------------------------------
// The shape of a + b under NumPy/PyTorch broadcasting. Align the two shapes on
// the RIGHT (the last dims face each other; missing leading dims count as 1);
// in each position the sizes must be equal, or one of them must be 1, and the
// result takes the other one.
//   a: (...A), b: (...B) -> broadcast(A, B), rank max(rank A, rank B)
//   (2,3) with (3)   -> (2,3)        (4,1,5) with (3,1) -> (4,3,5)
//   (0) with (1)     -> (0)          ()      with (2,2) -> (2,2)
// Throws std::invalid_argument naming both shapes when they do not broadcast,
// e.g. (2,3) with (2): 3 vs 2 in the last dim.
Shape broadcast_shape(const Shape& a, const Shape& b);

// ---- strides -----------------------------------------------------------------
// Row-major ("C-contiguous") strides, in elements, as PyTorch computes them:
//   strides[rank-1] = 1,  strides[d] = strides[d+1] * max(shape[d+1], 1)
//   shape: (n0, ..., nk) -> (k+1) strides;  (2,3,4) -> (12,4,1),  () -> ()
// (A size-0 dim counts as 1 so that strides stay positive, as in PyTorch.)
Shape contiguous_strides(const Shape& shape);

// Where element `index` of a strided tensor lives in its storage:
//   storage_offset + sum_d index[d] * strides[d]
//   index: (rank), strides: (rank) -> one int64 position
// Use 64-bit arithmetic: big tensors have offsets beyond 2^31.
// Throws std::invalid_argument if index and strides differ in length.
int64_t element_offset(const Shape& index, const Shape& strides, int64_t storage_offset);

// ---- a reduction on a raw buffer ---------------------------------------------
// Sum over dimension `dim` of the strided tensor (storage, shape, strides,
// storage_offset). `dim` may be negative (-1 = last dim). Do NOT assume the
// tensor is contiguous: it may be a transpose, a slice with gaps, or an
// expanded tensor with stride 0.
//   shape: (n0, ..., nk) -> returns the sum as a NEW contiguous row-major
//   buffer of shape (n0, ..., nk) without dim `dim` (rank - 1 dims).
//   Summing over a size-0 dim gives zeros.
// Preconditions (checked by the suite's inputs, not by you): every element of
// the view lies inside `storage`; strides are >= 0.
// Throws std::invalid_argument if shape and strides differ in length, if the
// rank is 0, or if dim is outside [-rank, rank).
std::vector<double> sum_dim(const std::vector<double>& storage, const Shape& shape,
                            const Shape& strides, int64_t storage_offset, int64_t dim);

}  // namespace lab01
