// losses/loss_util.h — private helpers shared by the losses/*.cpp files:
// error messages, dtype dispatch onto the row kernels, raw row pointers, and
// the OpenMP row loop. Not part of the public API, not installed.
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "core/tensor.h"
#include "losses/kernels/row_kernels.h"

namespace gradlab::losses_detail {

// Throws std::invalid_argument built from streamable parts.
template <class... Args> [[noreturn]] void fail(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  throw std::invalid_argument(os.str());
}

// "[0, 2]"
std::string dims_str(const std::vector<int64_t>& dims);
// Flat row index -> "3" for a 1-D leading shape, "(1,2)" otherwise.
std::string index_str(int64_t flat, const Shape& shape);

// x if floating; Bool/Int64 converted to Float32 (as SciPy would promote).
Tensor floating(const Tensor& x, const char* op);

// The dtype a 16-bit float computes in (Float32); others unchanged.
inline DType compute_dtype(DType d) {
  return (d == DType::Float16 || d == DType::BFloat16) ? DType::Float32 : d;
}

// Calls f(kernels, S{}) where kernels is the RowKernels set for `dtype`
// (a floating dtype) and S its storage type (float, uint16_t, double).
template <class F> decltype(auto) with_row_kernels(DType dtype, F&& f) {
  const kernels::KernelSet& ks = kernels::kernels();
  switch (dtype) {
    case DType::Float32: return f(ks.f32, float{});
    case DType::Float64: return f(ks.f64, double{});
    case DType::Float16: return f(ks.f16, uint16_t{});
    case DType::BFloat16: return f(ks.bf16, uint16_t{});
    default: break;
  }
  throw std::logic_error("with_row_kernels: not a floating dtype");
}

// Raw pointer to a contiguous floating tensor's elements, as the storage
// type S the kernels use (16-bit floats are handled as their bits).
template <class S> S* raw(Tensor& t) {
  if constexpr (std::is_same_v<S, uint16_t>) {
    if (t.dtype() == DType::Float16) return reinterpret_cast<uint16_t*>(t.data_ptr<Half>());
    return reinterpret_cast<uint16_t*>(t.data_ptr<BFloat16>());
  } else {
    return t.data_ptr<S>();
  }
}
template <class S> const S* raw(const Tensor& t) { return raw<S>(const_cast<Tensor&>(t)); }

// Hints Linux to back a large, not yet touched buffer with transparent huge
// pages (2 MiB) where the system allows it (THP mode "madvise" or "always"):
// one page fault per 2 MiB instead of one per 4 KiB, which on a VM can cost
// more than the kernel that fills the buffer. Buffers under 8 MiB, and other
// systems, are left alone; GRADLAB_HUGE_PAGES=0 turns it off (the first huge
// page allocation on a fragmented machine may stall while the kernel
// compacts memory). Only a hint: the contents are unaffected.
void advise_huge_pages(Tensor& t);

// One storage value as double.
template <class S> double load_value(const S* p, DType dtype) {
  if constexpr (std::is_same_v<S, uint16_t>) {
    if (dtype == DType::Float16) return half_to_float(Half{*p});
    return bfloat16_to_float(BFloat16{*p});
  } else {
    (void)dtype;
    return static_cast<double>(*p);
  }
}

// Runs f(row) for row in [0, rows), split across OpenMP threads when the
// work (rows * per_row elements) is large enough to pay for it. f must not
// throw. Which thread runs a row never changes its result.
template <class F> void parallel_rows(int64_t rows, int64_t per_row, F&& f) {
  const bool parallel = rows > 1 && rows * (per_row > 0 ? per_row : 1) >= (int64_t{1} << 15);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t r = 0; r < rows; ++r) f(r);
}

// Same, with a per-thread scratch buffer of `buffer_size` U values:
// f(row, U* buffer). Still O(threads * buffer_size) memory, never O(rows).
template <class U, class F>
void parallel_rows_with_buffer(int64_t rows, int64_t per_row, int64_t buffer_size, F&& f) {
  const bool parallel = rows > 1 && rows * (per_row > 0 ? per_row : 1) >= (int64_t{1} << 15);
#pragma omp parallel if (parallel)
  {
    std::vector<U> buffer(static_cast<size_t>(buffer_size));
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) f(r, buffer.data());
  }
}

}  // namespace gradlab::losses_detail
