// datasets/csv.cpp — see csv.h. A single pass over the text: a small record
// splitter (quotes, CRLF), then per-cell number parsing with std::from_chars.
#include "datasets/csv.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "datasets/io.h"

namespace gradlab::data {

namespace {

// Longest cell value quoted back in an error message.
constexpr std::size_t kMaxQuoted = 40;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Record {
  std::vector<std::string> cells;
  int64_t line = 0;  // 1-based line where the record starts
};

// Splits text into records of cells. Blank lines are skipped.
class Splitter {
 public:
  Splitter(std::string_view text, const std::string& name, char delim)
      : text_(text), name_(name), delim_(delim) {
    if (text_.size() >= 3 && std::memcmp(text_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  }

  // Fills `rec` with the next non-blank record; false at the end of the text.
  bool next(Record& rec) {
    for (;;) {
      if (pos_ >= text_.size()) return false;
      rec.cells.clear();
      rec.line = line_;
      if (read_record(rec)) return true;
    }
  }

 private:
  // Reads one line (or more if a quoted field spans lines) into rec.cells.
  // Returns false for a blank line (nothing but spaces and a line end).
  bool read_record(Record& rec) {
    const std::size_t size = text_.size();
    bool quoted_any = false;
    for (;;) {  // one cell per iteration
      std::string cell;
      std::size_t p = pos_;
      while (p < size && text_[p] == ' ') ++p;
      if (p < size && text_[p] == '"') {
        quoted_any = true;
        const int64_t open_line = line_;
        pos_ = p + 1;
        for (;;) {
          if (pos_ >= size) {
            throw std::runtime_error("csv: " + name_ + ":" + std::to_string(open_line) +
                                     ": unterminated quoted field");
          }
          const char c = text_[pos_++];
          if (c == '"') {
            if (pos_ < size && text_[pos_] == '"') {  // "" is a literal quote
              cell += '"';
              ++pos_;
              continue;
            }
            break;
          }
          if (c == '\n') ++line_;
          cell += c;
        }
        while (pos_ < size && text_[pos_] == ' ') ++pos_;
        if (pos_ < size && text_[pos_] == '\r' && (pos_ + 1 == size || text_[pos_ + 1] == '\n'))
          ++pos_;
        if (pos_ < size && text_[pos_] != delim_ && text_[pos_] != '\n') {
          throw std::runtime_error("csv: " + name_ + ":" + std::to_string(line_) +
                                   ": unexpected character '" + std::string(1, text_[pos_]) +
                                   "' after a closing quote");
        }
      } else {
        while (pos_ < size && text_[pos_] != delim_ && text_[pos_] != '\n') cell += text_[pos_++];
        const bool line_end = pos_ >= size || text_[pos_] == '\n';
        if (line_end && !cell.empty() && cell.back() == '\r') cell.pop_back();  // CRLF
      }
      rec.cells.push_back(std::move(cell));
      if (pos_ >= size) break;
      if (text_[pos_] == '\n') {
        ++pos_;
        ++line_;
        break;
      }
      ++pos_;  // the delimiter
    }
    const bool blank = !quoted_any && rec.cells.size() == 1 && trim(rec.cells[0]).empty();
    return !blank;
  }

  std::string_view text_;
  const std::string& name_;
  char delim_;
  std::size_t pos_ = 0;
  int64_t line_ = 1;
};

std::string quote(const std::string& s) {
  if (s.size() <= kMaxQuoted) return "\"" + s + "\"";
  return "\"" + s.substr(0, kMaxQuoted) + "...\"";
}

// A float, or nothing if the whole (trimmed) cell is not a number.
bool parse_float(const std::string& cell, float& out) {
  std::string_view s = trim(cell);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  // Out-of-range values (1e999) are reported as non-finite below.
  if (ec == std::errc::result_out_of_range && end == s.data() + s.size()) {
    out = std::numeric_limits<float>::infinity();
    return true;
  }
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_class_id(const std::string& cell, int64_t& out) {
  std::string_view s = trim(cell);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= 0;
}

}  // namespace

Dataset parse_csv(std::string_view text, const std::string& name, const CsvOptions& opts) {
  auto fail = [&](int64_t line, const std::string& what) {
    throw std::runtime_error("csv: " + name + ":" + std::to_string(line) + ": " + what);
  };
  if (opts.label_column.empty()) {
    throw std::invalid_argument(
        "parse_csv: CsvOptions::label_column is empty (name the label column)");
  }
  if (opts.delimiter == '"' || opts.delimiter == '\n' || opts.delimiter == '\r' ||
      opts.delimiter == ' ') {
    throw std::invalid_argument("parse_csv: delimiter cannot be a quote, a space or a line end");
  }
  if (opts.max_classes < 1) {
    throw std::invalid_argument("parse_csv: CsvOptions::max_classes must be >= 1, got " +
                                std::to_string(opts.max_classes));
  }
  Splitter split(text, name, opts.delimiter);
  Record rec;
  if (!split.next(rec)) fail(1, "empty file (expected a header row)");

  // ---- header ----
  const std::vector<std::string> header = rec.cells;
  const int64_t header_line = rec.line;
  int64_t label_col = -1;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (std::string(trim(header[c])) != opts.label_column) continue;
    if (label_col >= 0)
      fail(header_line, "label column " + quote(opts.label_column) + " appears twice");
    label_col = static_cast<int64_t>(c);
  }
  if (label_col < 0) {
    std::string cols;
    for (std::size_t c = 0; c < header.size() && c < 20; ++c)
      cols += (c ? ", " : "") + quote(header[c]);
    if (header.size() > 20) cols += ", ...";
    fail(header_line,
         "no label column " + quote(opts.label_column) + " in the header (columns: " + cols + ")");
  }
  const std::size_t ncols = header.size();
  const int64_t nfeat = static_cast<int64_t>(ncols) - 1;

  // ---- rows ----
  std::vector<float> features;
  std::vector<std::string> label_cells;
  std::vector<int64_t> label_lines;
  while (split.next(rec)) {
    if (rec.cells.size() != ncols) {
      fail(rec.line, "ragged row: " + std::to_string(rec.cells.size()) +
                         " fields, but the header has " + std::to_string(ncols));
    }
    for (std::size_t c = 0; c < ncols; ++c) {
      if (static_cast<int64_t>(c) == label_col) continue;
      float v = 0;
      if (!parse_float(rec.cells[c], v)) {
        fail(rec.line, "column " + quote(header[c]) + ": non-numeric value " + quote(rec.cells[c]));
      }
      if (!std::isfinite(v)) {
        fail(rec.line, "column " + quote(header[c]) + ": non-finite value " + quote(rec.cells[c]));
      }
      features.push_back(v);
    }
    std::string label(trim(rec.cells[static_cast<std::size_t>(label_col)]));
    if (label.empty())
      fail(rec.line,
           "column " + quote(header[static_cast<std::size_t>(label_col)]) + ": empty label");
    label_cells.push_back(std::move(label));
    label_lines.push_back(rec.line);
  }
  const int64_t n = static_cast<int64_t>(label_cells.size());
  if (n == 0) fail(header_line, "no data rows after the header");

  // ---- labels: known names, integer ids, or strings in order of first appearance ----
  Dataset d;
  d.labels = empty({n}, DType::Int64);
  int64_t* y = d.labels.data_ptr<int64_t>();
  const std::string column = "column " + quote(opts.label_column);
  if (!opts.classes.empty()) {
    std::unordered_map<std::string, int64_t> ids;
    for (std::size_t k = 0; k < opts.classes.size(); ++k)
      ids.emplace(opts.classes[k], static_cast<int64_t>(k));
    for (int64_t i = 0; i < n; ++i) {
      const auto it = ids.find(label_cells[i]);
      if (it == ids.end()) {
        std::string known;
        for (std::size_t k = 0; k < opts.classes.size() && k < 10; ++k)
          known += (k ? ", " : "") + quote(opts.classes[k]);
        if (opts.classes.size() > 10) known += ", ...";
        fail(label_lines[i], column + ": unknown class " + quote(label_cells[i]) + " (the " +
                                 std::to_string(opts.classes.size()) + " known classes: " + known +
                                 ")");
      }
      y[i] = it->second;
    }
    d.num_classes = static_cast<int64_t>(opts.classes.size());
    d.class_names = opts.classes;
  } else {
    bool integers = true;
    for (int64_t i = 0; i < n && integers; ++i) integers = parse_class_id(label_cells[i], y[i]);
    if (integers) {
      int64_t max_id = 0;
      for (int64_t i = 0; i < n; ++i) {
        // A "label" column of years or prices is a mistake, not a
        // million-way classification: say so before anything is sized by it.
        if (y[i] >= opts.max_classes) {
          fail(label_lines[i], column + ": class id " + std::to_string(y[i]) +
                                   " is beyond the limit of " + std::to_string(opts.max_classes) +
                                   " classes (ids 0.." + std::to_string(opts.max_classes - 1) +
                                   "; is this really a class label?)");
        }
        max_id = std::max(max_id, y[i]);
      }
      d.num_classes = max_id + 1;
      for (int64_t k = 0; k < d.num_classes; ++k) d.class_names.push_back(std::to_string(k));
    } else {
      std::unordered_map<std::string, int64_t> ids;
      for (int64_t i = 0; i < n; ++i) {
        auto [it, inserted] = ids.emplace(label_cells[i], static_cast<int64_t>(ids.size()));
        if (inserted) {
          if (static_cast<int64_t>(ids.size()) > opts.max_classes) {
            fail(label_lines[i], column + ": more than " + std::to_string(opts.max_classes) +
                                     " distinct labels (the limit; the next is " +
                                     quote(label_cells[i]) + ")");
          }
          d.class_names.push_back(label_cells[i]);
        }
        y[i] = it->second;
      }
      d.num_classes = static_cast<int64_t>(d.class_names.size());
    }
  }

  d.features = empty({n, nfeat}, DType::Float32);
  if (!features.empty()) {
    std::memcpy(d.features.data_ptr<float>(), features.data(), features.size() * sizeof(float));
  }
  return d;
}

Dataset load_csv(const std::string& path, const CsvOptions& opts) {
  const std::vector<uint8_t> bytes = read_file_bytes(path, "csv");
  return parse_csv(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                   path, opts);
}

}  // namespace gradlab::data
