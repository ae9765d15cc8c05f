// labs/12_data_parallel/reference.cpp — the reference implementation of
// phase 12: every function of lab.h answered by adapter.h (the framework's
// DataLoader sharding and DataParallel bucket plan; a ring all-reduce).
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
  return adapter::shard_range(start, count, rank, world_size);
}

void average_gradients(Comm& comm, std::vector<std::vector<float>>& grads,
                       const std::vector<std::vector<int64_t>>& buckets, int64_t local_examples) {
  adapter::average_gradients(comm, grads, buckets, local_examples);
}

}  // namespace lab12
