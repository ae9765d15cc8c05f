// tests/tools/train/memory_test.cpp — estimates against the memory budget,
// and naming what was being allocated when std::bad_alloc escapes.
#include "tools/train/memory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "tools/commands.h"

namespace gradlab::cli {
namespace {

using ::testing::HasSubstr;

// Sets GRADLAB_MEMORY_LIMIT for one scope.
struct MemoryLimit {
  explicit MemoryLimit(const char* v) { ::setenv("GRADLAB_MEMORY_LIMIT", v, 1); }
  ~MemoryLimit() { ::unsetenv("GRADLAB_MEMORY_LIMIT"); }
};

TEST(Memory, BudgetComesFromTheMachineTheLimitsAndTheCap) {
  const MemoryBudget b = memory_budget();
  EXPECT_GT(b.bytes, uint64_t{1} << 20);
  EXPECT_FALSE(b.source.empty());
  {
    MemoryLimit cap("12345");
    EXPECT_EQ(memory_budget().bytes, 12345u);
    EXPECT_EQ(memory_budget().source, "GRADLAB_MEMORY_LIMIT=12345");
  }
  {
    MemoryLimit cap("64M");
    EXPECT_EQ(memory_budget().bytes, uint64_t{64} << 20);
  }
  {
    MemoryLimit cap("lots");
    EXPECT_THROW(memory_budget(), ExitError);
  }
#if !defined(__SANITIZE_ADDRESS__)  // ASan maps terabytes of shadow: no RLIMIT_AS under it
  // ulimit -v: the headroom below it.
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_AS, &old), 0);
  if (old.rlim_cur == RLIM_INFINITY) {
    struct rlimit lim = old;
    lim.rlim_cur = rlim_t{64} << 30;
    ASSERT_EQ(::setrlimit(RLIMIT_AS, &lim), 0);
    const MemoryBudget under = memory_budget();
    ASSERT_EQ(::setrlimit(RLIMIT_AS, &old), 0);
    EXPECT_LT(under.bytes, uint64_t{64} << 30);
    EXPECT_THAT(under.source, ::testing::AnyOf(HasSubstr("RLIMIT_AS"), HasSubstr("MemAvailable")));
  }
#endif
}

TEST(Memory, RequireMemoryNamesWhatAndTheSize) {
  MemoryLimit cap("3G");
  EXPECT_NO_THROW(require_memory(uint64_t{1} << 30, "x"));
  try {
    require_memory(uint64_t{70} << 30, "--model mlp:65536,65536", "use smaller hidden sizes");
    FAIL();
  } catch (const ExitError& e) {
    EXPECT_EQ(e.code, kExitBadInput);
    EXPECT_THAT(e.message,
                HasSubstr("--model mlp:65536,65536 needs about 75.2 GB, more than the 3.2 GB"));
    EXPECT_THAT(e.message, HasSubstr("use smaller hidden sizes"));
    EXPECT_THAT(e.message, HasSubstr("(GRADLAB_MEMORY_LIMIT=3G)"));
  }
}

TEST(Memory, SaturatingArithmetic) {
  EXPECT_EQ(sat_mul(UINT64_MAX / 2, 3), UINT64_MAX);
  EXPECT_EQ(sat_add(UINT64_MAX, 1), UINT64_MAX);
  EXPECT_EQ(sat_mul(6, 7), 42u);
  EXPECT_EQ(human_bytes(999), "999 bytes");
  EXPECT_EQ(human_bytes(1500000), "1.5 MB");
}

TEST(Memory, ABadAllocIsReportedWithTheScopeItLeft) {
  std::string message;
  try {
    AllocationScope outer("loading --dataset big");
    AllocationScope inner("reading big.csv (about 9 GB)");
    throw std::bad_alloc();
  } catch (const std::bad_alloc&) {
    message = out_of_memory_message();
  }
  EXPECT_EQ(message, "out of memory while reading big.csv (about 9 GB) (std::bad_alloc)");
  EXPECT_EQ(allocation_context(), "");
  {
    AllocationScope fresh("something else");  // a new outermost scope forgets the old failure
  }
  EXPECT_EQ(out_of_memory_message(), "out of memory (std::bad_alloc)");
}

}  // namespace
}  // namespace gradlab::cli
