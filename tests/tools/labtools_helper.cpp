// tests/tools/labtools_helper.cpp — a small GoogleTest program that misbehaves
// on request, for tests/tools/labtools_suite_test.cpp: a passing test, a
// failing one, a RapidCheck property that shrinks to a known counterexample,
// and tests that crash, hang or exhaust memory when the environment variable
// HELPER_MODE says so (otherwise they pass).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
std::string mode() {
  const char* m = std::getenv("HELPER_MODE");
  return m ? m : "";
}
}  // namespace

TEST(Helper, Passes) { EXPECT_EQ(2 + 2, 4); }

TEST(Helper, FailsWithExpectedVsGot) {
  const int got = 41;
  EXPECT_EQ(got, 42);
}

// Fails for every x >= 10: RapidCheck must shrink the counterexample to 10.
RC_GTEST_PROP(HelperProperty, SmallerThanTen, (int x)) { RC_ASSERT(x < 10); }

TEST(Helper, CrashesOnRequest) {
  if (mode() == "crash") std::raise(SIGSEGV);
  SUCCEED();
}

TEST(Helper, HangsOnRequest) {
  volatile bool forever = mode() == "hang";
  while (forever) {
  }
  SUCCEED();
}

TEST(Helper, AllocatesOnRequest) {
  if (mode() == "oom") {
    std::vector<std::vector<char>> hog;
    for (int i = 0; i < 1024; ++i) hog.emplace_back(std::size_t{64} << 20, 'x');  // 64 GB
    EXPECT_EQ(hog.size(), 1024u);
  }
  SUCCEED();
}
