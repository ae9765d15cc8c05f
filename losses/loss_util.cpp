// losses/loss_util.cpp — the out-of-line helpers of loss_util.h.
#include "losses/loss_util.h"

#include <cstdint>
#include <cstdlib>

#include "core/dtype.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace gradlab::losses_detail {

std::string dims_str(const std::vector<int64_t>& dims) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < dims.size(); ++i) os << (i ? ", " : "") << dims[i];
  os << "]";
  return os.str();
}

std::string index_str(int64_t flat, const Shape& shape) {
  if (shape.size() <= 1) return std::to_string(flat);
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < idx.size(); ++i) os << (i ? "," : "") << idx[i];
  os << ")";
  return os.str();
}

void advise_huge_pages(Tensor& t) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  static const bool enabled = [] {  // GRADLAB_HUGE_PAGES=0 turns the hint off
    const char* e = std::getenv("GRADLAB_HUGE_PAGES");
    return !(e && std::string(e) == "0");
  }();
  if (!enabled) return;
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t bytes = static_cast<uintptr_t>(t.numel()) * itemsize(t.dtype());
  if (bytes < 4 * kHuge || !t.is_contiguous()) return;
  const auto begin = reinterpret_cast<uintptr_t>(t.impl()->storage->data) +
                     static_cast<uintptr_t>(t.storage_offset()) * itemsize(t.dtype());
  const uintptr_t lo = (begin + kHuge - 1) & ~(kHuge - 1), hi = (begin + bytes) & ~(kHuge - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);  // a hint: ignore errors
#else
  (void)t;
#endif
}

Tensor floating(const Tensor& x, const char* op) {
  if (!x.defined()) fail(op, ": input is an undefined tensor");
  return is_floating(x.dtype()) ? x : x.to(DType::Float32);
}

}  // namespace gradlab::losses_detail
