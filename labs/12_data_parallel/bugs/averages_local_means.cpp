// labs/12_data_parallel/bugs/averages_local_means.cpp — BUG ZOO.
//
// The mistake: averaging by the local instead of the global batch size.
// Every rank all-reduces its gradient (a mean over ITS examples) and divides
// by the number of ranks: the mean of the ranks' means. That is the global
// mean only when every shard has the same size; with a last, uneven batch
// (5 examples on 2 ranks: 3 and 2) each example of the smaller shard weighs
// more, and a rank with no examples still counts as one.
// Caught by: AverageProperty.GlobalBatchMeanOnEveryRank,
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
  return adapter::shard_range(start, count, rank, world_size);
}

void average_gradients(Comm& comm, std::vector<std::vector<float>>& grads,
                       const std::vector<std::vector<int64_t>>& buckets,
                       int64_t /*local_examples*/) {
  const auto w = static_cast<float>(comm.world_size());
  for (const std::vector<int64_t>& bucket : buckets) {
    std::vector<float> flat;
    for (int64_t i : bucket)
      for (float g : grads[static_cast<std::size_t>(i)]) flat.push_back(g);
    ring_all_reduce(comm, flat.data(), static_cast<int64_t>(flat.size()));
    std::size_t k = 0;
    for (int64_t i : bucket)
      for (float& g : grads[static_cast<std::size_t>(i)]) g = flat[k++] / w;  // BUG
  }
}

}  // namespace lab12
