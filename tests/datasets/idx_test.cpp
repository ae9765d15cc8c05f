// tests/datasets/idx_test.cpp — the IDX reader (datasets/idx.cpp) on files
// built inside the test: values, raw and gzip, file discovery, and every
// kind of bad input named in the issue (magic, dtype, truncation, count
// mismatch, absurd dims, missing files) with the path and offset in the
// message.
#include "datasets/idx.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/datasets/test_util.h"

namespace gradlab::data {
namespace {

using testing::expect_throw;
using testing::gzip_bytes;
using testing::TempDir;
using testing::write_bytes;

void put_u32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

// An IDX images file: n images of rows x cols, pixel (i, p) = (i * 31 + p) % 256.
std::vector<uint8_t> idx_images(uint32_t n, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> b = {0, 0, 0x08, 0x03};
  put_u32(b, n);
  put_u32(b, rows);
  put_u32(b, cols);
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t p = 0; p < rows * cols; ++p)
      b.push_back(static_cast<uint8_t>((i * 31 + p) % 256));
  }
  return b;
}

// An IDX labels file holding `labels`.
std::vector<uint8_t> idx_labels(const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> b = {0, 0, 0x08, 0x01};
  put_u32(b, static_cast<uint32_t>(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

TEST(Idx, ParsesImagesScaledToUnitRange) {
  const Tensor x = parse_idx_images(idx_images(3, 2, 4), "img");
  EXPECT_EQ(x.shape(), (Shape{3, 2, 4}));
  EXPECT_EQ(x.dtype(), DType::Float32);
  const std::vector<float> v = x.to_vector<float>();
  for (int i = 0; i < 3; ++i) {
    for (int p = 0; p < 8; ++p) {
      EXPECT_EQ(v[static_cast<std::size_t>(i * 8 + p)],
                static_cast<float>((i * 31 + p) % 256) / 255.0f);
    }
  }
}

TEST(Idx, ParsesImagesUnscaled) {
  std::vector<uint8_t> b = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 3, 0, 128, 255};
  const Tensor x = parse_idx_images(b, "img", /*scale=*/false);
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{0, 128, 255}));
  const Tensor s = parse_idx_images(b, "img");
  EXPECT_EQ(s.to_vector<float>(), (std::vector<float>{0, 128.0f / 255.0f, 1.0f}));
}

TEST(Idx, ParsesLabels) {
  const Tensor y = parse_idx_labels(idx_labels({3, 0, 9, 255}), "lab");
  EXPECT_EQ(y.shape(), (Shape{4}));
  EXPECT_EQ(y.dtype(), DType::Int64);
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{3, 0, 9, 255}));
}

TEST(Idx, GzippedInputGivesTheSameTensor) {
  const std::vector<uint8_t> raw = idx_images(50, 7, 5);
  const Tensor a = parse_idx_images(raw, "a");
  const Tensor b = parse_idx_images(gzip_bytes(raw), "b.gz");
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
  EXPECT_EQ(parse_idx_labels(gzip_bytes(idx_labels({1, 2})), "l.gz").to_vector<int64_t>(),
            (std::vector<int64_t>{1, 2}));
}

TEST(Idx, EmptySetIsFine) {
  EXPECT_EQ(parse_idx_images(idx_images(0, 28, 28), "e").shape(), (Shape{0, 28, 28}));
  EXPECT_EQ(parse_idx_labels(idx_labels({}), "e").shape(), (Shape{0}));
}

// ---- bad input ----------------------------------------------------------------------

TEST(Idx, BadMagic) {
  std::vector<uint8_t> b(32, 0);
  b[2] = 0x09;
  b[3] = 0x99;
  expect_throw<std::runtime_error>(
      [&] { parse_idx_images(b, "/x/train-images-idx3-ubyte.gz"); },
      {"idx: /x/train-images-idx3-ubyte.gz: bad magic 0x00000999 at offset 0 (expected "
       "0x00000803 for images)"});
  std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o', '\n', 0, 0, 0, 0, 0, 0};
  expect_throw<std::runtime_error>(
      [&] { parse_idx_labels(text, "t.txt"); },
      {"bad magic 0x68656C6C at offset 0 (expected 0x00000801 for labels)"});
}

TEST(Idx, WrongDtypeCode) {
  std::vector<uint8_t> b = idx_images(1, 2, 2);
  b[2] = 0x0D;  // float
  expect_throw<std::runtime_error>(
      [&] { parse_idx_images(b, "f.idx"); },
      {"idx: f.idx: wrong dtype code 0x0D at offset 2 (expected 0x08, unsigned byte, for images)"});
}

TEST(Idx, WrongNumberOfDimensionsHintsAtSwappedFiles) {
  expect_throw<std::runtime_error>(
      [&] {
        parse_idx_images(idx_labels({1, 2}), "l");
      },
      {"wrong number of dimensions 1 at offset 3", "labels file?"});
  expect_throw<std::runtime_error>([&] { parse_idx_labels(idx_images(1, 2, 2), "i"); },
                                   {"wrong number of dimensions 3 at offset 3", "images file?"});
}

TEST(Idx, TruncatedHeader) {
  const std::vector<uint8_t> b = idx_images(2, 3, 3);
  expect_throw<std::runtime_error>(
      [&] {
        parse_idx_images({b.begin(), b.begin() + 2}, "h");
      },
      {"idx: h: truncated header: 2 bytes", "offset 0"});
  expect_throw<std::runtime_error>(
      [&] {
        parse_idx_images({b.begin(), b.begin() + 9}, "h");
      },
      {"truncated header: ends at offset 9", "up to offset 16"});
  expect_throw<std::runtime_error>([&] { parse_idx_images({}, "empty"); },
                                   {"truncated header: 0 bytes"});
}

TEST(Idx, TruncatedDataRaw) {
  std::vector<uint8_t> b = idx_images(10, 4, 4);
  b.resize(b.size() - 5);
  expect_throw<std::runtime_error>(
      [&] { parse_idx_images(b, "/d/t"); },
      {"idx: /d/t: truncated: header says 10x4x4 = 160 bytes of data from offset 16, but the "
       "file has only 155 (ends at offset 171)"});
}

TEST(Idx, TruncatedDataGzip) {
  std::vector<uint8_t> b = idx_images(10, 4, 4);
  b.resize(b.size() - 5);
  const std::vector<uint8_t> gz = gzip_bytes(b);  // a valid gzip of a truncated IDX
  expect_throw<std::runtime_error>(
      [&] { parse_idx_images(gz, "/d/t.gz"); },
      {"idx: /d/t.gz: truncated: header says 10x4x4 = 160 bytes of data from offset 16 "
       "(decompressed), but the stream ends after 155"});
  // A cut gzip stream is reported by the gzip layer with the compressed offset.
  const std::vector<uint8_t> whole = gzip_bytes(idx_images(10, 4, 4));
  expect_throw<std::runtime_error>(
      [&] {
        parse_idx_images({whole.begin(), whole.end() - 12}, "/d/cut.gz");
      },
      {"gzip: /d/cut.gz: truncated stream", "compressed offset"});
}

TEST(Idx, ExtraBytesAfterTheData) {
  std::vector<uint8_t> b = idx_labels({1, 2, 3});
  b.push_back(7);
  expect_throw<std::runtime_error>([&] { parse_idx_labels(b, "x"); },
                                   {"1 unexpected bytes after the data at offset 11"});
  expect_throw<std::runtime_error>([&] { parse_idx_labels(gzip_bytes(b), "x.gz"); },
                                   {"unexpected bytes after the data at offset 11 (decompressed)"});
}

TEST(Idx, AbsurdDimsAreRefusedBeforeAllocating) {
  std::vector<uint8_t> b = {0, 0, 8, 3};
  put_u32(b, 0xFFFFFFFFu);
  put_u32(b, 0xFFFFFFFFu);
  put_u32(b, 0xFFFFFFFFu);
  expect_throw<std::runtime_error>(
      [&] { parse_idx_images(b, "big"); },
      {"absurd dims 4294967295x4294967295x4294967295 at offset 4", "overflows 64 bits"});
  // Large but not overflowing: refused by the element limit, raw and gzipped.
  std::vector<uint8_t> c = {0, 0, 8, 3};
  put_u32(c, 100000000u);
  put_u32(c, 28);
  put_u32(c, 28);
  expect_throw<std::runtime_error>([&] { parse_idx_images(c, "c"); },
                                   {"absurd dims 100000000x28x28", "exceeds the limit"});
  expect_throw<std::runtime_error>([&] { parse_idx_images(gzip_bytes(c), "c.gz"); },
                                   {"absurd dims 100000000x28x28 at offset 4 (decompressed)"});
  // No images but absurd image dims would still overflow strides.
  std::vector<uint8_t> z = {0, 0, 8, 3};
  put_u32(z, 0);
  put_u32(z, 0xFFFFFFFFu);
  put_u32(z, 0xFFFFFFFFu);
  expect_throw<std::runtime_error>([&] { parse_idx_images(z, "z"); }, {"absurd dims 0x"});
}

TEST(Idx, GzipClaimingMoreThanItHoldsFailsWithoutAllocatingTheClaim) {
  // The header claims 2 GiB of pixels; only 100 bytes follow. Raw input is
  // checked against the length; gzip input grows only with real bytes.
  std::vector<uint8_t> b = {0, 0, 8, 3};
  put_u32(b, 2739000);
  put_u32(b, 28);
  put_u32(b, 28);
  b.resize(b.size() + 100, 1);
  expect_throw<std::runtime_error>([&] { parse_idx_images(gzip_bytes(b), "claim.gz"); },
                                   {"truncated", "stream ends after 100"});
}

TEST(Idx, ZeroImageSizeIsRefused) {
  std::vector<uint8_t> b = {0, 0, 8, 3};
  put_u32(b, 5);
  put_u32(b, 0);
  put_u32(b, 28);
  expect_throw<std::runtime_error>([&] { parse_idx_images(b, "z"); },
                                   {"image size 0x28 at offset 8", "must be positive"});
}

RC_GTEST_PROP(Idx, EveryTruncationIsAnError, (bool gz)) {
  const std::vector<uint8_t> full = idx_images(4, 3, 5);
  const std::vector<uint8_t> bytes = gz ? gzip_bytes(full) : full;
  const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
  const std::vector<uint8_t> part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
  bool threw = false;
  try {
    parse_idx_images(part, "p");
  } catch (const std::runtime_error&) {
    threw = true;
  }
  RC_ASSERT(threw);
}

RC_GTEST_PROP(Idx, CorruptBytesParseOrThrowRuntimeError, (bool gz)) {
  const std::vector<uint8_t> full = idx_images(3, 4, 4);
  std::vector<uint8_t> bytes = gz ? gzip_bytes(full) : full;
  const auto at = *rc::gen::inRange<std::size_t>(0, bytes.size());
  bytes[at] = *rc::gen::arbitrary<uint8_t>();
  int64_t dim = 3;
  try {
    dim = parse_idx_images(bytes, "c").dim();
  } catch (const std::runtime_error&) {
  }
  RC_ASSERT(dim == 3);
}

RC_GTEST_PROP(Idx, ArbitraryBytesNeverCrash, (const std::vector<uint8_t>& bytes)) {
  try {
    parse_idx_labels(bytes, "any");
  } catch (const std::runtime_error&) {
  }
  try {
    parse_idx_images(bytes, "any");
  } catch (const std::runtime_error&) {
  }
}

// ---- files and directories ---------------------------------------------------------

void write_mnist_dir(const TempDir& dir, const std::string& prefix, uint32_t n, bool gz,
                     const std::string& sep = "-") {
  std::vector<uint8_t> labels;
  for (uint32_t i = 0; i < n; ++i) labels.push_back(static_cast<uint8_t>(i % 10));
  std::vector<uint8_t> images = idx_images(n, 28, 28);
  std::vector<uint8_t> lab = idx_labels(labels);
  const std::string ext = gz ? ".gz" : "";
  write_bytes(dir.file(prefix + "-images" + sep + "idx3-ubyte" + ext),
              gz ? gzip_bytes(images) : images);
  write_bytes(dir.file(prefix + "-labels" + sep + "idx1-ubyte" + ext), gz ? gzip_bytes(lab) : lab);
}

TEST(Idx, LoadsAnMnistDirectoryGzippedOrNot) {
  TempDir gz, raw, dotted;
  write_mnist_dir(gz, "train", 30, true);
  write_mnist_dir(gz, "t10k", 12, true);
  write_mnist_dir(raw, "train", 30, false);
  write_mnist_dir(dotted, "t10k", 12, false, ".");
  const Dataset a = load_mnist_dir(gz.path(), Split::Train);
  const Dataset b = load_mnist_dir(raw.path(), Split::Train);
  EXPECT_EQ(a.features.shape(), (Shape{30, 28, 28}));
  EXPECT_EQ(a.features.to_vector<float>(), b.features.to_vector<float>());
  EXPECT_EQ(a.labels.to_vector<int64_t>(), b.labels.to_vector<int64_t>());
  EXPECT_EQ(a.num_classes, 10);
  EXPECT_EQ(a.class_names.front(), "0");
  EXPECT_EQ(load_mnist_dir(gz.path(), Split::Test).size(), 12);
  EXPECT_EQ(load_mnist_dir(dotted.path(), Split::Test).size(), 12);
  EXPECT_NO_THROW(validate(a));
}

TEST(Idx, TheHeaderAloneGivesTheSizesRawOrGzipped) {
  TempDir dir;
  std::vector<uint8_t> images = idx_images(30, 28, 28);
  write_bytes(dir.file("raw"), images);
  write_bytes(dir.file("gz"), gzip_bytes(images));
  images.resize(100);  // the header is all that is read: a cut file still tells its sizes
  write_bytes(dir.file("cut"), images);
  for (const char* f : {"raw", "gz", "cut"}) {
    const IdxHeader h = read_idx_header(dir.file(f), true);
    EXPECT_EQ(h.dims, (Shape{30, 28, 28})) << f;
    EXPECT_EQ(h.gzipped, std::string(f) == "gz") << f;
  }
  EXPECT_EQ(read_idx_header(dir.file("raw"), true).file_bytes, 16u + 30 * 28 * 28);
  expect_throw<std::runtime_error>([&] { read_idx_header(dir.file("raw"), false); },
                                   {"raw", "wrong number of dimensions 3"});
}

TEST(Idx, GzipIsDetectedByContentNotByName) {
  TempDir dir;
  const std::vector<uint8_t> lab = idx_labels({4, 2});
  write_bytes(dir.file("raw-but-named.gz"), lab);
  write_bytes(dir.file("gzipped-but-named.idx"), gzip_bytes(lab));
  EXPECT_EQ(load_idx_labels(dir.file("raw-but-named.gz")).to_vector<int64_t>(),
            (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(load_idx_labels(dir.file("gzipped-but-named.idx")).to_vector<int64_t>(),
            (std::vector<int64_t>{4, 2}));
}

TEST(Idx, FashionMnistLoaderOnAnyDirectorySetsTheClassNames) {
  TempDir dir;
  write_mnist_dir(dir, "t10k", 20, true);
  const Dataset d = load_fashion_mnist(dir.path(), Split::Test);
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(d.class_names, fashion_mnist_class_names());
  EXPECT_EQ(d.size(), 20);
}

TEST(Idx, CountMismatchNamesBothFiles) {
  TempDir dir;
  write_bytes(dir.file("i"), idx_images(5, 2, 2));
  write_bytes(dir.file("l"), idx_labels({0, 1, 2, 3}));
  expect_throw<std::runtime_error>([&] { load_idx(dir.file("i"), dir.file("l")); },
                                   {"image/label count mismatch", dir.file("i") + " has 5 images",
                                    dir.file("l") + " has 4 labels"});
}

TEST(Idx, LabelOutOfRangeNamesFileAndOffset) {
  TempDir dir;
  write_bytes(dir.file("i"), idx_images(3, 2, 2));
  write_bytes(dir.file("l"), idx_labels({0, 12, 3}));
  IdxOptions opts;
  opts.num_classes = 10;
  expect_throw<std::runtime_error>(
      [&] { load_idx(dir.file("i"), dir.file("l"), opts); },
      {dir.file("l") + ": label 12 at offset 9 is out of range for 10 classes"});
}

TEST(Idx, MissingFilesNameThePathAndTheExpectedNames) {
  TempDir dir;
  expect_throw<std::runtime_error>([&] { load_mnist_dir(dir.path(), Split::Train); },
                                   {"idx: no train images file in " + dir.path(),
                                    "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"});
  expect_throw<std::runtime_error>([&] { load_idx_images(dir.file("nope")); },
                                   {"idx: cannot open " + dir.file("nope"), "No such file"});
  expect_throw<std::runtime_error>([&] { load_idx_images(dir.path()); }, {"not a regular file"});
  // Only the images present: the labels file is what is missing.
  write_mnist_dir(dir, "train", 3, true);
  std::filesystem::remove(dir.file("train-labels-idx1-ubyte.gz"));
  expect_throw<std::runtime_error>([&] { load_mnist_dir(dir.path(), Split::Train); },
                                   {"no train labels file", "train-labels-idx1-ubyte.gz"});
}

TEST(Idx, BadFileIsReportedWithItsPath) {
  TempDir dir;
  std::vector<uint8_t> bad = idx_images(2, 2, 2);
  bad[3] = 0x04;
  write_bytes(dir.file("train-images-idx3-ubyte"), bad);
  write_bytes(dir.file("train-labels-idx1-ubyte"), idx_labels({0, 1}));
  expect_throw<std::runtime_error>([&] { load_mnist_dir(dir.path(), Split::Train); },
                                   {"idx: " + dir.file("train-images-idx3-ubyte") +
                                    ": wrong number of dimensions 4 at offset 3"});
}

}  // namespace
}  // namespace gradlab::data
