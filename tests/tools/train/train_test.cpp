// tests/tools/train/train_test.cpp — `gradlab train` end to end through its
// library (tools/train/trainer.h): accuracy on spirals, determinism, eval of the
// saved checkpoint, the run directory's files, and spec parsing.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tools/train/checkpoint.h"
#include "tools/train/report.h"
#include "tools/train/run_config.h"
#include "tools/train/trainer.h"

namespace fs = std::filesystem;
using namespace gradlab;
using namespace gradlab::cli;
using ::testing::HasSubstr;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("gradlab-train-test-" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// metrics.csv without its last column (seconds).
std::string without_seconds(const std::string& csv) {
  std::istringstream in(csv);
  std::string line, out;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

TrainConfig spirals_config(int64_t epochs) {
  TrainConfig c;
  c.dataset = "spirals";
  c.epochs = epochs;
  c.val_fraction = 0.1;
  return c;
}

TrainOutcome run(const TrainConfig& c, const fs::path& dir) { return train_run(c, load_run_data(c), dir.string(), nullptr); }

}  // namespace

TEST(Train, SpiralsReachesTheStatedAccuracy) {
  const fs::path dir = fresh_dir("spirals");
  TrainOutcome out = run(spirals_config(10), dir);
  ASSERT_FALSE(out.interrupted);
  EXPECT_GE(out.test.accuracy, 0.97) << "held-out accuracy of the default MLP on spirals";
  for (const char* f : {"metrics.csv", "curves.svg", "confusion.txt", "confusion.csv", "checkpoint.ckpt"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  const std::string csv = read(dir / "metrics.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 11) << csv;  // header + 10 epochs
  EXPECT_THAT(read(dir / "curves.svg"), HasSubstr("<svg"));
}

TEST(Train, SameSeedSameMetricsAndCheckpointEvaluatesTheSame) {
  const fs::path a = fresh_dir("a"), b = fresh_dir("b");
  const TrainConfig c = spirals_config(3);
  TrainOutcome ra = run(c, a);
  TrainOutcome rb = run(c, b);
  EXPECT_EQ(without_seconds(read(a / "metrics.csv")), without_seconds(read(b / "metrics.csv")));
  EXPECT_EQ(ra.test.accuracy, rb.test.accuracy);

  // The checkpoint reproduces the final model exactly.
  const Checkpoint ck = load_checkpoint((a / "checkpoint.ckpt").string());
  LoadedModel lm = load_model(ck, "a");
  RunData data = load_run_data(lm.cfg, lm.norm);
  EvalResult again = evaluate(*lm.model, data.test, lm.num_classes);
  EXPECT_EQ(again.accuracy, ra.test.accuracy);
  EXPECT_EQ(again.loss, ra.test.loss);
}

TEST(Train, DifferentSeedsDiffer) {
  const fs::path a = fresh_dir("s1"), b = fresh_dir("s2");
  TrainConfig c = spirals_config(2);
  run(c, a);
  c.seed = 7;
  run(c, b);
  EXPECT_NE(without_seconds(read(a / "metrics.csv")), without_seconds(read(b / "metrics.csv")));
}

TEST(Specs, DatasetSpecs) {
  EXPECT_EQ(parse_dataset_spec("spirals").kind, DatasetSpec::Kind::Spirals);
  DatasetSpec csv = parse_dataset_spec("csv:/data/my:file.csv:species");
  EXPECT_EQ(csv.kind, DatasetSpec::Kind::Csv);
  EXPECT_EQ(csv.path, "/data/my:file.csv");
  EXPECT_EQ(csv.label, "species");
  EXPECT_EQ(parse_dataset_spec("idx:/x").path, "/x");
  for (const char* bad : {"", "mnist", "csv:", "csv:file.csv", "csv::label", "idx:"}) {
    try {
      parse_dataset_spec(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("--dataset '") + bad + "'"));
    }
  }
}

TEST(Specs, ModelSpecs) {
  EXPECT_EQ(parse_model_spec("mlp:256,128").hidden, (std::vector<int64_t>{256, 128}));
  EXPECT_TRUE(parse_model_spec("mlp").hidden.empty());
  EXPECT_EQ(parse_model_spec("mlp:64:tanh").activation, "tanh");
  for (const char* bad : {"cnn:3", "mlp:", "mlp:0", "mlp:12,", "mlp:a", "mlp:10:swish", "mlp:99999999999999999999"}) {
    try {
      parse_model_spec(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("--model '") + bad + "'"));
    }
  }
}

TEST(Report, MetricsCsvIsExactAndSvgHasBothPanels) {
  EpochMetrics m{1, 0.5, 0.75, NAN, NAN, 1e-3, 1.25};
  EXPECT_EQ(metrics_csv({m}), "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n1,0.5,0.75,,,0.001,1.250\n");
  const std::string svg = learning_curves_svg_builtin({m, {2, 0.25, 0.9, 0.3, 0.85, 1e-3, 1.0}});
  EXPECT_THAT(svg, HasSubstr(">loss<"));
  EXPECT_THAT(svg, HasSubstr(">accuracy<"));
  EXPECT_THAT(svg, HasSubstr("<polyline"));
}

TEST(Report, ConfusionMatrixCountsAndRecall) {
  const Confusion m{{3, 1}, {0, 4}};
  const std::string s = format_confusion(m, {"cat", "dog"});
  EXPECT_THAT(s, HasSubstr("accuracy 0.8750 (7/8)"));
  EXPECT_THAT(s, HasSubstr("cat"));
  EXPECT_THAT(s, HasSubstr("0.750"));
  EXPECT_EQ(confusion_csv(m, {"cat", "dog"}), "true\\predicted,cat,dog\ncat,3,1\ndog,0,4\n");
}

TEST(Checkpoint, RoundTripAndEveryCorruptionIsNamed) {
  Checkpoint c;
  c.meta = {{"hello", 1}};
  c.tensors.insert("w", from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  c.tensors.insert("n", from_vector<int64_t>({7}, {1}));
  const std::vector<uint8_t> bytes = encode_checkpoint(c);
  Checkpoint d = decode_checkpoint(bytes, "mem");
  EXPECT_EQ(d.meta["hello"], 1);
  EXPECT_EQ(d.tensors.at("w").to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(d.tensors.at("n").to_vector<int64_t>(), (std::vector<int64_t>{7}));
  // Every truncation and every single-byte flip is detected, never a crash.
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::vector<uint8_t> t(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_THROW(decode_checkpoint(t, "mem"), std::runtime_error) << "truncated to " << len;
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> t = bytes;
    t[i] ^= 0x40;
    EXPECT_THROW(decode_checkpoint(t, "mem"), std::runtime_error) << "flipped byte " << i;
  }
}

TEST(Checkpoint, NewerVersionIsRefusedWithItsNumber) {
  Checkpoint c;
  c.tensors.insert("w", from_vector<float>({1}, {1}));
  std::vector<uint8_t> bytes = encode_checkpoint(c);
  bytes[8] = 9;  // version field
  try {
    decode_checkpoint(bytes, "x.ckpt");
    FAIL() << "accepted version 9";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("format version 9"));
    EXPECT_THAT(e.what(), HasSubstr("x.ckpt"));
  }
}
