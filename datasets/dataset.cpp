// datasets/dataset.cpp — Dataset invariants, row gathers, subsets.
#include "datasets/dataset.h"

#include <cstring>
#include <stdexcept>
#include <utility>

#include "core/dtype.h"
#include "datasets/io.h"

namespace gradlab::data {

int64_t Dataset::size() const {
  if (!features.defined() || features.dim() == 0) return 0;
  return features.shape()[0];
}

Shape Dataset::example_shape() const {
  if (!features.defined() || features.dim() == 0) return {};
  return Shape(features.shape().begin() + 1, features.shape().end());
}

int64_t Dataset::example_numel() const { return shape_numel(example_shape(), "dataset"); }

void validate(const Dataset& d, const char* where) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument(std::string(where) + ": " + what);
  };
  if (!d.features.defined()) fail("features tensor is undefined");
  if (d.features.dim() < 1) fail("features must have a leading example dim, got shape ()");
  if (d.features.numel() > 0 && !d.features.is_contiguous()) fail("features must be contiguous");
  if (!d.labels.defined()) fail("labels tensor is undefined");
  if (d.labels.dtype() != DType::Int64) {
    fail(std::string("labels must be Int64, got ") + dtype_name(d.labels.dtype()));
  }
  const int64_t n = d.size();
  if (d.labels.dim() != 1 || d.labels.shape()[0] != n) {
    fail("labels shape " + shape_str(d.labels.shape()) + " does not match " + std::to_string(n) +
         " examples (features " + shape_str(d.features.shape()) + ")");
  }
  if (d.num_classes < 0) fail("num_classes " + std::to_string(d.num_classes) + " is negative");
  if (!d.class_names.empty() && static_cast<int64_t>(d.class_names.size()) != d.num_classes) {
    fail(std::to_string(d.class_names.size()) + " class names for " +
         std::to_string(d.num_classes) + " classes");
  }
  Tensor labels = d.labels.contiguous();
  const int64_t* y = labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    if (y[i] < 0 || y[i] >= d.num_classes) {
      fail("label " + std::to_string(y[i]) + " out of range for " + std::to_string(d.num_classes) +
           " classes at index " + std::to_string(i));
    }
  }
}

Tensor gather_rows(const Tensor& src, const int64_t* indices, int64_t count) {
  if (!src.defined() || src.dim() < 1) {
    throw std::invalid_argument("gather_rows: source must have rank >= 1");
  }
  if (count < 0)
    throw std::invalid_argument("gather_rows: negative count " + std::to_string(count));
  const int64_t n = src.shape()[0];
  Shape out_shape = src.shape();
  out_shape[0] = count;
  const std::size_t row_bytes = static_cast<std::size_t>(shape_numel(
                                    Shape(out_shape.begin() + 1, out_shape.end()), "gather_rows")) *
                                itemsize(src.dtype());
  for (int64_t i = 0; i < count; ++i) {
    if (indices[i] < 0 || indices[i] >= n) {
      throw std::invalid_argument("gather_rows: index " + std::to_string(indices[i]) +
                                  " out of range for " + std::to_string(n) + " rows at position " +
                                  std::to_string(i));
    }
  }
  Tensor out = empty(out_shape, src.dtype());
  if (count == 0 || row_bytes == 0) return out;
  const Tensor contiguous_src = src.contiguous();
  const std::byte* from = tensor_bytes(contiguous_src);
  std::byte* to = tensor_bytes(out);
  for (int64_t i = 0; i < count; ++i) {
    std::memcpy(to + static_cast<std::size_t>(i) * row_bytes,
                from + static_cast<std::size_t>(indices[i]) * row_bytes, row_bytes);
  }
  return out;
}

Tensor gather_rows(const Tensor& src, const std::vector<int64_t>& indices) {
  return gather_rows(src, indices.data(), static_cast<int64_t>(indices.size()));
}

Dataset subset(const Dataset& d, const std::vector<int64_t>& indices) {
  Dataset out;
  out.features = gather_rows(d.features, indices);
  out.labels = gather_rows(d.labels, indices);
  out.num_classes = d.num_classes;
  out.class_names = d.class_names;
  return out;
}

std::vector<int64_t> class_counts(const Dataset& d) {
  if (!d.labels.defined() || d.labels.dtype() != DType::Int64) {
    throw std::invalid_argument("class_counts: labels must be a defined Int64 tensor");
  }
  std::vector<int64_t> counts(static_cast<std::size_t>(d.num_classes > 0 ? d.num_classes : 0), 0);
  Tensor labels = d.labels.contiguous();
  const int64_t* y = labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < labels.numel(); ++i) {
    if (y[i] < 0 || y[i] >= d.num_classes) {
      throw std::invalid_argument("class_counts: label " + std::to_string(y[i]) +
                                  " out of range for " + std::to_string(d.num_classes) +
                                  " classes at index " + std::to_string(i));
    }
    ++counts[static_cast<std::size_t>(y[i])];
  }
  return counts;
}

std::vector<int64_t> random_permutation(int64_t n, Generator& gen) {
  if (n < 0) throw std::invalid_argument("random_permutation: negative n " + std::to_string(n));
  std::vector<int64_t> p(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[static_cast<std::size_t>(i)] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(gen.below(static_cast<uint64_t>(i) + 1));
    std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
  }
  return p;
}

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                                 "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                                 "Bag",         "Ankle boot"};
  return names;
}

}  // namespace gradlab::data
