// labs/01_tensors/bugs/broadcast_right_aligned_wrong.cpp — BUG ZOO.
//
// The mistake: broadcast_shape aligns the two shapes on the LEFT (missing
// dims are padded at the end) instead of on the right. (2,3) with (3) then
// compares 2 with 3 and throws; (3,1) with (3) "works" and gives (3,1)
// instead of (3,3).
// Caught by: Property.BroadcastMatchesRightAlignedRule (shrinks to a rank-2
// shape against a rank-1 shape) and Reference.BroadcastShapes.
#include <algorithm>
#include <stdexcept>

#include "labs/01_tensors/adapter.h"
#include "labs/01_tensors/lab.h"

namespace lab01 {

Shape broadcast_shape(const Shape& a, const Shape& b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int64_t da = i < a.size() ? a[i] : 1;  // BUG: should index from the right
    const int64_t db = i < b.size() ? b[i] : 1;
    if (da != db && da != 1 && db != 1) {
      throw std::invalid_argument("broadcast_shape: shapes do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Shape contiguous_strides(const Shape& shape) { return adapter::contiguous_strides(shape); }

int64_t element_offset(const Shape& index, const Shape& strides, int64_t storage_offset) {
  return adapter::element_offset(index, strides, storage_offset);
}

std::vector<double> sum_dim(const std::vector<double>& storage, const Shape& shape,
                            const Shape& strides, int64_t storage_offset, int64_t dim) {
  return adapter::sum_dim(storage, shape, strides, storage_offset, dim);
}

}  // namespace lab01
