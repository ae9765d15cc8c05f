// tests/reliability/checkpoint_format_test.cpp — the checkpoint file format
// (tools/train/checkpoint.h) as a promise: the documented byte layout and version,
// exact round trips for every dtype, every truncation and every single-bit
// flip rejected with an error naming the file, newer or unknown versions
// refused (before the checksum is even looked at), atomic saves, and loads
// that fail as a whole (never a partial load into a model or optimizer).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>

#include "core/ops.h"
#include "core/random.h"
#include "layers/linear.h"
#include "optim/adam.h"
#include "tests/reliability/rely_util.h"
#include "tools/train/checkpoint.h"
#include "tools/train/run_config.h"
#include "tools/train/specs.h"
#include "tools/train/trainer.h"

namespace gradlab::rely {
namespace {

using ::testing::HasSubstr;
using Bytes = std::vector<uint8_t>;

uint64_t le(const Bytes& b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(b[at + i]) << (8 * i);
  return v;
}

// One tensor of every dtype, including 0-d, empty and NaN-holding ones.
cli::Checkpoint sample() {
  cli::Checkpoint c;
  c.meta = {{"config", {{"model", "mlp:4"}}}, {"progress", {{"epoch", 3}, {"batch", 7}}}, {"pi", 3.141592653589793}};
  Generator g(7);
  c.tensors.insert("f32", randn({3, 4}, g));
  c.tensors.insert("f64", from_vector<double>({1.0 / 3, NAN, -INFINITY, 1e-310}, {2, 2}));
  c.tensors.insert("f16", randn({5}, g).to(DType::Float16));
  c.tensors.insert("bf16", randn({2, 1, 2}, g).to(DType::BFloat16));
  c.tensors.insert("i64", from_vector<int64_t>({INT64_MIN, -1, 0, INT64_MAX}, {4}));
  c.tensors.insert("bool", from_vector<uint8_t>({1, 0, 1}, {3}));
  c.tensors.insert("scalar", scalar_tensor(2.5));
  c.tensors.insert("empty", zeros({0, 3}));
  c.tensors.insert("view", transpose(randn({2, 3}, g), 0, 1));  // non-contiguous: saved contiguous
  return c;
}

template <class Fn> std::string runtime_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<no std::runtime_error>";
}

TEST(CheckpointFormat, LayoutIsTheDocumentedOne) {
  const Bytes b = cli::encode_checkpoint(sample());
  ASSERT_GT(b.size(), 24u);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 8), std::string("GLCKPT\r\n"));
  EXPECT_EQ(le(b, 8, 4), cli::kCheckpointVersion);
  EXPECT_EQ(cli::kCheckpointVersion, 1u);
  const uint64_t hlen = le(b, 12, 8);
  ASSERT_LE(20 + hlen + 4, b.size());
  const auto header = nlohmann::json::parse(b.begin() + 20, b.begin() + 20 + static_cast<long>(hlen));
  ASSERT_TRUE(header.contains("tensors"));
  uint64_t expect_offset = 0;
  for (const auto& t : header["tensors"]) {  // back to back, in insertion order
    EXPECT_EQ(t.at("offset").get<uint64_t>(), expect_offset);
    expect_offset += t.at("nbytes").get<uint64_t>();
  }
  EXPECT_EQ(20 + hlen + expect_offset + 4, b.size());
  const uint32_t crc = static_cast<uint32_t>(crc32(0L, b.data(), static_cast<uInt>(b.size() - 4)));
  EXPECT_EQ(le(b, b.size() - 4, 4), crc);
}

TEST(CheckpointFormat, RoundTripIsExactForEveryDtype) {
  const cli::Checkpoint a = sample();
  const cli::Checkpoint b = cli::decode_checkpoint(cli::encode_checkpoint(a), "mem");
  EXPECT_EQ(b.meta, a.meta);
  ASSERT_EQ(b.tensors.keys(), a.tensors.keys());
  for (const auto& [k, t] : a.tensors) {
    const Tensor& u = b.tensors.at(k);
    EXPECT_EQ(u.dtype(), t.dtype()) << k;
    EXPECT_EQ(u.shape(), t.shape()) << k;
    EXPECT_TRUE(equal(u, t.contiguous())) << k;  // bitwise, NaN included
  }
  // Encoding is deterministic: the same checkpoint gives the same bytes.
  EXPECT_EQ(cli::encode_checkpoint(a), cli::encode_checkpoint(b));
}

TEST(CheckpointFormat, EveryTruncationIsRejectedNamingTheFile) {
  const Bytes b = cli::encode_checkpoint(sample());
  for (size_t n = 0; n < b.size(); ++n) {
    const Bytes cut(b.begin(), b.begin() + static_cast<long>(n));
    EXPECT_THAT(runtime_error_of([&] { cli::decode_checkpoint(cut, "cut.ckpt"); }), HasSubstr("cut.ckpt"))
        << "prefix of " << n << " bytes";
  }
}

TEST(CheckpointFormat, EverySingleBitFlipIsRejected) {
  const Bytes b = cli::encode_checkpoint(sample());
  for (size_t i = 0; i < b.size(); ++i) {
    Bytes x = b;
    x[i] ^= static_cast<uint8_t>(1u << (i % 8));
    const std::string msg = runtime_error_of([&] { cli::decode_checkpoint(x, "flip.ckpt"); });
    EXPECT_THAT(msg, HasSubstr("flip.ckpt")) << "byte " << i;
  }
}

TEST(CheckpointFormat, NewerOrUnknownVersionsAreRefusedBeforeTheChecksum) {
  for (uint32_t v : {0u, cli::kCheckpointVersion + 1, 77u, 0xFFFFFFFFu}) {
    Bytes b = cli::encode_checkpoint(sample());
    for (int i = 0; i < 4; ++i) b[8 + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
    // A newer format may checksum differently: the version is the error, not the CRC.
    const std::string msg = runtime_error_of([&] { cli::decode_checkpoint(b, "v.ckpt"); });
    EXPECT_THAT(msg, HasSubstr("format version " + std::to_string(v))) << msg;
    EXPECT_THAT(msg, ::testing::Not(HasSubstr("checksum")));
    if (v > cli::kCheckpointVersion) {
      EXPECT_THAT(msg, HasSubstr("newer"));
    }
  }
}

TEST(CheckpointFormat, SaveIsAtomicAndLeavesNoTemporaries) {
  ScratchDir dir("ckpt");
  const std::string path = dir.file("model.ckpt");
  cli::Checkpoint a = sample();
  cli::save_checkpoint(a, path);
  a.meta["pi"] = 3.0;
  cli::save_checkpoint(a, path);  // replaces the old file
  EXPECT_EQ(cli::load_checkpoint(path).meta.at("pi").get<double>(), 3.0);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path())) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"model.ckpt"});
  // A save that cannot happen names the path and leaves the old file alone.
  fs::create_directories(dir.file("taken.ckpt"));
  EXPECT_THAT(runtime_error_of([&] { cli::save_checkpoint(a, dir.file("taken.ckpt")); }), HasSubstr("taken.ckpt"));
  EXPECT_TRUE(fs::is_directory(dir.file("taken.ckpt")));
  EXPECT_THAT(runtime_error_of([&] { cli::save_checkpoint(a, dir.file("no/such/dir/x.ckpt")); }),
              HasSubstr("no/such/dir"));
  EXPECT_EQ(cli::load_checkpoint(path).meta.at("pi").get<double>(), 3.0);
}

TEST(CheckpointFormat, AFailedModelLoadChangesNothing) {
  Generator g(1);
  nn::Linear lin(4, 3, g);
  const Tensor w0 = lin.weight.clone(), b0 = lin.bias.clone();
  // A good weight and a bad bias: the weight must not be copied either.
  EXPECT_THROW(lin.load_state_dict({{"weight", zeros({3, 4})}, {"bias", zeros({4})}}), std::invalid_argument);
  EXPECT_TRUE(equal(lin.weight, w0));
  EXPECT_TRUE(equal(lin.bias, b0));
  // Same for optimizer state: nothing is replaced by a failed load.
  std::vector<Tensor> ps = {lin.weight, lin.bias};
  optim::Adam opt(ps, {.lr = 0.1});
  lin.weight.set_grad(ones({3, 4}));
  lin.bias.set_grad(ones({3}));
  opt.step();
  const optim::OptimizerState before = opt.state();
  optim::OptimizerState bad = before;
  bad.tensors = {};
  for (const auto& [k, t] : before.tensors) bad.tensors.insert(k, k == "1.exp_avg" ? zeros({7}) : zeros_like(t));
  EXPECT_THROW(opt.load_state(bad), std::invalid_argument);
  const optim::OptimizerState after = opt.state();
  for (const auto& [k, t] : before.tensors) EXPECT_TRUE(equal(after.tensors.at(k), t)) << k;
}

TEST(CheckpointFormat, LoadModelRejectsTensorsThatDoNotFitAsAWhole) {
  cli::TrainConfig cfg;
  cfg.model = "mlp:4";
  auto model = cli::build_model(cli::parse_model_spec(cfg.model), 2, 3, 0);
  cli::Checkpoint c;
  const cli::DataRecord data{.in_features = 2,
                             .num_classes = 3,
                             .class_names = {"a", "b", "c"},
                             .norm = {{0.f, 0.f}, {1.f, 1.f}}};
  c.meta = {{"config", cli::to_json(cfg)}, {"data", cli::to_json(data)}};
  for (const auto& [k, t] : model->state_dict()) c.tensors.insert("model." + k, t);
  EXPECT_NO_THROW(cli::load_model(c, "ok.ckpt"));
  // An extra tensor the model does not have: refused, not ignored.
  cli::Checkpoint extra = c;
  extra.tensors.insert("model.9.weight", zeros({2, 2}));
  EXPECT_THAT(runtime_error_of([&] { cli::load_model(extra, "extra.ckpt"); }),
              ::testing::AllOf(HasSubstr("extra.ckpt"), HasSubstr("9.weight")));
  // A missing bias: refused.
  cli::Checkpoint missing;
  missing.meta = c.meta;
  for (const auto& [k, t] : c.tensors)
    if (k != "model.2.bias") missing.tensors.insert(k, t);
  EXPECT_THAT(runtime_error_of([&] { cli::load_model(missing, "missing.ckpt"); }),
              ::testing::AllOf(HasSubstr("missing.ckpt"), HasSubstr("2.bias")));
}

}  // namespace
}  // namespace gradlab::rely
