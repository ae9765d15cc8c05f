// labs/01_tensors/bugs/broadcast_allows_mismatch.cpp — BUG ZOO.
//
// The mistake: broadcast_shape aligns correctly on the right but takes the
// larger of the two sizes without checking that they are compatible, so
// (2,3) with (2) "broadcasts" to (2,3) instead of throwing. A later
// elementwise op would then read past the end of the smaller tensor.
// Caught by: Property.BroadcastRejectsMismatchedSizes and
// Reference.BroadcastShapes (its error cases).
#include <algorithm>

#include "labs/01_tensors/adapter.h"
#include "labs/01_tensors/lab.h"

namespace lab01 {

Shape broadcast_shape(const Shape& a, const Shape& b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    out[i] = da == 1 ? db : (db == 1 ? da : std::max(da, db));  // BUG: no "da == db" check
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
