// tests/tools/train/run_config_test.cpp — a run config read back from JSON
// (config.json, checkpoints) is held to the flags' rules.
#include "tools/train/run_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gradlab::cli {
namespace {

using ::testing::HasSubstr;

std::string error_of(const nlohmann::json& j) {
  try {
    config_from_json(j);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<accepted>";
}

TEST(RunConfig, ValuesAreCheckedAsOnTheCommandLine) {
  nlohmann::json j = to_json(TrainConfig{});
  j["lr"] = 1e308;
  EXPECT_THAT(error_of(j), HasSubstr("config: 'lr' 1e+308: must be a number in (0, 10]"));
  j = to_json(TrainConfig{});
  j["seed"] = -1;
  EXPECT_THAT(error_of(j), HasSubstr("config: 'seed' -1"));
  j = to_json(TrainConfig{});
  j["epochs"] = 3.2e125;  // found by fuzz_specs: a float cast to int64 is undefined behaviour
  EXPECT_THAT(error_of(j), HasSubstr("'epochs' 3.2e+125"));
  j = to_json(TrainConfig{});
  j["model"] = "mlp:0";
  EXPECT_THAT(error_of(j), HasSubstr("--model 'mlp:0'"));
}

TEST(RunConfig, MissingAndUnknownKeysAreErrors) {
  nlohmann::json j = to_json(TrainConfig{});
  j.erase("epochs");
  EXPECT_THAT(error_of(j), HasSubstr("'epochs' is missing"));
  j = to_json(TrainConfig{});
  j["precision"] = "bf16";
  EXPECT_THAT(error_of(j), HasSubstr("unknown setting 'precision'"));
  EXPECT_THAT(error_of(nlohmann::json::array()), HasSubstr("expected a JSON object"));
}

}  // namespace
}  // namespace gradlab::cli
