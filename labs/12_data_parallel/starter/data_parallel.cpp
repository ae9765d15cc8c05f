// labs/12_data_parallel/starter/data_parallel.cpp — YOUR phase-12 code.
//
// Write the five functions of lab.h, top to bottom: each builds on the ones
// before it. Read the contracts in lab.h and the handout (README.md) first,
// then replace each NOT_IMPLEMENTED() (and the (void) lines) with your code.
// Check with:   build/tools/gradlab lab check 12
//
// Allowed: the C++ standard library and the lab12::Comm you are given. Not
// allowed: gradlab's own answers (gradlab::dist, data::even_split,
// DataLoader::shard_range, plan_buckets): the point is to write them.
#include "labs/12_data_parallel/lab.h"
#include "labs/common/lab_support.h"

namespace lab12 {

// 1. The fixed chunks: sizes differ by at most one, the first n % w longer.
std::pair<int64_t, int64_t> chunk_range(int64_t n, int w, int c) {
  (void)n;
  (void)w;
  (void)c;
  NOT_IMPLEMENTED("lab12::chunk_range");
}

// 2. Reduce-scatter around the ring (W-1 steps: send a chunk to the right,
// receive one from the left, add), then all-gather (W-1 steps: pass the
// finished chunks on). Draw it for W = 3 before you write it.
void ring_all_reduce(Comm& comm, float* data, int64_t n) {
  (void)comm;
  (void)data;
  (void)n;
  NOT_IMPLEMENTED("lab12::ring_all_reduce");
}

// 3. Buckets, walking the parameters from the last to the first.
std::vector<std::vector<int64_t>> make_buckets(const std::vector<int64_t>& numels,
                                               int64_t bucket_floats) {
  (void)numels;
  (void)bucket_floats;
  NOT_IMPLEMENTED("lab12::make_buckets");
}

// 4. This rank's slice of the global batch [start, start + count).
std::pair<int64_t, int64_t> shard_range(int64_t start, int64_t count, int rank, int world_size) {
  (void)start;
  (void)count;
  (void)rank;
  (void)world_size;
  NOT_IMPLEMENTED("lab12::shard_range");
}

// 5. The gradient of the GLOBAL batch mean, bucket by bucket.
void average_gradients(Comm& comm, std::vector<std::vector<float>>& grads,
                       const std::vector<std::vector<int64_t>>& buckets, int64_t local_examples) {
  (void)comm;
  (void)grads;
  (void)buckets;
  (void)local_examples;
  NOT_IMPLEMENTED("lab12::average_gradients");
}

}  // namespace lab12
