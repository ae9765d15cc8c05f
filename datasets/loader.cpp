// datasets/loader.cpp — see loader.h.
#include "datasets/loader.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/random.h"

namespace gradlab::data {

namespace {

// SplitMix64's finaliser: a bijection on 64-bit integers that scatters
// nearby inputs (seed 1 vs 2, epoch 7 vs 8) across the whole range.
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t epoch_seed(uint64_t seed, int64_t epoch) {
  return splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(epoch));
}

DataLoader::DataLoader(Dataset dataset, LoaderOptions opts)
    : dataset_(std::move(dataset)), opts_(opts) {
  if (opts_.batch_size < 1) {
    throw std::invalid_argument("DataLoader: batch_size must be >= 1, got " +
                                std::to_string(opts_.batch_size));
  }
  validate(dataset_, "DataLoader");
}

int64_t DataLoader::num_batches() const {
  const int64_t n = size(), b = opts_.batch_size;
  return opts_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<int64_t> DataLoader::order(int64_t epoch) const {
  if (epoch < 0)
    throw std::invalid_argument("DataLoader::order: negative epoch " + std::to_string(epoch));
  if (opts_.shuffle) {
    Generator gen(epoch_seed(opts_.seed, epoch));
    return random_permutation(size(), gen);
  }
  std::vector<int64_t> identity(static_cast<std::size_t>(size()));
  for (int64_t i = 0; i < size(); ++i) identity[static_cast<std::size_t>(i)] = i;
  return identity;
}

Batch DataLoader::batch(const std::vector<int64_t>& order, int64_t b) const {
  if (static_cast<int64_t>(order.size()) != size()) {
    throw std::invalid_argument("DataLoader::batch: order has " + std::to_string(order.size()) +
                                " entries for " + std::to_string(size()) + " examples");
  }
  if (b < 0 || b >= num_batches()) {
    throw std::invalid_argument("DataLoader::batch: batch " + std::to_string(b) +
                                " out of range for " + std::to_string(num_batches()) + " batches");
  }
  const int64_t start = b * opts_.batch_size;
  const int64_t count = std::min(opts_.batch_size, size() - start);
  const int64_t* idx = order.data() + start;
  return {gather_rows(dataset_.features, idx, count), gather_rows(dataset_.labels, idx, count)};
}

}  // namespace gradlab::data
