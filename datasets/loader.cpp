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
  if (opts_.world_size < 1) {
    throw std::invalid_argument("DataLoader: world_size must be >= 1, got " +
                                std::to_string(opts_.world_size));
  }
  if (opts_.rank < 0 || opts_.rank >= opts_.world_size) {
    throw std::invalid_argument("DataLoader: rank " + std::to_string(opts_.rank) +
                                " out of range for world_size " + std::to_string(opts_.world_size));
  }
  if (opts_.batch_size % opts_.world_size != 0) {
    throw std::invalid_argument("DataLoader: batch_size " + std::to_string(opts_.batch_size) +
                                " (the global batch) is not a multiple of world_size " +
                                std::to_string(opts_.world_size) +
                                ": every rank must get the same share of a full batch");
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
  const auto [first, last] = shard_range(b);
  const int64_t* idx = order.data() + first;
  return {gather_rows(dataset_.features, idx, last - first),
          gather_rows(dataset_.labels, idx, last - first)};
}

std::pair<int64_t, int64_t> DataLoader::shard_range(int64_t b) const {
  if (b < 0 || b >= num_batches()) {
    throw std::invalid_argument("DataLoader::shard_range: batch " + std::to_string(b) +
                                " out of range for " + std::to_string(num_batches()) + " batches");
  }
  const int64_t start = b * opts_.batch_size;
  const auto [first, last] =
      even_split(std::min(opts_.batch_size, size() - start), opts_.world_size, opts_.rank);
  return {start + first, start + last};
}

std::pair<int64_t, int64_t> even_split(int64_t count, int64_t parts, int64_t part) {
  if (count < 0 || parts < 1 || part < 0 || part >= parts) {
    throw std::invalid_argument("even_split: part " + std::to_string(part) + " of " +
                                std::to_string(parts) + " of " + std::to_string(count) +
                                " items is out of range");
  }
  // Slice k starts at k * (count / parts) + min(k, count % parts).
  const auto begin = [&](int64_t k) { return k * (count / parts) + std::min(k, count % parts); };
  return {begin(part), begin(part + 1)};
}

}  // namespace gradlab::data
