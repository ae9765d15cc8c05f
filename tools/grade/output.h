// tools/grade/output.h — what `gradlab grade` writes into --out:
//   gradebook.json        everything, machine-readable (schema below)
//   gradebook.csv         one row per student: status, points, per-test points
//   summary.md            the class at a glance: table, per-test pass rates,
//                         bugs caught by the students' tests, flags
//   feedback/<student>.md what a student gets back: failed tests with their
//                         messages (except the instructor's private extra
//                         tests: name and result only), build errors, flags
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tools/grade/submission.h"

namespace gradlab::labtools {

struct Batch {
  const GradeSetup* setup = nullptr;
  std::vector<SubmissionGrade> grades;  // sorted by student
  std::set<std::string> extra_tests;    // names of the private extra tests
  int reference_passed = 0;             // the reference build, for sanity
  int reference_total = 0;
  nlohmann::json settings;  // flags as given
};

// gradebook.json:
// { "phase", "title", "graded_at", "settings": {...}, "max_points",
//   "suite_points", "my_tests_points", "reference": {"passed", "total"},
//   "tests": [{"name", "points", "extra"}], "bugs": [...],
//   "students": [{ "student", "status", "reason", "points", "max_points",
//                  "percent", "flags": [...], "seconds",
//                  "tests": {"<Suite.Test>": {"status", "points", "max_points", "message"}},
//                  "my_tests": {"points", "max_points", "passes_reference",
//                               "tests", "caught": [...], "missed": [...], "note"} }] }
nlohmann::json gradebook_json(const Batch& batch);

// "12", "41.67": points as a person writes them.
std::string fmt_points(double points);

// Writes the four outputs into out_dir.
void write_outputs(const Batch& batch, const std::filesystem::path& out_dir);

}  // namespace gradlab::labtools
