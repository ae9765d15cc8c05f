// dist/detail/comm.cpp — see comm.h.
#include "dist/detail/comm.h"

#include <sched.h>

#include <chrono>
#include <climits>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace gradlab::dist::detail {

namespace {

std::string mpi_error_string(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, static_cast<std::size_t>(len));
}

std::string rank_list(const std::vector<int>& peers) {
  std::ostringstream os;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    if (i > 0) os << (i + 1 == peers.size() ? " and " : ", ");
    os << peers[i];
  }
  return os.str();
}

}  // namespace

template <class E>
void fail(const std::string& msg) {
  State& s = state();
  s.failed = true;
  s.failure = msg;
  throw E(msg);
}
template void fail<Error>(const std::string&);
template void fail<TimeoutError>(const std::string&);

int next_tag(State& s) {
  // MPI guarantees tags up to at least 32767. Reusing a tag 8000 collectives
  // later is safe: every message of a collective has completed when it returns.
  const int tag = static_cast<int>(s.collectives % 8000) * kTagsPerCollective;
  ++s.collectives;
  ++s.stats.collectives;
  return tag;
}

MPI_Datatype mpi_type(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return MPI_FLOAT;
    case DType::Float64:
      return MPI_DOUBLE;
    case DType::Int64:
      return MPI_INT64_T;
    default:
      return MPI_BYTE;
  }
}

int mpi_count(int64_t count, const char* op) {
  if (count < 0 || count > INT_MAX) {
    throw std::invalid_argument(std::string(op) + ": a message of " + std::to_string(count) +
                                " elements is larger than MPI's limit of " +
                                std::to_string(INT_MAX) + "; split the tensor");
  }
  return static_cast<int>(count);
}

void Messages::send(const void* buf, int64_t count, MPI_Datatype type, int peer, int tag,
                    State& s) {
  MPI_Request req = MPI_REQUEST_NULL;
  const int rc = MPI_Isend(buf, mpi_count(count, "dist"), type, peer, tag, s.comm, &req);
  if (rc != MPI_SUCCESS) {
    fail("dist: rank " + std::to_string(s.rank) + " could not send to rank " +
         std::to_string(peer) + ": " + mpi_error_string(rc));
  }
  int size = 0;
  MPI_Type_size(type, &size);
  s.stats.bytes_sent += count * size;
  reqs_.push_back(req);
  ++remaining_;
  peers_.push_back(peer);
  expected_.push_back(-1);
  types_.push_back(type);
}

void Messages::recv(void* buf, int64_t count, MPI_Datatype type, int peer, int tag, State& s) {
  MPI_Request req = MPI_REQUEST_NULL;
  const int rc = MPI_Irecv(buf, mpi_count(count, "dist"), type, peer, tag, s.comm, &req);
  if (rc != MPI_SUCCESS) {
    fail("dist: rank " + std::to_string(s.rank) + " could not receive from rank " +
         std::to_string(peer) + ": " + mpi_error_string(rc));
  }
  reqs_.push_back(req);
  ++remaining_;
  peers_.push_back(peer);
  expected_.push_back(count);
  types_.push_back(type);
}

bool Messages::test(const char* op, State& s) {
  if (remaining_ == 0) return true;
  // MPI_Testsome completes (and nulls) the requests that are done, so that
  // pending_peers() can name exactly the ranks still missing.
  indices_.resize(reqs_.size());  // kept between calls: test() runs in a polling loop
  statuses_.resize(reqs_.size());
  std::vector<int>& indices = indices_;
  std::vector<MPI_Status>& statuses = statuses_;
  int outcount = 0;
  const int rc = MPI_Testsome(static_cast<int>(reqs_.size()), reqs_.data(), &outcount,
                              indices.data(), statuses.data());
  if (rc != MPI_SUCCESS && rc != MPI_ERR_IN_STATUS) {
    fail(std::string(op) + ": rank " + std::to_string(s.rank) + ": " + mpi_error_string(rc));
  }
  if (outcount == MPI_UNDEFINED) outcount = 0;
  for (int k = 0; k < outcount; ++k) {
    const auto i = static_cast<std::size_t>(indices[static_cast<std::size_t>(k)]);
    const MPI_Status& st = statuses[static_cast<std::size_t>(k)];
    const std::string peer = std::to_string(peers_[i]);
    const std::string mismatch = "the ranks called " + std::string(op) +
                                 " with tensors of different sizes (or different collectives)";
    if (rc == MPI_ERR_IN_STATUS && st.MPI_ERROR != MPI_SUCCESS) {
      int cls = 0;
      MPI_Error_class(st.MPI_ERROR, &cls);
      if (cls == MPI_ERR_TRUNCATE) {
        fail(std::string(op) + ": rank " + std::to_string(s.rank) + " got more than the " +
             std::to_string(expected_[i]) + " elements it expected from rank " + peer + ": " +
             mismatch);
      }
      fail(std::string(op) + ": rank " + std::to_string(s.rank) + ", message with rank " + peer +
           " failed: " + mpi_error_string(st.MPI_ERROR));
    }
    if (expected_[i] >= 0) {
      int got = 0;
      MPI_Get_count(&st, types_[i], &got);
      if (got != expected_[i]) {
        fail(std::string(op) + ": rank " + std::to_string(s.rank) + " got " + std::to_string(got) +
             " elements from rank " + peer + " where it expected " + std::to_string(expected_[i]) +
             ": " + mismatch);
      }
    }
    --remaining_;
  }
  if (remaining_ > 0) return false;
  reqs_.clear();
  peers_.clear();
  expected_.clear();
  types_.clear();
  return true;
}

std::vector<int> Messages::pending_peers() const {
  std::vector<int> peers;
  for (std::size_t i = 0; i < reqs_.size(); ++i) {
    if (reqs_[i] == MPI_REQUEST_NULL) continue;  // completed by an earlier test
    bool seen = false;
    for (int p : peers) seen = seen || p == peers_[i];
    if (!seen) peers.push_back(peers_[i]);
  }
  return peers;
}

void wait_all(const std::vector<Pending*>& ops, State& s) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s.timeout));
  std::vector<bool> done(ops.size(), false);
  auto nap = std::chrono::microseconds(20);
  for (int64_t round = 0;; ++round) {
    bool all = true;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (!done[i]) done[i] = ops[i]->test(s);
      all = all && done[i];
    }
    if (all) break;
    if (round < 2000) continue;  // spin: most waits on one machine end here
    const Clock::time_point now = Clock::now();
    if (now >= deadline) {
      for (std::size_t i = 0; i < ops.size(); ++i) {
        if (done[i]) continue;
        const std::vector<int> peers = ops[i]->pending_peers();
        std::ostringstream msg;
        msg << ops[i]->op() << ": rank " << s.rank << " of " << s.size << " timed out after "
            << s.timeout << " s waiting for rank" << (peers.size() > 1 ? "s " : " ")
            << rank_list(peers)
            << ": a rank died, hangs, or called a different collective. The job cannot "
               "continue (dist::InitOptions::timeout_seconds sets the limit).";
        fail<TimeoutError>(msg.str());
      }
    }
    if (now - start < std::chrono::milliseconds(2)) {
      sched_yield();
    } else {
      std::this_thread::sleep_for(nap);
      nap = std::min(nap * 2, std::chrono::microseconds(1000));
    }
  }
  s.stats.seconds += std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace gradlab::dist::detail
