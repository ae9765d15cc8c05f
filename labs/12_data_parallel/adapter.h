// labs/12_data_parallel/adapter.h — the reference for phase 12. The
// framework's own pieces where it has them: chunks and shards are
// gradlab::data::even_split (datasets/loader.h: how DataLoader shards a batch
// and dist/ chunks an all-reduce) and bucketing is gradlab::dist::plan_buckets
// (dist/buckets.h, what dist::DataParallel uses). The ring is written out here: gradlab's dist/
// all-reduce is a reduce-scatter/all-gather over MPI that adds in rank order, the same bandwidth, a
// different message pattern. This is NOT a solution to copy. reference.cpp forwards every function
// here; each bug-zoo file forwards every function except the one it gets wrong.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "datasets/loader.h"
#include "dist/buckets.h"
#include "labs/12_data_parallel/lab.h"

namespace lab12::adapter {

// The split of dist's all-reduce chunks and of DataLoader's shards.
inline std::pair<int64_t, int64_t> chunk_range(int64_t n, int w, int c) {
  return gradlab::data::even_split(n, w, c);
}

inline std::pair<int64_t, int64_t> shard_range(int64_t start, int64_t count, int rank,
                                               int world_size) {
  const auto [first, last] = gradlab::data::even_split(count, world_size, rank);
  return {start + first, start + last};
}

inline std::vector<std::vector<int64_t>> make_buckets(const std::vector<int64_t>& numels,
                                                      int64_t bucket_floats) {
  const std::vector<gradlab::dist::Bucket> plan = gradlab::dist::plan_buckets(
      numels, std::vector<gradlab::DType>(numels.size(), gradlab::DType::Float32),
      bucket_floats * 4);
  std::vector<std::vector<int64_t>> out;
  for (const gradlab::dist::Bucket& b : plan) out.push_back(b.params);
  return out;
}

// The ring: W-1 steps of reduce-scatter (send one chunk right, receive one
// from the left and add it), after which rank r holds the full sum of chunk
// r + 1; then W-1 steps of all-gather passing the finished chunks around.
// Chunk c is always added in the order c, c+1, ..., c-1 (mod W): fixed.
// `chunks` is the chunk_range to use (a bug-zoo entry passes its own).
using ChunkFn = std::pair<int64_t, int64_t> (*)(int64_t n, int w, int c);

inline void ring_reduce_scatter(Comm& comm, float* data, int64_t n, ChunkFn chunks = chunk_range) {
  const int w = comm.world_size(), r = comm.rank();
  if (w == 1) return;
  std::vector<float> incoming(static_cast<std::size_t>(n / w + 1));
  for (int s = 0; s < w - 1; ++s) {
    const auto [ob, oe] = chunks(n, w, (r - s + w) % w);
    const auto [ib, ie] = chunks(n, w, (r - s - 1 + w) % w);
    comm.send((r + 1) % w, data + ob, oe - ob);
    comm.recv((r + w - 1) % w, incoming.data(), ie - ib);
    for (int64_t i = ib; i < ie; ++i) data[i] += incoming[static_cast<std::size_t>(i - ib)];
  }
}

inline void ring_all_gather(Comm& comm, float* data, int64_t n, ChunkFn chunks = chunk_range) {
  const int w = comm.world_size(), r = comm.rank();
  for (int s = 0; s < w - 1; ++s) {
    const auto [ob, oe] = chunks(n, w, (r + 1 - s + w) % w);
    const auto [ib, ie] = chunks(n, w, (r - s + w) % w);
    comm.send((r + 1) % w, data + ob, oe - ob);
    comm.recv((r + w - 1) % w, data + ib, ie - ib);
  }
}

inline void ring_all_reduce(Comm& comm, float* data, int64_t n, ChunkFn chunks = chunk_range) {
  ring_reduce_scatter(comm, data, n, chunks);
  ring_all_gather(comm, data, n, chunks);
}

// Sum over ranks of n_r * g_r, and of n_r, then one division.
inline void average_gradients(Comm& comm, std::vector<std::vector<float>>& grads,
                              const std::vector<std::vector<int64_t>>& buckets,
                              int64_t local_examples) {
  float total = static_cast<float>(local_examples);
  adapter::ring_all_reduce(comm, &total, 1);
  for (const std::vector<int64_t>& bucket : buckets) {
    std::vector<float> flat;
    for (int64_t i : bucket)
      for (float g : grads[static_cast<std::size_t>(i)])
        flat.push_back(g * static_cast<float>(local_examples));
    adapter::ring_all_reduce(comm, flat.data(), static_cast<int64_t>(flat.size()));
    std::size_t k = 0;
    for (int64_t i : bucket)
      for (float& g : grads[static_cast<std::size_t>(i)]) g = flat[k++] / total;
  }
}

}  // namespace lab12::adapter
