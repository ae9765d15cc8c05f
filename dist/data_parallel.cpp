// dist/data_parallel.cpp — see data_parallel.h.
#include "dist/data_parallel.h"

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include "dist/collectives.h"
#include "dist/detail/all_reduce.h"
#include "dist/detail/comm.h"

namespace gradlab::dist {

namespace {

std::byte* bytes_of(const Tensor& t) {
  return t.impl()->storage->data + t.storage_offset() * static_cast<int64_t>(itemsize(t.dtype()));
}

// Broadcast of a packed bucket from the root, in flight (as broadcast_, but
// several at once).
class BucketBroadcast : public detail::Pending {
 public:
  BucketBroadcast(std::vector<std::byte>& buf, int root, detail::State& s)
      : tag_(detail::next_tag(s)) {
    const auto n = static_cast<int64_t>(buf.size());
    if (s.rank == root) {
      for (int k = 1; k < s.size; ++k)
        msgs_.send(buf.data(), n, MPI_BYTE, (root + k) % s.size, tag_ + 3, s);
    } else {
      msgs_.recv(buf.data(), n, MPI_BYTE, root, tag_ + 3, s);
    }
  }
  bool test(detail::State& s) override { return msgs_.test(op(), s); }
  std::vector<int> pending_peers() const override { return msgs_.pending_peers(); }
  const char* op() const override { return "dist::DataParallel (parameter broadcast)"; }

 private:
  int tag_;
  detail::Messages msgs_;
};

}  // namespace

DataParallel::DataParallel(std::shared_ptr<nn::Module> model, DataParallelOptions opts)
    : model_(std::move(model)), opts_(opts) {
  if (!model_) throw std::invalid_argument("dist::DataParallel: null model");
  if (opts_.bucket_bytes < 1) {
    throw std::invalid_argument("dist::DataParallel: bucket_bytes must be >= 1, got " +
                                std::to_string(opts_.bucket_bytes));
  }
  detail::State& s = detail::checked_state("dist::DataParallel");
  if (opts_.root < 0 || opts_.root >= s.size) {
    throw std::invalid_argument("dist::DataParallel: root " + std::to_string(opts_.root) +
                                " out of range for " + std::to_string(s.size) + " ranks");
  }
  const auto named = model_->named_parameters();
  if (named.empty()) throw std::invalid_argument("dist::DataParallel: the model has no parameters");
  for (const auto& [name, p] : named) {
    if (!is_floating(p.dtype()) || p.dtype() == DType::Float16 || p.dtype() == DType::BFloat16) {
      throw std::invalid_argument("dist::DataParallel: parameter '" + name + "' is " +
                                  dtype_name(p.dtype()) + " (Float32 or Float64 only)");
    }
    if (!p.is_contiguous()) {
      throw std::invalid_argument("dist::DataParallel: parameter '" + name + "' " +
                                  shape_str(p.shape()) + " is not contiguous");
    }
    names_.push_back(name);
    shapes_.push_back(p.shape());
    dtypes_.push_back(p.dtype());
  }
  std::vector<int64_t> numels;
  for (const auto& np : named) numels.push_back(np.second.numel());
  buckets_ = plan_buckets(numels, dtypes_, opts_.bucket_bytes);
  // One extra element in bucket 0: the example count of sync_gradients(n).
  buffers_.resize(buckets_.size());
  scratch_.resize(buckets_.size());
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    buffers_[k].resize(static_cast<std::size_t>(buckets_[k].elements + (k == 0 ? 1 : 0)) *
                       itemsize(buckets_[k].dtype));
  }
  broadcast_parameters();
}

std::vector<Tensor> DataParallel::checked_params(const char* op) const {
  std::vector<Tensor> params = model_->parameters();
  bool same = params.size() == shapes_.size();
  for (std::size_t i = 0; same && i < params.size(); ++i)
    same = params[i].shape() == shapes_[i] && params[i].dtype() == dtypes_[i] &&
           params[i].is_contiguous();
  if (!same) {
    throw std::invalid_argument(std::string(op) +
                                ": the model's parameters changed since DataParallel was "
                                "created (count, shape, dtype or layout); create a new "
                                "DataParallel");
  }
  return params;
}

void DataParallel::broadcast_parameters() {
  detail::State& s = detail::checked_state("dist::DataParallel::broadcast_parameters");
  std::vector<Tensor> params = checked_params("dist::DataParallel::broadcast_parameters");
  if (s.size == 1) return;
  // Pack on the root, broadcast every bucket at once, unpack everywhere.
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    std::size_t off = 0;
    for (int64_t i : buckets_[k].params) {
      const Tensor& p = params[static_cast<std::size_t>(i)];
      const std::size_t n = static_cast<std::size_t>(p.numel()) * itemsize(p.dtype());
      if (s.rank == opts_.root) std::memcpy(buffers_[k].data() + off, bytes_of(p), n);
      off += n;
    }
  }
  std::vector<std::unique_ptr<BucketBroadcast>> ops;
  std::vector<detail::Pending*> pending;
  for (auto& buf : buffers_) {
    ops.push_back(std::make_unique<BucketBroadcast>(buf, opts_.root, s));
    pending.push_back(ops.back().get());
  }
  detail::wait_all(pending, s);
  if (s.rank == opts_.root) return;
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    std::size_t off = 0;
    for (int64_t i : buckets_[k].params) {
      const Tensor& p = params[static_cast<std::size_t>(i)];
      const std::size_t n = static_cast<std::size_t>(p.numel()) * itemsize(p.dtype());
      std::memcpy(bytes_of(p), buffers_[k].data() + off, n);
      off += n;
    }
  }
}

void DataParallel::sync_gradients() { sync(0, /*weighted=*/false); }

void DataParallel::sync_gradients(int64_t local_examples) {
  if (local_examples < 0) {
    throw std::invalid_argument(
        "dist::DataParallel::sync_gradients: local_examples must be "
        ">= 0, got " +
        std::to_string(local_examples));
  }
  sync(local_examples, /*weighted=*/true);
}

namespace {

// dst[i] = src[i] * scale (rounded once), or zeros when src is null.
template <class T>
void pack(T* dst, const T* src, int64_t n, double scale) {
  if (src == nullptr) {
    for (int64_t i = 0; i < n; ++i) dst[i] = T(0);
  } else if (scale == 1.0) {
    std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(T));
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(static_cast<double>(src[i]) * scale);
  }
}

template <class T>
void unpack(T* dst, const T* src, int64_t n, double divisor) {
  if (divisor == 1.0) {
    std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(T));
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(static_cast<double>(src[i]) / divisor);
  }
}

}  // namespace

void DataParallel::sync(int64_t local_examples, bool weighted) {
  const char* op = "dist::DataParallel::sync_gradients";
  detail::State& s = detail::checked_state(op);
  const auto start = std::chrono::steady_clock::now();
  std::vector<Tensor> params = checked_params(op);
  // Check everything before sending anything: a rank that throws after the
  // others started would leave them waiting until the timeout.
  std::vector<Tensor> grads(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    grads[i] = params[i].grad();
    const bool may_skip = weighted && local_examples == 0;
    if (!grads[i].defined()) {
      if (may_skip) continue;
      throw std::invalid_argument(std::string(op) + ": parameter '" + names_[i] +
                                  "' has no gradient on rank " + std::to_string(s.rank) +
                                  " (run backward first; every parameter must take part in "
                                  "the loss)");
    }
    if (grads[i].dtype() != params[i].dtype()) {
      throw std::invalid_argument(std::string(op) + ": parameter '" + names_[i] + "' is " +
                                  dtype_name(params[i].dtype()) + " but its gradient is " +
                                  dtype_name(grads[i].dtype()));
    }
    if (!grads[i].is_contiguous()) grads[i] = grads[i].contiguous();
  }
  last_ = SyncStats{};
  if (s.size == 1) {
    if (weighted && local_examples == 0) {
      throw std::invalid_argument(std::string(op) +
                                  ": no rank had any example (local_examples "
                                  "is 0 on every rank)");
    }
    return;
  }
  const int64_t sent_before = s.stats.bytes_sent;
  const double scale = weighted ? static_cast<double>(local_examples) : 1.0;
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    std::byte* dst = buffers_[k].data();
    for (int64_t i : buckets_[k].params) {
      const Tensor& g = grads[static_cast<std::size_t>(i)];
      const int64_t n = params[static_cast<std::size_t>(i)].numel();
      if (buckets_[k].dtype == DType::Float32) {
        pack(reinterpret_cast<float*>(dst), g.defined() ? g.data_ptr<float>() : nullptr, n, scale);
      } else {
        pack(reinterpret_cast<double*>(dst), g.defined() ? g.data_ptr<double>() : nullptr, n,
             scale);
      }
      dst += static_cast<std::size_t>(n) * itemsize(buckets_[k].dtype);
    }
    if (k == 0) {  // the count rides in bucket 0's last element
      if (buckets_[0].dtype == DType::Float32) {
        *reinterpret_cast<float*>(dst) = static_cast<float>(local_examples);
      } else {
        *reinterpret_cast<double*>(dst) = static_cast<double>(local_examples);
      }
    }
  }
  std::vector<std::unique_ptr<detail::AllReduce>> ops;
  std::vector<detail::Pending*> pending;
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    // Bucket 0 carries the count only when weighted.
    const int64_t n = buckets_[k].elements + (k == 0 && weighted ? 1 : 0);
    ops.push_back(std::make_unique<detail::AllReduce>(buffers_[k].data(), n, buckets_[k].dtype,
                                                      weighted ? ReduceOp::Sum : ReduceOp::Mean, op,
                                                      s, scratch_[k]));
    pending.push_back(ops.back().get());
  }
  detail::wait_all(pending, s);
  double divisor = 1.0;
  if (weighted) {
    const std::byte* count = buffers_[0].data() + static_cast<std::size_t>(buckets_[0].elements) *
                                                      itemsize(buckets_[0].dtype);
    divisor = buckets_[0].dtype == DType::Float32 ? *reinterpret_cast<const float*>(count)
                                                  : *reinterpret_cast<const double*>(count);
    if (divisor == 0) {
      throw std::invalid_argument(std::string(op) +
                                  ": no rank had any example (local_examples "
                                  "is 0 on every rank)");
    }
  }
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    const std::byte* src = buffers_[k].data();
    for (int64_t i : buckets_[k].params) {
      const auto ui = static_cast<std::size_t>(i);
      const int64_t n = params[ui].numel();
      Tensor g = grads[ui];
      // Written in place when the gradient is the parameter's own contiguous
      // buffer (autograd gives each leaf its own copy); a new tensor otherwise.
      const bool in_place = g.defined() && params[ui].grad().impl() == g.impl();
      if (!in_place) g = empty(params[ui].shape(), params[ui].dtype());
      if (buckets_[k].dtype == DType::Float32) {
        unpack(g.data_ptr<float>(), reinterpret_cast<const float*>(src), n, divisor);
      } else {
        unpack(g.data_ptr<double>(), reinterpret_cast<const double*>(src), n, divisor);
      }
      if (!in_place) params[ui].set_grad(g);
      src += static_cast<std::size_t>(n) * itemsize(buckets_[k].dtype);
    }
    last_.bytes += buckets_[k].bytes;
  }
  last_.buckets = static_cast<int64_t>(buckets_.size());
  last_.bytes_sent = s.stats.bytes_sent - sent_before;
  last_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace gradlab::dist
