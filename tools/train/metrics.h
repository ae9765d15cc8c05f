// tools/train/metrics.h — one row of metrics.csv per epoch, and its columns.
//
// The columns are a table: each has a name (the CSV header and the JSON key
// in checkpoints), a getter and a setter, and says whether it may be absent
// (val_loss without a validation split). metrics.csv, the checkpoint's copy
// of the rows and the plots are all driven by it, so a new column (tokens
// per second, the loss scale, skipped steps) is a field and a row here.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gradlab::cli {

struct EpochMetrics {
  int64_t epoch = 0;  // 1-based
  double train_loss = 0, train_acc = 0;
  std::optional<double> val_loss, val_acc;  // absent without a validation split
  double lr = 0;
  double seconds = 0;
};

struct MetricColumn {
  const char* name;
  std::optional<double> (*get)(const EpochMetrics&);
  void (*set)(EpochMetrics&, std::optional<double>);
  bool optional = false;  // may be absent (an empty CSV cell, JSON null)
  bool integer = false;   // written as a whole number
  int digits = -1;        // fixed digits after the point; -1: round-trip precision
};
const std::vector<MetricColumn>& metric_columns();

// metrics.csv: a header row of the column names, then one row per epoch.
// Values are printed with round-trip precision (so identical runs give
// identical files, the seconds column aside); an absent value is an empty
// cell and a non-finite one "nan", "inf" or "-inf", never an empty cell.
std::string metrics_csv(const std::vector<EpochMetrics>& rows);

// A row as a JSON object keyed by column (non-finite values as the strings
// "nan", "inf", "-inf", absent ones as null) and back; std::runtime_error
// "metrics row N: <what>" for a malformed row.
nlohmann::json to_json(const EpochMetrics& m);
EpochMetrics epoch_metrics_from_json(const nlohmann::json& j, size_t row);

}  // namespace gradlab::cli
