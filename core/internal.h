// core/internal.h — private helpers shared by the core op files: dtype
// dispatch, strided N-d loops, element conversion and the check macro.
// Not installed, not part of the public API.
#pragma once

#include <array>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "core/pool.h"
#include "core/tensor.h"

namespace gradlab::detail {

// Internal invariant check: reports file and line (a bug in gradlab, not in
// the caller's arguments).
#define GRADLAB_CHECK(cond, msg)                                                  \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::ostringstream gradlab_check_os_;                                       \
      gradlab_check_os_ << "gradlab internal error at " << __FILE__ << ":"        \
                        << __LINE__ << ": " << msg;                               \
      throw std::logic_error(gradlab_check_os_.str());                            \
    }                                                                             \
  } while (0)

// Builds an std::invalid_argument message from streamable parts.
template <class... Args> [[noreturn]] void fail(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  throw std::invalid_argument(os.str());
}

// The type an op computes in: float for the 16-bit floats and Float32,
// double for Float64, int64_t for Int64, uint8_t for Bool.
inline DType compute_dtype(DType d) {
  return (d == DType::Float16 || d == DType::BFloat16) ? DType::Float32 : d;
}

// Calls f.template operator()<T>() with T the storage type of d.
template <class F> decltype(auto) dispatch(DType d, F&& f) {
  switch (d) {
    case DType::Bool: return f.template operator()<uint8_t>();
    case DType::Int64: return f.template operator()<int64_t>();
    case DType::Float16: return f.template operator()<Half>();
    case DType::BFloat16: return f.template operator()<BFloat16>();
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
  }
  throw std::logic_error("dispatch: bad dtype");
}

// Same, for the dtypes ops compute in (no 16-bit floats).
template <class F> decltype(auto) dispatch_compute(DType d, F&& f) {
  switch (d) {
    case DType::Bool: return f.template operator()<uint8_t>();
    case DType::Int64: return f.template operator()<int64_t>();
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
    default: break;
  }
  throw std::logic_error("dispatch_compute: 16-bit dtype reached a kernel");
}

// Element conversions between any storage type and double / each other.
template <class T> inline double to_double(T v) {
  if constexpr (std::is_same_v<T, Half>) return half_to_float(v);
  else if constexpr (std::is_same_v<T, BFloat16>) return bfloat16_to_float(v);
  else return static_cast<double>(v);
}
template <class T> inline T from_double(double v) {
  if constexpr (std::is_same_v<T, Half>) return float_to_half(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, BFloat16>) return float_to_bfloat16(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, uint8_t>) return static_cast<uint8_t>(v != 0.0);
  else if constexpr (std::is_same_v<T, int64_t>) {
    return std::isfinite(v) ? static_cast<int64_t>(v) : 0;  // no UB on NaN/inf
  } else return static_cast<T>(v);
}

// Convert a storage value to another storage type (float path keeps float
// precision for the 16-bit types).
template <class To, class From> inline To convert(From v) {
  if constexpr (std::is_same_v<To, From>) return v;
  else if constexpr (std::is_same_v<From, Half>) return from_double<To>(half_to_float(v));
  else if constexpr (std::is_same_v<From, BFloat16>) return from_double<To>(bfloat16_to_float(v));
  else if constexpr (std::is_same_v<To, Half>) return float_to_half(static_cast<float>(v));
  else if constexpr (std::is_same_v<To, BFloat16>) return float_to_bfloat16(static_cast<float>(v));
  else return from_double<To>(static_cast<double>(v));
}

// Merge adjacent dims that are contiguous with each other in every operand,
// and drop size-1 dims. After this, a contiguous tensor is 1-D.
template <size_t N>
void coalesce(Shape& shape, std::array<Shape, N>& strides) {
  Shape s;
  std::array<Shape, N> st;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!s.empty()) {
      bool merge = true;
      for (size_t k = 0; k < N; ++k)
        if (st[k].back() != strides[k][d] * shape[d]) merge = false;
      if (merge) {
        s.back() *= shape[d];
        for (size_t k = 0; k < N; ++k) st[k].back() = strides[k][d];
        continue;
      }
    }
    s.push_back(shape[d]);
    for (size_t k = 0; k < N; ++k) st[k].push_back(strides[k][d]);
  }
  shape = std::move(s);
  strides = std::move(st);
}

// Visits every element of `shape` (already broadcast) as runs along the last
// dim: inner(offsets, n, inner_strides), offsets in elements per operand.
template <size_t N, class F>
void nd_loop(Shape shape, std::array<Shape, N> strides, std::array<int64_t, N> base, F&& inner) {
  for (int64_t s : shape)
    if (s == 0) return;
  coalesce(shape, strides);
  if (shape.empty()) {  // one element
    std::array<int64_t, N> zero{};
    inner(base, int64_t{1}, zero);
    return;
  }
  const size_t nd = shape.size();
  const int64_t n = shape[nd - 1];
  std::array<int64_t, N> in_st;
  for (size_t k = 0; k < N; ++k) in_st[k] = strides[k][nd - 1];
  Shape idx(nd, 0);
  std::array<int64_t, N> off = base;
  while (true) {
    inner(off, n, in_st);
    // advance the outer index (dims 0..nd-2), odometer style
    int64_t d = static_cast<int64_t>(nd) - 2;
    for (; d >= 0; --d) {
      if (++idx[d] < shape[d]) {
        for (size_t k = 0; k < N; ++k) off[k] += strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) off[k] -= strides[k][d] * (shape[d] - 1);
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

// What an op's backward keeps of its own output (exp, tanh, sigmoid, ...).
// Holding the output itself would make a cycle (output -> node -> closure ->
// output), and a detached copy of the handle costs three allocations per op.
// A weak reference is enough: whenever backward reaches the node, the output
// is alive (it is the root, or an input of a node that consumed it).
class SavedOutput {
 public:
  explicit SavedOutput(const Tensor& out) : impl_(out.impl()) {}
  Tensor get() const {
    std::shared_ptr<TensorImpl> p = impl_.lock();
    GRADLAB_CHECK(p, "saved output released before backward");
    return Tensor(std::move(p));
  }

 private:
  std::weak_ptr<TensorImpl> impl_;
};

// A new, empty TensorImpl / Storage, from the per-thread block cache
// (core/pool.h): every op makes one of each.
inline std::shared_ptr<TensorImpl> make_impl() {
  return std::allocate_shared<TensorImpl>(PoolAllocator<TensorImpl>());
}
inline std::shared_ptr<Storage> make_storage(std::size_t nbytes) {
  return std::allocate_shared<Storage>(PoolAllocator<Storage>(), nbytes);
}

// Strides of x aligned to a broadcast shape `out` (0 where x is broadcast).
Shape broadcast_strides(const Tensor& x, const Shape& out);

// A new contiguous tensor sharing nothing.
inline Tensor empty_like_shape(const Shape& shape, DType dtype) { return empty(shape, dtype); }

// Checks that x is floating; names the op and the dtype otherwise.
void require_floating(const Tensor& x, const char* op);
void require_defined(const Tensor& x, const char* op);

}  // namespace gradlab::detail
