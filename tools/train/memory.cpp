// tools/train/memory.cpp — see memory.h.
#include "tools/train/memory.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>

#include "tools/commands.h"

namespace gradlab::cli {

namespace {

thread_local std::string t_context;  // the innermost live scope
thread_local std::string t_failed;   // the innermost scope an exception left

// A "Key:   123 kB" line of a /proc file, in bytes.
std::optional<uint64_t> proc_kb(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    uint64_t kb = 0;
    if (fields >> kb) return sat_mul(kb, 1024);
  }
  return std::nullopt;
}

void consider(MemoryBudget& b, uint64_t bytes, const std::string& source) {
  if (bytes < b.bytes) {
    b.bytes = bytes;
    b.source = source;
  }
}

// Headroom under an rlimit, given what the process already uses of it.
void consider_limit(MemoryBudget& b, int resource, const char* status_key, const char* name) {
  struct rlimit lim {};
  if (::getrlimit(resource, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return;
  const uint64_t used = proc_kb("/proc/self/status", status_key).value_or(0);
  const uint64_t limit = static_cast<uint64_t>(lim.rlim_cur);
  consider(b, limit > used ? limit - used : 0,
           std::string(name) + " of " + human_bytes(limit) + ", " + human_bytes(used) +
               " already in use");
}

// "4G", "512M", "64k", "1000": bytes (binary units).
uint64_t parse_size(const std::string& text) {
  size_t end = 0;
  uint64_t n = 0;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
    n = sat_add(sat_mul(n, 10), static_cast<uint64_t>(text[end] - '0'));
    ++end;
  }
  const std::string unit = text.substr(end);
  const int shift = unit.empty()                 ? 0
                    : unit == "K" || unit == "k" ? 10
                    : unit == "M"                ? 20
                    : unit == "G"                ? 30
                    : unit == "T"                ? 40
                                                 : -1;
  if (end == 0 || shift < 0)
    throw ExitError{kExitBadInput,
                    "GRADLAB_MEMORY_LIMIT '" + text + "': expected a size such as 512M or 4G"};
  return sat_mul(n, uint64_t{1} << shift);
}

}  // namespace

MemoryBudget memory_budget() {
  MemoryBudget b;
  if (const char* cap = std::getenv("GRADLAB_MEMORY_LIMIT"); cap && *cap)
    consider(b, parse_size(cap), std::string("GRADLAB_MEMORY_LIMIT=") + cap);
  if (auto avail = proc_kb("/proc/meminfo", "MemAvailable"))
    consider(b, *avail, "MemAvailable in /proc/meminfo");
  consider_limit(b, RLIMIT_AS, "VmSize", "ulimit -v (RLIMIT_AS)");
  consider_limit(b, RLIMIT_DATA, "VmData", "ulimit -d (RLIMIT_DATA)");
  return b;
}

std::string human_bytes(uint64_t bytes) {
  static const char* units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 1000) return std::to_string(bytes) + " bytes";
  double v = static_cast<double>(bytes) / 1000.0;
  int u = 0;
  while (v >= 1000.0 && u < 5) v /= 1000.0, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

void require_memory(uint64_t bytes, const std::string& what, const std::string& hint) {
  const MemoryBudget b = memory_budget();
  if (bytes <= b.bytes) return;
  throw ExitError{kExitBadInput, what + " needs about " + human_bytes(bytes) + ", more than the " +
                                     human_bytes(b.bytes) + " this process can allocate (" +
                                     b.source + ")" + (hint.empty() ? "" : "; " + hint)};
}

AllocationScope::AllocationScope(std::string what)
    : previous_(std::move(t_context)), uncaught_(std::uncaught_exceptions()) {
  if (previous_.empty()) t_failed.clear();  // an outermost scope starts afresh
  t_context = std::move(what);
}
AllocationScope::~AllocationScope() {
  if (std::uncaught_exceptions() > uncaught_ && t_failed.empty()) t_failed = t_context;
  t_context = std::move(previous_);
}

std::string allocation_context() { return t_context; }

std::string out_of_memory_message() {
  const std::string ctx = t_context.empty() ? t_failed : t_context;
  return "out of memory" + (ctx.empty() ? std::string() : " while " + ctx) + " (std::bad_alloc)";
}

uint64_t sat_mul(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}
uint64_t sat_add(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

}  // namespace gradlab::cli
