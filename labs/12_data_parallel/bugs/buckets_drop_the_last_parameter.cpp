// labs/12_data_parallel/bugs/buckets_drop_the_last_parameter.cpp — BUG ZOO.
//
// The mistake: buckets that drop the last parameter. Walking the parameters
// in reverse, the loop stops at i > 0 instead of i >= 0: parameter 0 (the
// first layer's weight, the LAST one reached) is in no bucket, so its
// gradient is never all-reduced. Every rank then steps with its own
// gradient for that layer and the replicas silently drift apart.
// Caught by: BucketProperty.EveryParameterOnceInReverseOrder,
// DataParallelReference.BucketsOfTheFashionMnistMlp and
// DataParallelStress.OneHugeParameterGetsABucketOfItsOwn.
#include "labs/12_data_parallel/adapter.h"
#include "labs/12_data_parallel/lab.h"

namespace lab12 {

std::pair<int64_t, int64_t> chunk_range(int64_t n, int w, int c) {
  return adapter::chunk_range(n, w, c);
}

void ring_all_reduce(Comm& comm, float* data, int64_t n) {
  adapter::ring_all_reduce(comm, data, n);
}

std::vector<std::vector<int64_t>> make_buckets(const std::vector<int64_t>& numels,
                                               int64_t bucket_floats) {
  std::vector<std::vector<int64_t>> buckets;
  int64_t size = 0;
  for (auto i = static_cast<int64_t>(numels.size()) - 1; i > 0; --i) {  // BUG: i >= 0
    const int64_t n = numels[static_cast<std::size_t>(i)];
    if (buckets.empty() || (!buckets.back().empty() && size + n > bucket_floats)) {
      buckets.emplace_back();
      size = 0;
    }
    buckets.back().push_back(i);
    size += n;
  }
  return buckets;
}

std::pair<int64_t, int64_t> shard_range(int64_t start, int64_t count, int rank, int world_size) {
  return adapter::shard_range(start, count, rank, world_size);
}

void average_gradients(Comm& comm, std::vector<std::vector<float>>& grads,
                       const std::vector<std::vector<int64_t>>& buckets, int64_t local_examples) {
  adapter::average_gradients(comm, grads, buckets, local_examples);
}

}  // namespace lab12
