// tools/train/trainer.h — the training loop behind `gradlab train`, and the
// evaluation shared with `gradlab eval`.
//
// Reproducibility: the batch order of epoch e is a pure function of
// (seed, e) (datasets/loader.h), the model is built from Generator(seed),
// and a checkpoint holds the parameters, the optimizer's buffers and the
// run state (tools/train/run_state.h). So a run resumed from any checkpoint
// reproduces the uninterrupted run's metrics.csv exactly (seconds aside),
// with any --threads: nothing computed depends on the thread count (see
// set_threads in trainer.cpp).
#pragma once

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"
#include "optim/optimizer.h"
#include "tools/train/checkpoint.h"
#include "tools/train/report.h"
#include "tools/train/run_config.h"
#include "tools/train/run_data.h"
#include "tools/train/run_dir.h"
#include "tools/train/run_state.h"

namespace gradlab::cli {

struct EvalResult {
  double loss = 0, accuracy = 0;
  Confusion confusion;  // over the classes present in the data
};
// Mean cross-entropy (no smoothing), accuracy and confusion matrix of `model`
// on `d`, in eval mode, without autograd, in batches of 1024.
EvalResult evaluate(nn::Module& model, const data::Dataset& d);

// A run ready to train: everything built and checked, nothing written yet.
struct TrainSession {
  TrainConfig cfg;
  RunData data;
  std::shared_ptr<nn::Module> model;
  std::unique_ptr<optim::Optimizer> opt;
  RunState state;
  std::string run_id;
  int64_t batches_per_epoch = 0;
};
// Builds the model and optimizer of `cfg` for `data`, after checking that
// they (and a batch's activations) fit in memory: ExitError{2} naming
// --model or --batch-size and the size. With `resume`, restores its
// parameters, optimizer state and run state, each checked against the run
// (std::runtime_error naming `resume_name`).
TrainSession make_session(const TrainConfig& cfg, RunData data, const Checkpoint* resume,
                          const std::string& resume_name);

// The checkpoint of a session at `state` (the run's id and directory, its
// config, data record, run state, parameters and optimizer buffers).
Checkpoint make_checkpoint(const TrainSession& s, const RunState& state,
                           const std::filesystem::path& run_dir);

// Set to the signal's number by SIGINT, SIGTERM, SIGHUP and SIGPIPE; the loop
// then saves a checkpoint at the next batch and stops.
extern volatile std::sig_atomic_t g_stop_signal;
void install_stop_handlers();

struct TrainOutcome {
  enum class Status { Finished, Stopped, Diverged };
  Status status = Status::Finished;
  int signal = 0;       // Stopped: the signal that asked for it
  std::string message;  // Diverged: where, and what to try
  EvalResult test;      // Finished: on the test split
};

// Runs (or resumes) training, writing into `dir`: checkpoint.ckpt after every
// epoch and on a stop, then metrics.csv (never ahead of the checkpoint);
// at the end curves.svg, confusion.txt and confusion.csv. A loss that is not
// finite stops the run before its step is applied (Diverged).
TrainOutcome train_run(TrainSession& s, const RunDir& dir);

// Model, data record and config of a checkpoint, for eval. The model is
// built from the spec and the data record, then loaded strictly (every
// parameter present with its shape, nothing else): std::runtime_error
// naming `path` when it does not fit.
struct LoadedModel {
  TrainConfig cfg;
  DataRecord data;
  std::shared_ptr<nn::Module> model;
};
LoadedModel load_model(const Checkpoint& ckpt, const std::string& path);

}  // namespace gradlab::cli
