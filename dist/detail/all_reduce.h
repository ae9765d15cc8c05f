// dist/detail/all_reduce.h — private: the deterministic all-reduce as a
// collective in flight, so that several (DataParallel's buckets) can progress
// at once (never installed). The algorithm is described in collectives.h.
#pragma once

#include <cstdint>
#include <vector>

#include "core/dtype.h"
#include "datasets/loader.h"
#include "dist/collectives.h"
#include "dist/detail/comm.h"

namespace gradlab::dist::detail {

// Chunk c of n elements split over w ranks: [chunk_begin(n, w, c),
// chunk_begin(n, w, c + 1)), data::even_split's slices (as the DataLoader
// splits a batch). Fixed for given (n, w), which is what makes the reduction
// order fixed. c == w gives n.
inline int64_t chunk_begin(int64_t n, int w, int c) {
  return c == w ? n : data::even_split(n, w, c).first;
}

// out[i] = x_0[i] + x_1[i] + ... + x_{w-1}[i], added in that order, in float64
// for Float32/Float64 (then divided by w for Mean, then rounded once), in
// wrapping 64-bit integers for Int64. contrib: w pointers to n elements each;
// out may be one of them.
void sum_in_rank_order(const std::vector<const void*>& contrib, void* out, int64_t n, DType dtype,
                       ReduceOp op);

// Checks what all_reduce_ accepts (contiguous Float32, Float64, or Int64 with
// Sum), throwing std::invalid_argument naming `op`.
void check_reducible(const Tensor& t, ReduceOp reduce, const char* op);

// all_reduce_ of n elements of `dtype` at `data`, in flight. Posts its first
// messages on construction; `data` and `scratch` (where the other ranks'
// chunks are received: grown as needed, never shrunk, so that a buffer
// reused step after step costs no page faults) must stay valid, and scratch
// unused by anything else, until test() is true.
class AllReduce : public Pending {
 public:
  AllReduce(void* data, int64_t n, DType dtype, ReduceOp reduce, const char* op, State& s,
            std::vector<std::byte>& scratch);
  bool test(State& s) override;
  std::vector<int> pending_peers() const override { return msgs_.pending_peers(); }
  const char* op() const override { return op_; }

 private:
  std::byte* chunk(int c) const;  // start of chunk c in data
  int64_t chunk_size(int c) const;

  std::byte* data_;
  int64_t n_;
  DType dtype_;
  ReduceOp reduce_;
  const char* op_;
  int tag_;
  int rank_, size_;
  enum class Phase { ReduceScatter, AllGather, Done } phase_ = Phase::ReduceScatter;
  std::vector<std::byte>& received_;  // chunk `rank_` of every rank (own slot unused)
  Messages msgs_;
};

}  // namespace gradlab::dist::detail
