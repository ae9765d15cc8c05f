// tests/tools/train/run_data_test.cpp — the data of a run: empty splits named
// with the file or flag and why, class limits, the label <-> name map kept
// for eval, names that cannot go into JSON, and the checkpoint's data record.
#include "tools/train/run_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/tools/train/train_test_util.h"
#include "tools/commands.h"

namespace gradlab::cli::test {
namespace {

using ::testing::HasSubstr;

std::string error_of(const TrainConfig& c) {
  try {
    load_run_data(c);
  } catch (const ExitError& e) {
    return e.message;
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<accepted>";
}

TrainConfig csv_config(const fs::path& file) {
  TrainConfig c;
  c.dataset = "csv:" + file.string() + ":label";
  return c;
}

TEST(RunData, EmptySplitsSayWhichAndWhy) {
  const fs::path dir = fresh_dir("splits");
  write(dir / "two.csv", "x,label\n1,a\n2,b\n");
  const std::string msg = error_of(csv_config(dir / "two.csv"));
  EXPECT_THAT(msg, HasSubstr("held-out test split is empty"));
  EXPECT_THAT(msg, HasSubstr("two.csv has 2 examples"));
  EXPECT_THAT(msg, HasSubstr("at least 3 examples"));

  TrainConfig c;
  c.dataset = "spirals";
  c.val_fraction = 0.0001;
  EXPECT_THAT(error_of(c), HasSubstr("--val-fraction 0.0001: the validation split is empty"));
  EXPECT_THAT(error_of(c), HasSubstr("2400 training examples"));
  c.val_fraction = 0.9999;
  EXPECT_THAT(error_of(c), HasSubstr("--val-fraction 0.9999: leaves no training examples"));
}

TEST(RunData, ClassIdsAreCheckedAgainstTheLimitNamingTheFile) {
  const fs::path dir = fresh_dir("classes");
  write(dir / "ids.csv", "x,label\n1,0\n2,1\n3,100000\n4,0\n5,1\n");
  const std::string msg = error_of(csv_config(dir / "ids.csv"));
  EXPECT_THAT(msg, HasSubstr("ids.csv:4"));
  EXPECT_THAT(msg, HasSubstr("class id 100000 is beyond the limit of 1000 classes"));
}

TEST(RunData, ClassNamesThatAreNotUtf8AreRefusedBeforeTraining) {
  const fs::path dir = fresh_dir("latin1");
  write(dir / "latin1.csv", "x,label\n1,caf\xe9\n2,tea\n3,caf\xe9\n4,tea\n5,tea\n");
  const std::string msg = error_of(csv_config(dir / "latin1.csv"));
  EXPECT_THAT(msg, HasSubstr("latin1.csv"));
  EXPECT_THAT(msg, HasSubstr("caf\\xe9"));
  EXPECT_THAT(msg, HasSubstr("not valid UTF-8"));
}

TEST(RunData, TheClassMapOfTrainingIsUsedForOtherFiles) {
  const fs::path dir = fresh_dir("classmap");
  std::string train = "x,label\n", other = "x,label\n";
  for (int i = 0; i < 10; ++i) train += std::to_string(i) + (i % 2 ? ",dog\n" : ",cat\n");
  for (int i = 0; i < 10; ++i)
    other += std::to_string(i) + (i % 2 ? ",cat\n" : ",dog\n");  // dog first
  write(dir / "train.csv", train);
  write(dir / "other.csv", other);
  write(dir / "zebra.csv", other + "3,zebra\n");
  const RunData a = load_run_data(csv_config(dir / "train.csv"));
  EXPECT_EQ(a.record.class_names, (std::vector<std::string>{"cat", "dog"}));
  const RunData b = load_run_data(csv_config(dir / "other.csv"), a.record, "the model");
  EXPECT_EQ(b.record.class_names, a.record.class_names);
  // "cat" keeps id 0 although "dog" comes first in other.csv.
  const std::vector<float> x = b.test.features.to_vector<float>();
  const std::vector<int64_t> y = b.test.labels.to_vector<int64_t>();
  for (size_t i = 0; i < y.size(); ++i) {
    const int64_t raw = std::lround(x[i] * a.record.norm.stddev[0] + a.record.norm.mean[0]);
    EXPECT_EQ(y[i], raw % 2 ? 0 : 1) << "row with x = " << raw;
  }
  const std::string msg = [&] {
    try {
      load_run_data(csv_config(dir / "zebra.csv"), a.record, "the model");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("<accepted>");
  }();
  EXPECT_THAT(msg, HasSubstr("zebra.csv:12"));
  EXPECT_THAT(msg, HasSubstr("unknown class \"zebra\""));
}

TEST(RunData, ATableWithoutFeaturesIsNamed) {
  const fs::path dir = fresh_dir("nofeatures");
  write(dir / "labels.csv", "label\n0\n1\n0\n1\n");
  EXPECT_THAT(error_of(csv_config(dir / "labels.csv")), HasSubstr("labels.csv has no features"));
}

TEST(RunData, DataRecordRoundTripsAndIsChecked) {
  DataRecord r{.in_features = 2,
               .num_classes = 3,
               .class_names = {"a", "b", "c"},
               .norm = {{0.5f, -1.f}, {2.f, 0.25f}}};
  const DataRecord s = data_record_from_json(nlohmann::json::parse(to_json(r).dump()));
  EXPECT_EQ(to_json(s), to_json(r));
  nlohmann::json j = to_json(r);
  j["num_classes"] = 1e300;
  EXPECT_THROW(data_record_from_json(j), std::runtime_error);
  j = to_json(r);
  j["class_names"].erase(0);
  EXPECT_THROW(data_record_from_json(j), std::runtime_error);
  j = to_json(r);
  j["normalizer"]["std"] = {1.0, 0.0};
  EXPECT_THROW(data_record_from_json(j), std::runtime_error);
  j = to_json(r);
  j["in_features"] = 5;
  EXPECT_THROW(data_record_from_json(j), std::runtime_error);
}

}  // namespace
}  // namespace gradlab::cli::test
