// core/pool.cpp — the per-thread block cache behind PoolAllocator (see
// core/pool.h for why it exists and its rules).
#include "core/pool.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>

namespace gradlab::detail {

namespace {

constexpr std::size_t kClasses = kMaxBlock / kPoolGranule;
constexpr std::size_t kChunkBytes = std::size_t{256} << 10;  // carved into blocks in order
constexpr std::size_t kBatch = 256;  // blocks moved between a thread and the shared lists at once

struct FreeBlock {
  FreeBlock* next;
};

std::size_t size_class(std::size_t bytes) { return (bytes + kPoolGranule - 1) / kPoolGranule - 1; }
std::size_t class_bytes(std::size_t c) { return (c + 1) * kPoolGranule; }

void* malloc_or_throw(std::size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

// Lists all threads share: blocks a thread had too many of, and the lists of
// threads that have exited. Never destroyed (threads may release blocks after
// static destruction has begun).
struct Shared {
  std::mutex mutex;
  FreeBlock* heads[kClasses] = {};
  std::atomic<std::size_t> counts[kClasses] = {};
};
Shared& shared() {
  static Shared* s = new Shared;
  return *s;
}

// Moves up to n blocks from *from to *to; returns how many moved.
std::size_t move_blocks(FreeBlock*& from, FreeBlock*& to, std::size_t n) {
  std::size_t moved = 0;
  while (from && moved < n) {
    FreeBlock* b = from;
    from = b->next;
    b->next = to;
    to = b;
    ++moved;
  }
  return moved;
}

// Moves up to n blocks of class c from `head` to the shared lists.
std::size_t give_to_shared(FreeBlock*& head, std::size_t c, std::size_t n) {
  Shared& sh = shared();
  std::lock_guard<std::mutex> lock(sh.mutex);
  const std::size_t moved = move_blocks(head, sh.heads[c], n);
  sh.counts[c].fetch_add(moved, std::memory_order_relaxed);
  return moved;
}

// One thread's lists, and the chunk it is carving new blocks from.
struct ThreadCache {
  FreeBlock* heads[kClasses] = {};
  std::size_t cached_bytes = 0;
  char* chunk = nullptr;
  std::size_t chunk_left = 0;
  ~ThreadCache();

  void* carve(std::size_t bytes) {
    if (chunk_left < bytes) {  // the old chunk's tail (< kMaxBlock bytes) is left unused
      chunk = static_cast<char*>(malloc_or_throw(kChunkBytes));
      chunk_left = kChunkBytes;
    }
    void* p = chunk;
    chunk += bytes;
    chunk_left -= bytes;
    return p;
  }
};

// Set once this thread's cache has been destroyed (thread exit): blocks
// released later, e.g. by other thread_local or static objects, go to the
// shared lists. A plain bool, so it stays valid until the thread is gone.
thread_local bool t_cache_gone = false;
thread_local ThreadCache t_cache;

ThreadCache::~ThreadCache() {
  for (std::size_t c = 0; c < kClasses; ++c) give_to_shared(heads[c], c, SIZE_MAX);
  cached_bytes = 0;
  t_cache_gone = true;
}

}  // namespace

#ifdef GRADLAB_POOL_DISABLED

void* pool_allocate(std::size_t bytes) { return malloc_or_throw(bytes); }
void pool_deallocate(void* p, std::size_t) noexcept { std::free(p); }

#else

void* pool_allocate(std::size_t bytes) {
  if (bytes == 0 || bytes > kMaxBlock) return malloc_or_throw(bytes);
  const std::size_t c = size_class(bytes);
  if (t_cache_gone) {  // thread exiting: a block of its own (pool blocks are never freed)
    Shared& sh = shared();
    std::lock_guard<std::mutex> lock(sh.mutex);
    if (FreeBlock* b = sh.heads[c]) {
      sh.heads[c] = b->next;
      sh.counts[c].fetch_sub(1, std::memory_order_relaxed);
      return b;
    }
    return malloc_or_throw(class_bytes(c));
  }
  ThreadCache& cache = t_cache;
  if (!cache.heads[c] && shared().counts[c].load(std::memory_order_relaxed) > 0) {
    Shared& sh = shared();
    std::lock_guard<std::mutex> lock(sh.mutex);
    const std::size_t n = move_blocks(sh.heads[c], cache.heads[c], kBatch);
    sh.counts[c].fetch_sub(n, std::memory_order_relaxed);
    cache.cached_bytes += n * class_bytes(c);
  }
  if (FreeBlock* b = cache.heads[c]) {
    cache.heads[c] = b->next;
    cache.cached_bytes -= class_bytes(c);
    return b;
  }
  return cache.carve(class_bytes(c));
}

void pool_deallocate(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes == 0 || bytes > kMaxBlock) {
    std::free(p);
    return;
  }
  const std::size_t c = size_class(bytes);
  auto* b = static_cast<FreeBlock*>(p);
  if (t_cache_gone) {
    b->next = nullptr;
    FreeBlock* one = b;
    give_to_shared(one, c, 1);
    return;
  }
  ThreadCache& cache = t_cache;
  b->next = cache.heads[c];
  cache.heads[c] = b;
  cache.cached_bytes += class_bytes(c);
  if (cache.cached_bytes > kMaxCachedBytes)  // let other threads have some
    cache.cached_bytes -= give_to_shared(cache.heads[c], c, kBatch) * class_bytes(c);
}

#endif

}  // namespace gradlab::detail
