// tools/lab/mytests.cpp — a student's own tests against the reference and the
// bug zoo. See tools/lab/mytests.h.
#include "tools/lab/mytests.h"

#include <exception>

#include "tools/lab/common.h"
#include "tools/lab/report.h"

namespace gradlab::labtools {

MyTestsResult run_my_tests(const fs::path& reference_exe,
                           const std::map<std::string, fs::path>& bug_exes,
                           const SuiteOptions& base) {
  MyTestsResult r;
  std::vector<std::string> tests;
  try {
    SuiteOptions opt = base;
    opt.tag = "mytests_reference";
    tests = list_tests(reference_exe, opt);
    r.on_reference = run_suite(reference_exe, tests, opt);
  } catch (const std::exception& e) {
    r.error = e.what();
    return r;
  }
  r.passes_reference = r.on_reference.all_passed();
  for (const auto& [bug, exe] : bug_exes) {
    if (!r.passes_reference) {
      r.missed.push_back(bug);
      continue;
    }
    SuiteOptions opt = base;
    opt.tag = "mytests_bug_" + bug;
    opt.max_runs = 1;  // one failure is enough: no need to re-run after a crash
    try {
      const SuiteRun run = run_suite(exe, tests, opt);
      std::string first;
      for (const auto& t : run.tests)
        if (t.status == TestStatus::Failed || t.status == TestStatus::Crashed ||
            t.status == TestStatus::TimedOut) {
          first = t.name;
          break;
        }
      if (first.empty() && run.crashed) first = "(crashed outside a test)";
      if (first.empty()) {
        r.missed.push_back(bug);
      } else {
        r.caught.push_back(bug);
        r.caught_by[bug] = first;
      }
    } catch (const std::exception&) {
      r.missed.push_back(bug);
    }
  }
  return r;
}

void print_my_tests_report(std::ostream& out, const MyTestsResult& r, const std::string& source) {
  out << "Your own tests (" << source << ")\n";
  if (!r.error.empty()) {
    out << "  could not run them: " << r.error << "\n";
    return;
  }
  const SuiteRun& ref = r.on_reference;
  if (ref.total() == 0) {
    out << "  no tests found: write TEST(...) or RC_GTEST_PROP(...) cases in " << source << "\n";
    return;
  }
  out << "  on the reference implementation: " << ref.count(TestStatus::Passed) << " of "
      << ref.total() << " pass\n";
  if (!r.passes_reference) {
    out << "  Your tests must pass on correct code before they can catch bugs. Failing:\n";
    ReportOptions opt;
    opt.max_detailed = 3;
    SuiteRun failing = ref;
    std::erase_if(failing.tests,
                  [](const TestOutcome& t) { return t.status == TestStatus::Passed; });
    print_test_report(out, failing, opt);
    return;
  }
  out << "  bugs caught: " << r.caught.size() << " of " << r.bugs() << "\n";
  for (const auto& bug : r.caught)
    out << "    caught  " << bug << "   (by " << r.caught_by.at(bug) << ")\n";
  for (const auto& bug : r.missed) out << "    missed  " << bug << "\n";
  if (!r.missed.empty())
    out << "  Each missed bug breaks a promise of lab.h on some input: find which\n"
           "  promise, and write a property, reference or stress test that checks it.\n";
}

}  // namespace gradlab::labtools
