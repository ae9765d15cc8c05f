// tools/grade/submission.h — grading one student's submission for one phase
// (`gradlab grade`, tools/grade/grade_cmd.cpp runs this for every sub-folder).
//
// Steps, each in its own process and the student's own scratch directory
// <out>/work/<student>/: copy the files named by the manifest's "sources",
// compile them (a compile error ends here, with the compiler's message), look
// for calls to the phase's taught functions (`nm -C -u`; flagged, not
// penalised), link with the prebuilt suite (and the instructor's extra
// tests), run it under the time and memory limits, award points per passing
// test. Phase 02 also links the student's my_tests.cpp against the reference
// and every bug-zoo entry.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tools/grade/toolchain.h"
#include "tools/lab/common.h"
#include "tools/lab/mytests.h"
#include "tools/lab/suite.h"

namespace gradlab::labtools {

// Everything that is the same for every submission of a batch.
struct GradeSetup {
  const Phase* phase = nullptr;
  nlohmann::json info;  // <build>/labs/grade/labNN.json
  Toolchain toolchain;
  fs::path work_dir;  // <out>/work
  Limits limits;      // for each suite run
  double compile_timeout = 120;
  unsigned seed = 1;                     // RapidCheck seed: the same for everyone
  std::vector<fs::path> extra_objects;   // the instructor's compiled extra tests
  std::vector<std::string> tests;        // every graded test, in order
  std::map<std::string, double> points;  // per test
  double suite_points = 0;               // sum of `points`
  bool has_my_tests = false;
  std::string my_tests_source;  // "starter/my_tests.cpp"
  double my_tests_points = 0;
  std::map<std::string, std::vector<fs::path>> bug_objects;  // bug -> its objects

  double max_points() const { return suite_points + (has_my_tests ? my_tests_points : 0); }
  // The environment of every suite run (fixed RapidCheck seed, one thread).
  std::vector<std::pair<std::string, std::string>> run_env() const;
};

struct GradedTest {
  TestOutcome outcome;
  double points = 0;
  double max_points = 0;
};

struct SubmissionGrade {
  std::string student;
  // ok | missing_files | compile_error | link_error | crash | timeout |
  // memory_limit | no_tests
  std::string status = "ok";
  std::string reason;              // one line, for the gradebook
  std::string details;             // compiler / linker output, for feedback
  std::vector<std::string> flags;  // e.g. "calls gradlab::log_softmax (a taught function)"
  std::vector<GradedTest> tests;
  double points = 0;  // suite + my tests
  double max_points = 0;
  std::optional<MyTestsResult> my_tests;
  std::string my_tests_note;  // why they were not graded, if not
  double my_tests_points = 0;
  double seconds = 0;
};

// Grades the submission in `dir` (the folder name is the student's id).
// Never throws for anything the student did; a problem of the grader itself
// becomes status "error" with the reason.
SubmissionGrade grade_submission(const GradeSetup& setup, const fs::path& dir);

// Finds the submitted file for a manifest source ("starter/x.cpp"): at that
// relative path in the folder, else by its file name anywhere in the folder.
std::optional<fs::path> find_submitted_file(const fs::path& dir, const std::string& source);

}  // namespace gradlab::labtools
