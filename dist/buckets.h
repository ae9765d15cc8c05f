// dist/buckets.h — how DataParallel groups parameters into gradient buckets.
// A plain function without MPI (header-only), so that code built without
// Open MPI can use it too: lab 12's reference does.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace gradlab::dist {

// One bucket: which parameters (indices into model->parameters()) it packs,
// in packing order, and its size.
struct Bucket {
  std::vector<int64_t> params;
  int64_t elements = 0;
  int64_t bytes = 0;
  DType dtype = DType::Float32;
};

// Parameters i = 0..P-1 with numels[i] elements of dtypes[i], grouped into
// buckets of about bucket_bytes (>= 1): walking the parameters in REVERSE
// order (the order backward produces their gradients), a parameter joins
// the current bucket unless that would take it over bucket_bytes or the
// dtype changes; then it opens a new one. So every parameter is in exactly
// one bucket, a bucket exceeds bucket_bytes only when it holds a single
// parameter larger than that, and buckets are as full as the order allows.
// std::invalid_argument for bucket_bytes < 1, sizes that differ, numels < 0.
inline std::vector<Bucket> plan_buckets(const std::vector<int64_t>& numels,
                                        const std::vector<DType>& dtypes, int64_t bucket_bytes) {
  if (bucket_bytes < 1) {
    throw std::invalid_argument("dist::plan_buckets: bucket_bytes must be >= 1, got " +
                                std::to_string(bucket_bytes));
  }
  if (numels.size() != dtypes.size()) {
    throw std::invalid_argument("dist::plan_buckets: " + std::to_string(numels.size()) +
                                " sizes for " + std::to_string(dtypes.size()) + " dtypes");
  }
  std::vector<Bucket> buckets;
  for (auto i = static_cast<int64_t>(numels.size()) - 1; i >= 0; --i) {
    const auto ui = static_cast<std::size_t>(i);
    if (numels[ui] < 0) {
      throw std::invalid_argument("dist::plan_buckets: parameter " + std::to_string(i) + " has " +
                                  std::to_string(numels[ui]) + " elements");
    }
    const int64_t bytes = numels[ui] * static_cast<int64_t>(itemsize(dtypes[ui]));
    if (buckets.empty() || buckets.back().dtype != dtypes[ui] ||
        (!buckets.back().params.empty() && buckets.back().bytes + bytes > bucket_bytes)) {
      buckets.push_back(Bucket{{}, 0, 0, dtypes[ui]});
    }
    Bucket& b = buckets.back();
    b.params.push_back(i);
    b.elements += numels[ui];
    b.bytes += bytes;
  }
  return buckets;
}

}  // namespace gradlab::dist
