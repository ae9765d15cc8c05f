// tools/train/run_config.h — what a training run is: the parsed flags of
// `gradlab train`, the dataset and model specs, and how to turn them into
// data and a model. Shared by train, eval and the checkpoint format.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/dataset.h"
#include "datasets/transforms.h"
#include "layers/sequential.h"

namespace gradlab::cli {

// --dataset: fashion-mnist | spirals | moons | blobs | csv:PATH:LABEL | idx:DIR
struct DatasetSpec {
  enum class Kind { FashionMnist, Spirals, Moons, Blobs, Csv, Idx } kind = Kind::FashionMnist;
  std::string path;   // csv file or idx directory
  std::string label;  // csv label column
  std::string text;   // the spec as given, for messages and config.json
};
// Throws std::invalid_argument naming the spec and the accepted forms.
DatasetSpec parse_dataset_spec(const std::string& spec);

// --model: mlp:H1,H2,... (hidden sizes; "mlp" alone = no hidden layer, i.e.
// logistic regression), optionally with an activation: mlp:256,128:gelu.
struct ModelSpec {
  std::vector<int64_t> hidden;
  std::string activation = "relu";  // relu | gelu | tanh | sigmoid
  std::string text;
};
ModelSpec parse_model_spec(const std::string& spec);

struct TrainConfig {
  std::string dataset = "fashion-mnist";
  std::string model = "mlp:256,128";
  int64_t epochs = 10;
  int64_t batch_size = 128;
  std::string optimizer = "adam";  // sgd | adam | adamw
  double lr = 1e-3;
  double momentum = 0.9;  // sgd only
  double weight_decay = 0.0;
  double label_smoothing = 0.1;
  std::string schedule = "none";  // none | step | cosine
  double val_fraction = 0.0;      // held out of the training split for validation
  uint64_t seed = 0;
  int64_t threads = 1;
};
nlohmann::json to_json(const TrainConfig& c);
TrainConfig config_from_json(const nlohmann::json& j);  // std::runtime_error on bad fields

// The data of a run: train (normalised), validation (may be empty) and test
// (the dataset's test split, or the validation split when it has none).
struct RunData {
  data::Dataset train, val, test;
  data::Normalizer norm;
  int64_t in_features = 0;
  int64_t num_classes = 0;
  std::vector<std::string> class_names;
  std::string test_name;  // "test" or "val"
};
// Loads and splits the data of `cfg` (file errors are std::runtime_error
// naming the file; spec errors std::invalid_argument).
RunData load_run_data(const TrainConfig& cfg);
// The same data normalised with an existing normaliser (eval, resume).
RunData load_run_data(const TrainConfig& cfg, const data::Normalizer& norm);

// Flatten -> Linear -> act -> ... -> Linear(num_classes), parameters drawn
// from Generator(seed).
std::shared_ptr<nn::Sequential> build_model(const ModelSpec& spec, int64_t in_features,
                                            int64_t num_classes, uint64_t seed);

}  // namespace gradlab::cli
