// labs/01_tensors/adapter.h — the reference for phase 01: lab.h answered by
// gradlab's own tensor code (this is NOT a solution to copy: it just asks the
// framework). reference.cpp forwards every function here; each bug-zoo file
// forwards every function except the one it gets wrong.
//
// How each answer is reached:
//   broadcast_shape     gradlab::broadcast_shapes
//   contiguous_strides  gradlab::contiguous_strides
//   element_offset      a gradlab::Tensor view with the given strides, indexed
//                       with gradlab::select one dim at a time; its
//                       storage_offset() is the answer
//   sum_dim             a Float64 gradlab::Tensor view over a copy of the
//                       storage, reduced with gradlab::sum(t, {dim})
#pragma once

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/tensor.h"
#include "labs/01_tensors/lab.h"

namespace lab01::adapter {

inline void check_same_rank(const char* op, const char* what, const Shape& x,
                            const Shape& strides) {
  if (x.size() != strides.size()) {
    throw std::invalid_argument(std::string(op) + ": " + what + " " + gradlab::shape_str(x) +
                                " and strides " + gradlab::shape_str(strides) +
                                " differ in length");
  }
}

// A gradlab tensor viewing `storage` (Float64) with the given metadata.
inline gradlab::Tensor strided_view(const std::vector<double>& storage, const Shape& shape,
                                    const Shape& strides, int64_t storage_offset) {
  auto impl = std::make_shared<gradlab::TensorImpl>();
  impl->storage = std::make_shared<gradlab::Storage>(storage.size() * sizeof(double));
  if (!storage.empty())
    std::memcpy(impl->storage->data, storage.data(), storage.size() * sizeof(double));
  impl->offset = storage_offset;
  impl->shape = shape;
  impl->strides = strides;
  impl->dtype = gradlab::DType::Float64;
  return gradlab::Tensor(impl);
}

inline Shape broadcast_shape(const Shape& a, const Shape& b) {
  return gradlab::broadcast_shapes(a, b, "broadcast_shape");
}

inline Shape contiguous_strides(const Shape& shape) { return gradlab::contiguous_strides(shape); }

inline int64_t element_offset(const Shape& index, const Shape& strides, int64_t storage_offset) {
  check_same_rank("element_offset", "index", index, strides);
  Shape shape(index.size());
  for (std::size_t d = 0; d < index.size(); ++d) shape[d] = index[d] + 1;
  gradlab::Tensor t = strided_view({}, shape, strides, storage_offset);  // never read
  for (std::size_t d = 0; d < index.size(); ++d) t = gradlab::select(t, 0, index[d]);
  return t.storage_offset();
}

inline std::vector<double> sum_dim(const std::vector<double>& storage, const Shape& shape,
                                   const Shape& strides, int64_t storage_offset, int64_t dim) {
  check_same_rank("sum_dim", "shape", shape, strides);
  const auto rank = static_cast<int64_t>(shape.size());
  if (rank == 0 || dim < -rank || dim >= rank) {
    throw std::invalid_argument("sum_dim: dim " + std::to_string(dim) + " out of range for shape " +
                                gradlab::shape_str(shape));
  }
  // The view must stay inside the storage (a precondition; checked here so
  // that a bad test input fails loudly instead of reading out of bounds).
  int64_t last = storage_offset;
  bool empty = false;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0)
      empty = true;
    else
      last += (shape[d] - 1) * strides[d];
  }
  if (!empty && (storage_offset < 0 || last >= static_cast<int64_t>(storage.size()))) {
    throw std::invalid_argument("sum_dim: view reaches element " + std::to_string(last) +
                                " of a storage of " + std::to_string(storage.size()));
  }
  gradlab::Tensor t = strided_view(storage, shape, strides, storage_offset);
  return gradlab::sum(t, {dim}).to_vector<double>();
}

}  // namespace lab01::adapter
