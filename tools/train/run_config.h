// tools/train/run_config.h — what a training run is: the settings of
// `gradlab train`, as recorded in config.json and in every checkpoint.
//
// The schema of the JSON form is the flag table (tools/train/flags.h): one
// key per flag, checked by the same rules as the command line.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace gradlab::cli {

struct TrainConfig {
  std::string dataset = "fashion-mnist";  // a --dataset spec (tools/train/specs.h)
  std::string model = "mlp:256,128";      // a --model spec
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

// {"dataset": ..., "batch_size": ..., ...}: one key per flag (flags.h).
nlohmann::json to_json(const TrainConfig& c);
// The inverse, holding every value to its flag's rules. Every key must be
// there (except those of settings added later, which default: see
// FlagDef::required_in_config), and an unknown key is an error (a config from
// a newer gradlab must not silently train something else).
// std::runtime_error "config: 'lr' 1e+308: must be a number in (0, 10]".
TrainConfig config_from_json(const nlohmann::json& j);

}  // namespace gradlab::cli
