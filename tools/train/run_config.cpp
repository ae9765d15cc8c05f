// tools/train/run_config.cpp — spec parsing, config <-> JSON, data and model set-up.
#include "tools/train/run_config.h"

#include <charconv>
#include <stdexcept>

#include "core/ops.h"
#include "datasets/csv.h"
#include "datasets/idx.h"
#include "datasets/synthetic.h"
#include "layers/gelu.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "layers/sigmoid.h"
#include "layers/tanh.h"

namespace gradlab::cli {

namespace {
constexpr const char* kDatasetForms =
    "expected one of: fashion-mnist, spirals, moons, blobs, csv:PATH:LABEL_COLUMN, idx:DIR";
constexpr const char* kModelForms = "expected mlp:H1,H2,... (e.g. mlp:256,128 or mlp:64:tanh)";

[[noreturn]] void bad_dataset(const std::string& spec, const std::string& why) {
  throw std::invalid_argument("--dataset '" + spec + "': " + why + " (" + kDatasetForms + ")");
}
[[noreturn]] void bad_model(const std::string& spec, const std::string& why) {
  throw std::invalid_argument("--model '" + spec + "': " + why + " (" + kModelForms + ")");
}
}  // namespace

DatasetSpec parse_dataset_spec(const std::string& spec) {
  DatasetSpec d;
  d.text = spec;
  if (spec == "fashion-mnist") d.kind = DatasetSpec::Kind::FashionMnist;
  else if (spec == "spirals") d.kind = DatasetSpec::Kind::Spirals;
  else if (spec == "moons") d.kind = DatasetSpec::Kind::Moons;
  else if (spec == "blobs") d.kind = DatasetSpec::Kind::Blobs;
  else if (spec.rfind("csv:", 0) == 0) {
    // csv:PATH:LABEL — the label is after the last ':' so paths may hold ':'.
    const std::string rest = spec.substr(4);
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
      bad_dataset(spec, "csv needs a path and a label column");
    d.kind = DatasetSpec::Kind::Csv;
    d.path = rest.substr(0, colon);
    d.label = rest.substr(colon + 1);
  } else if (spec.rfind("idx:", 0) == 0) {
    if (spec.size() == 4) bad_dataset(spec, "idx needs a directory");
    d.kind = DatasetSpec::Kind::Idx;
    d.path = spec.substr(4);
  } else {
    bad_dataset(spec, "unknown dataset");
  }
  return d;
}

ModelSpec parse_model_spec(const std::string& spec) {
  ModelSpec m;
  m.text = spec;
  if (spec.rfind("mlp", 0) != 0) bad_model(spec, "unknown model kind");
  std::string rest = spec.substr(3);
  if (rest.empty()) return m;
  if (rest[0] != ':') bad_model(spec, "unknown model kind");
  rest = rest.substr(1);
  if (rest.empty()) bad_model(spec, "no hidden sizes after 'mlp:' (write 'mlp' for none)");
  const size_t act = rest.find(':');
  if (act != std::string::npos) {
    m.activation = rest.substr(act + 1);
    rest = rest.substr(0, act);
    if (m.activation != "relu" && m.activation != "gelu" && m.activation != "tanh" &&
        m.activation != "sigmoid")
      bad_model(spec, "unknown activation '" + m.activation + "' (relu, gelu, tanh, sigmoid)");
  }
  size_t pos = 0;
  while (true) {
    const size_t comma = rest.find(',', pos);
    const std::string part = rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    int64_t h = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), h);
    if (part.empty() || ec != std::errc() || p != part.data() + part.size())
      bad_model(spec, "hidden size '" + part + "' is not a whole number");
    if (h < 1 || h > 65536) bad_model(spec, "hidden size " + part + " outside [1, 65536]");
    m.hidden.push_back(h);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return m;
}

nlohmann::json to_json(const TrainConfig& c) {
  return {{"dataset", c.dataset},
          {"model", c.model},
          {"epochs", c.epochs},
          {"batch_size", c.batch_size},
          {"optimizer", c.optimizer},
          {"lr", c.lr},
          {"momentum", c.momentum},
          {"weight_decay", c.weight_decay},
          {"label_smoothing", c.label_smoothing},
          {"schedule", c.schedule},
          {"val_fraction", c.val_fraction},
          {"seed", c.seed},
          {"threads", c.threads}};
}

TrainConfig config_from_json(const nlohmann::json& j) {
  try {
    // Integers only: get<int64_t>() of a float such as 3e125 is undefined behaviour.
    auto integer = [&j](const char* key) -> const nlohmann::json& {
      const nlohmann::json& v = j.at(key);
      if (!v.is_number_integer())
        throw std::runtime_error(std::string("config: '") + key + "' must be an integer, got " + v.dump());
      return v;
    };
    TrainConfig c;
    c.dataset = j.at("dataset").get<std::string>();
    c.model = j.at("model").get<std::string>();
    c.epochs = integer("epochs").get<int64_t>();
    c.batch_size = integer("batch_size").get<int64_t>();
    c.optimizer = j.at("optimizer").get<std::string>();
    c.lr = j.at("lr").get<double>();
    c.momentum = j.at("momentum").get<double>();
    c.weight_decay = j.at("weight_decay").get<double>();
    c.label_smoothing = j.at("label_smoothing").get<double>();
    c.schedule = j.at("schedule").get<std::string>();
    c.val_fraction = j.at("val_fraction").get<double>();
    c.seed = integer("seed").get<uint64_t>();
    c.threads = integer("threads").get<int64_t>();
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("config: ") + e.what());
  }
}

namespace {
data::Dataset flatten_features(data::Dataset d) {
  if (d.features.dim() != 2) d.features = reshape(d.features, {d.size(), d.example_numel()});
  return d;
}

// The raw (unnormalised) train and test data of a spec; test may be empty.
void load_raw(const TrainConfig& cfg, data::Dataset& train, data::Dataset& test) {
  const DatasetSpec spec = parse_dataset_spec(cfg.dataset);
  using K = DatasetSpec::Kind;
  switch (spec.kind) {
    case K::FashionMnist:
      train = data::load_fashion_mnist(data::Split::Train);
      test = data::load_fashion_mnist(data::Split::Test);
      return;
    case K::Idx:
      train = data::load_mnist_dir(spec.path, data::Split::Train);
      test = data::load_mnist_dir(spec.path, data::Split::Test);
      return;
    case K::Spirals: train = data::make_spirals({.n_per_class = 1000, .num_classes = 3, .noise = 0.2, .seed = cfg.seed}); break;
    case K::Moons: train = data::make_moons({.n_samples = 2000, .noise = 0.1, .seed = cfg.seed}); break;
    case K::Blobs: train = data::make_blobs({.n_per_class = 500, .num_classes = 4, .seed = cfg.seed}); break;
    case K::Csv: train = data::load_csv(spec.path, {.label_column = spec.label}); break;
  }
}

RunData assemble(const TrainConfig& cfg, const data::Normalizer* given) {
  data::Dataset all, test;
  load_raw(cfg, all, test);
  RunData r;
  const bool has_test = test.features.defined();
  // Datasets without a test split hold out 20% (stratified) as the test set.
  if (!has_test) {
    auto split = data::train_val_split(all, {.val_fraction = 0.2, .seed = cfg.seed, .stratified = true});
    all = std::move(split.train);
    test = std::move(split.val);
  }
  r.test_name = has_test ? "test" : "held-out";
  if (cfg.val_fraction > 0) {
    auto split = data::train_val_split(all, {.val_fraction = cfg.val_fraction, .seed = cfg.seed + 1, .stratified = true});
    r.train = flatten_features(std::move(split.train));
    r.val = flatten_features(std::move(split.val));
  } else {
    r.train = flatten_features(std::move(all));
  }
  test = flatten_features(std::move(test));
  const bool images = parse_dataset_spec(cfg.dataset).kind == DatasetSpec::Kind::FashionMnist ||
                      parse_dataset_spec(cfg.dataset).kind == DatasetSpec::Kind::Idx;
  r.norm = given ? *given : data::fit_normalizer(r.train, images ? data::NormMode::Global : data::NormMode::PerFeature);
  r.train = data::normalize(r.train, r.norm);
  if (r.val.features.defined()) r.val = data::normalize(r.val, r.norm);
  r.test = data::normalize(test, r.norm);
  r.in_features = r.train.example_numel();
  r.num_classes = std::max(r.train.num_classes, r.test.num_classes);
  r.class_names = r.train.class_names;
  if (static_cast<int64_t>(r.class_names.size()) != r.num_classes) {
    r.class_names.clear();
    for (int64_t c = 0; c < r.num_classes; ++c) r.class_names.push_back(std::to_string(c));
  }
  return r;
}
}  // namespace

RunData load_run_data(const TrainConfig& cfg) { return assemble(cfg, nullptr); }
RunData load_run_data(const TrainConfig& cfg, const data::Normalizer& norm) { return assemble(cfg, &norm); }

std::shared_ptr<nn::Sequential> build_model(const ModelSpec& spec, int64_t in_features, int64_t num_classes,
                                            uint64_t seed) {
  Generator gen(seed);
  auto model = std::make_shared<nn::Sequential>();
  int64_t width = in_features;
  for (int64_t h : spec.hidden) {
    model->push_back(std::make_shared<nn::Linear>(width, h, gen));
    if (spec.activation == "relu") model->push_back(std::make_shared<nn::ReLU>());
    else if (spec.activation == "gelu") model->push_back(std::make_shared<nn::GELU>());
    else if (spec.activation == "tanh") model->push_back(std::make_shared<nn::Tanh>());
    else model->push_back(std::make_shared<nn::Sigmoid>());
    width = h;
  }
  model->push_back(std::make_shared<nn::Linear>(width, num_classes, gen));
  return model;
}

}  // namespace gradlab::cli
