// tools/grade/submission.cpp — grade one submission. See tools/grade/submission.h.
#include "tools/grade/submission.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>

namespace gradlab::labtools {

std::vector<std::pair<std::string, std::string>> GradeSetup::run_env() const {
  return {{"RC_PARAMS", "seed=" + std::to_string(seed)},
          {"OMP_NUM_THREADS", "1"},
          {"OPENBLAS_NUM_THREADS", "1"},
          {"GTEST_COLOR", "no"}};
}

std::optional<fs::path> find_submitted_file(const fs::path& dir, const std::string& source) {
  if (fs::is_regular_file(dir / source)) return dir / source;
  const std::string name = fs::path(source).filename().string();
  if (fs::is_regular_file(dir / name)) return dir / name;
  std::optional<fs::path> best;
  int best_depth = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename() == name &&
        (!best || it.depth() < best_depth)) {
      best = it->path();
      best_depth = it.depth();
    }
  }
  return best;
}

namespace {

// The first line of a compiler's complaint, for the gradebook's reason.
std::string first_error_line(const std::string& errors) {
  for (const auto& line : split_lines(errors))
    if (line.find("error") != std::string::npos) return trim(line);
  const auto lines = split_lines(errors);
  return lines.empty() ? "" : trim(lines.front());
}

// Copies the submission's C++ files (sources and any headers they include)
// into scratch/src, so a student's folder is never written to.
void copy_sources(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(from, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string ext = it->path().extension().string();
    if (ext != ".h" && ext != ".hpp" && ext != ".hh" && ext != ".cpp" && ext != ".cc") continue;
    const fs::path target = to / fs::relative(it->path(), from);
    fs::create_directories(target.parent_path());
    fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing);
  }
}

std::string clean_log(const std::string& log, const fs::path& src_dir) {
  return replace_all(log, src_dir.string() + "/", "");
}

void grade_my_tests(const GradeSetup& s, const fs::path& dir, const fs::path& scratch,
                    SubmissionGrade& g) {
  const auto file = find_submitted_file(dir, s.my_tests_source);
  const std::string name = fs::path(s.my_tests_source).filename().string();
  if (!file) {
    g.my_tests_note = "no " + name + " submitted";
    return;
  }
  const fs::path src_dir = scratch / "src";
  const fs::path src = src_dir / fs::relative(*file, dir);
  const fs::path obj = scratch / "obj" / "my_tests.o";
  const fs::path log = scratch / "compile_my_tests.log";
  if (!s.toolchain.compile(src, obj, Toolchain::Flags::Test, log, s.compile_timeout).ok()) {
    const std::string errors = clean_log(compiler_errors(read_text(log)), src_dir);
    g.my_tests_note = name + " does not compile: " + first_error_line(errors);
    g.details += "\n" + name + ":\n" + errors + "\n";
    return;
  }
  const auto link = [&](const std::vector<fs::path>& impl, const std::string& exe_name) {
    std::vector<fs::path> objects = {obj};
    objects.insert(objects.end(), impl.begin(), impl.end());
    const fs::path exe = scratch / exe_name;
    const fs::path link_log = scratch / (exe_name + ".link.log");
    if (!s.toolchain.link(objects, false, exe, link_log, s.compile_timeout).ok())
      throw std::runtime_error(
          name + " does not link: " + first_error_line(compiler_errors(read_text(link_log))));
    return exe;
  };
  try {
    const fs::path ref_exe = link(s.toolchain.reference_objects(), "mytests_reference");
    std::map<std::string, fs::path> bug_exes;
    for (const auto& [bug, objects] : s.bug_objects)
      bug_exes[bug] = link(objects, "mytests_bug_" + bug);
    SuiteOptions opt;
    opt.limits = s.limits;
    opt.limits.wall_seconds =
        std::min(s.limits.wall_seconds > 0 ? s.limits.wall_seconds : 60.0, 60.0);
    opt.cwd = scratch / "run_my_tests";
    opt.work = scratch;
    opt.env = s.run_env();
    g.my_tests = run_my_tests(ref_exe, bug_exes, opt);
    if (!g.my_tests->error.empty())
      g.my_tests_note = g.my_tests->error;
    else if (!g.my_tests->passes_reference)
      g.my_tests_note = "your tests fail on the reference implementation, so they cannot count";
    g.my_tests_points = g.my_tests->score() * s.my_tests_points;
  } catch (const std::exception& e) {
    g.my_tests_note = e.what();
  }
}

void grade_implementation(const GradeSetup& s, const fs::path& dir, const fs::path& scratch,
                          SubmissionGrade& g) {
  const fs::path src_dir = scratch / "src";
  // ---- the files the manifest asks for -----------------------------------------
  std::vector<fs::path> sources;
  std::vector<std::string> missing;
  for (const auto& source : s.phase->sources()) {
    if (s.has_my_tests && source == s.my_tests_source) continue;  // graded separately
    if (const auto f = find_submitted_file(dir, source))
      sources.push_back(src_dir / fs::relative(*f, dir));
    else
      missing.push_back(fs::path(source).filename().string());
  }
  if (!missing.empty()) {
    g.status = "missing_files";
    g.reason = "missing " + join(missing, ", ");
    return;
  }
  // ---- compile -------------------------------------------------------------------
  std::vector<fs::path> objects;
  for (const auto& src : sources) {
    const fs::path obj = scratch / "obj" / (src.stem().string() + ".o");
    const fs::path log = scratch / ("compile_" + src.stem().string() + ".log");
    const ProcessResult r =
        s.toolchain.compile(src, obj, Toolchain::Flags::Student, log, s.compile_timeout);
    if (!r.ok()) {
      g.status = "compile_error";
      g.details = clean_log(
          r.timed_out ? "compiler timed out" : compiler_errors(read_text(log), 30), src_dir);
      g.reason = first_error_line(g.details);
      return;
    }
    objects.push_back(obj);
  }
  // ---- calls to the functions being taught -------------------------------------
  std::vector<std::string> undefined;
  for (const auto& obj : objects) {
    const auto syms = undefined_symbols(obj, scratch);
    undefined.insert(undefined.end(), syms.begin(), syms.end());
  }
  if (const auto used = taught_symbols_used(undefined, s.phase->taught_symbols()); !used.empty())
    g.flags.push_back("calls " + join(used, ", ") +
                      ": the framework's own implementation of what this phase teaches");
  // ---- link with the prebuilt suite (and the extra tests) ----------------------
  std::vector<fs::path> link_objects = objects;
  link_objects.insert(link_objects.end(), s.extra_objects.begin(), s.extra_objects.end());
  const fs::path exe = scratch / "suite";
  const fs::path link_log = scratch / "link.log";
  if (!s.toolchain.link(link_objects, true, exe, link_log, s.compile_timeout).ok()) {
    g.status = "link_error";
    g.details = clean_log(compiler_errors(read_text(link_log), 30), src_dir);
    g.reason = first_error_line(g.details);
    return;
  }
  // ---- run -----------------------------------------------------------------------
  SuiteOptions opt;
  opt.limits = s.limits;
  opt.cwd = scratch / "run";
  opt.work = scratch;
  opt.env = s.run_env();
  const SuiteRun run = run_suite(exe, s.tests, opt);
  for (auto& t : g.tests) {
    const auto it = std::find_if(run.tests.begin(), run.tests.end(),
                                 [&](const TestOutcome& o) { return o.name == t.outcome.name; });
    if (it == run.tests.end()) continue;
    t.outcome = *it;
    t.points = it->status == TestStatus::Passed ? t.max_points : 0;
  }
  if (run.timed_out) {
    g.status = "timeout";
    for (const auto& t : run.tests)
      if (t.status == TestStatus::TimedOut)
        g.reason = "timed out after " + std::to_string(std::lround(s.limits.wall_seconds)) +
                   " s in " + t.name;
    if (g.reason.empty()) g.reason = "timed out";
  } else if (run.out_of_memory) {
    g.status = "memory_limit";
    g.reason = "ran out of memory (limit " + std::to_string(s.limits.memory_mb) + " MB)";
  } else if (run.crashed) {
    g.status = "crash";
    g.reason = run.crash_reason;
  }
}

}  // namespace

SubmissionGrade grade_submission(const GradeSetup& s, const fs::path& dir) {
  const auto start = std::chrono::steady_clock::now();
  SubmissionGrade g;
  g.student = dir.filename().string();
  g.max_points = s.max_points();
  for (const auto& name : s.tests) {
    GradedTest t;
    t.outcome.name = name;
    t.outcome.message = "not run";
    t.max_points = s.points.at(name);
    g.tests.push_back(t);
  }
  const fs::path scratch = s.work_dir / g.student;
  try {
    fs::remove_all(scratch);
    copy_sources(dir, scratch / "src");
    grade_implementation(s, dir, scratch, g);
    if (s.has_my_tests) grade_my_tests(s, dir, scratch, g);
  } catch (const std::exception& e) {
    g.status = "error";
    g.reason = std::string("grader error: ") + e.what();
  }
  for (const auto& t : g.tests) g.points += t.points;
  g.points += g.my_tests_points;
  g.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return g;
}

}  // namespace gradlab::labtools
