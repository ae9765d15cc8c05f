// dist/runtime.h — starting and stopping the distributed runtime (Open MPI),
// and who this process is: rank() of world_size().
//
// One process per rank, started by a launcher:
//
//   mpirun -np 2 build/bench/bench_data_parallel
//
// Every process calls dist::init() once, then the same collectives in the
// same order (collectives.h, data_parallel.h), then dist::finalize(). Run
// without a launcher, a program is a world of one rank: everything works and
// nothing is communicated.
//
// Failures. A collective waits at most `timeout_seconds` for the other ranks;
// if a rank died, hangs, or called a different collective, the others throw
// dist::TimeoutError naming the rank they were waiting for, instead of
// hanging. (A rank that dies is usually also noticed by mpirun, which then
// stops the whole job with its own message.) After any dist::Error the job
// cannot continue: finalize() then aborts the whole job (MPI_Abort), since a
// clean shutdown would wait forever for the missing rank.
//
// Threads: call dist from one thread only (the one that called init()); the
// compute inside each rank may use as many threads as it likes.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace gradlab::dist {

struct InitOptions {
  // A collective that has not completed after this many seconds throws
  // TimeoutError. > 0. Generous by default: a rank loading a dataset or
  // writing a checkpoint while the others wait must not trip it.
  double timeout_seconds = 300.0;
};

// A communication failure (timeout, a peer sending what this rank did not
// expect, an MPI error). The message names the operation, this rank and the
// peer. After one, every further collective throws it again.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A collective that did not complete within InitOptions::timeout_seconds.
class TimeoutError : public Error {
 public:
  using Error::Error;
};

// Starts the runtime (MPI_Init_thread, funneled: only this thread calls dist).
// argc/argv may be null. If MPI was already initialised by the program, it is
// adopted and finalize() leaves it running. Error (std::logic_error) if called
// twice or after finalize(); std::invalid_argument for a timeout <= 0.
void init(int* argc, char*** argv, const InitOptions& opts = {});
void init(const InitOptions& opts = {});

// Shuts the runtime down. Collective: every rank calls it (a barrier subject
// to the timeout, then MPI_Finalize). After a dist::Error, or if that barrier
// times out, it aborts the whole job with exit code 1 instead (and does not
// return): a clean shutdown would wait forever for the missing rank.
// A no-op if init() was never called.
void finalize();

// Whether init() has been called and finalize() has not.
bool is_initialized();

// This process's rank in [0, world_size()), and the number of ranks.
// Error (std::logic_error) before init().
int rank();
int world_size();

// The collective timeout in seconds (InitOptions::timeout_seconds); set_timeout
// changes it for the collectives that follow (> 0, std::invalid_argument).
double timeout();
void set_timeout(double seconds);

// Blocks until every rank has called barrier() (subject to the timeout).
void barrier();

// Calls init() on construction and finalize() on destruction, so that
//   int main(int argc, char** argv) { dist::Session session(&argc, &argv); ... }
// shuts down on every return path.
class Session {
 public:
  Session(int* argc, char*** argv, const InitOptions& opts = {}) { init(argc, argv, opts); }
  explicit Session(const InitOptions& opts = {}) { init(opts); }
  ~Session() { finalize(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

// Counters since init(), for benchmarks: collectives run, bytes this rank
// sent, and seconds spent inside collectives (waiting included).
struct Stats {
  int64_t collectives = 0;
  int64_t bytes_sent = 0;
  double seconds = 0.0;
};
Stats stats();

}  // namespace gradlab::dist
