// tools/train/report.h — what a run shows a person: the progress line, metrics.csv,
// the learning-curve plot (SVG) and the confusion matrix.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace gradlab::cli {

struct EpochMetrics {
  int64_t epoch = 0;  // 1-based
  double train_loss = 0, train_acc = 0;
  double val_loss = 0, val_acc = 0;  // NaN when there is no validation set
  double lr = 0;
  double seconds = 0;
};

// metrics.csv: header "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds"
// and one row per epoch; values printed with round-trip precision so two
// identical runs give identical files (apart from the seconds column).
std::string metrics_csv(const std::vector<EpochMetrics>& rows);

// Loss and accuracy curves as an SVG document. Uses gnuplot when it is on
// PATH (gnuplot_used set true), otherwise gradlab's own small SVG writer.
std::string learning_curves_svg(const std::vector<EpochMetrics>& rows, bool* gnuplot_used = nullptr);
// The fallback writer alone (tests call it directly).
std::string learning_curves_svg_builtin(const std::vector<EpochMetrics>& rows);

// counts[t][p]: examples of true class t predicted as p.
using Confusion = std::vector<std::vector<int64_t>>;
// A table with class names, a row per true class; "accuracy" line first.
std::string format_confusion(const Confusion& m, const std::vector<std::string>& names);
std::string confusion_csv(const Confusion& m, const std::vector<std::string>& names);

// The training progress display. On a terminal: one line redrawn in place
// (bar, loss, examples/s, ETA), at most 10 times a second. Otherwise
// nothing per batch: the caller prints one plain line per epoch.
class Progress {
 public:
  explicit Progress(bool tty);
  void start_epoch(int64_t epoch, int64_t epochs, int64_t batches);
  void update(int64_t batch, double mean_loss, int64_t examples);
  void finish_epoch();
  bool tty() const { return tty_; }

 private:
  bool tty_;
  int64_t epoch_ = 0, epochs_ = 0, batches_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace gradlab::cli
