// labs/01_tensors/bugs/reduce_wrong_stride.cpp — BUG ZOO.
//
// The mistake: sum_dim walks the reduced dim with the stride a CONTIGUOUS
// tensor of that shape would have (computed from the shape) instead of the
// tensor's own strides[dim]. Right for a fresh tensor, wrong for a
// transpose, a slice with gaps or an expanded (stride 0) tensor.
// (Reads go through .at(), so a wrong stride that leaves the storage throws
// std::out_of_range instead of crashing.)
// Caught by: Property.SumDimMatchesNaiveSumOnAnyLayout (shrinks to a small
// transposed tensor), Property.SumOverExpandedDimMultiplies and
// Reference.SumDim.
#include <stdexcept>
#include <string>

#include "labs/01_tensors/adapter.h"
#include "labs/01_tensors/lab.h"

namespace lab01 {

Shape broadcast_shape(const Shape& a, const Shape& b) { return adapter::broadcast_shape(a, b); }

Shape contiguous_strides(const Shape& shape) { return adapter::contiguous_strides(shape); }

int64_t element_offset(const Shape& index, const Shape& strides, int64_t storage_offset) {
  return adapter::element_offset(index, strides, storage_offset);
}

std::vector<double> sum_dim(const std::vector<double>& storage, const Shape& shape,
                            const Shape& strides, int64_t storage_offset, int64_t dim) {
  const auto rank = static_cast<int64_t>(shape.size());
  if (strides.size() != shape.size() || rank == 0 || dim < -rank || dim >= rank) {
    throw std::invalid_argument("sum_dim: bad arguments (dim " + std::to_string(dim) + ")");
  }
  const int64_t d = dim < 0 ? dim + rank : dim;
  // The other dims, in order: their sizes and strides.
  Shape out_shape, out_strides;
  for (int64_t k = 0; k < rank; ++k) {
    if (k == d) continue;
    out_shape.push_back(shape[k]);
    out_strides.push_back(strides[k]);
  }
  int64_t out_n = 1;
  for (int64_t s : out_shape) out_n *= s;
  const int64_t step = adapter::contiguous_strides(shape)[d];  // BUG: should be strides[d]
  std::vector<double> out(static_cast<std::size_t>(out_n), 0.0);
  Shape idx(out_shape.size(), 0);
  for (int64_t o = 0; o < out_n; ++o) {
    int64_t base = storage_offset;
    for (std::size_t k = 0; k < idx.size(); ++k) base += idx[k] * out_strides[k];
    double acc = 0.0;
    for (int64_t i = 0; i < shape[d]; ++i)
      acc += storage.at(static_cast<std::size_t>(base + i * step));
    out[static_cast<std::size_t>(o)] = acc;
    for (auto k = static_cast<int64_t>(idx.size()) - 1; k >= 0; --k) {  // next index, row-major
      if (++idx[k] < out_shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

}  // namespace lab01
