// labs/01_tensors/reference.cpp — the reference implementation of phase 01:
// every function of lab.h answered by gradlab's own tensor code (adapter.h).
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
  return adapter::sum_dim(storage, shape, strides, storage_offset, dim);
}

}  // namespace lab01
