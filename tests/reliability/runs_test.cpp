// tests/reliability/runs_test.cpp — issue 12's runs and processes, through the
// real `gradlab` binary:
//   - runs started at the same moment never share a directory;
//   - a run that died before its first checkpoint says how to restart, and
//     restarts to the same result;
//   - SIGTERM, SIGHUP and SIGPIPE (a closed stdout, as `| head`) stop a run
//     with a checkpoint, and resuming it, with another --threads, ends
//     exactly where an uninterrupted run does;
//   - --epochs may grow on --resume, and the result is that of a longer run;
//   - a diverging run exits 1 naming the epoch and step;
//   - no shell is ever run, whatever TMPDIR holds;
//   - a model that cannot fit under `ulimit -v` fails up front naming it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "core/ops.h"
#include "tests/reliability/rely_util.h"
#include "tools/train/checkpoint.h"

namespace gradlab::rely {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kRun = {"--dataset",    "spirals", "--model", "mlp:16,16",
                                       "--batch-size", "16",      "--seed",  "5"};

// `gradlab train` of the reference run (6 epochs unless told) plus `extra`.
std::vector<std::string> train(const std::vector<std::string>& extra, int epochs = 6) {
  std::vector<std::string> a = {GRADLAB_CLI, "train", "--epochs", std::to_string(epochs)};
  a.insert(a.end(), kRun.begin(), kRun.end());
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

std::string metrics_without_seconds(const std::string& path) {
  std::istringstream in(read_text(path));
  std::string line, out;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

void expect_same_run(const fs::path& a, const fs::path& b) {
  EXPECT_EQ(metrics_without_seconds((a / "metrics.csv").string()),
            metrics_without_seconds((b / "metrics.csv").string()));
  EXPECT_EQ(read_text((a / "confusion.csv").string()), read_text((b / "confusion.csv").string()));
  const cli::Checkpoint ca = cli::load_checkpoint((a / "checkpoint.ckpt").string());
  const cli::Checkpoint cb = cli::load_checkpoint((b / "checkpoint.ckpt").string());
  ASSERT_EQ(ca.tensors.keys(), cb.tensors.keys());
  for (const auto& [k, t] : ca.tensors) EXPECT_TRUE(equal(t, cb.tensors.at(k))) << k;
}

// Waits until `path` holds a checkpoint at least `epochs` epochs in.
bool wait_for_epoch(const std::string& path, int64_t epochs, const Child& c) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < limit) {
    int status = 0;
    if (::waitpid(c.pid, &status, WNOHANG) == c.pid) return false;
    try {
      if (fs::exists(path) &&
          cli::load_checkpoint(path).meta.at("progress").at("epoch").get<int64_t>() >= epochs)
        return true;
    } catch (const std::exception&) {  // being replaced: try again
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

class Runs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new ScratchDir("runs");
    const RunResult r = run(train({"--out", ref().string()}), scratch_->path());
    ASSERT_EQ(r.code, 0) << r.output;
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }
  static fs::path ref() { return scratch_->path() / "ref"; }
  static fs::path path(const std::string& name) { return scratch_->path() / name; }
  static ScratchDir* scratch_;
};
ScratchDir* Runs::scratch_ = nullptr;

TEST_F(Runs, RunsStartedTogetherNeverShareADirectory) {
  constexpr int kRuns = 4;
  const fs::path cwd = path("together");
  fs::create_directories(cwd);
  for (const bool same_out : {true, false}) {
    std::vector<Child> children;
    for (int i = 0; i < kRuns; ++i) {
      std::vector<std::string> a = train({}, 1);
      if (same_out) a.insert(a.end(), {"--out", (cwd / "same").string()});
      children.push_back(
          spawn(a, (cwd / ("log" + std::to_string(i))).string(), {.cwd = cwd.string()}));
    }
    int ok = 0;
    for (const Child& c : children) {
      const int code = wait_child(c);
      const std::string log = read_text(c.log);
      if (code == 0)
        ++ok;
      else {
        EXPECT_EQ(code, 2) << log;
        EXPECT_THAT(log, ::testing::AnyOf(HasSubstr("already exists"), HasSubstr("being claimed")));
      }
    }
    if (same_out) {
      EXPECT_EQ(ok, 1) << "runs sharing --out";
      const std::string metrics = read_text((cwd / "same" / "metrics.csv").string());
      EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 2) << "one run's epoch, once";
    } else {
      EXPECT_EQ(ok, kRuns) << "runs with default names";
      EXPECT_EQ(std::distance(fs::directory_iterator(cwd / "runs"), fs::directory_iterator()),
                kRuns);
    }
  }
}

TEST_F(Runs, ARunThatDiedBeforeItsFirstCheckpointRestarts) {
  const fs::path dir = path("early");
  fs::create_directories(dir);
  fs::copy_file(ref() / "config.json",
                dir / "config.json");  // as a run killed right after claiming
  RunResult r = run(train({"--out", dir.string()}), scratch_->path());
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.output, HasSubstr("restart it with: gradlab train --resume " + dir.string()));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("checkpoint.ckpt")));
  r = run({GRADLAB_CLI, "train", "--resume", dir.string(), "--threads", "2"}, scratch_->path());
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_run(dir, ref());
  const std::string record = read_text((dir / "config.json").string());
  EXPECT_THAT(record, HasSubstr("\"restart\""));
}

TEST_F(Runs, StopSignalsSaveACheckpointAndResumeExactlyWithOtherThreads) {
  for (const int sig : {SIGTERM, SIGHUP}) {
    const fs::path dir = path("signal" + std::to_string(sig));
    const Child c = spawn(train({"--out", dir.string()}), (dir.string() + ".log"));
    ASSERT_TRUE(wait_for_epoch((dir / "checkpoint.ckpt").string(), 1, c)) << read_text(c.log);
    ::kill(c.pid, sig);
    const int code = wait_child(c);
    const std::string log = read_text(c.log);
    if (code == 0) GTEST_FAIL() << "the run finished before the signal: " << log;
    EXPECT_EQ(code, 128 + sig) << log;
    EXPECT_THAT(log, HasSubstr("continue with: gradlab train --resume " +
                               (dir / "checkpoint.ckpt").string()));
    const RunResult r = run(
        {GRADLAB_CLI, "train", "--resume", (dir / "checkpoint.ckpt").string(), "--threads", "2"},
        scratch_->path());
    ASSERT_EQ(r.code, 0) << r.output;
    expect_same_run(dir, ref());
  }
}

TEST_F(Runs, AClosedStdoutStopsTheRunLikeSigterm) {
  const fs::path dir = path("sigpipe");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // the reader is gone, as after `| head`
  const Child c =
      spawn(train({"--out", dir.string()}), dir.string() + ".log", {.stdout_fd = fds[1]});
  ::close(fds[1]);
  const int code = wait_child(c);
  const std::string log = read_text(c.log);
  EXPECT_EQ(code, 128 + SIGPIPE) << log;
  EXPECT_THAT(log, HasSubstr("stopped by SIGPIPE"));
  ASSERT_TRUE(fs::exists(dir / "checkpoint.ckpt"));
  const RunResult r =
      run({GRADLAB_CLI, "train", "--resume", dir.string(), "--threads", "3"}, scratch_->path());
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_run(dir, ref());
}

TEST_F(Runs, EpochsMayGrowOnResume) {
  const fs::path dir = path("grow");
  ASSERT_EQ(run(train({"--out", dir.string()}, 3), scratch_->path()).code, 0);
  const RunResult r = run({GRADLAB_CLI, "train", "--resume", (dir / "checkpoint.ckpt").string(),
                           "--epochs", "6", "--threads", "2"},
                          scratch_->path());
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_run(dir, ref());
  const nlohmann::json record = nlohmann::json::parse(read_text((dir / "config.json").string()));
  EXPECT_EQ(record["config"]["epochs"], 6);
  EXPECT_EQ(record["history"].back()["changed"]["epochs"], nlohmann::json({3, 6}));
}

TEST_F(Runs, ADivergingRunExitsNonZeroNamingEpochAndStep) {
  const fs::path dir = path("diverge");
  const RunResult r = run({GRADLAB_CLI, "train", "--dataset", "spirals", "--optimizer", "sgd",
                           "--lr", "10", "--out", dir.string()},
                          scratch_->path());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("training diverged: the loss is nan at epoch 1 of 10, step "));
  EXPECT_THAT(r.output, HasSubstr("Try a smaller --lr than 10"));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("done in")));
  EXPECT_FALSE(fs::exists(dir / "metrics.csv"));
  EXPECT_NO_THROW(cli::load_checkpoint((dir / "checkpoint.ckpt").string()));
}

TEST_F(Runs, NoShellRunsWhateverTmpdirHolds) {
  const fs::path canary = path("pwned");
  const std::string evil =
      "/tmp/x'; touch " + canary.string() + "; echo '$(touch " + canary.string() + ")";
  const fs::path file = path("tmpdir-is-a-file");
  write_text(file.string(), "not a directory");
  int n = 0;
  for (const std::string& tmpdir : {evil, file.string()}) {
    const fs::path dir = path("tmpdir" + std::to_string(n++));
    const RunResult r =
        run(train({"--out", dir.string()}, 2), scratch_->path(), {.env = {"TMPDIR=" + tmpdir}});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_THAT(read_text((dir / "curves.svg").string()), HasSubstr("<svg"));
    EXPECT_FALSE(fs::exists(canary)) << "a shell ran with TMPDIR=" << tmpdir;
  }
}

TEST_F(Runs, AModelThatCannotFitUnderUlimitFailsUpFront) {
  const fs::path dir = path("oom");
  SpawnOptions opts;
#if defined(__SANITIZE_ADDRESS__)
  // ASan maps terabytes of shadow memory: it cannot run under RLIMIT_AS, so
  // its build checks the same estimate against the other cap.
  opts.env = {"GRADLAB_MEMORY_LIMIT=2G"};
  const char* source = "GRADLAB_MEMORY_LIMIT=2G";
#else
  opts.address_space = uint64_t{2} << 30;
  const char* source = "ulimit -v (RLIMIT_AS)";
#endif
  const RunResult r = run({GRADLAB_CLI, "train", "--dataset", "spirals", "--model",
                           "mlp:16384,16384", "--out", dir.string()},
                          scratch_->path(), opts);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--model mlp:16384,16384 (268550147 parameters"));
  EXPECT_THAT(r.output, HasSubstr(source));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("bad_alloc")));
  EXPECT_FALSE(fs::exists(dir));
}

}  // namespace
}  // namespace gradlab::rely
