// tools/train/specs.h — the --dataset and --model registries.
//
// A spec is "kind" or "kind:ARGS" (csv:data/iris.csv:species, mlp:256,128).
// Each kind is one row of a table: its form (for messages and --help), how
// its ARGS are parsed, how big its data or model will be (estimated before
// anything is allocated), and how it is loaded or built. A new kind, say
// words:PATH or gpt:..., is a new row; nothing else switches on kinds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "layers/module.h"

namespace gradlab::cli {

// ---- datasets ------------------------------------------------------------------

struct DatasetSpec {
  std::string kind;   // a row of dataset_kinds(): "fashion-mnist", "csv", ...
  std::string path;   // the file or directory, for kinds that read one
  std::string label;  // csv: the label column
  std::string text;   // the spec as given, for messages and config.json
};
// Throws std::invalid_argument "--dataset '<spec>': <why> (expected one of:
// <forms>)"; a spec that is not valid UTF-8 is refused naming the path (it is
// recorded in JSON).
DatasetSpec parse_dataset_spec(const std::string& spec);

// How loading should label the data.
struct LoadOptions {
  uint64_t seed = 0;  // synthetic data
  std::vector<std::string> classes =
      {};                      // known class names (a checkpoint's); empty: from the data
  int64_t max_classes = 1000;  // more classes (or a larger id) is an error naming the file
};

// A dataset as loaded: unnormalised, features (N, ...) Float32.
struct RawData {
  data::Dataset train;
  data::Dataset test;        // features undefined when the dataset has no test split
  std::string train_source;  // for messages: the file(s), or the spec
  std::string test_source;
};

// What loading will take, from file headers and sizes only.
struct DataEstimate {
  uint64_t tensor_bytes = 0;  // the features and labels of every split
  uint64_t read_bytes = 0;    // buffers while reading (file bytes, inflated bytes)
  std::string what;           // e.g. "train-images-idx3-ubyte.gz: 60000 images of 28x28"
};

struct DatasetKind {
  std::string name;  // "csv"
  std::string form;  // "csv:PATH:LABEL_COLUMN"
  bool takes_args = false;
  bool images = false;  // normalise with one mean/std over all values
  // Fills spec from the ARGS after "name:"; throws std::invalid_argument(why).
  std::function<void(DatasetSpec&, const std::string& args)> parse;
  std::function<DataEstimate(const DatasetSpec&)> estimate;
  std::function<RawData(const DatasetSpec&, const LoadOptions&)> load;
};
const std::vector<DatasetKind>& dataset_kinds();
const DatasetKind& dataset_kind(const DatasetSpec& spec);
// "fashion-mnist | spirals | ... | csv:PATH:LABEL_COLUMN | idx:DIR"
std::string dataset_forms();

// ---- models --------------------------------------------------------------------

struct ModelSpec {
  std::string kind;             // a row of model_kinds(): "mlp"
  std::vector<int64_t> hidden;  // mlp: hidden sizes (none: logistic regression)
  std::string activation = "relu";
  std::string text;
};
// Throws std::invalid_argument "--model '<spec>': <why> (expected ...)".
ModelSpec parse_model_spec(const std::string& spec);

struct ModelKind {
  std::string name;  // "mlp"
  std::string form;  // "mlp:H1,H2,...[:relu|gelu|tanh|sigmoid]"
  std::function<void(ModelSpec&, const std::optional<std::string>& args)> parse;
  // Parameter elements for `in` features and `classes` outputs (saturating:
  // a hostile spec cannot wrap around).
  std::function<uint64_t(const ModelSpec&, int64_t in, int64_t classes)> parameters;
  // Floats of activations kept per example for the backward pass.
  std::function<uint64_t(const ModelSpec&, int64_t in, int64_t classes)> activations;
  // The model, parameters drawn from Generator(seed).
  std::function<std::shared_ptr<nn::Module>(const ModelSpec&, int64_t in, int64_t classes,
                                            uint64_t seed)>
      build;
};
const std::vector<ModelKind>& model_kinds();
const ModelKind& model_kind(const ModelSpec& spec);
std::string model_forms();

// Shorthands for the rows above.
std::shared_ptr<nn::Module> build_model(const ModelSpec& spec, int64_t in_features,
                                        int64_t num_classes, uint64_t seed);
uint64_t model_parameters(const ModelSpec& spec, int64_t in_features, int64_t num_classes);

}  // namespace gradlab::cli
