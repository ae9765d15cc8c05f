// tools/train/run_data.cpp — see run_data.h.
#include "tools/train/run_data.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/ops.h"
#include "tools/commands.h"
#include "tools/train/memory.h"
#include "tools/train/specs.h"
#include "tools/train/utf8.h"

namespace gradlab::cli {

namespace {

[[noreturn]] void bad(const std::string& message) { throw ExitError{kExitBadInput, message}; }

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

data::Dataset flatten_features(data::Dataset d) {
  if (d.features.dim() != 2) d.features = reshape(d.features, {d.size(), d.example_numel()});
  return d;
}

// Split sizes are known before splitting (split_indices takes exactly
// round(fraction * n)): say which split would be empty, and why, first.
void check_splits(const TrainConfig& cfg, const RawData& raw) {
  const std::string ds = "--dataset " + cfg.dataset;
  const bool has_test = raw.test.features.defined();
  int64_t n = raw.train.size();
  if (n == 0) bad(ds + ": the training split is empty: " + raw.train_source + " holds no examples");
  if (has_test && raw.test.size() == 0)
    bad(ds + ": the test split is empty: " + raw.test_source + " holds no examples");
  if (!has_test) {
    const int64_t held = std::llround(kHeldOutFraction * static_cast<double>(n));
    if (held == 0)
      bad(ds + ": the held-out test split is empty: " + raw.train_source + " has " +
          std::to_string(n) + " example" + (n == 1 ? "" : "s") + ", and gradlab holds out " +
          num(100 * kHeldOutFraction) + "% of a dataset without a test split (" +
          num(kHeldOutFraction) + " x " + std::to_string(n) +
          " rounds to 0); it needs at least 3 examples");
    n -= held;
  }
  if (cfg.val_fraction > 0) {
    const double exact = cfg.val_fraction * static_cast<double>(n);
    const int64_t val = std::llround(exact);
    const std::string vf = "--val-fraction " + num(cfg.val_fraction);
    if (val == 0)
      bad(vf + ": the validation split is empty: " + num(cfg.val_fraction) + " x " +
          std::to_string(n) + " training examples of " + cfg.dataset + " = " + num(exact) +
          " rounds to 0 (use 0 for no validation, or at least " +
          num(0.5 / static_cast<double>(n)) + ")");
    if (val >= n)
      bad(vf + ": leaves no training examples: " + num(cfg.val_fraction) + " x " +
          std::to_string(n) + " training examples of " + cfg.dataset + " rounds to " +
          std::to_string(val));
  }
}

void check_classes(const TrainConfig& cfg, const RawData& raw) {
  for (const data::Dataset* d : {&raw.train, &raw.test}) {
    if (!d->features.defined()) continue;
    const std::string& source = d == &raw.train ? raw.train_source : raw.test_source;
    if (d->num_classes > kMaxClasses)
      bad("--dataset " + cfg.dataset + ": " + source + " has " + std::to_string(d->num_classes) +
          " classes, beyond the limit of " + std::to_string(kMaxClasses));
    for (const std::string& name : d->class_names) {
      try {
        require_utf8(name, "class name", "gradlab records class names in checkpoints");
      } catch (const std::invalid_argument& e) {
        bad("--dataset " + cfg.dataset + ": " + source + ": " + e.what());
      }
    }
    if (d->example_numel() == 0)
      bad("--dataset " + cfg.dataset + ": " + source + " has no features, only labels");
  }
}

RunData assemble(const TrainConfig& cfg, const DataRecord* known, const std::string& model_name) {
  const DatasetSpec spec = parse_dataset_spec(cfg.dataset);
  const DatasetKind& kind = dataset_kind(spec);
  const DataEstimate est = kind.estimate(spec);
  // Peak while loading: the read buffers, the tensors, then a split copy and
  // a normalised copy of them.
  const uint64_t peak = sat_add(est.read_bytes, sat_mul(est.tensor_bytes, 3));
  require_memory(peak, "--dataset " + cfg.dataset + " (" + est.what + ")");
  AllocationScope scope("loading --dataset " + cfg.dataset + " (" + est.what + ", about " +
                        human_bytes(peak) + ")");

  LoadOptions lo;
  lo.seed = cfg.seed;
  lo.max_classes = kMaxClasses;
  if (known) lo.classes = known->class_names;
  RawData raw = kind.load(spec, lo);
  check_classes(cfg, raw);
  check_splits(cfg, raw);

  data::Dataset all = std::move(raw.train), test = std::move(raw.test);
  RunData r;
  const bool has_test = test.features.defined();
  if (!has_test) {
    auto split = data::train_val_split(
        all, {.val_fraction = kHeldOutFraction, .seed = cfg.seed, .stratified = true});
    all = std::move(split.train);
    test = std::move(split.val);
  }
  r.test_name = has_test ? "test" : "held-out";
  if (cfg.val_fraction > 0) {
    auto split = data::train_val_split(
        all, {.val_fraction = cfg.val_fraction, .seed = cfg.seed + 1, .stratified = true});
    r.train = flatten_features(std::move(split.train));
    r.val = flatten_features(std::move(split.val));
  } else {
    r.train = flatten_features(std::move(all));
  }
  test = flatten_features(std::move(test));

  DataRecord& rec = r.record;
  rec.in_features = r.train.example_numel();
  if (test.example_numel() != rec.in_features)
    bad("--dataset " + cfg.dataset + ": the test split has " +
        std::to_string(test.example_numel()) + " features per example, the training split " +
        std::to_string(rec.in_features));
  if (known) {
    const std::string ds = "dataset " + cfg.dataset;
    if (rec.in_features != known->in_features)
      bad(ds + " has " + std::to_string(rec.in_features) + " features per example; " + model_name +
          " expects " + std::to_string(known->in_features));
    const int64_t classes = std::max(r.train.num_classes, test.num_classes);
    if (classes > known->num_classes)
      bad(ds + " has " + std::to_string(classes) + " classes; " + model_name + " predicts " +
          std::to_string(known->num_classes));
    rec.num_classes = known->num_classes;
    rec.class_names = known->class_names;
    rec.norm = known->norm;
  } else {
    rec.num_classes = std::max(r.train.num_classes, test.num_classes);
    rec.class_names =
        r.train.num_classes >= test.num_classes ? r.train.class_names : test.class_names;
    rec.norm = data::fit_normalizer(
        r.train, kind.images ? data::NormMode::Global : data::NormMode::PerFeature);
  }
  if (static_cast<int64_t>(rec.class_names.size()) != rec.num_classes) {
    rec.class_names.clear();
    for (int64_t c = 0; c < rec.num_classes; ++c) rec.class_names.push_back(std::to_string(c));
  }
  r.train = data::normalize(r.train, rec.norm);
  if (r.val.features.defined()) r.val = data::normalize(r.val, rec.norm);
  r.test = data::normalize(test, rec.norm);
  return r;
}

int64_t integer_field(const nlohmann::json& j, const char* key, int64_t lo, int64_t hi) {
  const nlohmann::json& v = j.at(key);
  if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX))
    throw std::runtime_error(std::string("data record: '") + key + "' must be an integer, got " +
                             v.dump());
  const int64_t x = v.get<int64_t>();
  if (x < lo || x > hi)
    throw std::runtime_error(std::string("data record: '") + key + "' " + std::to_string(x) +
                             " outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

std::vector<float> finite_floats(const nlohmann::json& a, const char* key) {
  if (!a.is_array())
    throw std::runtime_error(std::string("data record: '") + key + "' must be an array");
  std::vector<float> out;
  for (const auto& v : a) {
    if (!v.is_number())
      throw std::runtime_error(std::string("data record: '") + key + "' holds " + v.dump());
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::fabs(d) > 3.4e38)
      throw std::runtime_error(std::string("data record: '") + key + "' holds " + v.dump());
    out.push_back(static_cast<float>(d));
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const DataRecord& r) {
  return {{"in_features", r.in_features},
          {"num_classes", r.num_classes},
          {"class_names", r.class_names},
          {"normalizer", {{"mean", r.norm.mean}, {"std", r.norm.stddev}}}};
}

DataRecord data_record_from_json(const nlohmann::json& j) {
  try {
    if (!j.is_object()) throw std::runtime_error("data record: not an object");
    DataRecord r;
    r.in_features = integer_field(j, "in_features", 1, int64_t{1} << 31);
    r.num_classes = integer_field(j, "num_classes", 1, kMaxClasses);
    const nlohmann::json& names = j.at("class_names");
    if (!names.is_array() || names.size() != static_cast<size_t>(r.num_classes))
      throw std::runtime_error("data record: 'class_names' must hold " +
                               std::to_string(r.num_classes) + " names");
    for (const auto& n : names) r.class_names.push_back(n.get<std::string>());
    r.norm.mean = finite_floats(j.at("normalizer").at("mean"), "mean");
    r.norm.stddev = finite_floats(j.at("normalizer").at("std"), "std");
    const size_t k = r.norm.mean.size();
    if (k != r.norm.stddev.size() || (k != 1 && k != static_cast<size_t>(r.in_features)))
      throw std::runtime_error("data record: the normaliser has " + std::to_string(k) +
                               " means and " + std::to_string(r.norm.stddev.size()) +
                               " deviations for " + std::to_string(r.in_features) + " features");
    for (float s : r.norm.stddev)
      if (!(s > 0)) throw std::runtime_error("data record: a normaliser deviation is not positive");
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("data record: ") + e.what());
  }
}

RunData load_run_data(const TrainConfig& cfg) { return assemble(cfg, nullptr, ""); }

RunData load_run_data(const TrainConfig& cfg, const DataRecord& known,
                      const std::string& model_name) {
  return assemble(cfg, &known, model_name);
}

}  // namespace gradlab::cli
