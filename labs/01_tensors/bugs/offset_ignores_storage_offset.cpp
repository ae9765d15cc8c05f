// labs/01_tensors/bugs/offset_ignores_storage_offset.cpp — BUG ZOO.
//
// The mistake: element_offset returns sum_d index[d] * strides[d] and forgets
// storage_offset. Correct for a fresh tensor, wrong for every slice that does
// not start at element 0 of its storage (x[1:], a column, a narrow()).
// Caught by: Property.ElementOffsetIsStorageOffsetPlusDot (shrinks to a
// storage_offset of 1) and Reference.ElementOffset.
#include <stdexcept>

#include "labs/01_tensors/adapter.h"
#include "labs/01_tensors/lab.h"

namespace lab01 {

Shape broadcast_shape(const Shape& a, const Shape& b) { return adapter::broadcast_shape(a, b); }

Shape contiguous_strides(const Shape& shape) { return adapter::contiguous_strides(shape); }

int64_t element_offset(const Shape& index, const Shape& strides, int64_t storage_offset) {
  if (index.size() != strides.size()) {
    throw std::invalid_argument("element_offset: index and strides differ in length");
  }
  (void)storage_offset;  // BUG: never added
  int64_t offset = 0;
  for (std::size_t d = 0; d < index.size(); ++d) offset += index[d] * strides[d];
  return offset;
}

std::vector<double> sum_dim(const std::vector<double>& storage, const Shape& shape,
                            const Shape& strides, int64_t storage_offset, int64_t dim) {
  return adapter::sum_dim(storage, shape, strides, storage_offset, dim);
}

}  // namespace lab01
