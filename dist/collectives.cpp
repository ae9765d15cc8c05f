// dist/collectives.cpp — see collectives.h. The messages and the waiting are
// in detail/comm.cpp; this file is the arithmetic and the message pattern.
#include "dist/collectives.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>

#include "dist/detail/all_reduce.h"
#include "dist/detail/comm.h"

namespace gradlab::dist {

namespace detail {

namespace {

// Adds in blocks small enough for a float64 accumulator to stay in L1, one
// contribution at a time (so the inner loop is a plain vectorisable add).
template <class T, class Acc>
void sum_typed(const std::vector<const void*>& contrib, T* out, int64_t n, bool mean) {
  constexpr int64_t kBlock = 512;
  std::array<Acc, kBlock> acc;
  const auto w = static_cast<int64_t>(contrib.size());
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t len = std::min(kBlock, n - start);
    const T* x0 = static_cast<const T*>(contrib[0]) + start;
    for (int64_t i = 0; i < len; ++i) acc[static_cast<std::size_t>(i)] = static_cast<Acc>(x0[i]);
    for (int64_t q = 1; q < w; ++q) {
      const T* xq = static_cast<const T*>(contrib[static_cast<std::size_t>(q)]) + start;
      for (int64_t i = 0; i < len; ++i) acc[static_cast<std::size_t>(i)] += static_cast<Acc>(xq[i]);
    }
    if (mean) {
      for (int64_t i = 0; i < len; ++i)
        out[start + i] = static_cast<T>(acc[static_cast<std::size_t>(i)] / static_cast<Acc>(w));
    } else {
      for (int64_t i = 0; i < len; ++i)
        out[start + i] = static_cast<T>(acc[static_cast<std::size_t>(i)]);
    }
  }
}

}  // namespace

void sum_in_rank_order(const std::vector<const void*>& contrib, void* out, int64_t n, DType dtype,
                       ReduceOp op) {
  const bool mean = op == ReduceOp::Mean;
  switch (dtype) {
    case DType::Float32:
      return sum_typed<float, double>(contrib, static_cast<float*>(out), n, mean);
    case DType::Float64:
      return sum_typed<double, double>(contrib, static_cast<double*>(out), n, mean);
    case DType::Int64: {
      // Unsigned arithmetic wraps (signed overflow would be undefined).
      const auto w = contrib.size();
      auto* o = static_cast<int64_t*>(out);
      for (int64_t i = 0; i < n; ++i) {
        uint64_t acc = 0;
        for (std::size_t q = 0; q < w; ++q)
          acc += static_cast<uint64_t>(static_cast<const int64_t*>(contrib[q])[i]);
        o[i] = static_cast<int64_t>(acc);
      }
      return;
    }
    default:
      throw std::invalid_argument(std::string("dist: cannot reduce ") + dtype_name(dtype));
  }
}

void check_reducible(const Tensor& t, ReduceOp reduce, const char* op) {
  if (!t.defined()) throw std::invalid_argument(std::string(op) + ": undefined tensor");
  const DType d = t.dtype();
  if (d != DType::Float32 && d != DType::Float64 && d != DType::Int64) {
    throw std::invalid_argument(std::string(op) + ": cannot reduce a " + dtype_name(d) +
                                " tensor (Float32, Float64 or Int64); convert it with .to()");
  }
  if (d == DType::Int64 && reduce == ReduceOp::Mean) {
    throw std::invalid_argument(std::string(op) +
                                ": Mean of an Int64 tensor is not an integer; use Sum, or "
                                "convert to Float64 first");
  }
  if (!t.is_contiguous()) {
    throw std::invalid_argument(std::string(op) + ": the tensor " + shape_str(t.shape()) +
                                " is not contiguous; reduce a .contiguous() copy");
  }
}

AllReduce::AllReduce(void* data, int64_t n, DType dtype, ReduceOp reduce, const char* op, State& s,
                     std::vector<std::byte>& scratch)
    : data_(static_cast<std::byte*>(data)),
      n_(n),
      dtype_(dtype),
      reduce_(reduce),
      op_(op),
      tag_(next_tag(s)),
      rank_(s.rank),
      size_(s.size),
      received_(scratch) {
  if (size_ == 1) {  // x / 1 == x: nothing to do, in either op
    phase_ = Phase::Done;
    return;
  }
  const MPI_Datatype type = mpi_type(dtype_);
  const int64_t mine = chunk_size(rank_);
  const std::size_t need = static_cast<std::size_t>(mine * size_) * itemsize(dtype_);
  if (received_.size() < need) received_.resize(need);
  for (int p = 0; p < size_; ++p) {
    if (p == rank_) continue;
    msgs_.recv(received_.data() + static_cast<std::size_t>(p * mine) * itemsize(dtype_), mine, type,
               p, tag_, s);
  }
  for (int k = 1; k < size_; ++k) {  // rank+1 first: every rank starts with a different peer
    const int p = (rank_ + k) % size_;
    msgs_.send(chunk(p), chunk_size(p), type, p, tag_, s);
  }
}

std::byte* AllReduce::chunk(int c) const {
  return data_ + static_cast<std::size_t>(chunk_begin(n_, size_, c)) * itemsize(dtype_);
}

int64_t AllReduce::chunk_size(int c) const {
  return chunk_begin(n_, size_, c + 1) - chunk_begin(n_, size_, c);
}

bool AllReduce::test(State& s) {
  if (phase_ == Phase::Done) return true;
  if (!msgs_.test(op_, s)) return false;
  if (phase_ == Phase::ReduceScatter) {
    // Every rank's copy of chunk `rank_` is here: add them in rank order.
    const int64_t mine = chunk_size(rank_);
    std::vector<const void*> contrib(static_cast<std::size_t>(size_));
    for (int q = 0; q < size_; ++q) {
      contrib[static_cast<std::size_t>(q)] =
          q == rank_ ? static_cast<const void*>(chunk(rank_))
                     : received_.data() + static_cast<std::size_t>(q * mine) * itemsize(dtype_);
    }
    sum_in_rank_order(contrib, chunk(rank_), mine, dtype_, reduce_);
    // All-gather: send the reduced chunk to everyone, receive theirs in place.
    const MPI_Datatype type = mpi_type(dtype_);
    for (int k = 1; k < size_; ++k) {
      const int p = (rank_ + k) % size_;
      msgs_.recv(chunk(p), chunk_size(p), type, p, tag_ + 1, s);
    }
    for (int k = 1; k < size_; ++k)
      msgs_.send(chunk(rank_), mine, type, (rank_ + k) % size_, tag_ + 1, s);
    phase_ = Phase::AllGather;
    return msgs_.test(op_, s);  // usually false: the others are still summing
  }
  phase_ = Phase::Done;
  return true;
}

namespace {

// The first element of a contiguous tensor (writable: collectives are in place).
void* raw(const Tensor& t) {
  return t.impl()->storage->data + t.storage_offset() * static_cast<int64_t>(itemsize(t.dtype()));
}

// all_reduce_plain_: everyone's whole tensor to everyone, then the same sum.
class PlainAllReduce : public Pending {
 public:
  PlainAllReduce(const Tensor& t, ReduceOp reduce, State& s)
      : t_(t), reduce_(reduce), tag_(next_tag(s)) {
    const int64_t n = t.numel();
    const std::size_t bytes = static_cast<std::size_t>(n) * itemsize(t.dtype());
    copies_.resize(bytes * static_cast<std::size_t>(s.size));
    const MPI_Datatype type = mpi_type(t.dtype());
    const void* mine = raw(t_);
    for (int p = 0; p < s.size; ++p) {
      if (p == s.rank) continue;
      msgs_.recv(copies_.data() + bytes * static_cast<std::size_t>(p), n, type, p, tag_ + 2, s);
      msgs_.send(mine, n, type, p, tag_ + 2, s);
    }
    mine_ = mine;
  }
  bool test(State& s) override {
    if (!msgs_.test(op(), s)) return false;
    const std::size_t bytes = static_cast<std::size_t>(t_.numel()) * itemsize(t_.dtype());
    std::vector<const void*> contrib(static_cast<std::size_t>(s.size));
    for (int q = 0; q < s.size; ++q) {
      contrib[static_cast<std::size_t>(q)] =
          q == s.rank ? mine_ : copies_.data() + bytes * static_cast<std::size_t>(q);
    }
    sum_in_rank_order(contrib, const_cast<void*>(mine_), t_.numel(), t_.dtype(), reduce_);
    return true;
  }
  std::vector<int> pending_peers() const override { return msgs_.pending_peers(); }
  const char* op() const override { return "dist::all_reduce_plain_"; }

 private:
  Tensor t_;
  ReduceOp reduce_;
  int tag_;
  const void* mine_ = nullptr;
  std::vector<std::byte> copies_;
  Messages msgs_;
};

class Broadcast : public Pending {
 public:
  Broadcast(void* data, int64_t bytes, int root, State& s) : root_(root), tag_(next_tag(s)) {
    if (s.rank == root) {
      for (int k = 1; k < s.size; ++k)
        msgs_.send(data, bytes, MPI_BYTE, (root + k) % s.size, tag_ + 3, s);
    } else {
      msgs_.recv(data, bytes, MPI_BYTE, root, tag_ + 3, s);
    }
  }
  bool test(State& s) override { return msgs_.test(op(), s); }
  std::vector<int> pending_peers() const override { return msgs_.pending_peers(); }
  const char* op() const override { return "dist::broadcast_"; }

 private:
  int root_;
  int tag_;
  Messages msgs_;
};

}  // namespace

}  // namespace detail

void all_reduce_(const Tensor& t, ReduceOp op) {
  detail::check_reducible(t, op, "dist::all_reduce_");
  detail::State& s = detail::checked_state("dist::all_reduce_");
  detail::AllReduce r(detail::raw(t), t.numel(), t.dtype(), op, "dist::all_reduce_", s, s.scratch);
  detail::wait_all({&r}, s);
}

void all_reduce_plain_(const Tensor& t, ReduceOp op) {
  detail::check_reducible(t, op, "dist::all_reduce_plain_");
  detail::State& s = detail::checked_state("dist::all_reduce_plain_");
  detail::PlainAllReduce r(t, op, s);
  detail::wait_all({&r}, s);
}

void broadcast_(const Tensor& t, int root) {
  if (!t.defined()) throw std::invalid_argument("dist::broadcast_: undefined tensor");
  if (!t.is_contiguous()) {
    throw std::invalid_argument("dist::broadcast_: the tensor " + shape_str(t.shape()) +
                                " is not contiguous; broadcast a .contiguous() copy");
  }
  detail::State& s = detail::checked_state("dist::broadcast_");
  if (root < 0 || root >= s.size) {
    throw std::invalid_argument("dist::broadcast_: root " + std::to_string(root) +
                                " out of range for " + std::to_string(s.size) + " ranks");
  }
  if (s.size == 1) return;
  detail::Broadcast b(detail::raw(t), t.numel() * static_cast<int64_t>(itemsize(t.dtype())), root,
                      s);
  detail::wait_all({&b}, s);
}

}  // namespace gradlab::dist
