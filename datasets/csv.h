// datasets/csv.h — tabular data from a CSV file with a header row.
//
// One column (chosen by name) holds the label; every other column is a
// numeric feature, read as float32. Labels are either all non-negative
// integers (used as class ids directly; names "0".."max") or, if any cell is
// not, strings mapped to class ids in order of first appearance (the strings
// become the class names); or, given CsvOptions::classes, looked up by name.
//
// Accepted syntax: comma-separated (or opts.delimiter), a header row, LF or
// CRLF line ends, an optional trailing newline, blank lines skipped, an
// optional UTF-8 byte-order mark, fields in double quotes ("a,b", "say ""hi""")
// which may span lines, spaces around numbers. Feature values must be finite.
//
// Errors are std::runtime_error "csv: <name>:<line>: <what>" naming the
// 1-based line, the column name and the offending value: ragged rows,
// non-numeric or non-finite cells, an empty file, a missing label column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "datasets/dataset.h"

namespace gradlab::data {

struct CsvOptions {
  std::string label_column;  // required: the header name of the label column
  char delimiter = ',';
  // Most classes accepted: an integer id >= max_classes, or more than
  // max_classes distinct string labels, is an error naming the line.
  int64_t max_classes = 100001;
  // Known classes (a trained model's): when non-empty, every label is looked
  // up by name in this list (its position is the class id), an unknown label
  // is an error naming it, and num_classes / class_names are the list's. So
  // another file of the same classes gets the same ids whatever its row order.
  std::vector<std::string> classes = {};
};

// text: the whole CSV file -> Dataset with features (N, F) Float32, labels (N).
// `name` (usually the path) is used in error messages.
Dataset parse_csv(std::string_view text, const std::string& name, const CsvOptions& opts);

// Reads the file at `path` and parses it.
Dataset load_csv(const std::string& path, const CsvOptions& opts);

}  // namespace gradlab::data
