// tools/lab/suite.cpp — run a GoogleTest suite, one outcome per test, crash
// and hang tolerant. See tools/lab/suite.h.
#include "tools/lab/suite.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

#include "tools/lab/common.h"

namespace gradlab::labtools {

const char* to_string(TestStatus s) {
  switch (s) {
    case TestStatus::Passed:
      return "passed";
    case TestStatus::Failed:
      return "failed";
    case TestStatus::Crashed:
      return "crashed";
    case TestStatus::TimedOut:
      return "timed out";
    case TestStatus::NotRun:
      return "not run";
    case TestStatus::Skipped:
      return "skipped";
  }
  return "?";
}

int SuiteRun::count(TestStatus s) const {
  return static_cast<int>(std::count_if(tests.begin(), tests.end(),
                                        [s](const TestOutcome& t) { return t.status == s; }));
}

namespace {

std::vector<std::string> parse_test_list(const std::string& text) {
  // Suite lines end with '.', test lines are indented; "  # ..." comments
  // (typed and value-parameterised tests) are dropped.
  std::vector<std::string> tests;
  std::string suite;
  for (std::string line : split_lines(text)) {
    if (const auto hash = line.find("  #"); hash != std::string::npos) line = line.substr(0, hash);
    if (trim(line).empty()) continue;
    if (line[0] != ' ') {
      const std::string s = trim(line);
      if (!s.empty() && s.back() == '.')
        suite = s.substr(0, s.size() - 1);
      else
        suite.clear();
    } else if (!suite.empty()) {
      tests.push_back(suite + "." + trim(line));
    }
  }
  return tests;
}

std::vector<TestOutcome> parse_gtest_json(const json& doc) {
  std::vector<TestOutcome> out;
  for (const auto& suite : doc.value("testsuites", json::array())) {
    for (const auto& t : suite.value("testsuite", json::array())) {
      TestOutcome o;
      o.name = t.value("classname", suite.value("name", std::string("?"))) + "." +
               t.value("name", std::string("?"));
      if (t.value("status", std::string("RUN")) == "NOTRUN") continue;  // DISABLED_
      std::vector<std::string> messages;
      for (const auto& f : t.value("failures", json::array()))
        messages.push_back(f.value("failure", std::string()));
      o.message = join(messages, "\n");
      const std::string result = t.value("result", std::string("COMPLETED"));
      if (!messages.empty())
        o.status = TestStatus::Failed;
      else if (result == "SKIPPED")
        o.status = TestStatus::Skipped;
      else
        o.status = TestStatus::Passed;
      const std::string time = t.value("time", std::string("0s"));
      try {
        o.seconds = std::stod(time);
      } catch (...) {
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

// gtest's console output: tests that finished, and the one still running when
// the process died (if any), with its output so far.
struct ConsoleParse {
  std::vector<TestOutcome> finished;
  std::optional<std::string> running;
  std::string running_output;
};

ConsoleParse parse_console(const std::string& text) {
  static const std::string kRun = "[ RUN      ] ";
  static const std::string kOk = "[       OK ] ";
  static const std::string kFailed = "[  FAILED  ] ";
  static const std::string kSkipped = "[  SKIPPED ] ";
  ConsoleParse p;
  std::vector<std::string> body;
  for (const auto& line : split_lines(text)) {
    if (line.rfind(kRun, 0) == 0) {
      p.running = trim(line.substr(kRun.size()));
      body.clear();
      continue;
    }
    if (!p.running) continue;
    const auto ends = [&](const std::string& tag) { return line.rfind(tag + *p.running, 0) == 0; };
    if (ends(kOk) || ends(kFailed) || ends(kSkipped)) {
      TestOutcome o;
      o.name = *p.running;
      o.status = ends(kOk) ? TestStatus::Passed
                           : (ends(kFailed) ? TestStatus::Failed : TestStatus::Skipped);
      o.message = join(body, "\n");
      p.finished.push_back(std::move(o));
      p.running.reset();
      body.clear();
    } else if (line.rfind("Using configuration: seed=", 0) != 0) {  // RapidCheck's banner
      body.push_back(line);
    }
  }
  if (p.running) {
    const std::size_t from = body.size() > 20 ? body.size() - 20 : 0;
    p.running_output = join({body.begin() + static_cast<std::ptrdiff_t>(from), body.end()}, "\n");
  }
  return p;
}

std::string gtest_filter(const std::string& positive, const std::vector<std::string>& excluded) {
  std::string f = positive.empty() ? "*" : positive;
  if (excluded.empty()) return f;
  f += (f.find('-') == std::string::npos ? "-" : ":");
  return f + join(excluded, ":");
}

}  // namespace

std::vector<std::string> list_tests(const fs::path& exe, const SuiteOptions& opt) {
  fs::create_directories(opt.work);
  fs::create_directories(opt.cwd);
  const fs::path out = opt.work / (opt.tag + ".list.txt");
  Limits limits = opt.limits;
  limits.wall_seconds = 60;
  std::vector<std::string> argv = {exe.string(), "--gtest_list_tests"};
  if (!opt.filter.empty()) argv.push_back("--gtest_filter=" + opt.filter);
  const ProcessResult r = run_process(argv, opt.cwd, out, limits, opt.env);
  if (!r.ok())
    throw std::runtime_error("cannot list the tests of " + exe.string() + ": " + r.describe() +
                             "\n" + read_text(out, 4000));
  return parse_test_list(read_text(out));
}

SuiteRun run_suite(const fs::path& exe, const std::vector<std::string>& expected,
                   const SuiteOptions& opt) {
  fs::create_directories(opt.work);
  fs::create_directories(opt.cwd);
  SuiteRun run;
  std::map<std::string, TestOutcome> results;
  std::vector<std::string> excluded;  // crashed tests, not re-run
  std::string stop_reason;            // why tests were left unrun
  const double budget = opt.limits.wall_seconds;

  for (int attempt = 0;; ++attempt) {
    if (attempt == opt.max_runs) {
      stop_reason = "not run: the suite crashed " + std::to_string(attempt) + " times";
      break;
    }
    const fs::path json_path = opt.work / (opt.tag + ".json");
    const fs::path out_path = opt.work / (opt.tag + ".out");
    fs::remove(json_path);
    Limits limits = opt.limits;
    if (budget > 0) limits.wall_seconds = std::max(1.0, budget - run.seconds);
    const std::vector<std::string> argv = {
        exe.string(), "--gtest_output=json:" + json_path.string(), "--gtest_color=no",
        "--gtest_filter=" + gtest_filter(opt.filter, excluded)};
    const ProcessResult r = run_process(argv, opt.cwd, out_path, limits, opt.env);
    if (!r.started) throw std::runtime_error("cannot run " + exe.string() + ": " + r.error);
    run.seconds += r.seconds;
    run.output = read_text(out_path, 256 * 1024);

    const bool normal_exit =
        !r.timed_out && r.signal == 0 && (r.exit_code == 0 || r.exit_code == 1);
    if (normal_exit && fs::exists(json_path)) {
      for (auto& o : parse_gtest_json(read_json_file(json_path))) results[o.name] = std::move(o);
      break;
    }
    // The process died: keep what finished, blame the test that was running.
    ConsoleParse console = parse_console(run.output);
    for (auto& o : console.finished) results[o.name] = std::move(o);
    const bool memory = run.output.find("std::bad_alloc") != std::string::npos;
    std::string what = r.timed_out ? "timed out: still running after " +
                                         std::to_string(std::lround(run.seconds)) + " s"
                                   : r.describe();
    if (memory && !r.timed_out) {
      what += " after running out of memory (std::bad_alloc)";
      run.out_of_memory = true;
    }
    if (!console.running) {  // died outside any test (start-up, or exit() between tests)
      stop_reason = "the suite stopped outside any test: " + what;
      run.crashed = true;
      if (run.crash_reason.empty()) run.crash_reason = stop_reason;
      run.crash_signal = r.signal;
      break;
    }
    TestOutcome o;
    o.name = *console.running;
    o.status = r.timed_out ? TestStatus::TimedOut : TestStatus::Crashed;
    o.message = what;
    if (!trim(console.running_output).empty())
      o.message += "\noutput before that:\n" + console.running_output;
    results[o.name] = o;
    if (r.timed_out) {
      run.timed_out = true;
      stop_reason = "not run: the suite timed out in " + o.name;
      break;
    }
    if (!run.crashed) {
      run.crashed = true;
      run.crash_signal = r.signal;
      run.crash_reason = what + " in " + o.name;
    }
    excluded.push_back(o.name);
    if (budget > 0 && run.seconds >= budget) {
      run.timed_out = true;
      stop_reason = "not run: time budget used up by re-runs after crashes";
      break;
    }
  }

  // ---- in the expected order, then anything else that ran ---------------------
  for (const auto& name : expected) {
    auto it = results.find(name);
    if (it != results.end()) {
      run.tests.push_back(it->second);
      results.erase(it);
    } else {
      TestOutcome o;
      o.name = name;
      o.status = TestStatus::NotRun;
      o.message = stop_reason.empty() ? "not run" : stop_reason;
      run.tests.push_back(o);
    }
  }
  for (auto& [name, o] : results) run.tests.push_back(o);
  for (const auto& t : run.tests)
    if (t.message.find("std::bad_alloc") != std::string::npos) run.out_of_memory = true;
  return run;
}

}  // namespace gradlab::labtools
