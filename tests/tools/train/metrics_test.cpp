// tests/tools/train/metrics_test.cpp — metrics.csv and the metrics rows of a
// checkpoint: exact values, absent as an empty cell, NaN as "nan".
#include "tools/train/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace gradlab::cli {
namespace {

TEST(Metrics, CsvIsExactAbsentIsEmptyNanIsNan) {
  EpochMetrics m{1, 0.5, 0.75, std::nullopt, std::nullopt, 1e-3, 1.25};
  EXPECT_EQ(metrics_csv({m}),
            "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n1,0.5,0.75,,,0.001,1.250\n");
  EpochMetrics bad{2, NAN, 0.1, NAN, INFINITY, 0.5, 2};
  EXPECT_EQ(metrics_csv({bad}).substr(metrics_csv({}).size()),
            "2,nan,0.10000000000000001,nan,inf,0.5,2.000\n");
}

TEST(Metrics, RowsRoundTripThroughJsonIncludingNonFiniteValues) {
  const std::vector<EpochMetrics> rows = {{1, 0.1 / 3, 0.9, 0.2, 0.8, 1e-3, 0.5},
                                          {2, NAN, 0.5, std::nullopt, std::nullopt, 0.1, 1},
                                          {3, 0.25, 1, -INFINITY, INFINITY, 0.1, 1}};
  std::vector<EpochMetrics> back;
  for (size_t i = 0; i < rows.size(); ++i) {
    const nlohmann::json j = to_json(rows[i]);
    back.push_back(epoch_metrics_from_json(nlohmann::json::parse(j.dump()), i + 1));
  }
  EXPECT_EQ(metrics_csv(back), metrics_csv(rows));
  EXPECT_FALSE(back[1].val_loss.has_value());
  EXPECT_TRUE(std::isnan(back[1].train_loss));
}

TEST(Metrics, MalformedRowsAreRefusedNamingTheRow) {
  nlohmann::json j = to_json(EpochMetrics{1, 0.5, 0.5, std::nullopt, std::nullopt, 0.1, 1});
  j["epoch"] = 1e300;  // a float where an integer belongs: never cast
  EXPECT_THROW(epoch_metrics_from_json(j, 4), std::runtime_error);
  j = to_json(EpochMetrics{});
  j.erase("train_loss");
  try {
    epoch_metrics_from_json(j, 4);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("metrics row 4: 'train_loss' is missing"));
  }
  j = to_json(EpochMetrics{});
  j["lr"] = "fast";
  EXPECT_THROW(epoch_metrics_from_json(j, 1), std::runtime_error);
}

}  // namespace
}  // namespace gradlab::cli
