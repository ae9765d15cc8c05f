// labs/12_data_parallel/bugs/everyone_sends_everything.cpp — BUG ZOO.
//
// The mistake: a correct, deterministic all-reduce that does not scale.
// Every rank sends its whole array to every other rank, and each adds the W
// arrays in rank order. Right answer, same bits every run, but each rank
// sends (W-1) x the array instead of the ring's 2 (W-1)/W: on 8 ranks 3.5
// times the traffic, and it grows with W while the ring's stays under 2x.
// Caught by: RingProperty.SendsNoMoreThanTheRing and
// DataParallelStress.TenMillionFloatsOnThreeRanks (which counts too).
#include "labs/12_data_parallel/adapter.h"
#include "labs/12_data_parallel/lab.h"

namespace lab12 {

std::pair<int64_t, int64_t> chunk_range(int64_t n, int w, int c) {
  return adapter::chunk_range(n, w, c);
}

void ring_all_reduce(Comm& comm, float* data, int64_t n) {
  const int w = comm.world_size(), r = comm.rank();
  if (w == 1) return;
  for (int p = 0; p < w; ++p)
    if (p != r) comm.send(p, data, n);  // BUG: the whole array to everyone
  std::vector<std::vector<float>> all(static_cast<std::size_t>(w));
  for (int p = 0; p < w; ++p) {
    if (p == r) {
      all[static_cast<std::size_t>(p)].assign(data, data + n);
    } else {
      all[static_cast<std::size_t>(p)].resize(static_cast<std::size_t>(n));
      comm.recv(p, all[static_cast<std::size_t>(p)].data(), n);
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    float s = 0;
    for (int p = 0; p < w; ++p) s += all[static_cast<std::size_t>(p)][static_cast<std::size_t>(i)];
    data[i] = s;
  }
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
