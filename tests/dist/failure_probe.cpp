// tests/dist/failure_probe.cpp — an MPI program that misbehaves on request,
// the subject of runtime_failure_test.cpp:
//
//   failure_probe <mode> <timeout seconds>
//
//   ok                     every rank all-reduces 10 floats and finalizes
//   stall                  rank 1 sleeps for a minute instead of all-reducing
//   die                    rank 1 kills itself (SIGKILL) instead of all-reducing
//   mismatch               rank 1 all-reduces 12 floats, the others 10
//   stall_before_finalize  rank 1 sleeps instead of calling finalize()
//
// A rank that catches a dist::Error prints it and calls finalize(), which
// aborts the job: what a training program should do.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/tensor.h"
#include "dist/collectives.h"
#include "dist/runtime.h"

namespace dist = gradlab::dist;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr,
                 "usage: failure_probe ok|stall|die|mismatch|stall_before_finalize "
                 "<timeout seconds>\n");
    return 2;
  }
  const std::string mode = argv[1];
  dist::init(&argc, &argv, {.timeout_seconds = std::atof(argv[2])});
  const int rank = dist::rank();
  try {
    if (rank == 1 && mode == "stall") std::this_thread::sleep_for(std::chrono::seconds(60));
    if (rank == 1 && mode == "die") std::raise(SIGKILL);
    gradlab::Tensor t = gradlab::ones({rank == 1 && mode == "mismatch" ? 12 : 10});
    dist::all_reduce_(t);
    std::printf("probe: rank %d of %d: all_reduce_ gave %g\n", rank, dist::world_size(),
                t.to_vector<float>()[0]);
    std::fflush(stdout);
    if (rank == 1 && mode == "stall_before_finalize")
      std::this_thread::sleep_for(std::chrono::seconds(60));
  } catch (const dist::Error& e) {
    std::fprintf(stderr, "probe: rank %d caught: %s\n", rank, e.what());
    std::fflush(stderr);
    dist::finalize();  // aborts the job: does not return
    return 1;
  }
  dist::finalize();
  return 0;
}
