// tests/tools/train/train_cmd_test.cpp — `gradlab train` as functions: the
// plan checks everything and writes nothing (--dry-run), a resume records
// the flags it changed, refuses the ones it may not change, and a stop
// before training leaves nothing behind.
#include "tools/train/train_cmd.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/tools/train/train_test_util.h"
#include "tools/commands.h"

namespace gradlab::cli::test {
namespace {

using ::testing::HasSubstr;

TrainRequest spirals(const fs::path& out, int64_t epochs = 1) {
  TrainRequest r;
  r.flags = {{"dataset", "spirals"}, {"model", "mlp:8"}, {"epochs", std::to_string(epochs)}};
  r.out = out.string();
  return r;
}

int exit_code_of(const TrainRequest& r, std::string* message = nullptr) {
  try {
    run_train(r);
  } catch (const ExitError& e) {
    if (message) *message = e.message;
    return e.code;
  }
  return 0;
}

TEST(TrainCmd, DryRunChecksEverythingAndWritesNothing) {
  const fs::path root = fresh_dir("dry");
  TrainRequest r = spirals(root / "run");
  r.dry_run = true;
  const TrainPlan plan = plan_train(r);
  std::ostringstream os;
  describe_plan(plan, os);
  EXPECT_THAT(os.str(), HasSubstr("nothing was written"));
  EXPECT_THAT(os.str(), HasSubstr("3 classes"));
  EXPECT_EQ(exit_code_of(r), 0);
  EXPECT_TRUE(fs::is_empty(root)) << "a dry run created something";
  // Bad values are caught by the plan, before any directory exists.
  r.dry_run = false;
  r.flags.push_back({"lr", "1e308"});
  std::string msg;
  EXPECT_EQ(exit_code_of(r, &msg), kExitBadInput);
  EXPECT_THAT(msg, HasSubstr("--lr 1e308"));
  EXPECT_TRUE(fs::is_empty(root));
}

TEST(TrainCmd, AResumeAppliesAndRecordsTheFlagsThatMayChange) {
  const fs::path root = fresh_dir("changes");
  ASSERT_EQ(exit_code_of(spirals(root / "run")), 0);
  TrainRequest more;
  more.resume = (root / "run" / "checkpoint.ckpt").string();
  more.flags = {{"epochs", "3"}, {"threads", "2"}};
  ASSERT_EQ(exit_code_of(more), 0);
  const nlohmann::json record = nlohmann::json::parse(read(root / "run" / "config.json"));
  EXPECT_EQ(record["config"]["epochs"], 3);
  EXPECT_EQ(record["config"]["threads"], 2);
  ASSERT_EQ(record["history"].size(), 2u);
  EXPECT_EQ(record["history"][1]["event"], "resume");
  EXPECT_EQ(record["history"][1]["changed"]["epochs"], nlohmann::json({1, 3}));
  EXPECT_EQ(load_checkpoint(more.resume).meta["config"]["epochs"], 3);
  const std::string csv = read(root / "run" / "metrics.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);

  std::string msg;
  more.flags = {{"epochs", "2"}};
  EXPECT_EQ(exit_code_of(more, &msg), kExitBadInput);
  EXPECT_THAT(msg, HasSubstr("--epochs 2: the run in"));
  EXPECT_THAT(msg, HasSubstr("already finished 3 epochs"));
  for (const auto& flag : GivenFlags{{"lr", "0.5"}, {"dataset", "moons"}, {"model", "mlp:64"}}) {
    more.flags = {flag};
    EXPECT_EQ(exit_code_of(more, &msg), kExitBadInput);
    EXPECT_THAT(msg, HasSubstr("--" + flag.first + " " + (flag.first == "lr" ? "" : "'")));
    EXPECT_THAT(msg, HasSubstr("cannot be given with --resume"));
  }
}

TEST(TrainCmd, AStopBeforeTrainingStartsWritesNothing) {
  const fs::path root = fresh_dir("early_stop");
  install_stop_handlers();
  ::raise(SIGHUP);  // handled like SIGTERM: the run stops
  std::string msg;
  EXPECT_EQ(exit_code_of(spirals(root / "run"), &msg), 128 + SIGHUP);
  g_stop_signal = 0;
  EXPECT_THAT(msg, HasSubstr("stopped by"));
  EXPECT_THAT(msg, HasSubstr("nothing was written"));
  EXPECT_FALSE(fs::exists(root / "run"));
}

TEST(TrainCmd, AStoppedRunSavesWhereItStoodAndResumesExactly) {
  const fs::path root = fresh_dir("stop");
  ASSERT_EQ(exit_code_of(spirals(root / "ref", 2)), 0);
  TrainRequest r = spirals(root / "run", 2);
  TrainPlan plan = plan_train(r);
  plan.session.run_id = "stopped";
  {
    RunDir d = RunDir::create(plan.new_dir);
    g_stop_signal = SIGPIPE;  // as when stdout is a pipe whose reader went away
    const TrainOutcome out = train_run(plan.session, d);
    g_stop_signal = 0;
    ASSERT_EQ(out.status, TrainOutcome::Status::Stopped);
    EXPECT_EQ(out.signal, SIGPIPE);
    d.write("config.json", to_json(RunRecord{"stopped", plan.cfg, nlohmann::json::array()}).dump());
  }
  TrainRequest resume;
  resume.resume = (root / "run").string();
  resume.flags = {{"threads", "3"}};
  ASSERT_EQ(exit_code_of(resume), 0);
  EXPECT_EQ(without_seconds(read(root / "run" / "metrics.csv")),
            without_seconds(read(root / "ref" / "metrics.csv")));
  EXPECT_EQ(read(root / "run" / "confusion.csv"), read(root / "ref" / "confusion.csv"));
}

}  // namespace
}  // namespace gradlab::cli::test
