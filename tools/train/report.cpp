// tools/train/report.cpp — progress line, metrics.csv, SVG curves, confusion matrix.
#include "tools/train/report.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace gradlab::cli {

namespace {
std::string num(double v) {
  if (std::isnan(v)) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string fixed(double v, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
}  // namespace

std::string metrics_csv(const std::vector<EpochMetrics>& rows) {
  std::string s = "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n";
  for (const EpochMetrics& r : rows)
    s += std::to_string(r.epoch) + "," + num(r.train_loss) + "," + num(r.train_acc) + "," + num(r.val_loss) + "," +
         num(r.val_acc) + "," + num(r.lr) + "," + fixed(r.seconds, 3) + "\n";
  return s;
}

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
  panel(pad, "loss", [](const EpochMetrics& r) { return r.train_loss; }, [](const EpochMetrics& r) { return r.val_loss; });
  panel(2 * pad + pw, "accuracy", [](const EpochMetrics& r) { return r.train_acc; },
        [](const EpochMetrics& r) { return r.val_acc; });
  os << "</svg>\n";
  return os.str();
}

std::string learning_curves_svg(const std::vector<EpochMetrics>& rows, bool* gnuplot_used) {
  if (gnuplot_used) *gnuplot_used = false;
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0 || rows.empty()) return learning_curves_svg_builtin(rows);
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("gradlab-plot-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream d(dir / "m.dat");
    for (const EpochMetrics& r : rows)
      d << r.epoch << " " << num(r.train_loss) << " " << (std::isnan(r.val_loss) ? "NaN" : num(r.val_loss)) << " "
        << num(r.train_acc) << " " << (std::isnan(r.val_acc) ? "NaN" : num(r.val_acc)) << "\n";
    std::ofstream g(dir / "plot.gp");
    g << "set terminal svg size 900,360 font 'sans,11' background rgb 'white'\n"
      << "set output '" << (dir / "out.svg").string() << "'\nset datafile missing 'NaN'\n"
      << "set multiplot layout 1,2\nset xlabel 'epoch'\nset key top right\nset grid\n"
      << "set title 'loss'\nplot '" << (dir / "m.dat").string()
      << "' u 1:2 w lp t 'train' lc rgb '#1f77b4', '' u 1:3 w lp t 'validation' lc rgb '#d62728'\n"
      << "set title 'accuracy'\nset key bottom right\nplot '" << (dir / "m.dat").string()
      << "' u 1:4 w lp t 'train' lc rgb '#1f77b4', '' u 1:5 w lp t 'validation' lc rgb '#d62728'\n"
      << "unset multiplot\n";
  }
  const std::string cmd = "gnuplot '" + (dir / "plot.gp").string() + "' >/dev/null 2>&1";
  std::string svg;
  if (std::system(cmd.c_str()) == 0) {
    std::ifstream in(dir / "out.svg");
    std::stringstream ss;
    ss << in.rdbuf();
    svg = ss.str();
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (svg.find("<svg") == std::string::npos) return learning_curves_svg_builtin(rows);
  if (gnuplot_used) *gnuplot_used = true;
  return svg;
}

// ---- confusion matrix ------------------------------------------------------------------
std::string format_confusion(const Confusion& m, const std::vector<std::string>& names) {
  int64_t total = 0, right = 0;
  for (size_t t = 0; t < m.size(); ++t)
    for (size_t p = 0; p < m[t].size(); ++p) {
      total += m[t][p];
      if (t == p) right += m[t][p];
    }
  size_t w = 6;
  for (const std::string& n : names) w = std::max(w, n.size());
  std::ostringstream os;
  os << "accuracy " << fixed(total ? static_cast<double>(right) / static_cast<double>(total) : 0.0, 4) << " (" << right
     << "/" << total << ")\nconfusion matrix (rows: true class, columns: predicted)\n";
  os << std::string(w + 2, ' ');
  for (size_t p = 0; p < m.size(); ++p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%6zu", p);
    os << buf;
  }
  os << "   recall\n";
  for (size_t t = 0; t < m.size(); ++t) {
    std::string n = t < names.size() ? names[t] : std::to_string(t);
    os << n << std::string(w + 2 - n.size(), ' ');
    int64_t row = 0;
    for (size_t p = 0; p < m[t].size(); ++p) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "%6lld", static_cast<long long>(m[t][p]));
      os << buf;
      row += m[t][p];
    }
    os << "   " << fixed(row ? static_cast<double>(m[t][t]) / static_cast<double>(row) : 0.0, 3) << "\n";
  }
  return os.str();
}

std::string confusion_csv(const Confusion& m, const std::vector<std::string>& names) {
  std::string s = "true\\predicted";
  for (size_t p = 0; p < m.size(); ++p) s += "," + (p < names.size() ? names[p] : std::to_string(p));
  s += "\n";
  for (size_t t = 0; t < m.size(); ++t) {
    s += t < names.size() ? names[t] : std::to_string(t);
    for (int64_t v : m[t]) s += "," + std::to_string(v);
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
