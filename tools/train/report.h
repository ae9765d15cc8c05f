// tools/train/report.h — what a run shows a person: the progress line, the
// learning-curve plot (SVG) and the confusion matrix. (metrics.csv is
// tools/train/metrics.h.)
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/train/metrics.h"

namespace gradlab::cli {

// Loss and accuracy curves as an SVG document. Draws with gnuplot when it is
// on PATH (gnuplot_used set true), run without a shell (an argument vector,
// a time limit) in a fresh directory made under `work_dir`, which it removes
// again; otherwise, or if gnuplot fails, with gradlab's own SVG writer. The
// data and script are addressed relative to that directory, so no path (nor
// TMPDIR) ever ends up inside a command or a gnuplot script.
std::string learning_curves_svg(const std::vector<EpochMetrics>& rows,
                                const std::filesystem::path& work_dir,
                                bool* gnuplot_used = nullptr);
// The fallback writer alone (tests call it directly).
std::string learning_curves_svg_builtin(const std::vector<EpochMetrics>& rows);

// Counts of (true class, predicted class), sized by the classes present: a
// row per class among the true labels, a column per such class and one
// "other" column for predictions of any class not among them.
class Confusion {
 public:
  Confusion() = default;
  // classes: the true classes to count (sorted ascending, distinct).
  explicit Confusion(std::vector<int64_t> classes);
  // truth must be one of classes() (std::invalid_argument otherwise).
  void add(int64_t truth, int64_t predicted);

  const std::vector<int64_t>& classes() const { return classes_; }
  // counts[t][p]: p < classes().size() is that class, p == classes().size() "other".
  const std::vector<std::vector<int64_t>>& counts() const { return counts_; }
  int64_t total() const;
  int64_t correct() const;
  bool has_other() const;  // some prediction fell outside classes()

 private:
  std::vector<int64_t> classes_;
  std::vector<std::vector<int64_t>> counts_;
};

// A table: the accuracy line, then a row per true class with its name
// (names[id], or the id) and recall.
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
