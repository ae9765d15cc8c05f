// labs/12_data_parallel/bugs/shards_overlap_at_the_boundary.cpp — BUG ZOO.
//
// The mistake: shards overlapping at the boundary. Each rank takes
// per = ceil(count / W) examples from rank * per, but with the end counted
// inclusively: the last example of each slice is also the first of the next.
// Those examples are seen twice per epoch, and the ranks' examples add up to
// more than the batch. (The sizes are also uneven: 3, 3, 3, 1 for 10 on 4.)
// Caught by: ShardProperty.SlicesTileTheBatch,
// DataParallelReference.ShardedRegressionGradientMatchesPyTorch and
// DataParallelStress.LastBatchSmallerThanTheWorld.
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
  return adapter::make_buckets(numels, bucket_floats);
}

std::pair<int64_t, int64_t> shard_range(int64_t start, int64_t count, int rank, int world_size) {
  const int64_t per = (count + world_size - 1) / world_size;
  const int64_t first = std::min(count, rank * per);
  const int64_t last = std::min(count, (rank + 1) * per + 1);  // BUG: one past the slice
  return {start + first, start + last};
}

void average_gradients(Comm& comm, std::vector<std::vector<float>>& grads,
                       const std::vector<std::vector<int64_t>>& buckets, int64_t local_examples) {
  adapter::average_gradients(comm, grads, buckets, local_examples);
}

}  // namespace lab12
