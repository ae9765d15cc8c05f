// labs/12_data_parallel/bugs/chunks_drop_the_remainder.cpp — BUG ZOO.
//
// The mistake: chunks of n / w elements each. When w does not divide n the
// last n % w elements belong to no chunk: the ring never sends them, and
// every rank keeps its own values there. Every test with n a multiple of w
// passes.
// Caught by: ChunkProperty.ChunksTileTheArray and
// RingProperty.EqualsTheSerialSumOnEveryRank (n not a multiple of W).
#include "labs/12_data_parallel/adapter.h"
#include "labs/12_data_parallel/lab.h"

namespace lab12 {

std::pair<int64_t, int64_t> chunk_range(int64_t n, int w, int c) {
  const int64_t size = n / w;  // BUG: the remainder n % w is in no chunk
  return {c * size, (c + 1) * size};
}

// The ring of adapter.h, on this file's chunk_range.
void ring_all_reduce(Comm& comm, float* data, int64_t n) {
  adapter::ring_all_reduce(comm, data, n, chunk_range);
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
