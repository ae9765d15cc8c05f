// bench/bench_dist_allreduce.cpp — what an all-reduce costs between the
// ranks of this machine, for the scaling model of labs/12_data_parallel:
// for message sizes from 4 bytes to 64 MiB, the time of
//
//   gradlab    dist::all_reduce_ (deterministic: rank order, fixed chunks)
//   mpi        MPI_Allreduce(MPI_SUM) (Open MPI's own algorithm and order)
//   floor      memcpy of the bytes each rank must send, 2 (W-1)/W x size,
//              in one process: the memory bandwidth any transport is bound by
//
// and the bus bandwidth 2 (W-1)/W x size / time (NCCL's "busbw": comparable
// across world sizes). Then a one-byte MPI ping-pong (the transport's
// latency) and the fitted constants of t(S) = a + S / b. Run as
//
//   mpirun -np 2 build/bench/dist/bench_dist_allreduce
//
// Every rank runs the same repetitions (rank 0 picks them, then broadcasts),
// as collectives require. Figures only; nothing is asserted.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/tensor.h"
#include "dist/dist.h"

using namespace gradlab;
using Clock = std::chrono::steady_clock;

namespace {

// Median seconds per call of fn over `reps` calls, in 5 rounds.
template <class F>
double median_time(int reps, F&& fn) {
  std::vector<double> rounds;
  for (int r = 0; r < 5; ++r) {
    dist::barrier();
    const auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i) fn();
    rounds.push_back(std::chrono::duration<double>(Clock::now() - t0).count() / reps);
  }
  std::sort(rounds.begin(), rounds.end());
  // The slowest rank's figure is the collective's.
  double t = rounds[2];
  MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  dist::Session session(&argc, &argv);
  const int rank = dist::rank(), w = dist::world_size();
  const double share = w > 1 ? 2.0 * (w - 1) / w : 1.0;
  if (rank == 0) {
    std::printf(
        "bench_dist_allreduce: %d ranks; times are medians of 5 rounds, the slowest "
        "rank's\n",
        w);
    std::printf("%12s %12s %12s %12s %10s %10s %10s\n", "bytes", "gradlab_us", "mpi_us", "floor_us",
                "gradlab_bw", "mpi_bw", "floor_bw");
  }
  double small_t = 0, big_t = 0, big_bytes = 0;
  int64_t small_bytes = 0;
  for (int64_t n = 1; n <= (int64_t{1} << 24); n *= 4) {
    const int64_t bytes = n * 4;
    Tensor t = ones({n});
    std::vector<float> buf(static_cast<std::size_t>(n), 1.0f);
    std::vector<std::byte> src(static_cast<std::size_t>(bytes * share) + 1), dst(src.size());
    // About 0.1 s per round at ~1 GB/s, at least 3 calls, at most 2000.
    int reps = static_cast<int>(
        std::clamp<int64_t>(100'000'000 / std::max<int64_t>(bytes, 1) / 10, 3, 2000));
    MPI_Bcast(&reps, 1, MPI_INT, 0, MPI_COMM_WORLD);
    const double tg = median_time(reps, [&] { dist::all_reduce_(t); });
    const double tm = median_time(reps, [&] {
      MPI_Allreduce(MPI_IN_PLACE, buf.data(), static_cast<int>(n), MPI_FLOAT, MPI_SUM,
                    MPI_COMM_WORLD);
    });
    const double tf = median_time(reps, [&] { std::memcpy(dst.data(), src.data(), src.size()); });
    const double moved = static_cast<double>(bytes) * share;
    if (rank == 0) {
      std::printf("%12lld %12.2f %12.2f %12.2f %10.2f %10.2f %10.2f\n",
                  static_cast<long long>(bytes), tg * 1e6, tm * 1e6, tf * 1e6, moved / tg * 1e-9,
                  moved / tm * 1e-9, moved / tf * 1e-9);
    }
    if (n == 1) {
      small_t = tg;
      small_bytes = bytes;
    }
    big_t = tg;
    big_bytes = moved;
  }
  // One-byte ping-pong between ranks 0 and 1: half a round trip.
  if (w > 1) {
    char byte = 0;
    const int reps = 2000;
    double best = 1e9;
    for (int round = 0; round < 5; ++round) {
      MPI_Barrier(MPI_COMM_WORLD);
      const auto t0 = Clock::now();
      for (int i = 0; i < reps; ++i) {
        if (rank == 0) {
          MPI_Send(&byte, 1, MPI_CHAR, 1, 0, MPI_COMM_WORLD);
          MPI_Recv(&byte, 1, MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else if (rank == 1) {
          MPI_Recv(&byte, 1, MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          MPI_Send(&byte, 1, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
        }
      }
      best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count() / reps / 2);
    }
    if (rank == 0) {
      std::printf("MPI ping-pong latency (1 byte, half round trip): %.2f us\n", best * 1e6);
      std::printf(
          "fit t(S) = a + S/b for gradlab all_reduce_: a = %.2f us (the %lld-byte "
          "all-reduce), b = %.2f GB/s (bus bandwidth at %.0f MB)\n",
          small_t * 1e6, static_cast<long long>(small_bytes), big_bytes / (big_t - small_t) * 1e-9,
          big_bytes * 1e-6);
    }
  }
  return 0;
}
