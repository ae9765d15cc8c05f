// tools/train/flags.cpp — the flag table and its strict parsers (see flags.h).
#include "tools/train/flags.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "tools/commands.h"
#include "tools/train/specs.h"
#include "tools/train/utf8.h"

namespace gradlab::cli {

namespace {

// ---- ranges ----------------------------------------------------------------------

struct Range {
  double lo, hi;
  bool lo_open = false, hi_open = false;
  bool contains(double v) const {
    return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  }
  std::string text() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%c%g, %g%c", lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']');
    return buf;
  }
};

std::string whole_range(int64_t lo, int64_t hi) {
  return "a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}
constexpr uint64_t kUintMax = std::numeric_limits<uint64_t>::max();
const std::string kUintRange = "a whole number in [0, " + std::to_string(kUintMax) + "]";

double checked_real(double v, const Range& r) {
  const std::string expected = "a number in " + r.text();
  if (std::isnan(v)) throw FlagError("NaN is not allowed (expected " + expected + ")");
  if (std::isinf(v)) throw FlagError("must be finite (expected " + expected + ")");
  if (!r.contains(v)) throw FlagError("must be " + expected);
  return v;
}

int64_t checked_int(int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi) throw FlagError("must be " + whole_range(lo, hi));
  return v;
}

// ---- row factories ---------------------------------------------------------------

FlagDef int_row(std::string name, std::string help, int64_t TrainConfig::*field, int64_t lo,
                int64_t hi, OnResume on_resume = OnResume::Fixed) {
  FlagDef f;
  f.name = std::move(name);
  f.help = std::move(help) + " (" + whole_range(lo, hi) + ")";
  f.type_name = "INT";
  f.on_resume = on_resume;
  f.parse = [=](TrainConfig& c, const std::string& t) { c.*field = parse_int(t, lo, hi); };
  f.get = [=](const TrainConfig& c) { return nlohmann::json(c.*field); };
  f.set = [=](TrainConfig& c, const nlohmann::json& j) {
    if (!j.is_number_integer() || (j.is_number_unsigned() && j.get<uint64_t>() > INT64_MAX))
      throw FlagError("not an integer (expected " + whole_range(lo, hi) + ")");
    c.*field = checked_int(j.get<int64_t>(), lo, hi);
  };
  return f;
}

FlagDef uint_row(std::string name, std::string help, uint64_t TrainConfig::*field) {
  FlagDef f;
  f.name = std::move(name);
  f.help = std::move(help) + " (" + kUintRange + ")";
  f.type_name = "INT";
  f.parse = [=](TrainConfig& c, const std::string& t) { c.*field = parse_uint(t); };
  f.get = [=](const TrainConfig& c) { return nlohmann::json(c.*field); };
  f.set = [=](TrainConfig& c, const nlohmann::json& j) {
    if (!j.is_number_integer()) throw FlagError("not an integer (expected " + kUintRange + ")");
    if (!j.is_number_unsigned() && j.get<int64_t>() < 0) throw FlagError("must be " + kUintRange);
    c.*field = j.get<uint64_t>();
  };
  return f;
}

FlagDef real_row(std::string name, std::string help, double TrainConfig::*field, Range r) {
  FlagDef f;
  f.name = std::move(name);
  f.help = std::move(help) + " (a number in " + r.text() + ")";
  f.type_name = "NUM";
  f.parse = [=](TrainConfig& c, const std::string& t) {
    double v = 0;
    try {
      v = parse_real(t);
    } catch (const FlagError& e) {
      throw FlagError(std::string(e.what()) + " (expected a number in " + r.text() + ")");
    }
    c.*field = checked_real(v, r);
  };
  f.get = [=](const TrainConfig& c) { return nlohmann::json(c.*field); };
  f.set = [=](TrainConfig& c, const nlohmann::json& j) {
    if (!j.is_number()) throw FlagError("must be a number in " + r.text());
    c.*field = checked_real(j.get<double>(), r);
  };
  return f;
}

FlagDef text_row(std::string name, std::string help, std::string TrainConfig::*field,
                 std::function<void(const std::string&)> check, std::string type_name = "SPEC") {
  FlagDef f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type_name = std::move(type_name);
  f.quote = true;
  f.parse = [=](TrainConfig& c, const std::string& t) {
    check(t);
    c.*field = t;
  };
  f.get = [=](const TrainConfig& c) { return nlohmann::json(c.*field); };
  f.set = [=](TrainConfig& c, const nlohmann::json& j) {
    if (!j.is_string()) throw FlagError("must be a string");
    check(j.get<std::string>());
    c.*field = j.get<std::string>();
  };
  return f;
}

FlagDef choice_row(std::string name, std::string help, std::string TrainConfig::*field,
                   std::vector<std::string> choices) {
  std::string list;
  for (const std::string& s : choices) list += (list.empty() ? "" : ", ") + s;
  return text_row(
      std::move(name), std::move(help) + " (" + list + ")", field,
      [choices, list](const std::string& t) {
        for (const std::string& s : choices)
          if (t == s) return;
        throw FlagError("expected one of " + list);
      },
      "NAME");
}

std::vector<FlagDef> make_flags() {
  using C = TrainConfig;
  std::vector<FlagDef> f;
  f.push_back(text_row("dataset", "Dataset: " + dataset_forms(), &C::dataset,
                       [](const std::string& t) { parse_dataset_spec(t); }));
  f.push_back(text_row("model", "Model: " + model_forms(), &C::model,
                       [](const std::string& t) { parse_model_spec(t); }));
  f.push_back(int_row("epochs", "Number of epochs; may grow on --resume", &C::epochs, 1, 100000,
                      OnResume::MayChange));
  f.push_back(int_row("batch-size", "Examples per batch", &C::batch_size, 1, 1 << 20));
  f.push_back(choice_row("optimizer", "Optimizer", &C::optimizer, {"sgd", "adam", "adamw"}));
  f.push_back(real_row("lr", "Learning rate", &C::lr, {0, 10, true, false}));
  f.push_back(real_row("momentum", "Momentum (sgd only)", &C::momentum, {0, 1, false, true}));
  f.push_back(real_row("weight-decay", "Weight decay (L2 for sgd/adam, decoupled for adamw)",
                       &C::weight_decay, {0, 1}));
  f.push_back(real_row("label-smoothing", "Label smoothing epsilon", &C::label_smoothing, {0, 1}));
  f.push_back(choice_row("schedule", "Learning-rate schedule (cosine has a linear warm-up)",
                         &C::schedule, {"none", "step", "cosine"}));
  f.push_back(real_row("val-fraction", "Share of the training split held out for validation",
                       &C::val_fraction, {0, 1, false, true}));
  f.push_back(uint_row("seed", "Seed for initialisation, shuffling and splits", &C::seed));
  f.push_back(int_row("threads",
                      "Threads for the kernels; results do not depend on it, and it may change on "
                      "--resume",
                      &C::threads, 1, 256, OnResume::MayChange));
  return f;
}

}  // namespace

std::string FlagDef::key() const {
  std::string k = name;
  for (char& ch : k)
    if (ch == '-') ch = '_';
  return k;
}

const std::vector<FlagDef>& train_flags() {
  static const std::vector<FlagDef> flags = make_flags();
  return flags;
}

const FlagDef* find_train_flag(const std::string& name) {
  for (const FlagDef& f : train_flags())
    if (f.name == name) return &f;
  return nullptr;
}

std::string flag_value_text(const FlagDef& f, const TrainConfig& c) {
  const nlohmann::json v = f.get(c);
  // JSON's shortest round-trip form: 0.9, not 0.90000000000000002.
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string resumable_flags() {
  std::string s;
  for (const FlagDef& f : train_flags())
    if (f.on_resume == OnResume::MayChange) s += (s.empty() ? "" : ", ") + f.flag();
  return s;
}

int64_t parse_int(const std::string& text, int64_t lo, int64_t hi) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec == std::errc::result_out_of_range && p == end)
    throw FlagError("out of range (expected " + whole_range(lo, hi) + ")");
  if (text.empty() || ec != std::errc() || p != end)
    throw FlagError("not a whole number (expected " + whole_range(lo, hi) + ")");
  return checked_int(v, lo, hi);
}

uint64_t parse_uint(const std::string& text) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  const bool negative = !text.empty() && text[0] == '-';
  auto [p, ec] = std::from_chars(text.data() + (negative ? 1 : 0), end, v);
  if (ec == std::errc::result_out_of_range && p == end)
    throw FlagError("out of range (expected " + kUintRange + ")");
  if (text.size() <= (negative ? 1u : 0u) || ec != std::errc() || p != end)
    throw FlagError("not a whole number (expected " + kUintRange + ")");
  if (negative && v != 0) throw FlagError("must be " + kUintRange);
  return v;
}

double parse_real(const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v, std::chars_format::general);
  if (ec == std::errc::result_out_of_range && p == end)
    throw FlagError("out of range for a double");
  if (text.empty() || ec != std::errc() || p != end) throw FlagError("not a number");
  if (std::isnan(v)) throw FlagError("NaN is not allowed");
  if (std::isinf(v)) throw FlagError("must be finite");
  return v;
}

std::vector<FlagChange> apply_flags(TrainConfig& cfg, const GivenFlags& given, bool resuming) {
  std::vector<FlagChange> changes;
  for (const auto& [name, text] : given) {
    const FlagDef* f = find_train_flag(name);
    if (!f) throw std::logic_error("apply_flags: no flag --" + name);
    const std::string shown = f->quote ? "'" + printable(text) + "'" : printable(text);
    TrainConfig next = cfg;
    try {
      f->parse(next, text);
    } catch (const FlagError& e) {
      throw ExitError{kExitBadInput, f->flag() + " " + shown + ": " + e.what()};
    } catch (const std::invalid_argument& e) {  // a spec parser's whole message
      throw ExitError{kExitBadInput, e.what()};
    }
    if (resuming) {
      const nlohmann::json before = f->get(cfg), after = f->get(next);
      if (f->on_resume == OnResume::Fixed)
        throw ExitError{kExitBadInput,
                        f->flag() + " " + shown + " cannot be given with --resume: the run's " +
                            f->flag() + " is " + flag_value_text(*f, cfg) +
                            (before == after ? " already (drop the flag)" : "") + ", and only " +
                            resumable_flags() +
                            " may change when resuming (start a new run for other settings)"};
      if (before != after) changes.push_back({f->name, before, after});
    }
    cfg = next;
  }
  return changes;
}

void check_flag_combination(const TrainConfig& cfg, const GivenFlags& given) {
  for (const auto& [name, text] : given)
    if (name == "momentum" && cfg.optimizer != "sgd")
      throw ExitError{kExitBadInput, "--momentum " + printable(text) +
                                         ": only --optimizer sgd uses momentum (this run's "
                                         "optimizer is " +
                                         cfg.optimizer + ")"};
}

}  // namespace gradlab::cli
