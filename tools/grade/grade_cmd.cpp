// tools/grade/grade_cmd.cpp — `gradlab grade`: run a phase's suite over a class.
//
//   gradlab grade --lab 02 --submissions subs/ --out grades/
//                 [--extra-tests private/] [--timeout 60] [--memory-mb 1024]
//                 [--jobs 1] [--seed 1] [--build-dir build] [--keep-work]
//
// subs/ holds one folder per student with the files the phase's manifest
// lists under "sources" (e.g. logsoftmax.cpp; see labs/README.md). Each
// submission is compiled and run in its own process and scratch directory
// (grades/work/<student>/) under a time and a memory limit; what went wrong
// (compile error, crash, timeout, memory) is recorded and the batch goes on.
// Output: grades/gradebook.json, gradebook.csv, summary.md, feedback/<student>.md.
//
// --extra-tests DIR: the instructor's private tests. Every DIR/*.cpp is a
// GoogleTest/RapidCheck file written against "labs/NN_topic/lab.h" (like the
// phase's own suite; no main()); they are compiled once and linked into every
// submission. Test names must not clash with the public suite's (prefix the
// suite names, e.g. TEST(PrivateLogSoftmax, ...)). Optional DIR/points.json
// gives their points ({"PrivateLogSoftmax.Huge": 3, "default": 1}); otherwise
// the manifest's points apply. Feedback names failed private tests but never
// shows their messages.
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "tools/commands.h"
#include "tools/grade/output.h"
#include "tools/grade/submission.h"

namespace gradlab::cli {
namespace {

namespace lt = gradlab::labtools;
namespace fs = std::filesystem;
using nlohmann::json;

struct GradeFlags {
  std::string lab, submissions, out, extra_tests, build_dir;
  double timeout = 60;
  unsigned memory_mb = 1024;
  unsigned jobs = 1;
  unsigned seed = 1;
  bool keep_work = false;
};

[[noreturn]] void bad_input(const std::string& message) { throw ExitError{kExitBadInput, message}; }
[[noreturn]] void failure(const std::string& message) { throw ExitError{kExitFailure, message}; }

std::vector<fs::path> submission_dirs(const fs::path& root) {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && !name.empty() && name[0] != '.') dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// Executables and object files of a graded submission (logs stay).
void remove_binaries(const fs::path& scratch) {
  std::error_code ec;
  fs::remove_all(scratch / "obj", ec);
  for (const auto& e : fs::directory_iterator(scratch, ec))
    if (e.is_regular_file() && e.path().extension().empty()) fs::remove(e.path(), ec);
}

// Builds what grading links against and loads the recorded commands; if the
// records are missing (a build from before they existed), forces a relink.
lt::Toolchain prepare_build(const fs::path& build_dir, const lt::Phase& phase, const json& info,
                            const fs::path& work) {
  std::vector<std::string> targets = {phase.lab() + "_reference"};
  for (const auto& [bug, entry] : info["bugs"].items())
    targets.push_back(phase.lab() + "_impl_bug_" + bug);
  const fs::path log = work / "build.log";
  spdlog::info("building {} (reference, suite, bug zoo) in {}", phase.lab(), build_dir.string());
  if (!lt::cmake_build(build_dir, targets, log))
    failure("cannot build the phase in " + build_dir.string() + ":\n" +
            lt::compiler_errors(lt::read_text(log)) + "\n(full log: " + log.string() + ")");
  try {
    return lt::Toolchain::load(info);
  } catch (const std::exception& e) {
    spdlog::warn("{}; rebuilding the reference to record its commands", e.what());
  }
  fs::remove(info["reference_exe"].get<std::string>());
  for (const auto& key : {"reference_objects", "suite_objects"})
    for (const auto& obj : info[key]) fs::remove(obj.get<std::string>());
  if (!lt::cmake_build(build_dir, targets, log))
    failure("cannot rebuild " + phase.lab() + "_reference");
  return lt::Toolchain::load(info);  // throws: reported as exit 2 by main
}

std::vector<fs::path> compile_extra_tests(const lt::GradeSetup& setup, const fs::path& dir) {
  std::vector<fs::path> objects;
  std::vector<fs::path> sources;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".cpp") sources.push_back(e.path());
  std::sort(sources.begin(), sources.end());
  if (sources.empty()) bad_input("--extra-tests " + dir.string() + " holds no .cpp files");
  for (const auto& src : sources) {
    const fs::path obj = setup.work_dir / "_extra" / (src.stem().string() + ".o");
    const fs::path log = setup.work_dir / "_extra" / (src.stem().string() + ".log");
    if (!setup.toolchain.compile(src, obj, lt::Toolchain::Flags::Test, log, setup.compile_timeout)
             .ok())
      bad_input("extra test " + src.string() + " does not compile:\n" +
                lt::compiler_errors(lt::read_text(log)));
    objects.push_back(obj);
  }
  return objects;
}

int run_grade(const GradeFlags& f) {
  // ---- inputs ----------------------------------------------------------------
  const auto phases = lt::discover_phases(lt::source_dir() / "labs");
  const lt::Phase* phase = lt::find_phase(phases, f.lab);
  if (!phase) bad_input("unknown phase '" + f.lab + "' (see `gradlab lab list`)");
  if (phase->sources().empty()) bad_input(phase->id + "/manifest.json lists no \"sources\"");
  const fs::path subs = fs::absolute(f.submissions).lexically_normal();
  if (!fs::is_directory(subs)) bad_input("--submissions " + f.submissions + " is not a directory");
  const auto dirs = submission_dirs(subs);
  if (dirs.empty()) bad_input("--submissions " + f.submissions + " has no student folders");
  if (!f.extra_tests.empty() && !fs::is_directory(f.extra_tests))
    bad_input("--extra-tests " + f.extra_tests + " is not a directory");
  const fs::path out = fs::absolute(f.out).lexically_normal();
  const fs::path build_dir = lt::find_build_dir(f.build_dir);
  if (!fs::exists(build_dir / "CMakeCache.txt"))
    bad_input("no CMake build directory at " + build_dir.string() +
              " (configure first or pass --build-dir)");

  lt::GradeSetup setup;
  setup.phase = phase;
  setup.work_dir = out / "work";
  fs::create_directories(setup.work_dir);
  const auto info =
      lt::load_build_info_or_configure(build_dir, *phase, setup.work_dir / "configure.log");
  if (!info) bad_input("phase " + phase->id + " is not part of the build in " + build_dir.string());
  setup.info = *info;
  setup.toolchain = prepare_build(build_dir, *phase, setup.info, setup.work_dir);
  setup.limits.wall_seconds = f.timeout;
  setup.limits.cpu_seconds = f.timeout + 1;
  setup.limits.memory_mb = f.memory_mb;
  setup.seed = f.seed;

  // ---- the instructor's extra tests and the reference run ----------------------
  json extra_points = json::object();
  if (!f.extra_tests.empty()) {
    setup.extra_objects = compile_extra_tests(setup, f.extra_tests);
    if (fs::exists(fs::path(f.extra_tests) / "points.json"))
      extra_points = lt::read_json_file(fs::path(f.extra_tests) / "points.json");
  }
  std::vector<fs::path> ref_objects = setup.toolchain.reference_objects();
  ref_objects.insert(ref_objects.end(), setup.extra_objects.begin(), setup.extra_objects.end());
  const fs::path ref_dir = setup.work_dir / "_reference";
  const fs::path ref_exe = ref_dir / "suite";
  if (!setup.toolchain.link(ref_objects, true, ref_exe, ref_dir / "link.log", setup.compile_timeout)
           .ok())
    failure("the reference does not link with the suite (and extra tests):\n" +
            lt::compiler_errors(lt::read_text(ref_dir / "link.log")));
  lt::SuiteOptions ref_opt;
  ref_opt.limits = setup.limits;
  ref_opt.cwd = ref_dir / "run";
  ref_opt.work = ref_dir;
  ref_opt.env = setup.run_env();
  setup.tests = lt::list_tests(ref_exe, ref_opt);
  if (setup.tests.empty()) failure("the suite of " + phase->id + " defines no tests");
  const auto public_tests = lt::list_tests(setup.info["reference_exe"].get<std::string>(), ref_opt);
  lt::Batch batch;
  for (const auto& t : setup.tests)
    if (std::find(public_tests.begin(), public_tests.end(), t) == public_tests.end())
      batch.extra_tests.insert(t);
  for (const auto& t : setup.tests) {
    setup.points[t] = batch.extra_tests.count(t)
                          ? lt::lookup_points(extra_points, t, phase->points_for(t))
                          : phase->points_for(t);
    setup.suite_points += setup.points[t];
  }
  const lt::SuiteRun ref_run = lt::run_suite(ref_exe, setup.tests, ref_opt);
  batch.reference_passed = ref_run.count(lt::TestStatus::Passed);
  batch.reference_total = ref_run.total();
  if (!ref_run.all_passed())
    for (const auto& t : ref_run.tests)
      if (t.status != lt::TestStatus::Passed)
        spdlog::warn("the REFERENCE fails {} ({}): check the suite / extra tests", t.name,
                     lt::to_string(t.status));

  // ---- the students' own tests (phase 02) --------------------------------------
  if (const auto src = phase->my_tests_source()) {
    for (const auto& [bug, entry] : setup.info["bugs"].items()) {
      std::vector<fs::path> objs;
      for (const auto& o : entry["objects"]) objs.push_back(o.get<std::string>());
      setup.bug_objects[bug] = objs;
    }
    setup.has_my_tests = !setup.bug_objects.empty();
    setup.my_tests_source = *src;
    setup.my_tests_points = phase->my_tests_points();
    if (!setup.has_my_tests)
      spdlog::warn("{} has no bug zoo: students' own tests are not graded", phase->id);
  }

  // ---- grade, `jobs` submissions at a time -------------------------------------
  spdlog::info("grading {} submissions for {} ({} tests, {} points; {} s, {} MB each)", dirs.size(),
               phase->id, setup.tests.size(), setup.max_points(), f.timeout, f.memory_mb);
  batch.setup = &setup;
  batch.grades.resize(dirs.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex print;
  const auto worker = [&] {
    for (std::size_t i = next++; i < dirs.size(); i = next++) {
      batch.grades[i] = lt::grade_submission(setup, dirs[i]);
      if (!f.keep_work) remove_binaries(setup.work_dir / batch.grades[i].student);
      const auto& g = batch.grades[i];
      std::lock_guard<std::mutex> lock(print);
      std::cerr << "[" << ++done << "/" << dirs.size() << "] " << g.student << ": "
                << lt::fmt_points(g.points) << " / " << lt::fmt_points(g.max_points) << " ("
                << g.status << (g.reason.empty() ? "" : ": " + g.reason) << ")"
                << (g.flags.empty() ? "" : " FLAGGED") << "\n";
    }
  };
  std::vector<std::thread> pool;
  for (unsigned j = 0; j < std::max(1u, f.jobs); ++j) pool.emplace_back(worker);
  for (auto& t : pool) t.join();

  batch.settings = {{"lab", phase->id},
                    {"submissions", subs.string()},
                    {"extra_tests", f.extra_tests.empty() ? json(nullptr) : json(f.extra_tests)},
                    {"timeout_s", f.timeout},
                    {"memory_mb", f.memory_mb},
                    {"jobs", f.jobs},
                    {"seed", f.seed},
                    {"build_dir", build_dir.string()}};
  lt::write_outputs(batch, out);
  std::cout << "graded " << dirs.size() << " submissions: " << (out / "summary.md").string() << ", "
            << (out / "gradebook.json").string() << ", gradebook.csv, feedback/\n";
  return kExitOk;
}

}  // namespace

void add_grade_command(CLI::App& app) {
  auto* sub =
      app.add_subcommand("grade", "Instructors: run a phase's tests over a folder of submissions");
  auto f = std::make_shared<GradeFlags>();
  sub->add_option("--lab", f->lab, "Phase: 2, 02, 02_logsoftmax or logsoftmax")->required();
  sub->add_option("--submissions", f->submissions, "Folder with one sub-folder per student")
      ->required();
  sub->add_option("--out", f->out, "Where the gradebook, summary and feedback go (created)")
      ->required();
  sub->add_option("--extra-tests", f->extra_tests,
                  "Folder of private .cpp test files linked into every submission");
  sub->add_option("--timeout", f->timeout, "Seconds per submission's suite run")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  sub->add_option("--memory-mb", f->memory_mb, "Address-space limit per run, in MB")
      ->capture_default_str()
      ->check(CLI::Range(64u, 1u << 20));
  sub->add_option("--jobs", f->jobs, "Submissions graded at once")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  sub->add_option("--seed", f->seed, "RapidCheck seed, the same for every student")
      ->capture_default_str();
  sub->add_option("--build-dir", f->build_dir, "CMake build directory (default: this binary's)");
  sub->add_flag("--keep-work", f->keep_work,
                "Keep executables and objects in <out>/work/ (logs are always kept)");
  sub->callback([f] {
    const int code = run_grade(*f);
    if (code != kExitOk) throw ExitError{code, ""};
  });
}

}  // namespace gradlab::cli
