// labs/12_data_parallel/bugs/reduce_scatter_without_all_gather.cpp — BUG ZOO.
//
// The mistake: the reduce without the final all-gather. After the W-1
// reduce-scatter steps each rank holds the full sum of ONE chunk (and
// partial sums elsewhere); stopping there leaves every rank with a different,
// mostly wrong array. (It is a correct reduce-scatter: what ZeRO-style
// sharded optimizers want, but not an all-reduce.)
// Caught by: RingProperty.EqualsTheSerialSumOnEveryRank,
// DataParallelReference.RingMatchesNumpy and the ring stress tests.
#include "labs/12_data_parallel/adapter.h"
#include "labs/12_data_parallel/lab.h"

namespace lab12 {

std::pair<int64_t, int64_t> chunk_range(int64_t n, int w, int c) {
  return adapter::chunk_range(n, w, c);
}

void ring_all_reduce(Comm& comm, float* data, int64_t n) {
  adapter::ring_reduce_scatter(comm, data, n);
  // BUG: no adapter::ring_all_gather(comm, data, n); rank r holds the sum of chunk r + 1 only
}

std::vector<std::vector<int64_t>> make_buckets(const std::vector<int64_t>& numels,
                                               int64_t bucket_floats) {
  return adapter::make_buckets(numels, bucket_floats);
}

std::pair<int64_t, int64_t> shard_range(int64_t start, int64_t count, int rank, int world_size) {
  return adapter::shard_range(start, count, rank, world_size);
}

void average_gradients(Comm& comm, std::vector<std::vector<float>>& grads,
                       const std::vector<std::vector<int64_t>>& buckets, int64_t local_examples) {
  adapter::average_gradients(comm, grads, buckets, local_examples);
}

}  // namespace lab12
