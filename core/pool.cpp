// core/pool.cpp — the per-thread block cache behind PoolAllocator (see
// core/pool.h for why it exists and its rules).
#include "core/pool.h"

#include <cstdlib>

namespace gradlab::detail {

namespace {

constexpr std::size_t kClasses = kMaxBlock / kPoolGranule;

struct FreeBlock {
  FreeBlock* next;
};

// One thread's lists. `heads[c]` holds blocks of (c + 1) * 16 bytes.
struct ThreadCache {
  FreeBlock* heads[kClasses] = {};
  std::size_t cached_bytes = 0;
  ~ThreadCache();
};

// Set once this thread's cache has been destroyed (thread exit): blocks freed
// later, e.g. by other thread_local or static objects, go straight to free().
// A plain bool, so it stays valid until the thread is gone.
thread_local bool t_cache_gone = false;
thread_local ThreadCache t_cache;

ThreadCache::~ThreadCache() {
  for (FreeBlock*& head : heads) {
    while (head) {
      FreeBlock* b = head;
      head = b->next;
      std::free(b);
    }
  }
  cached_bytes = 0;
  t_cache_gone = true;
}

std::size_t size_class(std::size_t bytes) { return (bytes + kPoolGranule - 1) / kPoolGranule - 1; }

void* malloc_or_throw(std::size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

#ifdef GRADLAB_POOL_DISABLED

void* pool_allocate(std::size_t bytes) { return malloc_or_throw(bytes); }
void pool_deallocate(void* p, std::size_t) noexcept { std::free(p); }

#else

void* pool_allocate(std::size_t bytes) {
  if (bytes == 0 || bytes > kMaxBlock || t_cache_gone) return malloc_or_throw(bytes);
  const std::size_t c = size_class(bytes);
  ThreadCache& cache = t_cache;
  if (FreeBlock* b = cache.heads[c]) {
    cache.heads[c] = b->next;
    cache.cached_bytes -= (c + 1) * kPoolGranule;
    return b;
  }
  // Every block of a class has the class's full size, whichever request made it.
  return malloc_or_throw((c + 1) * kPoolGranule);
}

void pool_deallocate(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes == 0 || bytes > kMaxBlock || t_cache_gone) {
    std::free(p);
    return;
  }
  const std::size_t c = size_class(bytes);
  ThreadCache& cache = t_cache;
  const std::size_t block = (c + 1) * kPoolGranule;
  if (cache.cached_bytes + block > kMaxCachedBytes) {
    std::free(p);
    return;
  }
  auto* b = static_cast<FreeBlock*>(p);
  b->next = cache.heads[c];
  cache.heads[c] = b;
  cache.cached_bytes += block;
}

#endif

}  // namespace gradlab::detail
