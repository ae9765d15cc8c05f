// tools/lab/report.h — turn gtest / RapidCheck failure messages into short
// text a student can act on (used by `gradlab lab check` and the grader's
// feedback files).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tools/lab/suite.h"

namespace gradlab::labtools {

// A failed RapidCheck property, as RC_GTEST_PROP reports it:
//   Falsifiable after 34 tests and 8 shrinks
//
//   std::vector<double>:                    <- counterexample: one (type, value)
//   [0]                                        per generated value (`*gen`) or
//                                              one tuple of the property's arguments
//   double:
//   0.5
//
//   tests/test_optim.cpp:312:               <- location and check
//   RC_ASSERT(std::abs(got - want) < 1e-9)
//
//   Expands to:                             <- what the values were
//   0.3 < 1e-09
//
//   Log:                                    <- RC_LOG() output, if any
//   p0 = [0], g = [0.001], lr = 0.5
// Instead of "Expands to:" an RC_FAIL has its message as a paragraph of its
// own; instead of the check there can be "Exception thrown with message:\n<what>".
struct PropertyFailure {
  int tests = 0;    // test cases generated, the failing one included
  int shrinks = 0;  // shrinking steps down to the smallest counterexample
  std::vector<std::pair<std::string, std::string>> inputs;  // (type, value)
  std::string location;                                     // "file:line" of the failed check
  std::string check;                                        // "RC_ASSERT(...)" or "RC_FAIL(...)"
  std::string expansion;                                    // "inf < 1e-09": the values compared
  std::string message;           // RC_FAIL's message ("expected ..., got ..."), or other text
  std::string exception;         // what() of an exception thrown by the property
  std::vector<std::string> log;  // RC_LOG() lines (properties name their inputs there)
};
std::optional<PropertyFailure> parse_property_failure(const std::string& message);

// "lab02::log_softmax" when the message is the starter's
// "not implemented yet: lab02::log_softmax".
std::optional<std::string> not_implemented_name(const std::string& message);

// A failure message as a few readable lines (no leading indent).
// A property: RapidCheck's "Falsifiable after ..." line, the failed check and
// its values (or RC_FAIL's message, or the exception), the RC_LOG lines (at
// most max_lines), then the generated inputs. Only the inputs give way to
// `max_lines` (and long input lines are shortened), so the check is never cut.
// Otherwise: gtest's message with its "file:line: Failure" noise reduced to
// "at file:line", cut after `max_lines` lines.
std::vector<std::string> describe_failure(const std::string& message, std::size_t max_lines = 12);

struct ReportOptions {
  bool verbose = false;  // every failure in full
  int max_detailed = 6;  // failures shown with their message (others: names)
};

// The per-test part of a report: PASS/FAIL lines, failures explained, and
// tests failing only because a function is not implemented yet grouped.
void print_test_report(std::ostream& out, const SuiteRun& run, const ReportOptions& opt);

}  // namespace gradlab::labtools
