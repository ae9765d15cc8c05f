// tools/lab/mytests.h — grading a student's OWN tests (phase 02's
// starter/my_tests.cpp): they must pass on the reference implementation, and
// each bug-zoo entry they make fail counts as caught. Shared by
// `gradlab lab check` (executables built by CMake) and `gradlab grade`
// (executables linked by the grader).
#pragma once

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "tools/lab/suite.h"

namespace gradlab::labtools {

struct MyTestsResult {
  std::string error;                // could not build / run: the reason ("" = ran)
  SuiteRun on_reference;            // the student's tests against the reference
  bool passes_reference = false;    // >= 1 test, all pass
  std::vector<std::string> caught;  // bug names whose run failed a student test
  std::vector<std::string> missed;
  std::map<std::string, std::string> caught_by;  // bug -> first test that failed

  int bugs() const { return static_cast<int>(caught.size() + missed.size()); }
  // Share of bugs caught, 0 unless the tests pass on the reference.
  double score() const {
    return passes_reference && bugs() > 0 ? static_cast<double>(caught.size()) / bugs() : 0.0;
  }
};

// Runs reference_exe, then each bug executable (name -> exe). A bug counts as
// caught when at least one of the student's tests fails, crashes or hangs on
// it; bugs are only tried when the tests pass on the reference (tests that
// fail on correct code would "catch" everything).
MyTestsResult run_my_tests(const std::filesystem::path& reference_exe,
                           const std::map<std::string, std::filesystem::path>& bug_exes,
                           const SuiteOptions& base);

// The "Your tests" section of `gradlab lab check` and of feedback files.
void print_my_tests_report(std::ostream& out, const MyTestsResult& r, const std::string& source);

}  // namespace gradlab::labtools
