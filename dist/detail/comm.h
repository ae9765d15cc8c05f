// dist/detail/comm.h — private: the runtime's state, and in-flight MPI
// messages polled against the collective deadline (never installed).
//
// Every collective is built from non-blocking point-to-point messages on a
// private duplicate of MPI_COMM_WORLD, so that a wait can give up at a
// deadline and say exactly which peer it was waiting for. (MPI's blocking
// calls and its non-blocking collectives can do neither.)
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "dist/runtime.h"

namespace gradlab::dist::detail {

struct State {
  bool initialized = false;
  bool finalized = false;
  bool owns_mpi = false;  // init() called MPI_Init (else the program did)
  bool failed = false;    // a dist::Error was thrown: the job cannot continue
  std::string failure;    // its message
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0;
  int size = 1;
  double timeout = 300.0;
  uint64_t collectives = 0;  // also the sequence number that makes each tag
  Stats stats;
  std::vector<std::byte> scratch;  // all_reduce_'s receive buffer, reused
};

// The one runtime state of this process (no checks).
State& state();
// The state, after checking that init() was called (std::logic_error naming
// `op` otherwise) and that no collective failed before (dist::Error).
State& checked_state(const char* op);

// Marks the runtime failed and throws E (Error or TimeoutError) with `msg`.
template <class E = Error>
[[noreturn]] void fail(const std::string& msg);

// A fresh tag block for one collective: every rank numbers its collectives
// the same way, so the k-th collective's messages only ever match the k-th
// collective's receives. Tags tag + 0 .. tag + kTagsPerCollective-1 are its.
inline constexpr int kTagsPerCollective = 4;
int next_tag(State& s);

// The MPI datatype of a dtype's elements (MPI_BYTE pairs for 16-bit floats
// and Bool are not needed: broadcast sends bytes).
MPI_Datatype mpi_type(DType dtype);

// A set of posted non-blocking messages, each with the peer it goes to or
// comes from, and for a receive the number of elements expected.
class Messages {
 public:
  void send(const void* buf, int64_t count, MPI_Datatype type, int peer, int tag, State& s);
  void recv(void* buf, int64_t count, MPI_Datatype type, int peer, int tag, State& s);
  // Advances MPI and returns true once every message has completed. Throws
  // dist::Error if a message failed or a peer sent a different count.
  bool test(const char* op, State& s);
  // The peers of the messages not completed yet.
  std::vector<int> pending_peers() const;

 private:
  std::vector<MPI_Request> reqs_;  // MPI_REQUEST_NULL once completed
  std::size_t remaining_ = 0;
  std::vector<int> peers_;
  std::vector<int64_t> expected_;  // elements for receives, -1 for sends
  std::vector<MPI_Datatype> types_;
  std::vector<int> indices_;  // MPI_Testsome's outputs, reused
  std::vector<MPI_Status> statuses_;
};

// One collective in flight: test() advances it and returns true when done.
class Pending {
 public:
  virtual ~Pending() = default;
  virtual bool test(State& s) = 0;
  virtual std::vector<int> pending_peers() const = 0;
  virtual const char* op() const = 0;
};

// Advances every op until all are done: spinning at first, then yielding,
// then sleeping in short naps (a rank that waits long for a slower one should
// not take a core from the compute). Throws TimeoutError at the deadline,
// naming the op and the ranks it still waits for.
void wait_all(const std::vector<Pending*>& ops, State& s);

// Checks that `count` elements fit an MPI count (int), naming `op`.
int mpi_count(int64_t count, const char* op);

}  // namespace gradlab::dist::detail
