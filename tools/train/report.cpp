// tools/train/report.cpp — progress line, SVG curves, confusion matrix.
#include "tools/train/report.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "tools/common/process.h"

namespace gradlab::cli {

namespace {
std::string fixed(double v, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
// A value for gnuplot's data file: NaN marks a missing point.
std::string datum(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return "NaN";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", *v);
  return buf;
}
}  // namespace

// ---- SVG -----------------------------------------------------------------------------
std::string learning_curves_svg_builtin(const std::vector<EpochMetrics>& rows) {
  // Two panels side by side: loss (train, val) and accuracy (train, val).
  const double W = 900, H = 360, pad = 50, pw = (W - 3 * pad) / 2, ph = H - 2 * pad;
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  auto panel = [&](double x0, const char* title, auto get_train, auto get_val) {
    double lo = INFINITY, hi = -INFINITY;
    for (const EpochMetrics& r : rows)
      for (double v : {get_train(r), get_val(r)})
        if (std::isfinite(v)) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-12) hi = lo + 1;
    const double n = std::max<double>(1, static_cast<double>(rows.size()) - 1);
    auto X = [&](size_t i) { return x0 + pw * (rows.size() == 1 ? 0.5 : static_cast<double>(i) / n); };
    auto Y = [&](double v) { return pad + ph * (1 - (v - lo) / (hi - lo)); };
    os << "<text x=\"" << x0 + pw / 2 << "\" y=\"" << pad - 15 << "\" text-anchor=\"middle\" font-size=\"14\">" << title
       << "</text>\n<rect x=\"" << x0 << "\" y=\"" << pad << "\" width=\"" << pw << "\" height=\"" << ph
       << "\" fill=\"none\" stroke=\"#888\"/>\n";
    for (int k = 0; k <= 4; ++k) {
      const double v = lo + (hi - lo) * k / 4;
      os << "<text x=\"" << x0 - 5 << "\" y=\"" << Y(v) + 4 << "\" text-anchor=\"end\">" << fixed(v, 3) << "</text>\n";
    }
    os << "<text x=\"" << x0 + pw / 2 << "\" y=\"" << H - 15 << "\" text-anchor=\"middle\">epoch (1.."
       << rows.size() << ")</text>\n";
    auto line = [&](auto get, const char* color, const char* label, double ly) {
      std::string pts;
      for (size_t i = 0; i < rows.size(); ++i)
        if (std::isfinite(get(rows[i]))) pts += fixed(X(i), 1) + "," + fixed(Y(get(rows[i])), 1) + " ";
      if (pts.empty()) return;
      os << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\" points=\"" << pts << "\"/>\n"
         << "<text x=\"" << x0 + pw - 60 << "\" y=\"" << ly << "\" fill=\"" << color << "\">" << label << "</text>\n";
    };
    line(get_train, "#1f77b4", "train", pad + 15);
    line(get_val, "#d62728", "validation", pad + 30);
  };
  auto or_nan = [](std::optional<double> v) { return v.value_or(NAN); };
  panel(
      pad, "loss", [](const EpochMetrics& r) { return r.train_loss; },
      [&](const EpochMetrics& r) { return or_nan(r.val_loss); });
  panel(
      2 * pad + pw, "accuracy", [](const EpochMetrics& r) { return r.train_acc; },
      [&](const EpochMetrics& r) { return or_nan(r.val_acc); });
  os << "</svg>\n";
  return os.str();
}

namespace {

// Draws with gnuplot in `dir`: the data and the script hold no path (the
// child runs in `dir`), and the child gets an argument vector, not a shell.
std::string gnuplot_svg(const std::vector<EpochMetrics>& rows, const std::filesystem::path& dir) {
  {
    std::ofstream d(dir / "m.dat");
    for (const EpochMetrics& r : rows)
      d << r.epoch << " " << datum(r.train_loss) << " " << datum(r.val_loss) << " "
        << datum(r.train_acc) << " " << datum(r.val_acc) << "\n";
    std::ofstream g(dir / "plot.gp");
    g << "set terminal svg size 900,360 font 'sans,11' background rgb 'white'\n"
      << "set output 'out.svg'\nset datafile missing 'NaN'\n"
      << "set multiplot layout 1,2\nset xlabel 'epoch'\nset key top right\nset grid\n"
      << "set title 'loss'\nplot 'm.dat' u 1:2 w lp t 'train' lc rgb '#1f77b4', "
      << "'' u 1:3 w lp t 'validation' lc rgb '#d62728'\n"
      << "set title 'accuracy'\nset key bottom right\nplot 'm.dat' u 1:4 w lp t 'train' "
      << "lc rgb '#1f77b4', '' u 1:5 w lp t 'validation' lc rgb '#d62728'\n"
      << "unset multiplot\n";
    if (!d || !g) return "";
  }
  labtools::Limits limits;
  limits.wall_seconds = 30;
  limits.file_mb = 64;
  const labtools::ProcessResult r = labtools::run_process(
      {"gnuplot", "plot.gp"}, dir, dir / "gnuplot.log", limits, {{"TMPDIR", dir.string()}});
  if (!r.ok()) return "";
  std::ifstream in(dir / "out.svg");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string learning_curves_svg(const std::vector<EpochMetrics>& rows,
                                const std::filesystem::path& work_dir, bool* gnuplot_used) {
  namespace fs = std::filesystem;
  if (gnuplot_used) *gnuplot_used = false;
  if (rows.empty()) return learning_curves_svg_builtin(rows);
  std::string tmpl = (work_dir / ".plot-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return learning_curves_svg_builtin(rows);
  const fs::path dir(tmpl);
  std::string svg;
  try {
    svg = gnuplot_svg(rows, dir);
  } catch (const std::exception&) {
    svg.clear();
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (svg.find("<svg") == std::string::npos) return learning_curves_svg_builtin(rows);
  if (gnuplot_used) *gnuplot_used = true;
  return svg;
}

// ---- confusion matrix ------------------------------------------------------------------
Confusion::Confusion(std::vector<int64_t> classes) : classes_(std::move(classes)) {
  if (!std::is_sorted(classes_.begin(), classes_.end()) ||
      std::adjacent_find(classes_.begin(), classes_.end()) != classes_.end())
    throw std::invalid_argument("Confusion: classes must be sorted and distinct");
  // (a row per class, one column per class and "other"; k <= the labels' count)
  const std::size_t k = classes_.size();
  counts_.resize(k);
  for (std::vector<int64_t>& row : counts_) row.resize(k + 1, 0);
}

void Confusion::add(int64_t truth, int64_t predicted) {
  const auto t = std::lower_bound(classes_.begin(), classes_.end(), truth);
  if (t == classes_.end() || *t != truth)
    throw std::invalid_argument("Confusion::add: class " + std::to_string(truth) +
                                " is not among the counted classes");
  const auto p = std::lower_bound(classes_.begin(), classes_.end(), predicted);
  const size_t col = p != classes_.end() && *p == predicted
                         ? static_cast<size_t>(p - classes_.begin())
                         : classes_.size();
  ++counts_[static_cast<size_t>(t - classes_.begin())][col];
}

int64_t Confusion::total() const {
  int64_t n = 0;
  for (const auto& row : counts_)
    for (int64_t v : row) n += v;
  return n;
}

int64_t Confusion::correct() const {
  int64_t n = 0;
  for (size_t t = 0; t < counts_.size(); ++t) n += counts_[t][t];
  return n;
}

bool Confusion::has_other() const {
  for (const auto& row : counts_)
    if (row.back() != 0) return true;
  return false;
}

namespace {
std::string class_name(const std::vector<std::string>& names, int64_t id) {
  return id >= 0 && static_cast<size_t>(id) < names.size() ? names[static_cast<size_t>(id)]
                                                           : std::to_string(id);
}
}  // namespace

std::string format_confusion(const Confusion& m, const std::vector<std::string>& names) {
  const int64_t total = m.total(), right = m.correct();
  const size_t k = m.classes().size();
  const bool other = m.has_other();
  size_t w = 6;
  for (int64_t c : m.classes()) w = std::max(w, class_name(names, c).size());
  std::ostringstream os;
  os << "accuracy "
     << fixed(total ? static_cast<double>(right) / static_cast<double>(total) : 0.0, 4) << " ("
     << right << "/" << total << ")\nconfusion matrix (rows: true class, columns: predicted"
     << (other ? "; other: a class not among the true ones" : "") << ")\n";
  os << std::string(w + 2, ' ');
  char buf[32];
  for (int64_t c : m.classes()) {
    std::snprintf(buf, sizeof buf, "%6lld", static_cast<long long>(c));
    os << buf;
  }
  if (other) os << " other";
  os << "   recall\n";
  for (size_t t = 0; t < k; ++t) {
    const std::string n = class_name(names, m.classes()[t]);
    os << n << std::string(w + 2 - n.size(), ' ');
    int64_t row = 0;
    for (size_t p = 0; p <= k; ++p) {
      const int64_t v = m.counts()[t][p];
      row += v;
      if (p == k && !other) break;
      std::snprintf(buf, sizeof buf, "%6lld", static_cast<long long>(v));
      os << buf;
    }
    os << "   "
       << fixed(row ? static_cast<double>(m.counts()[t][t]) / static_cast<double>(row) : 0.0, 3)
       << "\n";
  }
  return os.str();
}

std::string confusion_csv(const Confusion& m, const std::vector<std::string>& names) {
  const size_t k = m.classes().size();
  const bool other = m.has_other();
  std::string s = "true\\predicted";
  for (int64_t c : m.classes()) s += "," + class_name(names, c);
  if (other) s += ",other";
  s += "\n";
  for (size_t t = 0; t < k; ++t) {
    s += class_name(names, m.classes()[t]);
    for (size_t p = 0; p < k + (other ? 1 : 0); ++p) s += "," + std::to_string(m.counts()[t][p]);
    s += "\n";
  }
  return s;
}

// ---- progress --------------------------------------------------------------------------
Progress::Progress(bool tty) : tty_(tty) {}

void Progress::start_epoch(int64_t epoch, int64_t epochs, int64_t batches) {
  epoch_ = epoch;
  epochs_ = epochs;
  batches_ = batches;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void Progress::update(int64_t batch, double mean_loss, int64_t examples) {
  if (!tty_) return;
  const auto now = std::chrono::steady_clock::now();
  if (batch + 1 < batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double frac = batches_ ? static_cast<double>(batch + 1) / static_cast<double>(batches_) : 1.0;
  const int width = 24, filled = static_cast<int>(frac * width);
  const double rate = secs > 0 ? static_cast<double>(examples) / secs : 0.0;
  const double eta = frac > 0 ? secs * (1 - frac) / frac : 0.0;
  std::fprintf(stdout, "\r\033[Kepoch %lld/%lld [%s%s] %lld/%lld  loss %.4f  %.0f ex/s  ETA %.1fs",
               static_cast<long long>(epoch_), static_cast<long long>(epochs_), std::string(static_cast<size_t>(filled), '#').c_str(),
               std::string(static_cast<size_t>(width - filled), '.').c_str(), static_cast<long long>(batch + 1),
               static_cast<long long>(batches_), mean_loss, rate, eta);
  std::fflush(stdout);
}

void Progress::finish_epoch() {
  if (tty_) std::fprintf(stdout, "\r\033[K");
}

}  // namespace gradlab::cli
