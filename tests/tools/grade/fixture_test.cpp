// tests/tools/grade/fixture_test.cpp — `gradlab grade` over the fixture class
// in tests/fixtures/class/ for phase 02, end to end: the real command, the
// real suite (tests/test_logsoftmax.cpp), the real bug zoo.
//
//   reference         correct, written as a student would      -> full suite marks
//   bug_no_max_shift  exp without the max shift                 -> fewer marks
//   segfault          writes through a null pointer             -> crash, SIGSEGV
//   infinite_loop     never returns                             -> timeout (--timeout 5)
//   compile_error     an undeclared name                        -> compile_error + message
//   calls_framework   calls gradlab::log_softmax & co.          -> flagged
//
// Each fixture folder holds logsoftmax.cpp (and maybe my_tests.cpp); the test
// copies them into a class folder under the names phase 02's manifest asks for.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>

#include "tools/lab/common.h"
#include "tools/common/process.h"

#ifndef GRADLAB_CLI
#error "GRADLAB_CLI must name the gradlab executable"
#endif

namespace fs = std::filesystem;
namespace lt = gradlab::labtools;
using nlohmann::json;

namespace {

const fs::path kSource = GRADLAB_SOURCE_DIR;
const fs::path kPhase = kSource / "labs" / "02_logsoftmax";

class GradeFixtureClass : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("gradlab_grade_fixture_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    manifest_ = lt::read_json_file(kPhase / "manifest.json");
    make_class(root_ / "class");
    const auto r =
        lt::run_process({GRADLAB_CLI, "grade", "--lab", "02", "--submissions",
                         (root_ / "class").string(), "--out", (root_ / "out").string(), "--timeout",
                         "5", "--jobs", "2", "--build-dir", GRADLAB_BUILD_DIR},
                        root_, root_ / "grade.log", lt::Limits{900, 0, 0, 0});
    exit_code_ = r.exit_code;
    log_ = lt::read_text(root_ / "grade.log");
    if (fs::exists(root_ / "out" / "gradebook.json"))
      book_ = lt::read_json_file(root_ / "out" / "gradebook.json");
  }

  // tests/fixtures/class/<student>/logsoftmax.cpp -> <class>/<student>/<the
  // manifest's first source>; other sources get an empty file.
  static void make_class(const fs::path& dir) {
    std::vector<std::string> sources = manifest_.at("sources").get<std::vector<std::string>>();
    std::string my_tests = "my_tests.cpp";
    if (manifest_.contains("my_tests"))
      my_tests = fs::path(manifest_["my_tests"].value("source", my_tests)).filename();
    std::erase_if(sources,
                  [&](const std::string& s) { return fs::path(s).filename() == my_tests; });
    ASSERT_FALSE(sources.empty());
    for (const auto& student : fs::directory_iterator(kSource / "tests" / "fixtures" / "class")) {
      const fs::path to = dir / student.path().filename();
      fs::create_directories(to);
      for (size_t i = 0; i < sources.size(); ++i) {
        const fs::path target = to / fs::path(sources[i]).filename();
        if (i == 0)
          fs::copy_file(student.path() / "logsoftmax.cpp", target);
        else
          lt::write_text_file(
              target, "// everything is in " + fs::path(sources[0]).filename().string() + "\n");
      }
      if (fs::exists(student.path() / "my_tests.cpp"))
        fs::copy_file(student.path() / "my_tests.cpp", to / my_tests);
    }
  }

  static const json& student(const std::string& name) {
    for (const auto& s : book_.at("students"))
      if (s.at("student") == name) return s;
    throw std::runtime_error("no student " + name + " in the gradebook");
  }

  static double suite_points(const json& s) {
    double p = 0;
    for (const auto& [name, t] : s.at("tests").items()) p += t.at("points").get<double>();
    return p;
  }

  // The class and its gradebook stay in /tmp only if something failed.
  static void TearDownTestSuite() {
    if (::testing::UnitTest::GetInstance()->current_test_suite()->Passed())
      fs::remove_all(root_);
    else
      std::cerr << "grading output kept in " << root_.string() << "\n";
  }

  void SetUp() override {
    ASSERT_EQ(exit_code_, 0) << log_;
    ASSERT_TRUE(book_.is_object()) << "no gradebook.json\n" << log_;
  }

  static inline fs::path root_;
  static inline json manifest_;
  static inline int exit_code_ = -1;
  static inline std::string log_;
  static inline json book_;
};

}  // namespace

TEST_F(GradeFixtureClass, EveryStudentIsGradedAndEveryOutputWritten) {
  EXPECT_EQ(book_.at("students").size(), 6u);
  EXPECT_EQ(book_.at("phase"), "02_logsoftmax");
  EXPECT_GT(book_.at("suite_points").get<double>(), 0);
  for (const char* file : {"gradebook.csv", "summary.md"})
    EXPECT_TRUE(fs::exists(root_ / "out" / file)) << file;
  for (const auto& s : book_.at("students"))
    EXPECT_TRUE(
        fs::exists(root_ / "out" / "feedback" / (s.at("student").get<std::string>() + ".md")));
  const std::string csv = lt::read_text(root_ / "out" / "gradebook.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);  // header + 6 students
  // The reference implementation passes its own suite.
  EXPECT_EQ(book_.at("reference").at("passed"), book_.at("reference").at("total"));
}

TEST_F(GradeFixtureClass, ReferenceGetsFullSuiteMarks) {
  const json& s = student("reference");
  EXPECT_EQ(s.at("status"), "ok") << s.at("reason");
  EXPECT_DOUBLE_EQ(suite_points(s), book_.at("suite_points").get<double>());
  for (const auto& [name, t] : s.at("tests").items()) EXPECT_EQ(t.at("status"), "passed") << name;
  EXPECT_TRUE(s.at("flags").empty());
}

TEST_F(GradeFixtureClass, ReferenceStudentsOwnTestsPassAndCatchBugs) {
  ASSERT_FALSE(book_.at("bugs").empty()) << "phase 02 has no bug zoo";
  const json& mt = student("reference").at("my_tests");
  EXPECT_TRUE(mt.at("passes_reference").get<bool>()) << mt.dump(2);
  EXPECT_EQ(mt.at("tests"), 3);
  // Their stress test catches the missing max shift.
  const auto caught = mt.at("caught").get<std::vector<std::string>>();
  EXPECT_NE(std::find(caught.begin(), caught.end(), "no_max_shift"), caught.end()) << mt.dump(2);
  EXPECT_GT(mt.at("points").get<double>(), 0);
  EXPECT_EQ(caught.size() + mt.at("missed").size(), book_.at("bugs").size());
}

TEST_F(GradeFixtureClass, BuggySubmissionLosesMarks) {
  const json& s = student("bug_no_max_shift");
  EXPECT_EQ(s.at("status"), "ok") << s.at("reason");
  EXPECT_LT(suite_points(s), book_.at("suite_points").get<double>());
  EXPECT_GT(suite_points(s), 0);  // it is right on gentle inputs
  // Its own tests are wrong (fail on the reference): no credit for them.
  EXPECT_FALSE(s.at("my_tests").at("passes_reference").get<bool>());
  EXPECT_EQ(s.at("my_tests").at("points"), 0);
}

TEST_F(GradeFixtureClass, SegfaultIsACrashNamingTheSignal) {
  const json& s = student("segfault");
  EXPECT_EQ(s.at("status"), "crash");
  EXPECT_NE(s.at("reason").get<std::string>().find("SIGSEGV"), std::string::npos) << s.at("reason");
  EXPECT_LT(suite_points(s), book_.at("suite_points").get<double>());
  // Every test either crashed or (if it never calls lab02) passed; more than
  // one crash means the suite was re-run after the first.
  int crashed = 0;
  for (const auto& [name, t] : s.at("tests").items()) {
    EXPECT_TRUE(t.at("status") == "crashed" || t.at("status") == "passed")
        << name << ": " << t.at("status");
    crashed += t.at("status") == "crashed";
  }
  EXPECT_GE(crashed, 2);
}

TEST_F(GradeFixtureClass, InfiniteLoopIsATimeout) {
  const json& s = student("infinite_loop");
  EXPECT_EQ(s.at("status"), "timeout");
  EXPECT_NE(s.at("reason").get<std::string>().find("timed out"), std::string::npos)
      << s.at("reason");
  EXPECT_EQ(suite_points(s), 0);
  EXPECT_LT(s.at("seconds").get<double>(), 60);  // stopped, not waited out
}

TEST_F(GradeFixtureClass, CompileErrorKeepsTheCompilersMessage) {
  const json& s = student("compile_error");
  EXPECT_EQ(s.at("status"), "compile_error");
  const std::string reason = s.at("reason");
  EXPECT_NE(reason.find("max_shifted_sum"), std::string::npos) << reason;
  EXPECT_NE(reason.find("error"), std::string::npos) << reason;
  EXPECT_EQ(s.at("points"), 0);
  const std::string feedback = lt::read_text(root_ / "out" / "feedback" / "compile_error.md");
  EXPECT_NE(feedback.find("was not declared in this scope"), std::string::npos) << feedback;
}

TEST_F(GradeFixtureClass, CallingTheFrameworksLogSoftmaxIsFlagged) {
  const auto taught = manifest_.at("taught_symbols").get<std::vector<std::string>>();
  ASSERT_NE(std::find(taught.begin(), taught.end(), "gradlab::log_softmax"), taught.end());
  const json& s = student("calls_framework");
  ASSERT_FALSE(s.at("flags").empty());
  EXPECT_NE(s.at("flags").dump().find("gradlab::log_softmax"), std::string::npos) << s.at("flags");
  EXPECT_EQ(s.at("status"), "ok");  // flagged, not silently zeroed: the instructor decides
  EXPECT_TRUE(student("reference").at("flags").empty());
  std::string row;  // calls_framework's row of the summary table
  for (const auto& line : lt::split_lines(lt::read_text(root_ / "out" / "summary.md")))
    if (line.rfind("| calls_framework |", 0) == 0) row = line;
  EXPECT_NE(row.find("FLAG: calls "), std::string::npos) << row;
  EXPECT_NE(row.find("gradlab::log_softmax"), std::string::npos) << row;
}
