// tests/tools/train/specs_test.cpp — the --dataset and --model registries:
// parsing, forms, UTF-8, size estimates from headers, IDX splits checked
// against each other before loading.
#include "tools/train/specs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/tools/train/train_test_util.h"

namespace gradlab::cli::test {
namespace {

using ::testing::HasSubstr;

std::vector<uint8_t> idx_file(std::vector<uint32_t> dims, size_t payload) {
  std::vector<uint8_t> b = {0, 0, 8, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.resize(b.size() + payload, 1);
  return b;
}
void write_bytes(const fs::path& p, const std::vector<uint8_t>& b) {
  write(p, std::string(b.begin(), b.end()));
}

TEST(Specs, DatasetSpecs) {
  EXPECT_EQ(parse_dataset_spec("spirals").kind, "spirals");
  DatasetSpec csv = parse_dataset_spec("csv:/data/my:file.csv:species");
  EXPECT_EQ(csv.kind, "csv");
  EXPECT_EQ(csv.path, "/data/my:file.csv");
  EXPECT_EQ(csv.label, "species");
  EXPECT_EQ(parse_dataset_spec("idx:/x").path, "/x");
  for (const char* bad : {"", "mnist", "csv:", "csv:file.csv", "csv::label", "idx:", "spirals:3"}) {
    try {
      parse_dataset_spec(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("--dataset '") + bad + "'"));
      EXPECT_THAT(e.what(), HasSubstr("csv:PATH:LABEL_COLUMN"));
    }
  }
}

TEST(Specs, ADatasetPathThatIsNotUtf8IsReportedWithThePath) {
  try {
    parse_dataset_spec("csv:/tmp/d\xff.csv:label");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("/tmp/d\\xff.csv"));
    EXPECT_THAT(e.what(), HasSubstr("not valid UTF-8"));
  }
}

TEST(Specs, ModelSpecs) {
  EXPECT_EQ(parse_model_spec("mlp:256,128").hidden, (std::vector<int64_t>{256, 128}));
  EXPECT_TRUE(parse_model_spec("mlp").hidden.empty());
  EXPECT_EQ(parse_model_spec("mlp:64:tanh").activation, "tanh");
  for (const char* bad : {"cnn:3", "mlp:", "mlp:0", "mlp:12,", "mlp:a", "mlp:10:swish",
                          "mlp:99999999999999999999", "mlpx"}) {
    try {
      parse_model_spec(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("--model '") + bad + "'"));
    }
  }
}

TEST(Specs, ModelSizeComesFromTheSpecWithoutOverflow) {
  const ModelSpec m = parse_model_spec("mlp:256,128");
  EXPECT_EQ(model_parameters(m, 784, 10), 784u * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  EXPECT_EQ(static_cast<int64_t>(model_parameters(m, 784, 10)),
            build_model(m, 784, 10, 0)->num_parameters());
  // A hostile data record (in_features near 2^63) saturates instead of wrapping.
  EXPECT_EQ(model_parameters(parse_model_spec("mlp:65536,65536"), INT64_MAX, 1000), UINT64_MAX);
}

TEST(Specs, IdxSplitsAreCheckedAgainstEachOtherBeforeLoading) {
  const fs::path dir = fresh_dir("idx_sizes");
  write_bytes(dir / "train-images-idx3-ubyte", idx_file({3, 4, 4}, 48));
  write_bytes(dir / "train-labels-idx1-ubyte", idx_file({3}, 3));
  write_bytes(dir / "t10k-images-idx3-ubyte", idx_file({2, 5, 5}, 50));
  write_bytes(dir / "t10k-labels-idx1-ubyte", idx_file({2}, 2));
  const DatasetSpec spec = parse_dataset_spec("idx:" + dir.string());
  try {
    dataset_kind(spec).estimate(spec);
    FAIL() << "accepted train 4x4 and test 5x5 images";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("train-images-idx3-ubyte holds 4x4"));
    EXPECT_THAT(e.what(), HasSubstr("t10k-images-idx3-ubyte holds 5x5"));
  }
  write_bytes(dir / "t10k-images-idx3-ubyte", idx_file({2, 4, 4}, 32));
  const DataEstimate e = dataset_kind(spec).estimate(spec);
  EXPECT_EQ(e.tensor_bytes, (3u * 16 + 2 * 16) * 4 + 5 * 8);
  EXPECT_THAT(e.what, HasSubstr("3 images of 4x4"));
  const RawData r = dataset_kind(spec).load(spec, {});
  EXPECT_EQ(r.train.size(), 3);
  EXPECT_EQ(r.test.size(), 2);
}

}  // namespace
}  // namespace gradlab::cli::test
