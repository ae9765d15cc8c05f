// tests/datasets/csv_test.cpp — the CSV reader (datasets/csv.cpp): label
// column by name, integer and string labels, the accepted syntax (quotes,
// CRLF, blank lines, BOM), and errors naming file, line, column and value.
#include "datasets/csv.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>

#include "tests/datasets/test_util.h"

namespace gradlab::data {
namespace {

using testing::expect_throw;
using testing::TempDir;
using testing::write_text;

Dataset parse(const std::string& text, const std::string& label = "label") {
  return parse_csv(text, "t.csv", {.label_column = label});
}

TEST(Csv, LabelColumnAnywhereOtherColumnsAreFeaturesInOrder) {
  const Dataset d = parse("a,label,b,c\n1,2,3,4\n5,0,6.5,-7e-1\n");
  EXPECT_EQ(d.features.shape(), (Shape{2, 3}));
  EXPECT_EQ(d.features.dtype(), DType::Float32);
  EXPECT_EQ(d.features.to_vector<float>(), (std::vector<float>{1, 3, 4, 5, 6.5f, -0.7f}));
  EXPECT_EQ(d.labels.to_vector<int64_t>(), (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_NO_THROW(validate(d));
}

TEST(Csv, StringLabelsGetIdsInOrderOfFirstAppearance) {
  const Dataset d =
      parse("x,species\n1,virginica\n2,setosa\n3,virginica\n4,versicolor\n", "species");
  EXPECT_EQ(d.labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0, 2}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"virginica", "setosa", "versicolor"}));
  EXPECT_EQ(d.num_classes, 3);
}

TEST(Csv, AnyNonIntegerLabelMakesAllLabelsStrings) {
  const Dataset d = parse("x,label\n1,1\n2,1.5\n3,1\n4,-2\n");
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"1", "1.5", "-2"}));
  EXPECT_EQ(d.labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0, 2}));
}

TEST(Csv, CrlfNoTrailingNewlineBlankLinesAndBom) {
  const std::string text = "\xEF\xBB\xBFx,y,label\r\n1,2,0\r\n\r\n   \n3,4,1";
  const Dataset d = parse(text);
  EXPECT_EQ(d.features.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(d.labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 1}));
}

TEST(Csv, QuotedFields) {
  const std::string text =
      "\"x\",\"name, with comma\",label\n"
      "\"1.5\", 2 ,\"cat, \"\"big\"\"\"\n"
      "3,4,\"dog\nhouse\"\n"
      "5,6,dog\n";
  const Dataset d = parse(text);
  EXPECT_EQ(d.features.to_vector<float>(), (std::vector<float>{1.5f, 2, 3, 4, 5, 6}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"cat, \"big\"", "dog\nhouse", "dog"}));
}

TEST(Csv, OtherDelimiters) {
  const Dataset d =
      parse_csv("a;label\n1.5;0\n2;1\n", "t.csv", {.label_column = "label", .delimiter = ';'});
  EXPECT_EQ(d.features.to_vector<float>(), (std::vector<float>{1.5f, 2}));
  const Dataset t =
      parse_csv("a\tlabel\n3\tx\n", "t.tsv", {.label_column = "label", .delimiter = '\t'});
  EXPECT_EQ(t.features.to_vector<float>(), (std::vector<float>{3}));
  // With ';' as delimiter a comma is part of the cell: "1,5" is not a number.
  expect_throw<std::runtime_error>(
      [] { parse_csv("a;label\n1,5;0\n", "t.csv", {.label_column = "label", .delimiter = ';'}); },
      {"non-numeric value \"1,5\""});
  expect_throw<std::invalid_argument>(
      [] { parse_csv("a\n", "t.csv", {.label_column = "a", .delimiter = '"'}); }, {"delimiter"});
}

// ---- errors -------------------------------------------------------------------------

TEST(Csv, RaggedRowNamesTheLine) {
  expect_throw<std::runtime_error>([] { parse("a,b,label\n1,2,0\n\n3,1\n"); },
                                   {"csv: t.csv:4: ragged row: 2 fields, but the header has 3"});
  expect_throw<std::runtime_error>([] { parse("a,label\n1,2,3\n"); },
                                   {"t.csv:2: ragged row: 3 fields"});
}

TEST(Csv, NonNumericCellNamesLineColumnAndValue) {
  expect_throw<std::runtime_error>([] { parse("height,label,width\n1,0,2\n3,1,abc\n"); },
                                   {"csv: t.csv:3: column \"width\": non-numeric value \"abc\""});
  expect_throw<std::runtime_error>([] { parse("a,label\n,1\n"); },
                                   {"t.csv:2", "non-numeric value \"\""});
  expect_throw<std::runtime_error>([] { parse("a,label\n1.5x,1\n"); }, {"\"1.5x\""});
}

TEST(Csv, NonFiniteFeatureIsAnError) {
  expect_throw<std::runtime_error>([] { parse("a,label\nnan,1\n"); },
                                   {"t.csv:2: column \"a\": non-finite value \"nan\""});
  expect_throw<std::runtime_error>([] { parse("a,label\n1,0\n1e999,1\n"); },
                                   {"t.csv:3", "non-finite"});
}

TEST(Csv, EmptyFileHeaderOnlyAndMissingLabelColumn) {
  expect_throw<std::runtime_error>([] { parse(""); }, {"csv: t.csv:1: empty file"});
  expect_throw<std::runtime_error>([] { parse("\n\n"); }, {"empty file"});
  expect_throw<std::runtime_error>([] { parse("a,label\n"); }, {"t.csv:1: no data rows"});
  expect_throw<std::runtime_error>([] { parse("a,b\n1,2\n", "target"); },
                                   {"t.csv:1: no label column \"target\"", "\"a\", \"b\""});
  expect_throw<std::runtime_error>([] { parse("label,x,label\n1,2,3\n"); }, {"appears twice"});
  expect_throw<std::runtime_error>([] { parse("x,label\n1, \n"); }, {"t.csv:2", "empty label"});
  expect_throw<std::invalid_argument>([] { parse("x,label\n1,2\n", ""); },
                                      {"label_column is empty"});
}

TEST(Csv, UnterminatedQuoteAndJunkAfterQuote) {
  expect_throw<std::runtime_error>([] { parse("a,label\n1,0\n\"2,1\n"); },
                                   {"t.csv:3: unterminated quoted field"});
  expect_throw<std::runtime_error>([] { parse("a,label\n\"1\"x,0\n"); },
                                   {"t.csv:2: unexpected character 'x' after a closing quote"});
}

TEST(Csv, LineNumbersCountLinesInsideQuotedFields) {
  expect_throw<std::runtime_error>([] { parse("a,label\n1,\"x\ny\"\n\nz,1\n"); }, {"t.csv:5:"});
}

TEST(Csv, HugeIntegerLabelIsRefused) {
  expect_throw<std::runtime_error>([] { parse("a,label\n1,0\n2,2020000\n"); },
                                   {"t.csv:3", "class id 2020000 is beyond the limit"});
}

TEST(Csv, TheClassLimitIsAnOptionAndCountsStringLabelsToo) {
  const CsvOptions opts{.label_column = "label", .max_classes = 3};
  EXPECT_EQ(parse_csv("a,label\n1,2\n2,0\n", "t.csv", opts).num_classes, 3);
  expect_throw<std::runtime_error>([&] { parse_csv("a,label\n1,0\n2,3\n", "t.csv", opts); },
                                   {"t.csv:3", "class id 3 is beyond the limit of 3 classes"});
  expect_throw<std::runtime_error>(
      [&] { parse_csv("a,label\n1,x\n2,y\n3,z\n4,x\n5,w\n", "t.csv", opts); },
      {"t.csv:6", "more than 3 distinct labels", "\"w\""});
}

TEST(Csv, KnownClassesMapLabelsByNameWhateverTheirOrder) {
  const CsvOptions opts{.label_column = "label", .classes = {"cat", "dog", "7"}};
  const Dataset d = parse_csv("a,label\n1,dog\n2,7\n3,cat\n", "t.csv", opts);
  EXPECT_EQ(d.labels.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 0}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.class_names, opts.classes);
  expect_throw<std::runtime_error>([&] { parse_csv("a,label\n1,dog\n2,zebra\n", "t.csv", opts); },
                                   {"t.csv:3", "unknown class \"zebra\"", "\"cat\", \"dog\""});
}

TEST(Csv, LongValuesAreShortenedInMessages) {
  const std::string junk(500, 'q');
  const std::string msg =
      expect_throw<std::runtime_error>([&] { parse("a,label\n" + junk + ",0\n"); }, {"qqq...\""});
  EXPECT_LT(msg.size(), 200u);
}

TEST(Csv, LoadCsvReadsTheFileAndNamesItInErrors) {
  TempDir dir;
  write_text(dir.file("ok.csv"), "f1,f2,y\n0.5,1,a\n2,3,b\n");
  const Dataset d = load_csv(dir.file("ok.csv"), {.label_column = "y"});
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"a", "b"}));
  write_text(dir.file("bad.csv"), "f1,y\n0.5,a\nzz,b\n");
  expect_throw<std::runtime_error>([&] { load_csv(dir.file("bad.csv"), {.label_column = "y"}); },
                                   {"csv: " + dir.file("bad.csv") + ":3: column \"f1\""});
  expect_throw<std::runtime_error>(
      [&] { load_csv(dir.file("missing.csv"), {.label_column = "y"}); },
      {"csv: cannot open " + dir.file("missing.csv")});
}

// Floats printed with 9 significant digits read back bit-exactly.
RC_GTEST_PROP(Csv, NumbersRoundTrip, ()) {
  const auto rows = *rc::gen::inRange(1, 20);
  const auto cols = *rc::gen::inRange(1, 6);
  std::string text;
  for (int c = 0; c < cols; ++c) text += "f" + std::to_string(c) + ",";
  text += "label\n";
  std::vector<float> want;
  std::vector<int64_t> labels;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const float v = *rc::gen::map(rc::gen::arbitrary<float>(),
                                    [](float f) { return std::isfinite(f) ? f : 0.0f; });
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.9g,", static_cast<double>(v));
      text += buf;
      want.push_back(v);
    }
    labels.push_back(*rc::gen::inRange<int64_t>(0, 5));
    text += std::to_string(labels.back()) + (r + 1 < rows ? "\n" : "");
  }
  const Dataset d = parse(text);
  RC_ASSERT(d.features.to_vector<float>() == want);
  RC_ASSERT(d.labels.to_vector<int64_t>() == labels);
}

RC_GTEST_PROP(Csv, ARaggedRowIsReportedAtItsLine, ()) {
  const auto rows = *rc::gen::inRange(1, 30);
  const auto bad = *rc::gen::inRange(0, rows);
  std::string text = "a,b,label\n";
  for (int r = 0; r < rows; ++r) text += r == bad ? "1,0\n" : "1,2,0\n";
  const std::string want = "t.csv:" + std::to_string(bad + 2) + ": ragged row";
  std::string msg;
  try {
    parse(text);
  } catch (const std::runtime_error& e) {
    msg = e.what();
  }
  RC_ASSERT(msg.find(want) != std::string::npos);
}

RC_GTEST_PROP(Csv, ArbitraryTextNeverCrashes, (const std::string& text)) {
  int64_t labels = 0, rows = 0;
  try {
    const Dataset d = parse("a,label\n" + text);
    labels = d.labels.numel();
    rows = d.size();
  } catch (const std::runtime_error&) {
  }
  RC_ASSERT(labels == rows);
}

}  // namespace
}  // namespace gradlab::data
