// datasets/loader.h — DataLoader: a Dataset cut into (x, y) mini-batches,
// in a seeded random order per epoch.
//
// The order of epoch e is a pure function of (seed, e): it is a Fisher-Yates
// permutation driven by a Generator seeded with mix(seed, e). So a run
// resumed at epoch k sees exactly the batches an uninterrupted run would, and
// two runs with the same seed see the same batches, whatever happened before.
//
// Each batch is gathered with one memcpy per example into fresh tensors, so
// batches stay valid after the loop moves on.
//
//   DataLoader loader(train, {.batch_size = 128, .shuffle = true, .seed = 1});
//   for (int64_t epoch = 0; epoch < 10; ++epoch)
//     for (const Batch& b : loader.epoch(epoch)) step(b.x, b.y);
//
// Sharding (data parallelism, dist/data_parallel.h): with world_size W > 1,
// batch_size is the GLOBAL batch and each rank gets its shard of every batch.
// Every rank computes the same epoch order (same seed), cuts it into the same
// global batches, and takes a contiguous slice of each: a full batch gives
// each rank batch_size / W examples (batch_size must be a multiple of W); the
// last, smaller batch of c examples gives the first c % W ranks one more than
// the others (so a rank may get none when c < W). Across ranks the shards of
// a batch are disjoint and make up exactly that batch, so an epoch shows each
// example to exactly one rank, once, and W ranks see the same global batches
// as one process with the same seed. Every rank has the same num_batches().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "datasets/dataset.h"

namespace gradlab::data {

struct LoaderOptions {
  int64_t batch_size = 32;  // >= 1
  bool shuffle = true;      // false: examples in dataset order every epoch
  bool drop_last = false;   // drop a final batch smaller than batch_size
  uint64_t seed = 0;
  // Sharding: this process's rank in [0, world_size), and the number of
  // ranks (>= 1; batch_size must be a multiple of it). See the top of the file.
  int64_t rank = 0;
  int64_t world_size = 1;
};

struct Batch {
  Tensor x;  // (B, ...) the dataset's feature dtype, contiguous
  Tensor y;  // (B) Int64
};

class DataLoader {
 public:
  // Keeps (shares) the dataset's tensors; validates the dataset and options
  // (std::invalid_argument naming what is wrong).
  DataLoader(Dataset dataset, LoaderOptions opts);

  const Dataset& dataset() const { return dataset_; }
  const LoaderOptions& options() const { return opts_; }
  // Examples (of the whole dataset, on every rank) and global batches per
  // epoch (drop_last taken into account; the same on every rank).
  int64_t size() const { return dataset_.size(); }
  int64_t num_batches() const;

  // The example order of epoch `epoch` (>= 0): a permutation of 0..N-1, or
  // the identity when !shuffle.
  std::vector<int64_t> order(int64_t epoch) const;

  // Batch b (0 <= b < num_batches()) of a given order: the examples
  // order[b * batch_size, min((b + 1) * batch_size, N)), or with world_size
  // > 1 this rank's shard of them, order[shard_range(b)). A shard may be
  // empty: x then has shape (0, ...).
  Batch batch(const std::vector<int64_t>& order, int64_t b) const;

  // The positions [first, second) in the epoch order of this rank's shard of
  // global batch b (the whole batch when world_size == 1).
  std::pair<int64_t, int64_t> shard_range(int64_t b) const;

  // One epoch as a range of Batches (computes the order once). The loader
  // must outlive the range.
  class Epoch {
   public:
    class iterator {
     public:
      using value_type = Batch;
      using difference_type = std::ptrdiff_t;
      iterator() = default;
      iterator(const DataLoader* loader, std::shared_ptr<const std::vector<int64_t>> order,
               int64_t b)
          : loader_(loader), order_(std::move(order)), b_(b) {}
      Batch operator*() const { return loader_->batch(*order_, b_); }
      iterator& operator++() {
        ++b_;
        return *this;
      }
      iterator operator++(int) {
        iterator old = *this;
        ++b_;
        return old;
      }
      bool operator==(const iterator& o) const { return b_ == o.b_; }
      // Index of the batch this iterator points at.
      int64_t index() const { return b_; }

     private:
      const DataLoader* loader_ = nullptr;
      std::shared_ptr<const std::vector<int64_t>> order_;
      int64_t b_ = 0;
    };

    Epoch(const DataLoader* loader, std::vector<int64_t> order)
        : loader_(loader), order_(std::make_shared<const std::vector<int64_t>>(std::move(order))) {}
    iterator begin() const { return {loader_, order_, 0}; }
    iterator end() const { return {loader_, order_, loader_->num_batches()}; }
    int64_t size() const { return loader_->num_batches(); }
    const std::vector<int64_t>& order() const { return *order_; }

   private:
    const DataLoader* loader_;
    std::shared_ptr<const std::vector<int64_t>> order_;
  };

  Epoch epoch(int64_t epoch) const { return Epoch(this, order(epoch)); }

 private:
  Dataset dataset_;
  LoaderOptions opts_;
};

// Part `part` (0 <= part < parts) of `count` >= 0 items cut into `parts` >= 1
// contiguous slices whose sizes differ by at most one, the first count % parts
// one longer: the positions [first, second). How a global batch is split over
// ranks (DataLoader::shard_range), and an array over ranks (dist/'s
// all-reduce chunks). std::invalid_argument on arguments out of range.
std::pair<int64_t, int64_t> even_split(int64_t count, int64_t parts, int64_t part);

// The generator seed used for epoch `epoch` of a loader seeded with `seed`
// (SplitMix64 mixing: distinct, well-spread streams for nearby epochs/seeds).
uint64_t epoch_seed(uint64_t seed, int64_t epoch);

}  // namespace gradlab::data
