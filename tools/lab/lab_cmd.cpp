// tools/lab/lab_cmd.cpp — `gradlab lab list` and `gradlab lab check NN`: the
// student's side of the labs (DESIGN.md §3, labs/README.md).
//
//   gradlab lab list              the phases and where you stand in each
//   gradlab lab check 02          build labs/02_*/starter/ against the phase's
//                                 suite, run it, explain what failed
//
// `check` lets CMake do the build (`cmake --build <build> --target lab02_starter`),
// so after editing one file only that file is recompiled and one executable
// relinked. The result is cached in <build>/labs/status/ for `list`.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "tools/commands.h"
#include "tools/lab/common.h"
#include "tools/lab/mytests.h"
#include "tools/lab/report.h"

namespace gradlab::cli {
namespace {

namespace lt = gradlab::labtools;
namespace fs = std::filesystem;
using nlohmann::json;

struct LabFlags {
  std::string phase;
  std::string build_dir;
  std::string filter;
  double timeout = 120;
  unsigned seed = 1;
  bool verbose = false;
};

std::vector<lt::Phase> phases_or_fail() {
  auto phases = lt::discover_phases(lt::source_dir() / "labs");
  if (phases.empty())
    throw ExitError{kExitBadInput,
                    "no lab phases found under " + (lt::source_dir() / "labs").string()};
  return phases;
}

const lt::Phase& phase_or_fail(const std::vector<lt::Phase>& phases, const std::string& query) {
  if (const auto* p = lt::find_phase(phases, query)) return *p;
  std::vector<std::string> names;
  for (const auto& p : phases) names.push_back(p.id);
  throw ExitError{kExitBadInput, "unknown phase '" + query + "'; phases: " + lt::join(names, ", ")};
}

fs::path status_file(const fs::path& build_dir, const lt::Phase& phase) {
  return build_dir / "labs" / "status" / (phase.lab() + ".json");
}

std::string status_text(const fs::path& build_dir, const lt::Phase& phase) {
  if (!lt::load_build_info(build_dir, phase)) return "not in this build";
  const fs::path file = status_file(build_dir, phase);
  if (!fs::exists(file)) return "not started";
  try {
    const json s = lt::read_json_file(file);
    if (!s.value("built", false)) return "does not compile";
    const int passed = s.value("passed", 0), total = s.value("total", 0);
    std::string text;
    if (total > 0 && passed == total)
      text = "passing (" + std::to_string(total) + " tests)";
    else if (passed == 0)
      text = "started, 0 of " + std::to_string(total) + " pass";
    else
      text = "failing, " + std::to_string(passed) + " of " + std::to_string(total) + " pass";
    if (s.contains("bugs_total"))
      text += "; your tests catch " + std::to_string(s.value("bugs_caught", 0)) + "/" +
              std::to_string(s.value("bugs_total", 0)) + " bugs";
    return text;
  } catch (const std::exception&) {
    return "not started";
  }
}

void run_list(const LabFlags& flags) {
  const auto phases = phases_or_fail();
  const fs::path build_dir = lt::find_build_dir(flags.build_dir);
  std::cout << "gradlab labs (handouts in " << (lt::source_dir() / "labs").string()
            << "/NN_topic/README.md;"
            << " build: " << build_dir.string() << ")\n\n";
  std::vector<std::string> statuses;
  std::size_t topic_w = 5, status_w = 6;
  for (const auto& p : phases) {
    statuses.push_back(status_text(build_dir, p));
    topic_w = std::max(topic_w, p.topic.size());
    status_w = std::max(status_w, statuses.back().size());
  }
  const auto row = [&](const std::string& nn, const std::string& topic, const std::string& status,
                       const std::string& title) {
    std::cout << "  " << std::left << std::setw(4) << nn << std::setw(static_cast<int>(topic_w + 2))
              << topic << std::setw(static_cast<int>(status_w + 2)) << status << title << "\n";
  };
  row("NN", "phase", "status", "title");
  for (std::size_t i = 0; i < phases.size(); ++i)
    row(phases[i].number, phases[i].topic, statuses[i], phases[i].title);
  std::cout << "\nStart a phase: read its README.md, edit its starter/ files, then run\n"
               "  gradlab lab check NN\n";
}

// Builds the student's starter and runs the suite; returns the exit code.
int run_check(const LabFlags& flags) {
  const auto phases = phases_or_fail();
  const lt::Phase& phase = phase_or_fail(phases, flags.phase);
  const fs::path build_dir = lt::find_build_dir(flags.build_dir);
  if (!fs::exists(build_dir / "CMakeCache.txt"))
    throw ExitError{kExitBadInput, "no CMake build directory at " + build_dir.string() +
                                       ": configure first (`make build`) or pass --build-dir"};
  const fs::path work = build_dir / "labs" / "check" / phase.lab();
  fs::create_directories(work);
  const auto info = lt::load_build_info_or_configure(build_dir, phase, work / "configure.log");
  if (!info || !(*info)["starter_exe"].is_string())
    throw ExitError{kExitBadInput,
                    "phase " + phase.id + " is not part of the build in " + build_dir.string() +
                        " (its suite, reference.cpp or starter/ may be missing, or labs are off: "
                        "configure with -DGRADLAB_BUILD_TESTS=ON -DGRADLAB_BUILD_LABS=ON)"};

  std::cout << "Phase " << phase.number << ": " << phase.title << "\n";
  std::cout << "building your code in " << (phase.dir / "starter").string() << "/ ... "
            << std::flush;
  json status = {{"checked_at", lt::now_iso8601()}, {"built", false}};
  double seconds = 0;
  const fs::path build_log = work / "build.log";
  if (!lt::cmake_build(build_dir, {phase.lab() + "_starter"}, build_log, &seconds)) {
    std::cout << "it does not compile:\n\n"
              << lt::compiler_errors(lt::read_text(build_log))
              << "\n\n(full log: " << build_log.string() << ")\n";
    lt::write_text_file(status_file(build_dir, phase), status.dump(2));
    return kExitFailure;
  }
  std::cout << "ok (" << std::fixed << std::setprecision(1) << seconds << " s)\n";
  status["built"] = true;

  lt::SuiteOptions opt;
  opt.limits.wall_seconds = flags.timeout;
  opt.limits.memory_mb = 4096;  // a runaway allocation fails instead of swapping the machine
  opt.cwd = work / "run";
  opt.work = work;
  opt.tag = "suite";
  opt.filter = flags.filter;
  if (!std::getenv("RC_PARAMS"))
    opt.env.emplace_back("RC_PARAMS", "seed=" + std::to_string(flags.seed));
  const fs::path exe = (*info)["starter_exe"].get<std::string>();
  const auto tests = lt::list_tests(exe, opt);
  std::cout << "running " << tests.size() << " tests ...\n\n";
  const lt::SuiteRun run = lt::run_suite(exe, tests, opt);
  lt::ReportOptions report;
  report.verbose = flags.verbose;
  lt::print_test_report(std::cout, run, report);
  if (run.crashed) std::cout << "\n  Your code crashed: " << run.crash_reason << "\n";
  if (run.timed_out)
    std::cout << "\n  Time limit (" << flags.timeout
              << " s, --timeout) reached: an infinite loop?\n";
  const int passed = run.count(lt::TestStatus::Passed);
  status["passed"] = passed;
  status["total"] = run.total();

  // ---- phase 02: the student's own tests ---------------------------------------
  bool my_tests_ok = true;
  if (const auto& mt = (*info)["my_tests"]; mt.is_object() && flags.filter.empty()) {
    std::cout << "\n";
    std::vector<std::string> targets = {phase.lab() + "_mytests_reference"};
    std::map<std::string, fs::path> bugs;
    for (const auto& [bug, path] : mt["bug_exes"].items()) {
      targets.push_back(phase.lab() + "_mytests_bug_" + bug);
      bugs[bug] = path.get<std::string>();
    }
    const fs::path log = work / "build_mytests.log";
    lt::MyTestsResult r;
    if (!lt::cmake_build(build_dir, targets, log)) {
      r.error = "they do not compile:\n" + lt::compiler_errors(lt::read_text(log));
    } else {
      lt::SuiteOptions mopt = opt;
      mopt.filter.clear();
      mopt.limits.wall_seconds = std::min(flags.timeout, 60.0);
      r = lt::run_my_tests(mt["reference_exe"].get<std::string>(), bugs, mopt);
    }
    lt::print_my_tests_report(std::cout, r, (phase.dir / mt.value("source", "")).string());
    my_tests_ok = r.error.empty() && r.passes_reference;
    status["my_tests_pass_reference"] = r.passes_reference;
    status["bugs_caught"] = r.caught.size();
    status["bugs_total"] = r.bugs();
  }
  if (flags.filter.empty())  // a filtered run says nothing about the whole phase
    lt::write_text_file(status_file(build_dir, phase), status.dump(2));

  std::cout << "\n" << passed << " of " << run.total() << " tests pass";
  if (run.all_passed() && my_tests_ok) {
    std::cout << ". Phase " << phase.number << " is done: well done!\n";
    return kExitOk;
  }
  // Only unimplemented stubs left to fail? Point at the first one.
  std::string todo;
  bool other_failures = false;
  for (const auto& t : run.tests) {
    if (t.status == lt::TestStatus::Passed) continue;
    const auto name = lt::not_implemented_name(t.message);
    if (name && todo.empty()) todo = *name;
    other_failures = other_failures || !name;
  }
  if (!todo.empty() && !other_failures)
    std::cout << ". Next: implement " << todo << " in " << (phase.dir / "starter").string()
              << "/ (the handout " << (phase.dir / "README.md").string() << " explains it)";
  else if (!run.all_passed())
    std::cout << ". Fix the first failure above";
  else
    std::cout << "; now make your own tests pass on the reference (above)";
  std::cout << ", then run `gradlab lab check " << phase.number << "` again.\n";
  return kExitFailure;
}

}  // namespace

void add_lab_command(CLI::App& app) {
  auto* lab = app.add_subcommand("lab", "Student labs: list the phases, check your work");
  lab->require_subcommand(1);
  auto flags = std::make_shared<LabFlags>();

  auto* list = lab->add_subcommand("list", "The phases and your status in each");
  list->add_option("--build-dir", flags->build_dir,
                   "CMake build directory (default: this binary's)");
  list->callback([flags] { run_list(*flags); });

  auto* check = lab->add_subcommand(
      "check",
      "Build your starter/ code for phase NN against its test suite and explain the result");
  check->add_option("phase", flags->phase, "Phase: 2, 02, 02_logsoftmax or logsoftmax")->required();
  check->add_option("--build-dir", flags->build_dir,
                    "CMake build directory (default: this binary's)");
  check->add_option("--filter", flags->filter,
                    "Only the tests matching this gtest filter (e.g. '*Stress*')");
  check->add_option("--timeout", flags->timeout, "Seconds before a hanging suite is stopped")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  check->add_option("--seed", flags->seed, "RapidCheck seed (same seed, same counterexamples)")
      ->capture_default_str();
  check->add_flag("-v,--verbose", flags->verbose, "Show every failure in full");
  check->callback([flags] {
    const int code = run_check(*flags);
    if (code != kExitOk) throw ExitError{code, ""};
  });
}

}  // namespace gradlab::cli
