// dist/runtime.cpp — see runtime.h.
#include "dist/runtime.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "dist/detail/comm.h"

namespace gradlab::dist {

namespace detail {

State& state() {
  static State s;
  return s;
}

State& checked_state(const char* op) {
  State& s = state();
  if (!s.initialized) {
    throw std::logic_error(std::string(op) + (s.finalized ? ": dist::finalize() was already called"
                                                          : ": call dist::init() first"));
  }
  if (s.failed) {
    throw Error(std::string(op) + ": an earlier collective failed, the job cannot continue (" +
                s.failure + ")");
  }
  return s;
}

}  // namespace detail

namespace {

void check_timeout(double seconds, const char* op) {
  if (!(seconds > 0) || !std::isfinite(seconds)) {
    throw std::invalid_argument(std::string(op) + ": timeout must be a positive number of " +
                                "seconds, got " + std::to_string(seconds));
  }
}

// A collective that does nothing but wait for everyone: each rank sends an
// empty message to rank 0, which answers each once all have arrived.
class Barrier : public detail::Pending {
 public:
  explicit Barrier(detail::State& s) : tag_(detail::next_tag(s)) {
    if (s.rank == 0) {
      for (int p = 1; p < s.size; ++p) in_.recv(nullptr, 0, MPI_BYTE, p, tag_, s);
    } else {
      in_.send(nullptr, 0, MPI_BYTE, 0, tag_, s);
      out_.recv(nullptr, 0, MPI_BYTE, 0, tag_ + 1, s);
    }
  }
  bool test(detail::State& s) override {
    if (!in_.test(op(), s)) return false;
    if (s.rank == 0 && !released_) {
      for (int p = 1; p < s.size; ++p) out_.send(nullptr, 0, MPI_BYTE, p, tag_ + 1, s);
      released_ = true;
    }
    return out_.test(op(), s);
  }
  std::vector<int> pending_peers() const override {
    std::vector<int> p = in_.pending_peers();
    for (int q : out_.pending_peers()) p.push_back(q);
    return p;
  }
  const char* op() const override { return "dist::barrier"; }

 private:
  int tag_;
  bool released_ = false;
  detail::Messages in_, out_;
};

}  // namespace

void init(int* argc, char*** argv, const InitOptions& opts) {
  detail::State& s = detail::state();
  if (s.initialized) throw std::logic_error("dist::init: already initialised");
  if (s.finalized) {
    throw std::logic_error(
        "dist::init: dist::finalize() was already called (MPI can be "
        "initialised once per process)");
  }
  check_timeout(opts.timeout_seconds, "dist::init");
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      throw Error("dist::init: MPI_Init_thread failed");
    s.owns_mpi = true;
  }
  // A private communicator (our tags never meet the program's own MPI
  // messages) that reports errors instead of aborting, so that they become
  // exceptions naming the operation.
  MPI_Comm_dup(MPI_COMM_WORLD, &s.comm);
  MPI_Comm_set_errhandler(s.comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(s.comm, &s.rank);
  MPI_Comm_size(s.comm, &s.size);
  s.timeout = opts.timeout_seconds;
  s.initialized = true;
}

void init(const InitOptions& opts) { init(nullptr, nullptr, opts); }

void finalize() {
  detail::State& s = detail::state();
  if (!s.initialized) return;
  // MPI_Finalize waits for every rank, without a timeout: a barrier with one
  // first, so that a rank that is gone or stuck cannot hang the others here.
  if (!s.failed && s.size > 1) {
    try {
      Barrier b(s);
      detail::wait_all({&b}, s);
    } catch (const Error&) {  // marked failed: handled below
    }
  }
  if (s.failed) {
    // MPI_Finalize would wait for the rank that is gone; take the job down.
    std::fprintf(stderr, "dist: rank %d aborts the job after: %s\n", s.rank, s.failure.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  s.initialized = false;
  s.finalized = true;
  MPI_Comm_free(&s.comm);
  if (s.owns_mpi) MPI_Finalize();
}

bool is_initialized() { return detail::state().initialized; }

int rank() {
  detail::State& s = detail::state();
  if (!s.initialized) detail::checked_state("dist::rank");
  return s.rank;
}

int world_size() {
  detail::State& s = detail::state();
  if (!s.initialized) detail::checked_state("dist::world_size");
  return s.size;
}

double timeout() {
  detail::State& s = detail::state();
  if (!s.initialized) detail::checked_state("dist::timeout");
  return s.timeout;
}

void set_timeout(double seconds) {
  detail::State& s = detail::state();
  if (!s.initialized) detail::checked_state("dist::set_timeout");
  check_timeout(seconds, "dist::set_timeout");
  s.timeout = seconds;
}

void barrier() {
  detail::State& s = detail::checked_state("dist::barrier");
  if (s.size == 1) return;
  Barrier b(s);
  detail::wait_all({&b}, s);
}

Stats stats() {
  detail::State& s = detail::state();
  if (!s.initialized) detail::checked_state("dist::stats");
  return s.stats;
}

}  // namespace gradlab::dist
