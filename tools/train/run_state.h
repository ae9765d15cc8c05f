// tools/train/run_state.h — where a run stands, as a checkpoint records it.
//
// Enough to resume in the middle of an epoch and get exactly the batches,
// losses and parameters of an uninterrupted run: the position (epoch,
// batch), the running sums of the epoch in progress, the finished epochs'
// metrics and the optimizer's counters (its buffers are tensors in the
// checkpoint). to_json and run_state_from_json are the only writer and
// reader of this part of a checkpoint; a new piece of state (a loss scaler's
// scale) is a field and a key in both.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/train/metrics.h"

namespace gradlab::cli {

struct RunState {
  int64_t epoch = 0;    // 0-based epoch in progress (== epochs when finished)
  int64_t batch = 0;    // batches of that epoch already done
  double loss_sum = 0;  // sum of per-example losses over those batches
  int64_t correct = 0, seen = 0;
  double epoch_seconds = 0;           // time spent in this epoch before an interruption
  std::vector<EpochMetrics> metrics;  // one row per finished epoch
  // The optimizer's counters ("SGD", "Adam", "AdamW"; steps taken; current lr).
  std::string optimizer;
  int64_t optimizer_step = 0;
  double lr = 0;
};

nlohmann::json to_json(const RunState& s);
// Checks every field and the state's own consistency (0 <= correct <= seen,
// one metrics row per finished epoch, numbered 1..epoch). std::runtime_error
// "run state: <what>".
RunState run_state_from_json(const nlohmann::json& j);

// What a state must agree with to resume a run: ExitError-free checks that
// throw std::runtime_error "run state: <what>" naming both sides.
struct RunShape {
  int64_t epochs = 0;             // the run's --epochs (after any change on resume)
  int64_t batches_per_epoch = 0;  // of the training split
  int64_t batch_size = 0;
  std::string optimizer = {};  // the optimizer's name()
};
void check_run_state(const RunState& s, const RunShape& run);

}  // namespace gradlab::cli
