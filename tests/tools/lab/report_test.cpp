// tests/tools/lab/report_test.cpp — tools/lab/report.cpp: reading RapidCheck
// and gtest failure messages, and the starter's "not implemented yet".
// The messages below are verbatim outputs of RapidCheck (Debian 12, 0~1033-08b5058) and
// GoogleTest 1.12 (tests/tools/lab/suite_test.cpp checks live ones too).
#include "tools/lab/report.h"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "labs/common/lab_support.h"
#include "tools/lab/common.h"

namespace lt = gradlab::labtools;

namespace {
const std::string kShrunk =
    "/usr/include/rapidcheck/gtest.h:29\nFailed\nFalsifiable after 34 tests and 8 shrinks\n\n"
    "std::tuple<std::vector<int>, int>:\n([0], 710)\n\n"
    "/src/tests/test_logsoftmax.cpp:10:\nRC_ASSERT(std::abs(a[i] - b[i]) < 1e-9)\n\n"
    "Expands to:\ninf < 1e-09\n";
const std::string kThrew =
    "/usr/include/rapidcheck/gtest.h:29: Failure\nFailed\nFalsifiable after 1 tests\n\n"
    "std::tuple<std::vector<int>>:\n([0])\n\n"
    "Exception thrown with message:\nnot implemented yet: lab02::log_softmax\n";
// lab06_bug_adam_no_bias_correction (gtest JSON): eight generated values
// (`*gen` each), then RC_FAIL with its "expected vs got" message, then Log:.
const std::string kRcFailWithLog =
    "/usr/include/rapidcheck/gtest.h:29\nFailed\nFalsifiable after 1 tests\n\n"
    "unsigned long:\n1\n\nstd::vector<double>:\n[0]\n\nstd::vector<double>:\n[0.001]\n\n"
    "std::vector<bool>:\n[false]\n\ndouble:\n0.0001\n\ndouble:\n0.5\n\ndouble:\n0.9\n\n"
    "double:\n0.001\n\n"
    "/work/main/tests/labs/test_optim.cpp:312:\n"
    "RC_FAIL(std::string(\"param after the first Adam step\") + \": \" + bad_)\n\n"
    "param after the first Adam step: element 0: expected -5.0000000000000002e-05, got "
    "-3.7987346332397894e-05\n\n"
    "Log:\np0 = [0], g = [0.001], lr = 0.0001, beta1 = 0.5, beta2 = 0.9, eps = 0.001\n\n";
// RC_ASSERT after a long generated vector (60 zeros), with two RC_LOG lines.
std::string zeros60() {
  std::string v = "[0";
  for (int i = 1; i < 60; ++i) v += ", 0";
  return v + "]";
}
const std::string kAssertWithLog =
    "/usr/include/rapidcheck/gtest.h:29\nFailed\nFalsifiable after 6 tests and 61 shrinks\n\n"
    "int:\n1\n\nstd::vector<double>:\n" +
    zeros60() +
    "\n\nint:\n4\n\n"
    "probe.cpp:11:\nRC_ASSERT(n + w < 5)\n\nExpands to:\n1 + 4 < 5\n\n"
    "Log:\nn = 1, w = 4\nsecond log line, v.size() = 60\n\n";
const std::string kThrewWithLog =
    "/usr/include/rapidcheck/gtest.h:29\nFailed\nFalsifiable after 14 tests and 2 shrinks\n\n"
    "std::tuple<int>:\n(4)\n\nException thrown with message:\nboom on 4\n\nLog:\na = 4\n";

// Index of the first line containing `what` (lines.size() if none).
std::size_t line_with(const std::vector<std::string>& lines, const std::string& what) {
  std::size_t i = 0;
  while (i < lines.size() && lines[i].find(what) == std::string::npos) ++i;
  return i;
}
}  // namespace

TEST(PropertyFailure, ReadsCounterexampleCheckAndValues) {
  const auto f = lt::parse_property_failure(kShrunk);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->tests, 34);
  EXPECT_EQ(f->shrinks, 8);
  ASSERT_EQ(f->inputs.size(), 1u);
  EXPECT_EQ(f->inputs[0].first, "std::tuple<std::vector<int>, int>");
  EXPECT_EQ(f->inputs[0].second, "([0], 710)");
  EXPECT_EQ(f->location, "test_logsoftmax.cpp:10");
  EXPECT_EQ(f->check, "RC_ASSERT(std::abs(a[i] - b[i]) < 1e-9)");
  EXPECT_EQ(f->expansion, "inf < 1e-09");
  EXPECT_TRUE(f->exception.empty());
  EXPECT_TRUE(f->message.empty());
  EXPECT_TRUE(f->log.empty());
}

TEST(PropertyFailure, ReadsRcFailMessageAndLog) {
  const auto f = lt::parse_property_failure(kRcFailWithLog);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->tests, 1);
  ASSERT_EQ(f->inputs.size(), 8u);
  EXPECT_EQ(f->inputs[1], (std::pair<std::string, std::string>{"std::vector<double>", "[0]"}));
  EXPECT_EQ(f->inputs[7], (std::pair<std::string, std::string>{"double", "0.001"}));
  EXPECT_EQ(f->location, "test_optim.cpp:312");
  EXPECT_EQ(f->check.rfind("RC_FAIL(", 0), 0u) << f->check;
  EXPECT_EQ(f->message,
            "param after the first Adam step: element 0: expected -5.0000000000000002e-05, got "
            "-3.7987346332397894e-05");
  EXPECT_EQ(f->log,
            std::vector<std::string>{
                "p0 = [0], g = [0.001], lr = 0.0001, beta1 = 0.5, beta2 = 0.9, eps = 0.001"});
}

TEST(PropertyFailure, ReadsEveryLogLineAndTheLogOfAThrow) {
  const auto a = lt::parse_property_failure(kAssertWithLog);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->inputs.size(), 3u);
  EXPECT_EQ(a->check, "RC_ASSERT(n + w < 5)");
  EXPECT_EQ(a->expansion, "1 + 4 < 5");
  EXPECT_EQ(a->log, (std::vector<std::string>{"n = 1, w = 4", "second log line, v.size() = 60"}));

  const auto t = lt::parse_property_failure(kThrewWithLog);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->exception, "boom on 4");
  EXPECT_EQ(t->log, std::vector<std::string>{"a = 4"});
}

TEST(PropertyFailure, ReadsAThrownException) {
  const auto f = lt::parse_property_failure(kThrew);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->tests, 1);
  EXPECT_EQ(f->shrinks, 0);
  EXPECT_EQ(f->exception, "not implemented yet: lab02::log_softmax");
  EXPECT_EQ(lt::not_implemented_name(kThrew), "lab02::log_softmax");
}

TEST(PropertyFailure, PlainGtestMessagesAreNotProperties) {
  EXPECT_FALSE(lt::parse_property_failure("x.cpp:3\nExpected equality of these values:\n  a\n  b\n")
                   .has_value());
}

TEST(DescribeFailure, PropertyShowsSmallestInputCheckAndGot) {
  const std::string text = lt::join(lt::describe_failure(kShrunk), "\n");
  EXPECT_NE(text.find("Falsifiable after 34 tests and 8 shrinks"), std::string::npos) << text;
  EXPECT_NE(text.find("input     ([0], 710)   (std::tuple<std::vector<int>, int>)"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("check     RC_ASSERT(std::abs(a[i] - b[i]) < 1e-9)   (test_logsoftmax.cpp:10)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("got       inf < 1e-09"), std::string::npos) << text;
}

// The check and its values come before the generated inputs, so many inputs
// cannot push them out of the report; only inputs are cut.
TEST(DescribeFailure, CheckAndLogComeBeforeManyInputs) {
  const auto lines = lt::describe_failure(kRcFailWithLog);  // 12 lines, as `lab check`
  const std::string text = lt::join(lines, "\n");
  EXPECT_EQ(lines[0], "Falsifiable after 1 tests");
  const std::size_t check = line_with(lines, "check     RC_FAIL(");
  const std::size_t message = line_with(lines,
                                        "message   param after the first Adam step: "
                                        "element 0: expected -5.0000000000000002e-05, "
                                        "got -3.7987346332397894e-05");
  const std::size_t log = line_with(lines, "log       p0 = [0], g = [0.001], lr = 0.0001");
  const std::size_t input = line_with(lines, "input     ");
  EXPECT_LT(check, message) << text;
  EXPECT_LT(message, log) << text;
  EXPECT_LT(log, input) << text;
  EXPECT_LT(input, lines.size()) << text;
  EXPECT_NE(lines[check].find("(test_optim.cpp:312)"), std::string::npos) << text;

  // With room for almost nothing, the inputs give way and nothing else does.
  const auto tight = lt::describe_failure(kRcFailWithLog, 5);
  const std::string tight_text = lt::join(tight, "\n");
  EXPECT_LT(line_with(tight, "check     RC_FAIL("), tight.size()) << tight_text;
  EXPECT_LT(line_with(tight, "got -3.7987346332397894e-05"), tight.size()) << tight_text;
  EXPECT_LT(line_with(tight, "log       p0 = [0]"), tight.size()) << tight_text;
  EXPECT_EQ(tight.back(), "[... 7 more lines of generated input ...]") << tight_text;
}

TEST(DescribeFailure, LongInputLinesAreShortenedNotDropped) {
  const auto lines = lt::describe_failure(kAssertWithLog);
  const std::string text = lt::join(lines, "\n");
  EXPECT_LT(line_with(lines, "got       1 + 4 < 5"), lines.size()) << text;
  EXPECT_LT(line_with(lines, "log       n = 1, w = 4"), lines.size()) << text;
  EXPECT_LT(line_with(lines, "log       second log line, v.size() = 60"), lines.size()) << text;
  const std::size_t vec = line_with(lines, "input     [0, 0, 0");
  ASSERT_LT(vec, lines.size()) << text;
  EXPECT_NE(lines[vec].find("... [80 more characters]   (std::vector<double>)"), std::string::npos)
      << lines[vec];
  EXPECT_LT(line_with(lines, "input     4   (int)"), lines.size()) << text;
}

TEST(DescribeFailure, AThrowShowsItsLog) {
  const auto lines = lt::describe_failure(kThrewWithLog);
  const std::string text = lt::join(lines, "\n");
  EXPECT_LT(line_with(lines, "threw     boom on 4"), line_with(lines, "log       a = 4")) << text;
  EXPECT_LT(line_with(lines, "log       a = 4"), line_with(lines, "input     (4)")) << text;
  EXPECT_LT(line_with(lines, "input     (4)"), lines.size()) << text;
}

TEST(DescribeFailure, GtestNoiseBecomesShortLocationsAndThrows) {
  const std::string msg =
      "/abs/path/tests/test_x.cpp:21: Failure\nExpected equality of these values:\n  got\n    "
      "Which is: 41\n  42\n"
      "unknown file: Failure\nC++ exception with description \"boom\" thrown in the test body.\n";
  const auto lines = lt::describe_failure(msg);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "at test_x.cpp:21");
  EXPECT_EQ(lines[1], "Expected equality of these values:");
  EXPECT_EQ(lines.back(), "threw     boom   (in the test body)");
}

TEST(DescribeFailure, LongMessagesAreCut) {
  std::string msg;
  for (int i = 0; i < 50; ++i) msg += "line " + std::to_string(i) + "\n";
  const auto lines = lt::describe_failure(msg, 5);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines.back(), "[... 45 more lines ...]");
}

TEST(DescribeFailure, AVeryLongLogIsCutAfterMaxLines) {
  std::string msg = kThrewWithLog;  // ends with "Log:\na = 4\n"
  for (int i = 1; i < 20; ++i) msg += "step " + std::to_string(i) + "\n";
  const auto lines = lt::describe_failure(msg, 12);
  const std::string text = lt::join(lines, "\n");
  EXPECT_EQ(lines[1], "  threw     boom on 4") << text;
  EXPECT_EQ(lines[2], "  log       a = 4") << text;
  EXPECT_EQ(lines[13], "  log       step 11") << text;
  EXPECT_EQ(lines[14], "[... 8 more lines of log ...]") << text;
  EXPECT_EQ(lines[15], "  input     (4)   (std::tuple<int>)") << text;
  EXPECT_EQ(lines.size(), 16u) << text;
}

// The whole report as `gradlab lab check` prints it (12 lines per failure).
TEST(TestReport, PropertyFailureShowsCheckAndLog) {
  lt::SuiteRun run;
  run.tests.push_back({"OptimReference.SGDMatchesPyTorch", lt::TestStatus::Passed, "", 0});
  run.tests.push_back(
      {"AdamProperty.FirstStepIsLrTimesSignOfGradient", lt::TestStatus::Failed, kRcFailWithLog, 0});
  std::ostringstream out;
  lt::print_test_report(out, run, {});
  const std::string text = out.str();
  EXPECT_NE(text.find("  PASS   OptimReference.SGDMatchesPyTorch\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  FAIL   AdamProperty.FirstStepIsLrTimesSignOfGradient\n"
                      "           Falsifiable after 1 tests\n"
                      "             check     RC_FAIL("),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("expected -5.0000000000000002e-05, got -3.7987346332397894e-05"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("             log       p0 = [0], g = [0.001], lr = 0.0001, beta1 = 0.5"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("more lines"), std::string::npos) << text;
}

// ---- labs/common/lab_support.h -------------------------------------------------
namespace lab99 {
double stub(const std::vector<double>& v);
std::vector<std::pair<int, int>> stub_pairs(int);
}  // namespace lab99
double lab99::stub(const std::vector<double>&) { NOT_IMPLEMENTED(); }
std::vector<std::pair<int, int>> lab99::stub_pairs(int) { NOT_IMPLEMENTED("lab99::named"); }

TEST(LabSupport, NotImplementedNamesTheFunction) {
  try {
    lab99::stub({});
    FAIL() << "no exception";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "not implemented yet: lab99::stub");
    EXPECT_EQ(lt::not_implemented_name(e.what()), "lab99::stub");
  }
  EXPECT_THROW(
      {
        try {
          lab99::stub_pairs(1);
        } catch (const std::logic_error& e) {
          EXPECT_STREQ(e.what(), "not implemented yet: lab99::named");
          throw;
        }
      },
      std::logic_error);
}

TEST(LabSupport, FunctionNameFromSignature) {
  using gradlab::labs::function_name_from_signature;
  EXPECT_EQ(function_name_from_signature("double lab02::f(int)"), "lab02::f");
  EXPECT_EQ(function_name_from_signature("std::pair<int, int> lab02::g(const std::vector<int>&)"),
            "lab02::g");
  EXPECT_EQ(function_name_from_signature("void lab05::Model::step()"), "lab05::Model::step");
  EXPECT_EQ(function_name_from_signature("no parenthesis"), "no parenthesis");
}
