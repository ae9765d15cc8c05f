// tools/lab/suite.h — run one compiled lab suite (a GoogleTest executable)
// and collect a result per test, surviving crashes and hangs.
//
// The suite runs with --gtest_output=json:<file>. If the process dies (a
// signal, a timeout, exit() from student code), the JSON is never written:
// the tests that finished are then read from the console output, the test
// that was running is recorded as crashed (or timed out), and after a crash
// the suite is re-run without the tests already accounted for, so one
// segfaulting edge case does not cost every other test. All runs of one
// suite share one wall-clock budget (Limits::wall_seconds).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tools/common/process.h"

namespace gradlab::labtools {

enum class TestStatus { Passed, Failed, Crashed, TimedOut, NotRun, Skipped };
const char* to_string(TestStatus s);  // "passed", "failed", "crashed", ...

struct TestOutcome {
  std::string name;  // "Suite.Test"
  TestStatus status = TestStatus::NotRun;
  std::string message;  // failure messages (gtest's text), or why it did not finish
  double seconds = 0;
};

struct SuiteRun {
  std::vector<TestOutcome> tests;  // `expected` order, then tests found only in the run
  bool crashed = false;            // some run was killed by a signal / exited oddly
  bool timed_out = false;          // the budget ran out with a test still running
  bool out_of_memory = false;      // a test hit the memory limit (std::bad_alloc)
  std::string crash_reason;        // first crash: "killed by SIGSEGV (...) in A.B"
  int crash_signal = 0;
  double seconds = 0;  // all runs together
  std::string output;  // console output of the last run (cut)

  int count(TestStatus s) const;
  int total() const { return static_cast<int>(tests.size()); }
  bool all_passed() const { return total() > 0 && count(TestStatus::Passed) == total(); }
};

struct SuiteOptions {
  Limits limits;               // per suite; wall_seconds is the budget for all re-runs
  std::filesystem::path cwd;   // working directory for the suite
  std::filesystem::path work;  // where output/JSON files go (created)
  std::string tag = "suite";   // file name prefix inside `work`
  std::vector<std::pair<std::string, std::string>> env;
  std::string filter;  // gtest positive filter ("" = all)
  int max_runs = 64;   // crash re-runs
};

// The tests an executable defines (--gtest_list_tests), "Suite.Test" each.
// Throws std::runtime_error if it cannot be listed.
std::vector<std::string> list_tests(const std::filesystem::path& exe, const SuiteOptions& opt);

// Runs the suite. `expected`: the tests that should run (from list_tests on
// the reference); those never reached are reported as NotRun.
SuiteRun run_suite(const std::filesystem::path& exe, const std::vector<std::string>& expected,
                   const SuiteOptions& opt);

}  // namespace gradlab::labtools
