// tools/train/trainer.h — the training loop behind `gradlab train`, and the
// evaluation shared with `gradlab eval`.
#pragma once

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/sequential.h"
#include "tools/train/checkpoint.h"
#include "tools/train/report.h"
#include "tools/train/run_config.h"

namespace gradlab::cli {

// Where a run stands: enough to resume in the middle of an epoch and get
// exactly the batches, losses and parameters of an uninterrupted run.
struct RunState {
  int64_t epoch = 0;  // 0-based epoch in progress (== epochs when finished)
  int64_t batch = 0;  // batches of that epoch already done
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
  double epoch_seconds = 0;  // time spent in this epoch before an interruption
  std::vector<EpochMetrics> metrics;
};

struct EvalResult {
  double loss = 0, accuracy = 0;
  Confusion confusion;
};
// Mean cross-entropy (no smoothing), accuracy and confusion matrix of `model`
// on `d`, in eval mode, without autograd, in batches of 1024.
EvalResult evaluate(nn::Module& model, const data::Dataset& d, int64_t num_classes);

// Set by SIGINT/SIGTERM; the loop saves a checkpoint at the next batch.
extern volatile std::sig_atomic_t g_stop_requested;
void install_stop_handlers();

struct TrainOutcome {
  bool interrupted = false;
  EvalResult test;
};

// Runs (or resumes) training in `run_dir` (which exists). Writes
// metrics.csv, curves.svg, checkpoint.ckpt (every epoch, and on
// interruption), and at the end confusion.txt / confusion.csv.
// `data` comes from load_run_data (with the checkpoint's normaliser when
// resuming); `resume` may be null.
TrainOutcome train_run(const TrainConfig& cfg, const RunData& data, const std::string& run_dir,
                       const Checkpoint* resume);
// The normaliser saved in a checkpoint.
data::Normalizer checkpoint_normalizer(const Checkpoint& ckpt);

// Model + normaliser + config from a checkpoint (for eval). Throws
// std::runtime_error naming the file when it does not fit.
struct LoadedModel {
  TrainConfig cfg;
  std::shared_ptr<nn::Sequential> model;
  data::Normalizer norm;
  int64_t in_features = 0, num_classes = 0;
  std::vector<std::string> class_names;
};
LoadedModel load_model(const Checkpoint& ckpt, const std::string& path);

}  // namespace gradlab::cli
