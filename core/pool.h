// core/pool.h — where the small objects every op creates come from:
// TensorImpl, Storage and autograd nodes (each with its shared_ptr control
// block), and the buffers of shapes, strides and node inputs.
//
// Why not just malloc: an autograd-heavy loop creates and frees millions of
// 100-200 byte objects of a handful of sizes in bursts (forward allocates,
// teardown frees). What costs most is not malloc's bookkeeping but where the
// objects land: backward and teardown walk the graph again, and when one op's
// tensor, storage and node are scattered over the heap every step is a cache
// miss. Here new blocks are carved in order from 256 KiB chunks, so one op's
// objects sit side by side, and freed blocks go onto per-thread LIFO lists by
// size, so the next forward pass reuses them in the same order. On the
// 100,000-op chain in bench/bench_core.cpp this (with the recycled vector
// buffers below) took autograd from 1.5 to about 0.4 us per op. A
// general-purpose allocator such as mimalloc gets similar locality, but it
// would replace malloc for every program linking gradlab and is not one of
// our dependencies.
//
// Rules:
//  * Blocks of up to kMaxBlock bytes come from the pool, in size classes of
//    16 bytes; larger requests go to malloc/free.
//  * Pool memory is never returned to the system: the pool keeps as much as
//    the most small objects alive at once (about 40 MB for the 100,000-op
//    chain), and reuses it.
//  * A thread keeps at most kMaxCachedBytes of free blocks; beyond that, and
//    when it exits, it hands blocks to lists shared by all threads, which a
//    thread with an empty list takes from before carving new memory. So a
//    block may be freed by a different thread than the one that made it.
//  * Under AddressSanitizer the pool is bypassed (plain malloc/free), so a
//    use-after-free of a tensor is still caught.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace gradlab::detail {

#if defined(__SANITIZE_ADDRESS__)
#define GRADLAB_POOL_DISABLED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GRADLAB_POOL_DISABLED 1
#endif
#endif

inline constexpr std::size_t kPoolGranule = 16;
inline constexpr std::size_t kMaxBlock = 512;
inline constexpr std::size_t kMaxCachedBytes = std::size_t{64} << 20;  // per thread

// A block of `bytes` (16-byte aligned) / its release. Defined in core/pool.cpp.
void* pool_allocate(std::size_t bytes);
void pool_deallocate(void* p, std::size_t bytes) noexcept;

// Vector buffers. Every tensor owns two std::vector<int64_t> (shape and
// strides) and every autograd node a std::vector<Tensor> (its inputs): when
// one is released its emptied buffer is kept here, and the next op takes it
// instead of calling malloc. take() returns an empty vector (with whatever
// capacity it kept). At most kMax buffers are kept per thread and type; the
// rest are freed as usual, and a thread's buffers are freed when it exits.
template <class V, std::size_t kMax = std::size_t{1} << 18> class VectorStash {
 public:
  static V take() {
#ifndef GRADLAB_POOL_DISABLED
    if (!gone()) {
      std::vector<V>& items = stash().items;
      if (!items.empty()) {
        V v = std::move(items.back());
        items.pop_back();
        return v;
      }
    }
#endif
    return V();
  }
  static void give(V&& v) noexcept {
#ifndef GRADLAB_POOL_DISABLED
    if (v.capacity() == 0 || gone()) return;
    std::vector<V>& items = stash().items;
    if (items.size() >= kMax) return;
    v.clear();
    try {
      items.push_back(std::move(v));
    } catch (...) {  // no room to grow the stash: the buffer is freed as usual
    }
#else
    (void)v;
#endif
  }

 private:
  struct Stash {
    std::vector<V> items;
    ~Stash() { gone() = true; }
  };
  // Set when this thread's stash has been destroyed (thread exit): buffers
  // released later, by other thread_local or static objects, are freed.
  static bool& gone() {
    thread_local bool g = false;
    return g;
  }
  static Stash& stash() {
    thread_local Stash s;
    return s;
  }
};

using ShapeStash = VectorStash<std::vector<int64_t>>;

inline std::vector<int64_t> take_shape() { return ShapeStash::take(); }
inline void recycle_shape(std::vector<int64_t>&& s) noexcept { ShapeStash::give(std::move(s)); }
// take_shape() holding a copy of `values`.
inline std::vector<int64_t> copy_shape(const std::vector<int64_t>& values) {
  std::vector<int64_t> s = take_shape();
  s.assign(values.begin(), values.end());
  return s;
}

// A standard allocator over the pool, for std::allocate_shared.
template <class T> struct PoolAllocator {
  using value_type = T;
  PoolAllocator() noexcept = default;
  template <class U> PoolAllocator(const PoolAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= kPoolGranule, "PoolAllocator: over-aligned type");
    return static_cast<T*>(pool_allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { pool_deallocate(p, n * sizeof(T)); }
  template <class U> bool operator==(const PoolAllocator<U>&) const noexcept { return true; }
};

}  // namespace gradlab::detail
