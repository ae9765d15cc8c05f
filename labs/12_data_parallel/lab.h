// labs/12_data_parallel/lab.h — phase 12: data parallelism. The pieces of
// dist::DataParallel written by hand: the ring all-reduce on raw float
// arrays, gradient bucketing, data sharding, and the averaging that makes
// W ranks take the step one process would take on the whole batch.
//
// The interface the phase-12 suite (tests/labs/test_data_parallel.cpp)
// calls. You implement these five functions in starter/data_parallel.cpp.
// No MPI here: the suite runs your code as W threads, one per rank, each
// with its own `Comm` (below), an in-process transport the suite provides.
// It checks what every rank ends with, and what they sent to each other.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace lab12 {

// ---- the transport (provided by the suite; you only call it) -------------------
// One rank's end of a world of world_size() ranks. Messages are arrays of
// floats with a tag (an int you choose, 0 if you do not care, as in MPI);
// between two ranks, messages of one tag arrive in the order they were sent.
class Comm {
 public:
  virtual ~Comm() = default;
  virtual int rank() const = 0;        // in [0, world_size())
  virtual int world_size() const = 0;  // >= 1
  // Sends a copy of data[0, count) to rank `to` (!= rank()). Returns at once:
  // the data is copied, so the buffer may be reused immediately.
  virtual void send(int to, const float* data, int64_t count, int tag = 0) = 0;
  // Waits for the next message with `tag` from rank `from` (!= rank()) and
  // copies it into data[0, count). It must have exactly `count` floats.
  virtual void recv(int from, float* data, int64_t count, int tag = 0) = 0;
  // Waits for the next message with `tag` from ANY rank (whichever arrives
  // first) and returns who sent it. The order of arrival changes from run to
  // run.
  virtual int recv_any(float* data, int64_t count, int tag = 0) = 0;
  // A rank that waits too long for a message (a deadlock), sends to a rank
  // that does not exist, or receives a message of the wrong size makes the
  // suite's test fail with a message saying so.
};

// ---- 1. fixed chunks ---------------------------------------------------------------
// Chunk c (0 <= c < w) of an array of n >= 0 elements split over w >= 1 ranks:
// the half-open range [first, second). The w chunks are contiguous, in
// order, cover [0, n) exactly, and their sizes differ by at most one: the
// first n % w chunks have one element more than the others. Chunks may be
// empty (n < w).
std::pair<int64_t, int64_t> chunk_range(int64_t n, int w, int c);

// ---- 2. ring all-reduce ----------------------------------------------------------
// Collective: every rank calls it with its own data[0, n) (the same n on
// every rank). On return, every rank's data[i] is the sum over ranks of
// their data[i].
//   Bandwidth: each rank sends at most 2 (W-1) chunks (chunk_range(n, W, .)),
//   the ring's 2 (W-1)/W of the array, never everything to everyone.
//   Determinism: the result must be bit-identical on every rank and on every
//   run (floating-point addition is not associative: a fixed order of
//   additions, never the order in which messages happen to arrive).
// W = 1: nothing to send, data unchanged.
void ring_all_reduce(Comm& comm, float* data, int64_t n);

// ---- 3. gradient buckets ---------------------------------------------------------
// Groups parameters 0..P-1 (numels[i] floats each) into buckets of at most
// bucket_floats >= 1 floats, to all-reduce several at once: walk the
// parameters in REVERSE order (P-1 first: the order backward produces their
// gradients); a parameter joins the current bucket unless that would take it
// over bucket_floats, then it opens a new one. A parameter larger than
// bucket_floats gets a bucket of its own.
// -> the buckets in order, each the list of its parameter indices in packing
//    order. Every parameter in exactly one bucket. P = 0 gives none.
std::vector<std::vector<int64_t>> make_buckets(const std::vector<int64_t>& numels,
                                               int64_t bucket_floats);

// ---- 4. data sharding ------------------------------------------------------------
// The global batch is the examples at positions [start, start + count) of
// the epoch's order (the same order on every rank). Rank `rank` of
// `world_size` takes a contiguous slice of it: -> [first, second), slices
// in rank order, disjoint, together exactly the batch, sizes differing by at
// most one (the first count % world_size ranks one more). A slice may be
// empty (a last batch smaller than the world).
std::pair<int64_t, int64_t> shard_range(int64_t start, int64_t count, int rank, int world_size);

// ---- 5. averaging gradients --------------------------------------------------------
// Collective. On entry grads[i] is this rank's gradient of parameter i, the
// gradient of its loss averaged over its local_examples >= 0 examples (all
// zeros if local_examples == 0). On return, on every rank, grads[i] is the
// gradient of the loss averaged over the GLOBAL batch:
//   sum over ranks r of (n_r * g_r[i]) / sum over ranks of n_r
// which is what one process would compute on the whole batch, also when the
// shards differ in size. Communicate bucket by bucket: for each bucket of
// `buckets` (as make_buckets returns), pack its gradients into one array and
// all-reduce it with ring_all_reduce (one call per bucket, plus what the
// counts need). At least one rank has local_examples > 0.
void average_gradients(Comm& comm, std::vector<std::vector<float>>& grads,
                       const std::vector<std::vector<int64_t>>& buckets, int64_t local_examples);

}  // namespace lab12
