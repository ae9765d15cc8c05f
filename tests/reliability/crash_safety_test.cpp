// tests/reliability/crash_safety_test.cpp — `gradlab train` survives being
// killed. Runs the real binary on spirals, SIGKILLs it at random moments
// (some timed to land while a checkpoint is being written: the kill fires as
// soon as the temporary file appears), resumes from the newest checkpoint
// each time, and checks:
//   - after every kill, checkpoint.ckpt (if any) loads and verifies, and its
//     progress never goes backwards; a temporary file is never named like a
//     checkpoint, and reading one either verifies (complete) or is rejected;
//   - the killed-and-resumed run ends with the same metrics.csv (seconds
//     aside), the same confusion matrix and bit-identical parameters as an
//     uninterrupted run.
// Kills land all over: before the directory is claimed, in the first epoch
// (a directory without a checkpoint restarts with --resume DIR), and in
// resumed runs, each resumed with another --threads. After every kill
// metrics.csv is never ahead of the checkpoint.
// Also: SIGINT saves a mid-epoch checkpoint and exits 130, and resuming from
// it gives the same result.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "core/ops.h"
#include "tests/reliability/rely_util.h"
#include "tools/train/checkpoint.h"

namespace gradlab::rely {
namespace {

const std::vector<std::string> kArgs = {"--dataset", "spirals", "--model", "mlp:32,32", "--epochs", "30",
                                        "--batch-size", "16", "--seed", "3", "--threads", "1"};

std::vector<std::string> train_args(const std::string& out) {
  std::vector<std::string> a = {GRADLAB_CLI, "train"};
  a.insert(a.end(), kArgs.begin(), kArgs.end());
  a.insert(a.end(), {"--out", out});
  return a;
}
// Resumes with another thread count each time: the result must not change.
std::vector<std::string> resume_args(const std::string& what, int threads = 1) {
  return {GRADLAB_CLI, "train", "--resume", what, "--threads", std::to_string(threads)};
}

// Data rows of a metrics.csv (0 if it does not exist).
size_t metrics_rows(const std::string& path) {
  if (!fs::exists(path)) return 0;
  const std::string text = read_text(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) - 1;
}

// metrics.csv without its last ("seconds") column.
std::string metrics_without_seconds(const std::string& path) {
  std::istringstream in(read_text(path));
  std::string line, out;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

// Names of the temporary files a checkpoint write leaves in `dir`.
std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.find(".tmp") != std::string::npos) names.push_back(e.path().string());
  }
  return names;
}

// True if `dir` holds a temporary checkpoint file not in `stale` (the ones
// earlier killed runs left behind): the running process is writing one.
bool writing_checkpoint(const fs::path& dir, const std::set<std::string>& stale) {
  for (const std::string& n : temp_files(dir))
    if (n.find("checkpoint.ckpt") != std::string::npos && !stale.count(n)) return true;
  return false;
}

int64_t progress_of(const cli::Checkpoint& c) {
  const auto& p = c.meta.at("progress");
  return p.at("epoch").get<int64_t>() * 1000000 + p.at("batch").get<int64_t>();
}

void expect_same_model(const std::string& a, const std::string& b) {
  const cli::Checkpoint ca = cli::load_checkpoint(a), cb = cli::load_checkpoint(b);
  ASSERT_EQ(ca.tensors.keys(), cb.tensors.keys());
  for (const auto& [k, t] : ca.tensors) EXPECT_TRUE(equal(t, cb.tensors.at(k))) << k;
}

TEST(CrashSafety, RandomSigkillsThenResumeMatchesAnUninterruptedRun) {
  ScratchDir tmp("crash");
  const std::string ref = (tmp.path() / "ref").string(), run_dir = (tmp.path() / "killed").string();
  const std::string ckpt = run_dir + "/checkpoint.ckpt";

  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = run(train_args(ref), tmp.path());
  ASSERT_EQ(r.code, 0) << r.output;
  const double ref_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  std::mt19937 rng(20240601);
  // Delays of about an epoch (ref_ms / 30 each), so that the 36 kills land
  // all over the run rather than letting it finish early.
  std::uniform_real_distribution<double> delay_ms(2.0, std::max(10.0, ref_ms / 20));
  std::uniform_real_distribution<double> early_ms(1.0, 15.0);
  std::set<std::string> temps_seen;
  int kills = 0, kills_during_write = 0, restarts = 0, kills_in_first_epoch = 0,
      kills_of_resumes = 0;
  int64_t last_progress = -1;
  bool finished = false;
  for (int attempt = 0; attempt < 60 && !finished; ++attempt) {
    std::vector<std::string> argv;
    const bool resuming = fs::exists(ckpt) || fs::exists(run_dir + "/config.json");
    if (fs::exists(ckpt)) {
      argv = resume_args(ckpt, 1 + attempt % 3);
    } else if (fs::exists(run_dir + "/config.json")) {
      // Killed before its first checkpoint: the directory restarts the run.
      ++restarts;
      argv = resume_args(run_dir, 1 + attempt % 3);
    } else {
      argv = train_args(run_dir);  // killed before it even claimed a directory
    }
    const std::vector<std::string> before = temp_files(run_dir);
    const std::set<std::string> stale(before.begin(), before.end());
    const Child c = spawn(argv, (tmp.path() / "log.txt").string());
    int status = 0;
    bool exited = false;
    if (kills < 36) {
      // Every third kill waits for a checkpoint write to start; the others
      // land at a random moment (some early: during start-up or the first
      // epoch, before any checkpoint exists).
      const bool at_write = attempt >= 4 && attempt % 3 == 2;
      // The first attempts all land early: start-up and the first epoch.
      const bool early = attempt < 4 || attempt % 3 == 0;
      const double ms = at_write ? 5000.0 : early ? early_ms(rng) : delay_ms(rng);
      const auto limit = std::chrono::steady_clock::now() + std::chrono::duration<double, std::milli>(ms);
      while (std::chrono::steady_clock::now() < limit) {
        if (::waitpid(c.pid, &status, WNOHANG) == c.pid) {
          exited = true;
          break;
        }
        if (at_write && writing_checkpoint(run_dir, stale)) break;
        std::this_thread::sleep_for(std::chrono::microseconds(at_write ? 50 : 300));
      }
      if (!exited) {
        kills_during_write += writing_checkpoint(run_dir, stale);
        // In the first epoch: no checkpoint past epoch 0 yet.
        bool first_epoch = true;
        try {
          first_epoch = !fs::exists(ckpt) || progress_of(cli::load_checkpoint(ckpt)) < 1000000;
        } catch (const std::exception&) {
        }
        ::kill(c.pid, SIGKILL);
        ++kills;
        kills_in_first_epoch += first_epoch;
        kills_of_resumes += resuming;
      }
    }
    if (!exited) {
      ASSERT_EQ(::waitpid(c.pid, &status, 0), c.pid);
    }
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0) << read_text(c.log);
      finished = true;
    } else {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << read_text(c.log);
    }

    // After every stop: the newest checkpoint verifies and never regresses,
    // and metrics.csv is never ahead of it.
    if (fs::exists(ckpt)) {
      cli::Checkpoint ck;
      ASSERT_NO_THROW(ck = cli::load_checkpoint(ckpt)) << "after kill " << kills;
      const int64_t p = progress_of(ck);
      EXPECT_GE(p, last_progress);
      last_progress = p;
      EXPECT_LE(metrics_rows(run_dir + "/metrics.csv"), ck.meta.at("progress").at("metrics").size())
          << "metrics.csv ran ahead of its checkpoint after kill " << kills;
    } else {
      EXPECT_FALSE(fs::exists(run_dir + "/metrics.csv"));
    }
    for (const std::string& t : temp_files(run_dir)) {
      temps_seen.insert(t);
      EXPECT_NE(fs::path(t).filename(), "checkpoint.ckpt");
      try {  // a partial temporary must be rejected, a complete one verifies
        cli::load_checkpoint(t);
      } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(t), std::string::npos) << e.what();
      }
    }
  }
  ASSERT_TRUE(finished) << "the killed run never finished";
  std::printf(
      "[ crash    ] reference run %.0f ms; %d SIGKILLs (%d while a temporary checkpoint existed, "
      "%d in the first epoch, %d of resumed runs), %d restarts of a directory without a "
      "checkpoint, %d temporary files seen\n",
      ref_ms, kills, kills_during_write, kills_in_first_epoch, kills_of_resumes, restarts,
      static_cast<int>(temps_seen.size()));
  EXPECT_GE(kills, 30);
  EXPECT_GE(kills_during_write, 5);
  EXPECT_GE(kills_in_first_epoch, 3);
  EXPECT_GE(kills_of_resumes, 20);

  EXPECT_EQ(metrics_without_seconds(run_dir + "/metrics.csv"), metrics_without_seconds(ref + "/metrics.csv"));
  EXPECT_EQ(read_text(run_dir + "/confusion.csv"), read_text(ref + "/confusion.csv"));
  expect_same_model(ckpt, ref + "/checkpoint.ckpt");
}

TEST(CrashSafety, SigintSavesAMidEpochCheckpointAndResumes) {
  ScratchDir tmp("sigint");
  const std::string ref = (tmp.path() / "ref").string(), run_dir = (tmp.path() / "stopped").string();
  ASSERT_EQ(run(train_args(ref), tmp.path()).code, 0);

  const Child c = spawn(train_args(run_dir), (tmp.path() / "log.txt").string());
  // Wait for the first epoch's checkpoint (the run writes one at its start
  // too: wait until it is past epoch 0), then interrupt.
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto past_first_epoch = [&] {
    try {
      return fs::exists(run_dir + "/checkpoint.ckpt") &&
             progress_of(cli::load_checkpoint(run_dir + "/checkpoint.ckpt")) >= 1000000;
    } catch (const std::exception&) {
      return false;  // being replaced
    }
  };
  while (!past_first_epoch() && std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(7));
  ::kill(c.pid, SIGINT);
  const int code = wait_child(c);
  const std::string log = read_text(c.log);
  if (code == 0) GTEST_FAIL() << "the run finished before SIGINT arrived: " << log;
  ASSERT_EQ(code, 130) << log;
  EXPECT_NE(log.find("--resume"), std::string::npos) << log;
  EXPECT_TRUE(temp_files(run_dir).empty());
  const cli::Checkpoint ck = cli::load_checkpoint(run_dir + "/checkpoint.ckpt");
  EXPECT_GE(progress_of(ck), 1000000);  // at least one epoch done

  const RunResult r = run(resume_args(run_dir + "/checkpoint.ckpt"), tmp.path());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(metrics_without_seconds(run_dir + "/metrics.csv"), metrics_without_seconds(ref + "/metrics.csv"));
  expect_same_model(run_dir + "/checkpoint.ckpt", ref + "/checkpoint.ckpt");
}

}  // namespace
}  // namespace gradlab::rely
