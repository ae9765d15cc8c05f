// dist/data_parallel.h — DataParallel: the same model on every rank, each
// rank a different shard of every batch, gradients averaged across ranks so
// that every rank takes the same optimizer step (as PyTorch's
// DistributedDataParallel).
//
//   dist::Session session(&argc, &argv);
//   auto model = make_model(gen);                    // any init: rank 0's wins
//   dist::DataParallel dp(model);                    // broadcasts rank 0's parameters
//   optim::Adam opt(model->parameters(), {.lr = 1e-3});
//   data::DataLoader loader(train, {.batch_size = 128, .seed = 1,      // the GLOBAL batch
//                                   .rank = dist::rank(), .world_size = dist::world_size()});
//   for (const data::Batch& b : loader.epoch(epoch)) {  // this rank's shard of each batch
//     opt.zero_grad();
//     if (b.x.size(0) > 0) cross_entropy(dp(b.x), b.y).backward();  // mean over the shard
//     dp.sync_gradients(b.x.size(0));                // now the mean over the global batch
//     opt.step();                                    // the same update on every rank
//   }
//
// Gradients are all-reduced in buckets: several parameters packed into one
// buffer of about `bucket_bytes`, one all-reduce per bucket, so that a model
// of many small layers does not pay one message latency per parameter.
// Parameters are bucketed in reverse registration order (the order backward
// produces their gradients, as DDP does; dist/buckets.h); a parameter larger
// than a bucket gets a bucket of its own. Every bucket's all-reduce is in
// flight at once.
//
// Left out: DDP starts each bucket's all-reduce from autograd hooks while
// backward is still running, overlapping communication with compute.
// gradlab's autograd has no hooks, so every bucket starts after backward.
//
// Determinism: the reduction is collectives.h's (rank order, float64
// accumulation), so a run is bit-identical for the same seed and world size,
// and every rank holds bit-identical parameters after every step. Against
// one process on the whole global batch, losses agree to fp32 rounding (the
// per-example gradients are added in a different grouping).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "dist/buckets.h"
#include "layers/module.h"

namespace gradlab::dist {

struct DataParallelOptions {
  // Target size of one gradient bucket, in bytes (>= 1). DDP's first bucket
  // is 1 MiB, the rest 25 MiB; on one machine 1-4 MiB is plenty to amortise
  // the latency.
  int64_t bucket_bytes = int64_t{1} << 20;
  // The rank whose parameters every rank starts from.
  int root = 0;
};

// What the last sync_gradients() did on this rank.
struct SyncStats {
  int64_t buckets = 0;
  int64_t bytes = 0;       // gradient bytes reduced (the buckets' sizes)
  int64_t bytes_sent = 0;  // bytes this rank sent (2 (W-1)/W of `bytes`)
  double seconds = 0.0;    // packing, communication and unpacking
};

class DataParallel {
 public:
  // Plans the buckets and broadcasts the root's parameters into every rank's
  // model (collective: every rank constructs its DataParallel at the same
  // point). The model's parameters must be floating and contiguous, and have
  // the same names and shapes on every rank (a mismatch is a dist::Error).
  // Keeps (shares) the model. Error (std::logic_error) before dist::init().
  explicit DataParallel(std::shared_ptr<nn::Module> model, DataParallelOptions opts = {});

  // The wrapped model's forward.
  Tensor forward(const Tensor& x) { return model_->forward(x); }
  Tensor operator()(const Tensor& x) { return forward(x); }
  nn::Module& module() { return *model_; }
  const std::shared_ptr<nn::Module>& model() const { return model_; }

  // After backward: every parameter's gradient becomes the mean over ranks of
  // the ranks' gradients (ReduceOp::Mean). Right when every rank's loss is a
  // mean over the same number of examples (full batches of a sharded
  // DataLoader). Every parameter must have a gradient (std::invalid_argument
  // naming it otherwise, before any communication). Collective.
  void sync_gradients();

  // After backward on a loss that is the mean over `local_examples` examples
  // (>= 0): every gradient becomes sum_r n_r g_r / sum_r n_r, the gradient of
  // the mean over the global batch, also when the shards differ in size (a
  // last, uneven batch). A rank with 0 examples may skip forward and
  // backward: its missing gradients count as zeros. std::invalid_argument if
  // every rank had 0 examples (after communicating: every rank throws).
  // On one rank, both overloads leave the gradients untouched. Collective.
  void sync_gradients(int64_t local_examples);

  // Broadcasts the root's parameters into every rank's model again (e.g.
  // after rank 0 alone loaded a checkpoint). Collective.
  void broadcast_parameters();

  const std::vector<Bucket>& buckets() const { return buckets_; }
  const SyncStats& last_sync() const { return last_; }
  const DataParallelOptions& options() const { return opts_; }

 private:
  std::vector<Tensor> checked_params(const char* op) const;
  void sync(int64_t local_examples, bool weighted);

  std::shared_ptr<nn::Module> model_;
  DataParallelOptions opts_;
  std::vector<std::string> names_;  // of the parameters, for error messages
  std::vector<Shape> shapes_;
  std::vector<DType> dtypes_;
  std::vector<Bucket> buckets_;
  std::vector<std::vector<std::byte>> buffers_;  // one per bucket, reused
  std::vector<std::vector<std::byte>> scratch_;  // each bucket's receive buffer, reused
  SyncStats last_;
};

}  // namespace gradlab::dist
