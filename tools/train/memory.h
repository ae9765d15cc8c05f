// tools/train/memory.h — sizing the big allocations of a run before making
// them (the dataset from its file headers, the model from its spec), and
// naming what was being allocated when an allocation fails anyway.
//
// The estimate is checked against what this process can really get: the
// memory the kernel reports available, the headroom under `ulimit -v` /
// `ulimit -d`, and an optional cap ($GRADLAB_MEMORY_LIMIT). A run that cannot fit fails up front
// with exit 2 naming the flag or file and the size, instead of a std::bad_alloc (or the OOM killer)
// halfway through.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gradlab::cli {

struct MemoryBudget {
  uint64_t bytes = UINT64_MAX;  // UINT64_MAX: no limit found
  std::string source;           // e.g. "MemAvailable in /proc/meminfo"
};
// The least of MemAvailable (/proc/meminfo), the headroom under RLIMIT_AS and
// RLIMIT_DATA (the limit minus what the process already maps), and
// $GRADLAB_MEMORY_LIMIT (a size such as 512M or 4G: a cap for shared
// machines, CI and tests). A malformed GRADLAB_MEMORY_LIMIT is ExitError{2}.
MemoryBudget memory_budget();

// "1.5 GB", "812.0 MB", "3.2 KB", "12 bytes" (decimal units, as `df -H`).
std::string human_bytes(uint64_t bytes);

// Throws ExitError{kExitBadInput} "<what> needs about <size>, more than the
// <budget> this process can allocate (<source>)" when `bytes` exceeds the
// budget; `hint` (e.g. "use a smaller --batch-size") is appended.
void require_memory(uint64_t bytes, const std::string& what, const std::string& hint = "");

// Names the allocation in progress for an out-of-memory report. Scopes nest
// (per thread); allocation_context() is the innermost one, "" outside any.
// A scope left by an exception remembers its name, so the top level, where
// the std::bad_alloc is caught, can still say what was being allocated.
//   AllocationScope scope("loading csv:data.csv (about 1.2 GB)");
class AllocationScope {
 public:
  explicit AllocationScope(std::string what);
  ~AllocationScope();
  AllocationScope(const AllocationScope&) = delete;
  AllocationScope& operator=(const AllocationScope&) = delete;

 private:
  std::string previous_;
  int uncaught_;
};
std::string allocation_context();

// The message for a std::bad_alloc that escaped: "out of memory while
// <innermost scope it left> (std::bad_alloc)", or "out of memory
// (std::bad_alloc)" when it came from outside every scope.
std::string out_of_memory_message();

// Saturating arithmetic for estimates: a hostile spec must not wrap around.
uint64_t sat_mul(uint64_t a, uint64_t b);
uint64_t sat_add(uint64_t a, uint64_t b);

}  // namespace gradlab::cli
