// labs/01_tensors/bugs/strides_column_major.cpp — BUG ZOO.
//
// The mistake: contiguous_strides builds Fortran (column-major) strides: the
// FIRST dim gets stride 1, so (2,3) gives (1,2) instead of (3,1). Element
// (0,1) then sits next to (0,0)'s column neighbour, not its row neighbour.
// Caught by: Property.ContiguousStridesWalkRowMajor (shrinks to (1,2) or
// (2,1)) and Reference.ContiguousStrides.
#include "labs/01_tensors/adapter.h"
#include "labs/01_tensors/lab.h"

namespace lab01 {

Shape broadcast_shape(const Shape& a, const Shape& b) { return adapter::broadcast_shape(a, b); }

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t acc = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) {  // BUG: should run from the last dim
    strides[d] = acc;
    acc *= shape[d] > 1 ? shape[d] : 1;
  }
  return strides;
}

int64_t element_offset(const Shape& index, const Shape& strides, int64_t storage_offset) {
  return adapter::element_offset(index, strides, storage_offset);
}

std::vector<double> sum_dim(const std::vector<double>& storage, const Shape& shape,
                            const Shape& strides, int64_t storage_offset, int64_t dim) {
  return adapter::sum_dim(storage, shape, strides, storage_offset, dim);
}

}  // namespace lab01
