// tools/train/run_state.cpp — see run_state.h.
#include "tools/train/run_state.h"

#include <cmath>
#include <stdexcept>

namespace gradlab::cli {

namespace {

[[noreturn]] void bad(const std::string& what) { throw std::runtime_error("run state: " + what); }

// Integers only: get<int64_t>() of a float such as 1e300 is undefined behaviour.
int64_t count(const nlohmann::json& j, const char* key, int64_t hi) {
  const auto it = j.find(key);
  if (it == j.end()) bad(std::string("'") + key + "' is missing");
  if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX))
    bad(std::string("'") + key + "': expected an integer, got " + it->dump());
  const int64_t v = it->get<int64_t>();
  if (v < 0 || v > hi)
    bad(std::string("'") + key + "' " + std::to_string(v) + " outside [0, " + std::to_string(hi) +
        "]");
  return v;
}

double amount(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) bad(std::string("'") + key + "' is missing");
  if (!it->is_number()) bad(std::string("'") + key + "': expected a number, got " + it->dump());
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < 0)
    bad(std::string("'") + key + "' " + it->dump() + " is not a finite amount >= 0");
  return v;
}

constexpr int64_t kMaxCount = int64_t{1} << 53;

}  // namespace

nlohmann::json to_json(const RunState& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (const EpochMetrics& m : s.metrics) rows.push_back(to_json(m));
  return {{"epoch", s.epoch},
          {"batch", s.batch},
          {"loss_sum", s.loss_sum},
          {"correct", s.correct},
          {"seen", s.seen},
          {"epoch_seconds", s.epoch_seconds},
          {"metrics", rows},
          {"optimizer", {{"name", s.optimizer}, {"step", s.optimizer_step}, {"lr", s.lr}}}};
}

RunState run_state_from_json(const nlohmann::json& j) {
  if (!j.is_object()) bad("expected an object, got " + j.dump());
  RunState s;
  s.epoch = count(j, "epoch", 100000);
  s.batch = count(j, "batch", kMaxCount);
  s.loss_sum = amount(j, "loss_sum");
  s.correct = count(j, "correct", kMaxCount);
  s.seen = count(j, "seen", kMaxCount);
  s.epoch_seconds = amount(j, "epoch_seconds");
  if (s.correct > s.seen)
    bad(std::to_string(s.correct) + " correct of " + std::to_string(s.seen) + " seen");
  const auto rows = j.find("metrics");
  if (rows == j.end() || !rows->is_array()) bad("'metrics' must be an array");
  if (rows->size() != static_cast<size_t>(s.epoch))
    bad(std::to_string(rows->size()) + " metrics rows for " + std::to_string(s.epoch) +
        " finished epochs");
  for (size_t i = 0; i < rows->size(); ++i) {
    s.metrics.push_back(epoch_metrics_from_json((*rows)[i], i + 1));
    if (s.metrics.back().epoch != static_cast<int64_t>(i) + 1)
      bad("metrics row " + std::to_string(i + 1) + " is for epoch " +
          std::to_string(s.metrics.back().epoch));
  }
  const auto opt = j.find("optimizer");
  if (opt == j.end() || !opt->is_object()) bad("'optimizer' must be an object");
  const auto name = opt->find("name");
  if (name == opt->end() || !name->is_string()) bad("'optimizer.name' must be a string");
  s.optimizer = name->get<std::string>();
  s.optimizer_step = count(*opt, "step", kMaxCount);
  s.lr = amount(*opt, "lr");
  return s;
}

void check_run_state(const RunState& s, const RunShape& run) {
  const std::string at = "epoch " + std::to_string(s.epoch) + ", batch " + std::to_string(s.batch);
  if (s.epoch > run.epochs)
    bad("at " + at + ", beyond the run's " + std::to_string(run.epochs) + " epochs");
  if (s.epoch < run.epochs ? s.batch >= run.batches_per_epoch : s.batch != 0)
    bad("at " + at + ", but an epoch has " + std::to_string(run.batches_per_epoch) + " batches");
  // Every batch before `batch` is full (only an epoch's last one may be short).
  if (s.seen != s.batch * run.batch_size)
    bad(std::to_string(s.seen) + " examples seen in " + std::to_string(s.batch) + " batches of " +
        std::to_string(run.batch_size));
  if (s.optimizer != run.optimizer)
    bad("optimizer " + s.optimizer + ", but the run's config says " + run.optimizer);
  if (s.optimizer_step != s.epoch * run.batches_per_epoch + s.batch)
    bad("the optimizer took " + std::to_string(s.optimizer_step) + " steps by " + at + " (" +
        std::to_string(run.batches_per_epoch) + " batches per epoch)");
}

}  // namespace gradlab::cli
