// labs/01_tensors/starter/tensors.cpp — YOUR implementation of phase 01.
//
// Replace each NOT_IMPLEMENTED() with your code; the contracts (shapes,
// errors) are in ../lab.h and the handout is ../README.md. Check your work
// with:   gradlab lab check 01
//
// Rules: plain C++ on std::vector, no gradlab tensor functions (the point is
// to write the bookkeeping yourself). Throw std::invalid_argument for bad
// arguments, with a message naming the function and the values.
#include <stdexcept>
#include <string>
#include <vector>

#include "labs/01_tensors/lab.h"
#include "labs/common/lab_support.h"

namespace lab01 {

// (2,3) with (3) -> (2,3). Hint: walk both shapes from their LAST dim
// backwards; a missing dim counts as 1.
Shape broadcast_shape(const Shape& a, const Shape& b) {
  (void)a;
  (void)b;
  NOT_IMPLEMENTED("lab01::broadcast_shape");
}

// (2,3,4) -> (12,4,1). Hint: fill from the last dim backwards, multiplying
// by max(size, 1) as you go.
Shape contiguous_strides(const Shape& shape) {
  (void)shape;
  NOT_IMPLEMENTED("lab01::contiguous_strides");
}

// storage_offset + sum_d index[d] * strides[d], in int64.
int64_t element_offset(const Shape& index, const Shape& strides, int64_t storage_offset) {
  (void)index;
  (void)strides;
  (void)storage_offset;
  NOT_IMPLEMENTED("lab01::element_offset");
}

// Hint: the output has one element per index of the OTHER dims. For each of
// them (enumerate them in row-major order), add up the shape[dim] elements
// you reach by stepping strides[dim] through the storage.
std::vector<double> sum_dim(const std::vector<double>& storage, const Shape& shape,
                            const Shape& strides, int64_t storage_offset, int64_t dim) {
  (void)storage;
  (void)shape;
  (void)strides;
  (void)storage_offset;
  (void)dim;
  NOT_IMPLEMENTED("lab01::sum_dim");
}

}  // namespace lab01
