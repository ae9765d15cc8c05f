// tools/grade/output.cpp — gradebook.json, gradebook.csv, summary.md and the
// feedback files. See tools/grade/output.h.
#include "tools/grade/output.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "tools/lab/report.h"

namespace gradlab::labtools {

// "12", "41.67": points as a person writes them.
std::string fmt_points(double p) {
  std::ostringstream out;
  if (std::abs(p - std::round(p)) < 1e-9)
    out << static_cast<long long>(std::llround(p));
  else
    out << std::fixed << std::setprecision(2) << p;
  return out.str();
}

namespace {

double percent(double points, double max) { return max > 0 ? 100.0 * points / max : 0.0; }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out(1, '"');  // (built piecewise: GCC 12 -Wrestrict false positive)
  out += replace_all(s, "\"", "\"\"");
  out += '"';
  return out;
}

std::string md_cell(const std::string& s) {
  std::string out = replace_all(replace_all(s, "|", "\\|"), "\n", " ");
  if (out.size() > 160) out = out.substr(0, 157) + "...";
  return out;
}

}  // namespace

nlohmann::json gradebook_json(const Batch& b) {
  const GradeSetup& s = *b.setup;
  json doc;
  doc["phase"] = s.phase->id;
  doc["title"] = s.phase->title;
  doc["graded_at"] = now_iso8601();
  doc["settings"] = b.settings;
  doc["max_points"] = s.max_points();
  doc["suite_points"] = s.suite_points;
  doc["my_tests_points"] = s.has_my_tests ? s.my_tests_points : 0.0;
  doc["reference"] = {{"passed", b.reference_passed}, {"total", b.reference_total}};
  doc["tests"] = json::array();
  for (const auto& t : s.tests)
    doc["tests"].push_back(
        {{"name", t}, {"points", s.points.at(t)}, {"extra", b.extra_tests.count(t) > 0}});
  doc["bugs"] = json::array();
  for (const auto& [bug, objs] : s.bug_objects) doc["bugs"].push_back(bug);
  doc["students"] = json::array();
  for (const auto& g : b.grades) {
    json st = {{"student", g.student},       {"status", g.status},
               {"reason", g.reason},         {"points", g.points},
               {"max_points", g.max_points}, {"percent", percent(g.points, g.max_points)},
               {"flags", g.flags},           {"seconds", g.seconds}};
    st["tests"] = json::object();
    for (const auto& t : g.tests)
      st["tests"][t.outcome.name] = {{"status", to_string(t.outcome.status)},
                                     {"points", t.points},
                                     {"max_points", t.max_points},
                                     {"message", t.outcome.message}};
    if (s.has_my_tests) {
      json mt = {{"points", g.my_tests_points}, {"max_points", s.my_tests_points},
                 {"passes_reference", false},   {"tests", 0},
                 {"caught", json::array()},     {"missed", json::array()},
                 {"note", g.my_tests_note}};
      if (g.my_tests) {
        mt["passes_reference"] = g.my_tests->passes_reference;
        mt["tests"] = g.my_tests->on_reference.total();
        mt["caught"] = g.my_tests->caught;
        mt["missed"] = g.my_tests->missed;
      }
      st["my_tests"] = mt;
    }
    doc["students"].push_back(st);
  }
  return doc;
}

namespace {

std::string gradebook_csv(const Batch& b) {
  const GradeSetup& s = *b.setup;
  std::ostringstream out;
  out << "student,status,points,max_points,percent,flagged,reason";
  for (const auto& t : s.tests) out << "," << csv_field(t);
  if (s.has_my_tests) out << ",my_tests_points,bugs_caught,bugs_total";
  out << "\n";
  for (const auto& g : b.grades) {
    out << csv_field(g.student) << "," << g.status << "," << fmt_points(g.points) << ","
        << fmt_points(g.max_points) << "," << std::fixed << std::setprecision(1)
        << percent(g.points, g.max_points) << std::defaultfloat << ","
        << (g.flags.empty() ? "no" : "yes") << "," << csv_field(g.reason);
    for (const auto& t : g.tests) out << "," << fmt_points(t.points);
    if (s.has_my_tests)
      out << "," << fmt_points(g.my_tests_points) << ","
          << (g.my_tests ? g.my_tests->caught.size() : 0) << "," << s.bug_objects.size();
    out << "\n";
  }
  return out.str();
}

std::string summary_md(const Batch& b) {
  const GradeSetup& s = *b.setup;
  std::ostringstream out;
  out << "# Gradebook: phase " << s.phase->number << ", " << s.phase->title << "\n\n";
  out << b.grades.size() << " submissions graded " << now_iso8601() << ". " << s.tests.size()
      << " tests worth " << fmt_points(s.suite_points) << " points";
  if (!b.extra_tests.empty())
    out << " (" << b.extra_tests.size() << " of them private extra tests)";
  if (s.has_my_tests)
    out << ", plus " << fmt_points(s.my_tests_points)
        << " points for the students' own tests (share of the " << s.bug_objects.size()
        << " bug-zoo entries they catch)";
  out << ". Limits per submission: " << fmt_points(s.limits.wall_seconds) << " s, "
      << s.limits.memory_mb << " MB; RapidCheck seed " << s.seed << ".\n\n";
  out << "Reference implementation: " << b.reference_passed << " of " << b.reference_total
      << " tests pass" << (b.reference_passed == b.reference_total ? "." : " (CHECK THE SUITE).")
      << "\n\n";

  out << "| Student | Status | Points | % | Notes |\n|---|---|---|---|---|\n";
  for (const auto& g : b.grades) {
    std::string notes = g.reason;
    for (const auto& f : g.flags) notes += (notes.empty() ? "" : "; ") + std::string("FLAG: ") + f;
    if (!g.my_tests_note.empty())
      notes += (notes.empty() ? "" : "; ") + std::string("my tests: ") + g.my_tests_note;
    out << "| " << md_cell(g.student) << " | " << g.status << " | " << fmt_points(g.points) << " / "
        << fmt_points(g.max_points) << " | " << std::fixed << std::setprecision(0)
        << percent(g.points, g.max_points) << std::defaultfloat << " | " << md_cell(notes)
        << " |\n";
  }

  out << "\n## Tests\n\n| Test | Points | Passed by |\n|---|---|---|\n";
  for (std::size_t i = 0; i < s.tests.size(); ++i) {
    int passed = 0;
    for (const auto& g : b.grades) passed += g.tests[i].outcome.status == TestStatus::Passed;
    out << "| " << md_cell(s.tests[i]) << (b.extra_tests.count(s.tests[i]) ? " (extra)" : "")
        << " | " << fmt_points(s.points.at(s.tests[i])) << " | " << passed << " / "
        << b.grades.size() << " |\n";
  }

  if (s.has_my_tests) {
    out << "\n## Bugs caught by the students' own tests\n\n| Bug | Caught by |\n|---|---|\n";
    for (const auto& [bug, objs] : s.bug_objects) {
      int caught = 0;
      for (const auto& g : b.grades)
        if (g.my_tests)
          caught += std::count(g.my_tests->caught.begin(), g.my_tests->caught.end(), bug) > 0;
      out << "| " << bug << " | " << caught << " / " << b.grades.size() << " |\n";
    }
  }
  return out.str();
}

std::string feedback_md(const Batch& b, const SubmissionGrade& g) {
  const GradeSetup& s = *b.setup;
  std::ostringstream out;
  out << "# Phase " << s.phase->number << " (" << s.phase->title << "): feedback for " << g.student
      << "\n\n";
  out << "**Score: " << fmt_points(g.points) << " / " << fmt_points(g.max_points) << " points ("
      << std::fixed << std::setprecision(0) << percent(g.points, g.max_points) << std::defaultfloat
      << "%)**\n\n";
  if (g.status != "ok") out << "Problem: **" << g.status << "**: " << g.reason << "\n\n";
  for (const auto& f : g.flags)
    out << "> Flagged: your code " << f << ". Write the computation yourself.\n\n";
  if (!g.details.empty()) out << "## Build output\n\n```text\n" << g.details << "\n```\n\n";

  std::vector<const GradedTest*> failed, passed;
  for (const auto& t : g.tests)
    (t.outcome.status == TestStatus::Passed ? passed : failed).push_back(&t);
  const bool ran = g.status != "missing_files" && g.status != "compile_error" &&
                   g.status != "link_error" && g.status != "error";
  if (ran) {
    out << "## Tests: " << passed.size() << " of " << g.tests.size() << " pass\n\n";
    for (const GradedTest* t : failed) {
      out << "### " << t->outcome.name << ": " << to_string(t->outcome.status) << " (0 / "
          << fmt_points(t->max_points) << " points)\n\n";
      if (b.extra_tests.count(t->outcome.name)) {
        out << "(a private test of your instructor: no details)\n\n";
        continue;
      }
      out << "```text\n" << join(describe_failure(t->outcome.message, 30), "\n") << "\n```\n\n";
    }
    if (!passed.empty()) {
      out << "Passed:\n\n";
      for (const GradedTest* t : passed)
        out << "- " << t->outcome.name << " (" << fmt_points(t->max_points)
            << (t->max_points == 1 ? " point" : " points") << ")\n";
      out << "\n";
    }
  }
  if (s.has_my_tests) {
    out << "## Your own tests: " << fmt_points(g.my_tests_points) << " / "
        << fmt_points(s.my_tests_points) << " points\n\n";
    if (g.my_tests) {
      std::ostringstream section;
      print_my_tests_report(section, *g.my_tests, s.my_tests_source);
      out << "```text\n" << section.str() << "```\n\n";
    } else {
      out << g.my_tests_note << "\n\n";
    }
  }
  return out.str();
}

}  // namespace

void write_outputs(const Batch& batch, const fs::path& out_dir) {
  fs::create_directories(out_dir / "feedback");
  write_text_file(out_dir / "gradebook.json", gradebook_json(batch).dump(2) + "\n");
  write_text_file(out_dir / "gradebook.csv", gradebook_csv(batch));
  write_text_file(out_dir / "summary.md", summary_md(batch));
  for (const auto& g : batch.grades)
    write_text_file(out_dir / "feedback" / (g.student + ".md"), feedback_md(batch, g));
}

}  // namespace gradlab::labtools
