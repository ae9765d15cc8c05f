// tests/tools/lab_report_test.cpp — tools/lab_report.cpp: reading RapidCheck
// and gtest failure messages, and the starter's "not implemented yet".
// The messages below are verbatim outputs of RapidCheck (Debian 12, 0~1033-08b5058) and
// GoogleTest 1.12 (tests/tools/lab_suite_test.cpp checks live ones too).
#include "tools/lab_report.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "labs/common/lab_support.h"
#include "tools/lab_common.h"

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
  EXPECT_NE(text.find("shrunk 8 times to the smallest failing input"), std::string::npos) << text;
  EXPECT_NE(text.find("input     ([0], 710)"), std::string::npos) << text;
  EXPECT_NE(
      text.find("check     RC_ASSERT(std::abs(a[i] - b[i]) < 1e-9)   (test_logsoftmax.cpp:10)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("got       inf < 1e-09"), std::string::npos) << text;
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
