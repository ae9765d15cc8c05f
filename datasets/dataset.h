// datasets/dataset.h — the in-memory Dataset every reader returns and every
// loader consumes: N examples as one contiguous features tensor plus one
// Int64 label per example.
//
// Why one big tensor and not a vector of examples: a batch is then a handful
// of contiguous memcpy's (one row per example), which is what lets an epoch
// over Fashion-MNIST's 60000 x 784 floats take milliseconds, not seconds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/tensor.h"

namespace gradlab::data {

struct Dataset {
  Tensor features;  // (N, ...) contiguous; Float32 from every reader
  Tensor labels;    // (N) Int64 class ids in [0, num_classes)
  int64_t num_classes = 0;
  std::vector<std::string> class_names;  // num_classes names (may be empty)

  // N, the number of examples (0 for an undefined features tensor).
  int64_t size() const;
  // The shape of one example: features.shape() without its first dim.
  Shape example_shape() const;
  // Elements per example: product of example_shape().
  int64_t example_numel() const;
};

// Checks the invariants above: features defined, contiguous, rank >= 1;
// labels Int64 of shape (N); every label in [0, num_classes); class_names
// empty or of size num_classes. Throws std::invalid_argument naming `where`
// and the first violation.
void validate(const Dataset& d, const char* where = "dataset");

// Rows of `src` (N, ...) picked by `indices` (each in [0, N)), gathered with
// one memcpy per row into a new contiguous tensor (K, ...) of src's dtype.
// Throws std::invalid_argument on an index out of range.
Tensor gather_rows(const Tensor& src, const int64_t* indices, int64_t count);
Tensor gather_rows(const Tensor& src, const std::vector<int64_t>& indices);

// A new Dataset holding the examples at `indices`, in that order (copies;
// num_classes and class_names are kept).
Dataset subset(const Dataset& d, const std::vector<int64_t>& indices);

// Number of examples of each class: (num_classes) counts.
std::vector<int64_t> class_counts(const Dataset& d);

// A uniformly random permutation of 0..n-1 (Fisher-Yates driven by
// gen.below()), the same on every platform for the same generator state.
std::vector<int64_t> random_permutation(int64_t n, Generator& gen);

// "T-shirt/top", "Trouser", ... : Fashion-MNIST's ten class names.
const std::vector<std::string>& fashion_mnist_class_names();

}  // namespace gradlab::data
