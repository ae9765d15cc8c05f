// tests/tools/lab/suite_test.cpp — tools/lab/suite.cpp against a real
// GoogleTest program (tests/tools/labtools_helper.cpp): per-test outcomes,
// crash recovery by re-running without the crashed test, hangs, memory.
#include "tools/lab/suite.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <string>

#include "tests/tools/scratch.h"
#include "tools/lab/common.h"
#include "tools/lab/report.h"

#ifndef LABTOOLS_HELPER
#error "LABTOOLS_HELPER must name the helper executable"
#endif

namespace fs = std::filesystem;
namespace lt = gradlab::labtools;
using lt::TestStatus;

namespace {

lt::SuiteOptions options(const std::string& mode, double timeout = 30) {
  lt::SuiteOptions opt;
  opt.work = labtools_test::scratch_dir("lab_suite/" + mode);
  opt.cwd = opt.work / "run";
  opt.limits.wall_seconds = timeout;
  opt.env = {{"HELPER_MODE", mode}, {"RC_PARAMS", "seed=1"}};
  return opt;
}

const lt::TestOutcome& find(const lt::SuiteRun& run, const std::string& name) {
  const auto it = std::find_if(run.tests.begin(), run.tests.end(),
                               [&](const lt::TestOutcome& t) { return t.name == name; });
  if (it == run.tests.end()) throw std::runtime_error("no test " + name);
  return *it;
}

}  // namespace

TEST(ListTests, ListsEveryTestOfTheProgram) {
  const auto tests = lt::list_tests(LABTOOLS_HELPER, options("list"));
  EXPECT_EQ(tests, (std::vector<std::string>{"Helper.Passes", "Helper.FailsWithExpectedVsGot",
                                             "Helper.CrashesOnRequest", "Helper.HangsOnRequest",
                                             "Helper.AllocatesOnRequest",
                                             "HelperProperty.SmallerThanTen"}));
}

TEST(RunSuite, OneOutcomePerTestWithMessages) {
  const auto opt = options("normal");
  const auto tests = lt::list_tests(LABTOOLS_HELPER, opt);
  const lt::SuiteRun run = lt::run_suite(LABTOOLS_HELPER, tests, opt);
  ASSERT_EQ(run.total(), 6);
  EXPECT_EQ(run.count(TestStatus::Passed), 4);
  EXPECT_FALSE(run.crashed);
  EXPECT_FALSE(run.timed_out);
  const auto& failed = find(run, "Helper.FailsWithExpectedVsGot");
  EXPECT_EQ(failed.status, TestStatus::Failed);
  EXPECT_NE(failed.message.find("Which is: 41"), std::string::npos) << failed.message;

  // The property's message carries RapidCheck's shrunk counterexample.
  const auto& prop = find(run, "HelperProperty.SmallerThanTen");
  ASSERT_EQ(prop.status, TestStatus::Failed);
  const auto parsed = lt::parse_property_failure(prop.message);
  ASSERT_TRUE(parsed.has_value()) << prop.message;
  ASSERT_EQ(parsed->inputs.size(), 1u);
  EXPECT_EQ(parsed->inputs[0].second, "(10)");
  EXPECT_NE(parsed->check.find("RC_ASSERT(x < 10)"), std::string::npos) << parsed->check;
  EXPECT_EQ(parsed->expansion, "10 < 10");
  EXPECT_EQ(parsed->location.rfind("labtools_helper.cpp:", 0), 0u) << parsed->location;
  // Reported summary first, then the check, then the shrunk input.
  const auto lines = lt::describe_failure(prop.message);
  ASSERT_EQ(lines.size(), 4u) << lt::join(lines, "\n");
  EXPECT_EQ(lines[0].rfind("Falsifiable after ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("  check     RC_ASSERT(x < 10)   (labtools_helper.cpp:", 0), 0u);
  EXPECT_EQ(lines[2], "  got       10 < 10");
  EXPECT_EQ(lines[3], "  input     (10)   (std::tuple<int>)");
}

TEST(RunSuite, ACrashCostsOnlyTheCrashingTest) {
  const auto opt = options("crash");
  const auto tests = lt::list_tests(LABTOOLS_HELPER, opt);
  const lt::SuiteRun run = lt::run_suite(LABTOOLS_HELPER, tests, opt);
  EXPECT_TRUE(run.crashed);
  EXPECT_EQ(run.crash_signal, SIGSEGV);
  EXPECT_NE(run.crash_reason.find("SIGSEGV"), std::string::npos);
  EXPECT_NE(run.crash_reason.find("Helper.CrashesOnRequest"), std::string::npos);
  EXPECT_EQ(find(run, "Helper.CrashesOnRequest").status, TestStatus::Crashed);
  // The tests after it still ran (the suite was re-run without it).
  EXPECT_EQ(find(run, "Helper.HangsOnRequest").status, TestStatus::Passed);
  EXPECT_EQ(find(run, "Helper.AllocatesOnRequest").status, TestStatus::Passed);
  EXPECT_EQ(find(run, "Helper.FailsWithExpectedVsGot").status, TestStatus::Failed);
  EXPECT_EQ(run.count(TestStatus::Passed), 3);
}

TEST(RunSuite, AHangIsStoppedAtTheTimeLimit) {
  const auto opt = options("hang", 2);
  const auto tests = lt::list_tests(LABTOOLS_HELPER, opt);
  const lt::SuiteRun run = lt::run_suite(LABTOOLS_HELPER, tests, opt);
  EXPECT_TRUE(run.timed_out);
  EXPECT_LT(run.seconds, 10);
  EXPECT_EQ(find(run, "Helper.HangsOnRequest").status, TestStatus::TimedOut);
  EXPECT_EQ(find(run, "Helper.Passes").status, TestStatus::Passed);  // ran before it
  EXPECT_EQ(find(run, "Helper.AllocatesOnRequest").status, TestStatus::NotRun);
}

TEST(RunSuite, MemoryLimitIsReportedAsOutOfMemory) {
  auto opt = options("oom");
  opt.limits.memory_mb = 512;
  const auto tests = lt::list_tests(LABTOOLS_HELPER, opt);
  const lt::SuiteRun run = lt::run_suite(LABTOOLS_HELPER, tests, opt);
  EXPECT_TRUE(run.out_of_memory);
  EXPECT_NE(find(run, "Helper.AllocatesOnRequest").status, TestStatus::Passed);
  EXPECT_EQ(find(run, "Helper.Passes").status, TestStatus::Passed);
}

TEST(RunSuite, TestsThatNeverRanAreReportedAsNotRun) {
  auto opt = options("normal");
  opt.filter = "Helper.Passes";
  const lt::SuiteRun run =
      lt::run_suite(LABTOOLS_HELPER, {"Helper.Passes", "Helper.NotInTheProgram"}, opt);
  ASSERT_EQ(run.total(), 2);
  EXPECT_EQ(find(run, "Helper.Passes").status, TestStatus::Passed);
  EXPECT_EQ(find(run, "Helper.NotInTheProgram").status, TestStatus::NotRun);
  EXPECT_FALSE(run.all_passed());
}
