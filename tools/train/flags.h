// tools/train/flags.h — the settings of `gradlab train`, as one table.
//
// A row is one setting: its flag (--batch-size) and JSON key (batch_size),
// its help, how its text is parsed and checked, and what it does with
// --resume. Parsing is strict: the whole text must be the value, and a
// number that overflows, is NaN or infinite, or lies outside the setting's
// range is an error naming the flag and the value ("--momentum -0.5: must be
// a number in [0, 1)"), never clamped or ignored. config.json and the
// checkpoints hold the same keys, read back through the same checks. A new
// setting (say --precision) is a new row.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tools/train/run_config.h"

namespace gradlab::cli {

// What giving a flag together with --resume does.
enum class OnResume {
  Fixed,      // part of what the run is: an error naming the flag (exit 2)
  MayChange,  // takes effect from the resume point on, and is recorded
};

// Why a value is wrong, without the flag ("must be a whole number in [1, 100]").
struct FlagError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct FlagDef {
  std::string name;  // "batch-size": the flag --batch-size, the JSON key "batch_size"
  std::string help;
  std::string type_name;  // for --help: INT, NUM, SPEC, ...
  OnResume on_resume = OnResume::Fixed;
  bool quote = false;  // messages show the value in quotes (specs, choices)
  // A run config (config.json, a checkpoint) must hold the key. A setting
  // added later sets this false, so older configs read as its default.
  bool required_in_config = true;
  // Sets the setting from command-line text. Throws FlagError, or
  // std::invalid_argument with a whole message (the spec parsers).
  std::function<void(TrainConfig&, const std::string& text)> parse;
  // The setting as JSON, and back through the same checks.
  std::function<nlohmann::json(const TrainConfig&)> get;
  std::function<void(TrainConfig&, const nlohmann::json&)> set;

  std::string flag() const { return "--" + name; }
  std::string key() const;  // name with '-' -> '_'
};

// Every setting of a run, in --help order.
const std::vector<FlagDef>& train_flags();
const FlagDef* find_train_flag(const std::string& name);
// A setting's value as text ("0.001", "mlp:256,128"), for messages and --help.
std::string flag_value_text(const FlagDef& f, const TrainConfig& c);
// "--epochs, --threads": the flags that may change on --resume.
std::string resumable_flags();

// Strict parsers (exposed for tests): the whole text, in [lo, hi].
int64_t parse_int(const std::string& text, int64_t lo, int64_t hi);
uint64_t parse_uint(const std::string& text);
double parse_real(const std::string& text);  // finite; NaN, inf and overflow are FlagErrors

// Flags given on a command line, (name without dashes, text), in table order.
using GivenFlags = std::vector<std::pair<std::string, std::string>>;

// A MayChange flag that changed a resumed run, for the run's history.
struct FlagChange {
  std::string name;
  nlohmann::json from, to;
};

// Applies `given` to `cfg`, each through its row; a bad value is
// ExitError{2, "--lr 1e308: must be a number in (0, 10]"}. When `resuming`,
// a Fixed flag is ExitError{2} naming it and the run's value; the MayChange
// flags that differ from the run's are applied and returned.
std::vector<FlagChange> apply_flags(TrainConfig& cfg, const GivenFlags& given, bool resuming);

// Rules between settings, for what was given (ExitError{2}): --momentum is
// only for --optimizer sgd.
void check_flag_combination(const TrainConfig& cfg, const GivenFlags& given);

}  // namespace gradlab::cli
