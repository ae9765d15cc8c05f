// tests/reliability/bad_input_cli.cpp — catalogue rows for the `gradlab`
// command: bad flags, unknown specs, missing and corrupt files, checkpoints
// that are damaged, too new, or do not fit the model. Every row must exit
// with code 2 and a message naming what was wrong, and leave nothing behind.
#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "tests/reliability/bad_input.h"
#include "tests/reliability/rely_util.h"
#include "tools/train/checkpoint.h"

namespace gradlab::rely {

namespace {

using Bytes = std::vector<uint8_t>;

Bytes idx_file(std::vector<uint32_t> dims, size_t payload) {
  Bytes b = {0, 0, 8, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.resize(b.size() + payload, 1);
  return b;
}

void set_u32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
}
void reseal(Bytes& b) {
  const size_t body = b.size() - 4;
  set_u32(b, body, static_cast<uint32_t>(crc32(0L, b.data(), static_cast<uInt>(body))));
}

// `gradlab train --out {out} --epochs 1` plus `extra`.
std::vector<std::string> train(std::vector<std::string> extra) {
  std::vector<std::string> a = {"train", "--out", "{out}"};
  a.insert(a.end(), extra.begin(), extra.end());
  if (std::find(a.begin(), a.end(), "--epochs") == a.end()) a.insert(a.end(), {"--epochs", "1"});
  return a;
}

}  // namespace

void cli_fixtures(const std::string& dir, const std::string& gradlab) {
  namespace fs = std::filesystem;
  write_text(dir + "/ragged.csv", "x1,x2,label\n0.5,1.5,0\n0.25,1\n");
  write_text(dir + "/nonnum.csv", "x1,x2,label\n0.5,1.5,0\n0.25,abc,1\n");
  std::string ok5 = "a,b,c,d,e,label\n";
  for (int i = 0; i < 40; ++i) ok5 += "1,2,3,4," + std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  write_text(dir + "/ok5.csv", ok5);
  fs::create_directories(dir + "/idx_badmagic");
  write_bytes(dir + "/idx_badmagic/train-images-idx3-ubyte", Bytes{'G', 'I', 'F', '8', '9', 'a', 0, 0});
  write_bytes(dir + "/idx_badmagic/train-labels-idx1-ubyte", idx_file({2}, 2));
  write_bytes(dir + "/idx_badmagic/t10k-images-idx3-ubyte", idx_file({2, 2, 2}, 8));
  write_bytes(dir + "/idx_badmagic/t10k-labels-idx1-ubyte", idx_file({2}, 2));
  fs::create_directories(dir + "/idx_trunc");
  write_bytes(dir + "/idx_trunc/train-images-idx3-ubyte.gz", gzip_bytes(idx_file({10, 4, 4}, 100)));
  write_bytes(dir + "/idx_trunc/train-labels-idx1-ubyte", idx_file({10}, 10));
  write_bytes(dir + "/idx_trunc/t10k-images-idx3-ubyte", idx_file({2, 4, 4}, 32));
  write_bytes(dir + "/idx_trunc/t10k-labels-idx1-ubyte", idx_file({2}, 2));

  // A real (tiny) run to take checkpoints from.
  const RunResult r = run({gradlab, "train", "--dataset", "spirals", "--model", "mlp:8", "--epochs", "1",
                           "--out", dir + "/ok"},
                          dir);
  if (r.code != 0) throw std::runtime_error("fixture run failed: " + r.output);
  const Bytes good = read_bytes(dir + "/ok/checkpoint.ckpt");

  Bytes b = good;
  b[b.size() / 2] ^= 0x10;
  write_bytes(dir + "/bad_crc.ckpt", b);
  b = good;
  b[1] = 'X';
  write_bytes(dir + "/bad_magic.ckpt", b);
  b = good;
  set_u32(b, 8, cli::kCheckpointVersion + 1);
  reseal(b);
  write_bytes(dir + "/newer.ckpt", b);
  b = good;
  b.resize(b.size() * 2 / 3);
  write_bytes(dir + "/truncated.ckpt", b);

  // Tensors that do not fit the model: the first bias has 5 entries, not 8.
  cli::Checkpoint c = cli::decode_checkpoint(good, "ok");
  cli::Checkpoint bad;
  bad.meta = c.meta;
  for (const auto& [k, t] : c.tensors) bad.tensors.insert(k, k == "model.0.bias" ? ones({5}) : t);
  fs::create_directories(dir + "/mismatch");
  write_bytes(dir + "/mismatch/checkpoint.ckpt", cli::encode_checkpoint(bad));

  // Resume state that is not an integer (a float epoch: found by fuzzing).
  cli::Checkpoint floaty = c;
  floaty.meta["progress"]["epoch"] = 1e300;
  fs::create_directories(dir + "/float_progress");
  write_bytes(dir + "/float_progress/checkpoint.ckpt", cli::encode_checkpoint(floaty));
}

std::vector<CliRow> cli_rows() {
  const std::vector<std::string> spirals = {"--dataset", "spirals"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  return {
      {"no_subcommand", {}, 2, {"subcommand"}},
      {"unknown_subcommand", {"fly"}, 2, {"subcommand"}},
      {"train_unknown_flag", train({"--epoch", "3"}), 2, {"--epoch"}},
      {"train_epochs_zero", train({"--epochs", "0"}), 2, {"--epochs", "0"}},
      {"train_epochs_not_a_number", train({"--epochs", "abc"}), 2, {"--epochs", "abc"}},
      {"train_batch_negative", train({"--batch-size", "-5"}), 2, {"--batch-size", "-5"}},
      {"train_lr_negative", train({"--lr", "-1"}), 2, {"--lr", "-1"}},
      {"train_lr_nan", train({"--lr", "nan"}), 2, {"--lr"}},
      {"train_label_smoothing", train({"--label-smoothing", "1.5"}), 2, {"--label-smoothing", "1.5"}},
      {"train_optimizer_unknown", train({"--optimizer", "rmsprop"}), 2, {"--optimizer", "rmsprop"}},
      {"train_schedule_unknown", train({"--schedule", "linear"}), 2, {"--schedule", "linear"}},
      {"train_threads_zero", train({"--threads", "0"}), 2, {"--threads"}},
      {"train_val_fraction_one", train({"--val-fraction", "1"}), 2, {"--val-fraction"}},
      {"train_dataset_unknown", train({"--dataset", "cifar10"}), 2, {"--dataset 'cifar10'", "unknown dataset"}},
      {"train_model_unknown", train(with(spirals, {"--model", "cnn:3"})), 2, {"--model 'cnn:3'"}},
      {"train_model_zero_width", train(with(spirals, {"--model", "mlp:0"})), 2, {"--model 'mlp:0'"}},
      {"train_model_bad_activation", train(with(spirals, {"--model", "mlp:8:swish"})), 2, {"swish"}},
      {"train_csv_missing", train({"--dataset", "csv:/nonexistent/d.csv:label"}), 2, {"/nonexistent/d.csv"}},
      {"train_csv_ragged", train({"--dataset", "csv:{dir}/ragged.csv:label"}), 2, {"ragged.csv:3", "ragged row"}},
      {"train_csv_non_numeric", train({"--dataset", "csv:{dir}/nonnum.csv:label"}), 2,
       {"nonnum.csv:3", "\"x2\"", "abc"}},
      {"train_csv_no_label_column", train({"--dataset", "csv:{dir}/ok5.csv:target"}), 2, {"ok5.csv", "target"}},
      {"train_idx_missing_dir", train({"--dataset", "idx:/nonexistent/mnist"}), 2, {"/nonexistent/mnist"}},
      {"train_idx_bad_magic", train({"--dataset", "idx:{dir}/idx_badmagic"}), 2,
       {"train-images-idx3-ubyte", "bad magic", "offset 0"}},
      {"train_idx_truncated_gz", train({"--dataset", "idx:{dir}/idx_trunc"}), 2,
       {"train-images-idx3-ubyte.gz", "truncated"}},
      {"train_resume_missing", {"train", "--resume", "/nonexistent/c.ckpt"}, 2, {"/nonexistent/c.ckpt"}},
      {"train_resume_bad_checksum", {"train", "--resume", "{dir}/bad_crc.ckpt"}, 2,
       {"bad_crc.ckpt", "checksum mismatch"}},
      {"train_resume_truncated", {"train", "--resume", "{dir}/truncated.ckpt"}, 2, {"truncated.ckpt"}},
      {"train_resume_newer_version", {"train", "--resume", "{dir}/newer.ckpt"}, 2,
       {"newer.ckpt", "format version 2", "newer"}},
      {"train_resume_tensor_mismatch", {"train", "--resume", "{dir}/mismatch/checkpoint.ckpt"}, 2,
       {"mismatch/checkpoint.ckpt", "0.bias", "(5)", "(8)"}},
      {"train_resume_float_progress", {"train", "--resume", "{dir}/float_progress/checkpoint.ckpt"}, 2,
       {"expected an integer", "1e+300"}},
      {"train_resume_other_out", {"train", "--resume", "{dir}/ok/checkpoint.ckpt", "--out", "{out}"}, 2,
       {"--out", "differs"}},
      {"train_out_exists", {"train", "--dataset", "spirals", "--out", "{dir}/ok"}, 2,
       {"/ok", "already exists and is not empty"}},
      {"eval_no_checkpoint_flag", {"eval"}, 2, {"--checkpoint"}},
      {"eval_checkpoint_missing", {"eval", "--checkpoint", "/nonexistent/c.ckpt"}, 2, {"/nonexistent/c.ckpt"}},
      {"eval_bad_magic", {"eval", "--checkpoint", "{dir}/bad_magic.ckpt"}, 2, {"bad_magic.ckpt", "bad magic"}},
      {"eval_bad_checksum", {"eval", "--checkpoint", "{dir}/bad_crc.ckpt"}, 2, {"bad_crc.ckpt", "checksum mismatch"}},
      {"eval_newer_version", {"eval", "--checkpoint", "{dir}/newer.ckpt"}, 2, {"newer.ckpt", "format version 2"}},
      {"eval_tensor_mismatch", {"eval", "--checkpoint", "{dir}/mismatch/checkpoint.ckpt"}, 2,
       {"mismatch/checkpoint.ckpt", "does not match the model", "0.bias"}},
      {"eval_dataset_more_classes", {"eval", "--checkpoint", "{dir}/ok/checkpoint.ckpt", "--dataset", "blobs"}, 2,
       {"blobs", "4 classes", "predicts 3"}},
      {"eval_dataset_other_width",
       {"eval", "--checkpoint", "{dir}/ok/checkpoint.ckpt", "--dataset", "csv:{dir}/ok5.csv:label"}, 2,
       {"ok5.csv", "checkpoint.ckpt", "5 features", "2"}},
      {"eval_dataset_unknown", {"eval", "--checkpoint", "{dir}/ok/checkpoint.ckpt", "--dataset", "nope"}, 2,
       {"--dataset 'nope'"}},
  };
}

}  // namespace gradlab::rely
