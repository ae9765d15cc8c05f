// tools/lab_report.h — turn gtest / RapidCheck failure messages into short
// text a student can act on (used by `gradlab lab check` and the grader's
// feedback files).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tools/lab_suite.h"

namespace gradlab::labtools {

// A failed RapidCheck property, as RC_GTEST_PROP reports it:
//   Falsifiable after 34 tests and 8 shrinks
//
//   std::tuple<std::vector<int>, int>:      <- counterexample (type, value)
//   ([0], 710)
//
//   tests/test_logsoftmax.cpp:10:           <- location and check
//   RC_ASSERT(std::abs(a[i] - b[i]) < 1e-9)
//
//   Expands to:                             <- what the values were
//   inf < 1e-09
// or, instead of the check, "Exception thrown with message:\n<what>".
struct PropertyFailure {
  int tests = 0;    // test cases generated, the failing one included
  int shrinks = 0;  // shrinking steps down to the smallest counterexample
  std::vector<std::pair<std::string, std::string>> inputs;  // (type, value)
  std::string location;                                     // "file:line" of the failed check
  std::string check;      // "RC_ASSERT(...)" or an RC_FAIL message
  std::string expansion;  // "inf < 1e-09": the values actually compared
  std::string exception;  // what() of an exception thrown by the property
};
std::optional<PropertyFailure> parse_property_failure(const std::string& message);

// "lab02::log_softmax" when the message is the starter's
// "not implemented yet: lab02::log_softmax".
std::optional<std::string> not_implemented_name(const std::string& message);

// A failure message as a few readable lines (no leading indent): for a
// property the smallest input, the check and the values; otherwise gtest's
// message with its "file:line: Failure" noise reduced to "at file:line".
std::vector<std::string> describe_failure(const std::string& message, std::size_t max_lines = 12);

struct ReportOptions {
  bool verbose = false;  // every failure in full
  int max_detailed = 6;  // failures shown with their message (others: names)
};

// The per-test part of a report: PASS/FAIL lines, failures explained, and
// tests failing only because a function is not implemented yet grouped.
void print_test_report(std::ostream& out, const SuiteRun& run, const ReportOptions& opt);

}  // namespace gradlab::labtools
