// tests/tools/train/run_state_test.cpp — RunState's paired to_json /
// run_state_from_json, and the checks a resumed state must pass.
#include "tools/train/run_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gradlab::cli {
namespace {

using ::testing::HasSubstr;

RunState sample() {
  RunState s;
  s.epoch = 2;
  s.batch = 3;
  s.loss_sum = 12.5;
  s.correct = 40;
  s.seen = 48;
  s.epoch_seconds = 0.25;
  s.metrics = {{1, 0.9, 0.5, std::nullopt, std::nullopt, 1e-3, 1},
               {2, 0.7, 0.6, 0.8, 0.55, 1e-3, 1}};
  s.optimizer = "Adam";
  s.optimizer_step = 2 * 10 + 3;
  s.lr = 1e-3;
  return s;
}

std::string error_of(const nlohmann::json& j) {
  try {
    run_state_from_json(j);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<accepted>";
}

TEST(RunState, RoundTripIsExact) {
  const RunState s = sample();
  const RunState t = run_state_from_json(nlohmann::json::parse(to_json(s).dump()));
  EXPECT_EQ(to_json(t), to_json(s));
  EXPECT_EQ(t.epoch, 2);
  EXPECT_EQ(t.optimizer_step, 23);
  EXPECT_EQ(metrics_csv(t.metrics), metrics_csv(s.metrics));
}

TEST(RunState, EveryFieldIsChecked) {
  const nlohmann::json good = to_json(sample());
  nlohmann::json j = good;
  j["epoch"] = 1e300;
  EXPECT_THAT(error_of(j), HasSubstr("'epoch': expected an integer, got 1e+300"));
  j = good;
  j["correct"] = 49;
  EXPECT_THAT(error_of(j), HasSubstr("49 correct of 48 seen"));
  j = good;
  j["loss_sum"] = -1;
  EXPECT_THAT(error_of(j), HasSubstr("'loss_sum'"));
  j = good;
  j["metrics"].erase(1);
  EXPECT_THAT(error_of(j), HasSubstr("1 metrics rows for 2 finished epochs"));
  j = good;
  j["metrics"][1]["epoch"] = 5;
  EXPECT_THAT(error_of(j), HasSubstr("metrics row 2 is for epoch 5"));
  j = good;
  j.erase("optimizer");
  EXPECT_THAT(error_of(j), HasSubstr("'optimizer'"));
}

TEST(RunState, MustFitTheRunItResumes) {
  const RunState s = sample();
  const RunShape run{.epochs = 5, .batches_per_epoch = 10, .batch_size = 16, .optimizer = "Adam"};
  EXPECT_NO_THROW(check_run_state(s, run));
  auto error = [&](RunShape r) {
    try {
      check_run_state(s, r);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("<accepted>");
  };
  EXPECT_THAT(error({.epochs = 1, .batches_per_epoch = 10, .batch_size = 16, .optimizer = "Adam"}),
              HasSubstr("beyond the run's 1 epochs"));
  EXPECT_THAT(error({.epochs = 5, .batches_per_epoch = 3, .batch_size = 16, .optimizer = "Adam"}),
              HasSubstr("an epoch has 3 batches"));
  EXPECT_THAT(error({.epochs = 5, .batches_per_epoch = 10, .batch_size = 8, .optimizer = "Adam"}),
              HasSubstr("48 examples seen in 3 batches of 8"));
  EXPECT_THAT(error({.epochs = 5, .batches_per_epoch = 10, .batch_size = 16, .optimizer = "SGD"}),
              HasSubstr("optimizer Adam"));
  EXPECT_THAT(error({.epochs = 5, .batches_per_epoch = 11, .batch_size = 16, .optimizer = "Adam"}),
              HasSubstr("took 23 steps"));
}

}  // namespace
}  // namespace gradlab::cli
