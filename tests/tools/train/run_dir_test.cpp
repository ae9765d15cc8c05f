// tests/tools/train/run_dir_test.cpp — run directories: exclusive claims
// (also when runs start at the same moment), the lock, advice that names only
// files that exist, and where a --resume may write.
#include "tools/train/run_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/tools/train/train_test_util.h"
#include "tools/commands.h"
#include "tools/train/train_cmd.h"

namespace gradlab::cli::test {
namespace {

using ::testing::HasSubstr;

template <class Fn>
std::string exit_message(Fn&& fn) {
  try {
    fn();
  } catch (const ExitError& e) {
    EXPECT_EQ(e.code, kExitBadInput);
    return e.message;
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<accepted>";
}

// A finished one-epoch spirals run in `dir`, made by the command's own code.
void make_run(const fs::path& dir, int64_t epochs = 1) {
  TrainRequest req;
  req.flags = {{"dataset", "spirals"}, {"model", "mlp:8"}, {"epochs", std::to_string(epochs)}};
  req.out = dir.string();
  run_train(req);
}

TEST(RunDir, RunsStartedAtOnceNeverShareADirectory) {
  const fs::path root = fresh_dir("race");
  constexpr int kRuns = 8;
  // Same --out: exactly one claims it.
  std::atomic<int> go{0}, claimed{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kRuns; ++i)
    ts.emplace_back([&] {
      ++go;
      while (go < kRuns) std::this_thread::yield();
      try {
        RunDir d = RunDir::create({root / "same", false});
        ++claimed;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      } catch (const ExitError& e) {
        EXPECT_EQ(e.code, kExitBadInput);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(claimed, 1);
  // Default names: each gets its own.
  std::mutex m;
  std::set<std::string> dirs;
  std::vector<RunDir> held;
  ts.clear();
  go = 0;
  for (int i = 0; i < kRuns; ++i)
    ts.emplace_back([&] {
      ++go;
      while (go < kRuns) std::this_thread::yield();
      RunDir d = RunDir::create({root / "runs" / "spirals-20260101-000000", true});
      std::lock_guard<std::mutex> lock(m);
      dirs.insert(d.path().string());
      held.push_back(std::move(d));
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(dirs.size(), static_cast<size_t>(kRuns));
  EXPECT_TRUE(dirs.count((root / "runs" / "spirals-20260101-000000-2").string()));
}

TEST(RunDir, TheLockKeepsASecondGradlabOut) {
  const fs::path dir = fresh_dir("lock");
  {
    RunDir a = RunDir::create({dir, false});
    EXPECT_TRUE(fs::exists(dir / ".gradlab.lock"));
    EXPECT_THAT(exit_message([&] { RunDir::open(dir); }),
                HasSubstr("is in use by another gradlab train (pid " + std::to_string(::getpid())));
  }
  EXPECT_FALSE(fs::exists(dir / ".gradlab.lock"));
  EXPECT_NO_THROW(RunDir::open(dir));
}

TEST(RunDir, AnOccupiedDirectoryGetsAdviceThatWorks) {
  const fs::path root = fresh_dir("advice");
  make_run(root / "done");
  EXPECT_THAT(exit_message([&] { plan_new_run_dir((root / "done").string(), "spirals"); }),
              HasSubstr("continue it with: gradlab train --resume " +
                        (root / "done" / "checkpoint.ckpt").string()));
  // A run that died before its first checkpoint: restart it with --resume DIR.
  fs::create_directories(root / "early");
  fs::copy_file(root / "done" / "config.json", root / "early" / "config.json");
  const std::string msg =
      exit_message([&] { plan_new_run_dir((root / "early").string(), "spirals"); });
  EXPECT_THAT(msg,
              HasSubstr("restart it with: gradlab train --resume " + (root / "early").string()));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr("checkpoint.ckpt")));
  fs::create_directories(root / "other");
  write(root / "other" / "notes.txt", "mine");
  EXPECT_THAT(exit_message([&] { plan_new_run_dir((root / "other").string(), "spirals"); }),
              HasSubstr("already exists and is not empty; choose another --out"));
  write(root / "file", "x");
  EXPECT_THAT(exit_message([&] { plan_new_run_dir((root / "file").string(), "spirals"); }),
              HasSubstr("exists and is not a directory"));
}

TEST(RunDir, AResumeWritesOnlyIntoItsOwnRunDirectory) {
  const fs::path root = fresh_dir("resume");
  const fs::path run = root / "run";
  make_run(run);
  const fs::path own = run / "checkpoint.ckpt";

  // The run's own checkpoint: continue in place.
  ResumeSource a = resolve_resume(own.string(), "");
  EXPECT_EQ(a.dir, run);
  EXPECT_FALSE(a.branch);
  // Its directory: the same.
  EXPECT_EQ(resolve_resume(run.string(), "").checkpoint_path, own.string());

  // An identical copy elsewhere continues in the run's directory, never next to the copy.
  fs::create_directories(root / "some" / "folder");
  fs::copy_file(own, root / "some" / "folder" / "copy.ckpt");
  EXPECT_EQ(resolve_resume((root / "some" / "folder" / "copy.ckpt").string(), "").dir, run);

  // Once the run has moved on, the old copy may not replace its checkpoint.
  TrainRequest more;
  more.resume = own.string();
  more.flags = {{"epochs", "2"}};
  run_train(more);
  const std::string msg =
      exit_message([&] { resolve_resume((root / "some" / "folder" / "copy.ckpt").string(), ""); });
  EXPECT_THAT(msg, HasSubstr("not the checkpoint of its run directory " + run.string()));
  EXPECT_THAT(msg, HasSubstr("at epoch 2"));
  EXPECT_THAT(msg, HasSubstr("give --out NEWDIR"));
  // ... but may continue in a new directory.
  ResumeSource b =
      resolve_resume((root / "some" / "folder" / "copy.ckpt").string(), (root / "branch").string());
  EXPECT_TRUE(b.branch);
  EXPECT_EQ(b.dir, root / "branch");

  // A checkpoint whose run directory is gone needs --out.
  fs::rename(run, root / "gone");
  fs::create_directories(root / "lonely");
  fs::copy_file(root / "gone" / "checkpoint.ckpt", root / "lonely" / "c.ckpt");
  EXPECT_THAT(exit_message([&] { resolve_resume((root / "lonely" / "c.ckpt").string(), ""); }),
              HasSubstr("is not there (or holds another run)"));
  // A moved run directory is still its own.
  EXPECT_EQ(resolve_resume((root / "gone" / "checkpoint.ckpt").string(), "").dir, root / "gone");
}

TEST(RunDir, ADirectoryWithoutACheckpointRestarts) {
  const fs::path root = fresh_dir("restart");
  make_run(root / "done");
  fs::create_directories(root / "early");
  fs::copy_file(root / "done" / "config.json", root / "early" / "config.json");
  ResumeSource s = resolve_resume((root / "early").string(), "");
  EXPECT_FALSE(s.checkpoint.has_value());
  EXPECT_EQ(s.dir, root / "early");
  EXPECT_EQ(s.record.config.model, "mlp:8");
  EXPECT_THAT(exit_message([&] { resolve_resume((root / "nothing").string(), ""); }),
              HasSubstr("/nothing"));
  fs::create_directories(root / "empty");
  EXPECT_THAT(exit_message([&] { resolve_resume((root / "empty").string(), ""); }),
              HasSubstr("not a run directory"));
}

}  // namespace
}  // namespace gradlab::cli::test
