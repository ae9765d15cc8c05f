// dist/collectives.h — all-reduce and broadcast of a tensor across ranks,
// deterministic: the same inputs give the same bits on every run.
//
// Why not MPI_Allreduce: MPI picks its reduction algorithm (and so the order
// in which the ranks' values are added) by message size and world size, and
// floating-point addition is not associative. Here the order is fixed:
//
//   result[i] = (((x_0[i] + x_1[i]) + x_2[i]) + ... + x_{W-1}[i])   (rank order)
//
// accumulated in float64 (Float32 tensors are rounded once, at the end).
// all_reduce_ gets it with a reduce-scatter / all-gather on fixed chunks:
// rank r receives chunk r of every rank, adds the W contributions in rank
// order, and sends the result back to everyone. Each rank sends and receives
// 2 (W-1)/W of the tensor's bytes, as a ring all-reduce does (the bandwidth
// optimum), in 2 rounds of W-1 concurrent messages. all_reduce_plain_ is the
// obvious version (everyone gets everyone's tensor and adds them up) used as
// the test oracle: both give identical bits.
//
// Every rank must call the same collectives, in the same order, with tensors
// of the same shape and dtype; a mismatch is reported as a dist::Error (or a
// TimeoutError) rather than a wrong answer. See runtime.h for failures.
#pragma once

#include "core/tensor.h"

namespace gradlab::dist {

enum class ReduceOp {
  Sum,   // x_0 + x_1 + ... + x_{W-1}
  Mean,  // the same sum divided by W (in float64, then rounded once)
};

// In place: every rank's `t` becomes the reduction over ranks of the values
// every rank passed. The handle is const, its values are not.
// t: any shape, contiguous, Float32, Float64 or Int64 (Int64: Sum only,
// wrapping on overflow). std::invalid_argument for anything else, before any
// communication.
void all_reduce_(const Tensor& t, ReduceOp op = ReduceOp::Sum);

// The plain version of all_reduce_, the oracle of its tests: every rank sends
// its whole tensor to every other rank, then adds all W in rank order. Same
// contract and same bits as all_reduce_; sends (W-1) times the tensor.
void all_reduce_plain_(const Tensor& t, ReduceOp op = ReduceOp::Sum);

// In place: every rank's `t` becomes a copy of rank `root`'s.
// t: contiguous, any shape, any dtype; root in [0, world_size()).
void broadcast_(const Tensor& t, int root = 0);

}  // namespace gradlab::dist
