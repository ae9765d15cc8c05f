// labs/12_data_parallel/bugs/sums_in_arrival_order.cpp — BUG ZOO.
//
// The mistake: non-deterministic summation order. Every rank sends chunk c
// of its array to rank c; rank c adds the W-1 chunks it receives in the
// order they ARRIVE (recv_any), then sends the sum back to everyone. The
// sums are right to rounding, and every rank gets the same bits in one run,
// but float addition is not associative: which rank's values come first
// changes from run to run, so the same job gives different results.
// Caught by: RingProperty.SameBitsWhateverTheArrivalOrder.
#include "labs/12_data_parallel/adapter.h"
#include "labs/12_data_parallel/lab.h"

namespace lab12 {

std::pair<int64_t, int64_t> chunk_range(int64_t n, int w, int c) {
  return adapter::chunk_range(n, w, c);
}

void ring_all_reduce(Comm& comm, float* data, int64_t n) {
  const int w = comm.world_size(), r = comm.rank();
  if (w == 1) return;
  for (int c = 0; c < w; ++c) {
    if (c == r) continue;
    const auto [b, e] = chunk_range(n, w, c);
    comm.send(c, data + b, e - b, /*tag=*/1);
  }
  const auto [mb, me] = chunk_range(n, w, r);
  std::vector<float> incoming(static_cast<std::size_t>(me - mb));
  for (int k = 0; k < w - 1; ++k) {
    comm.recv_any(incoming.data(), me - mb, /*tag=*/1);  // BUG: adds in whatever order they arrive
    for (int64_t i = mb; i < me; ++i) data[i] += incoming[static_cast<std::size_t>(i - mb)];
  }
  for (int c = 0; c < w; ++c)
    if (c != r) comm.send(c, data + mb, me - mb, /*tag=*/2);
  for (int k = 0; k < w - 1; ++k) {
    const int c = (r + 1 + k) % w;
    const auto [b, e] = chunk_range(n, w, c);
    comm.recv(c, data + b, e - b, /*tag=*/2);
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
