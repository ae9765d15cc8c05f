// tools/train/train_cmd.h — `gradlab train` as functions: what a command line
// asks for, the plan that checks and builds everything before anything is
// created (also `--dry-run`, and the fuzz targets' entry), and the run.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "tools/train/flags.h"
#include "tools/train/run_dir.h"
#include "tools/train/trainer.h"

namespace gradlab::cli {

struct TrainRequest {
  GivenFlags flags;    // the table's flags given on the command line
  std::string out;     // --out
  std::string resume;  // --resume: a checkpoint or a run directory
  bool dry_run = false;
};

// A run, checked and built: data loaded, model and optimizer made and
// restored, the directory chosen. Nothing has been written.
struct TrainPlan {
  TrainConfig cfg;
  TrainSession session;
  std::optional<ResumeSource> resume;  // set when resuming or restarting
  NewRunDir new_dir;                   // where a new run (or a branch) goes
  std::vector<FlagChange> changes;     // MayChange flags that changed on resume
};
// Throws ExitError{2} (or std::invalid_argument / std::runtime_error, which
// the command reports with exit 2) naming the flag, spec or file.
TrainPlan plan_train(const TrainRequest& req);
// What --dry-run prints.
void describe_plan(const TrainPlan& plan, std::ostream& os);

// The whole command: plan, claim the directory, train, report. Exits (via
// ExitError) 128 + signal when stopped by a signal, 1 when training diverged.
void run_train(const TrainRequest& req);

}  // namespace gradlab::cli
