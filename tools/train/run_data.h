// tools/train/run_data.h — the data of a run: sized before it is loaded,
// loaded, checked (classes, split sizes, names that go into JSON), split and
// normalised.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/transforms.h"
#include "tools/train/run_config.h"

namespace gradlab::cli {

// Most classes a classifier run takes: every report is sized by the classes
// present, but the model's output layer is sized by the largest id.
constexpr int64_t kMaxClasses = 1000;
// Share of a dataset without a test split held out as its test set.
constexpr double kHeldOutFraction = 0.2;

// What a model needs to know about the data it was trained on; kept in every
// checkpoint so that eval and resume see the data exactly as training did.
struct DataRecord {
  int64_t in_features = 0;
  int64_t num_classes = 0;
  std::vector<std::string> class_names = {};  // the label <-> name map (index = class id)
  data::Normalizer norm = {};
};
nlohmann::json to_json(const DataRecord& r);
// std::runtime_error "data record: <what>" on missing or malformed fields.
DataRecord data_record_from_json(const nlohmann::json& j);

// The data of a run: train (normalised), validation (may be empty) and test
// (the dataset's test split, or a held-out share when it has none).
struct RunData {
  data::Dataset train, val, test;
  DataRecord record;
  std::string test_name;  // "test" or "held-out"
};

// Loads and splits the data of `cfg`, normaliser fitted on the training split.
// Before loading, the dataset's size is estimated from its headers and
// checked against the memory available (ExitError{2} naming the spec, the
// file and the size). Errors name the file or flag: file errors are
// std::runtime_error; too many classes, an empty split, a class name that is
// not UTF-8 are ExitError{2}.
RunData load_run_data(const TrainConfig& cfg);
// The same data seen through a trained model's record (eval, resume): its
// normaliser, and its class map (labels looked up by name; an unknown label
// is an error naming it). Data that does not fit the model (other width,
// more classes) is ExitError{2} naming `model_name` ("the model in X.ckpt").
RunData load_run_data(const TrainConfig& cfg, const DataRecord& known,
                      const std::string& model_name);

}  // namespace gradlab::cli
