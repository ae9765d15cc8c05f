// tests/reliability/bad_input_cli.cpp — catalogue rows for the `gradlab`
// command: bad flags, unknown specs, missing and corrupt files, checkpoints
// that are damaged, too new, or do not fit the model. Every row must exit
// with code 2 and a message naming what was wrong, and leave nothing behind.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "tests/reliability/bad_input.h"
#include "tests/reliability/rely_util.h"
#include "tools/train/checkpoint.h"
#include "tools/train/flags.h"

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

  // A real (tiny) run to take checkpoints from, copied aside after its first
  // epoch (next to unrelated files a resume must not touch), then resumed to
  // a second epoch: the copy is an older checkpoint of the run.
  auto train_ok = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {gradlab, "train"};
    argv.insert(argv.end(), args.begin(), args.end());
    const RunResult r = run(argv, dir);
    if (r.code != 0) throw std::runtime_error("fixture run failed: " + r.output);
  };
  train_ok({"--dataset", "spirals", "--model", "mlp:8", "--epochs", "1", "--out", dir + "/ok"});
  fs::create_directories(dir + "/some/folder");
  fs::copy_file(dir + "/ok/checkpoint.ckpt", dir + "/some/folder/copy.ckpt");
  for (const char* f : {"checkpoint.ckpt", "metrics.csv", "confusion.txt"})
    write_text(dir + "/some/folder/" + f, "not gradlab's\n");
  train_ok({"--resume", dir + "/ok/checkpoint.ckpt", "--epochs", "2"});
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

  // Damaged copies inside directories that belong to the run (its record
  // next to them), so that the damage is what a resume finds.
  auto run_dir_with = [&](const std::string& name, const cli::Checkpoint& c) {
    fs::create_directories(dir + "/" + name);
    fs::copy_file(dir + "/ok/config.json", dir + "/" + name + "/config.json");
    write_bytes(dir + "/" + name + "/checkpoint.ckpt", cli::encode_checkpoint(c));
  };
  // Tensors that do not fit the model: the first bias has 5 entries, not 8.
  cli::Checkpoint c = cli::decode_checkpoint(good, "ok");
  cli::Checkpoint bad;
  bad.meta = c.meta;
  for (const auto& [k, t] : c.tensors) bad.tensors.insert(k, k == "model.0.bias" ? ones({5}) : t);
  run_dir_with("mismatch", bad);
  // Resume state that is not an integer (a float epoch: found by fuzzing).
  cli::Checkpoint floaty = c;
  floaty.meta["progress"]["epoch"] = 1e300;
  run_dir_with("float_progress", floaty);
  // A checkpoint whose run directory is gone.
  cli::Checkpoint orphan = c;
  orphan.meta["run"]["dir"] = "/nonexistent/gone-run";
  fs::create_directories(dir + "/orphan");
  write_bytes(dir + "/orphan/c.ckpt", cli::encode_checkpoint(orphan));
  // A run that died before its first checkpoint: only its record.
  fs::create_directories(dir + "/early");
  fs::copy_file(dir + "/ok/config.json", dir + "/early/config.json");
  // Not regular files.
  if (::mkfifo((dir + "/fifo.ckpt").c_str(), 0644) != 0) throw std::runtime_error("mkfifo failed");

  // Data for the numbers-and-sizes rows.
  write_text(dir + "/two.csv", "x,label\n1,a\n2,b\n");
  write_text(dir + "/labels100k.csv", "x,label\n1,0\n2,1\n3,100000\n4,1\n");
  write_text(dir + "/latin1.csv", "x,label\n1,caf\xe9\n2,tea\n3,caf\xe9\n4,tea\n5,tea\n");
  fs::create_directories(dir + "/idx_mismatch");
  write_bytes(dir + "/idx_mismatch/train-images-idx3-ubyte", idx_file({3, 4, 4}, 48));
  write_bytes(dir + "/idx_mismatch/train-labels-idx1-ubyte", idx_file({3}, 3));
  write_bytes(dir + "/idx_mismatch/t10k-images-idx3-ubyte", idx_file({2, 5, 5}, 50));
  write_bytes(dir + "/idx_mismatch/t10k-labels-idx1-ubyte", idx_file({2}, 2));
  // 2000 images of 1000x1000 (8 GB as float32): a sparse file, nothing on disk.
  fs::create_directories(dir + "/idx_huge");
  write_bytes(dir + "/idx_huge/train-images-idx3-ubyte", idx_file({2000, 1000, 1000}, 0));
  fs::resize_file(dir + "/idx_huge/train-images-idx3-ubyte", 16 + uint64_t{2000} * 1000 * 1000);
  write_bytes(dir + "/idx_huge/train-labels-idx1-ubyte", idx_file({2000}, 2000));
  write_bytes(dir + "/idx_huge/t10k-images-idx3-ubyte", idx_file({1, 1000, 1000}, 1000000));
  write_bytes(dir + "/idx_huge/t10k-labels-idx1-ubyte", idx_file({1}, 1));
  // 4000 + 1000 images of 28x28 for a batch that cannot fit.
  fs::create_directories(dir + "/idx_4000");
  write_bytes(dir + "/idx_4000/train-images-idx3-ubyte", idx_file({4000, 28, 28}, 4000 * 784));
  write_bytes(dir + "/idx_4000/train-labels-idx1-ubyte", idx_file({4000}, 4000));
  write_bytes(dir + "/idx_4000/t10k-images-idx3-ubyte", idx_file({1000, 28, 28}, 1000 * 784));
  write_bytes(dir + "/idx_4000/t10k-labels-idx1-ubyte", idx_file({1000}, 1000));

  // String labels: a model of cats, dogs and birds, and a file with a zebra.
  std::string animals = "x1,x2,label\n", zoo = "x1,x2,label\n";
  const char* kinds[] = {"cat", "dog", "bird"};
  for (int i = 0; i < 30; ++i)
    animals += std::to_string(i % 3) + "," + std::to_string(i) + "," + kinds[i % 3] + "\n";
  for (int i = 0; i < 12; ++i)
    zoo += std::to_string(i % 3) + "," + std::to_string(i) + "," + kinds[(i + 1) % 3] + "\n";
  write_text(dir + "/animals.csv", animals);
  write_text(dir + "/zoo.csv", zoo + "1,1,zebra\n");
  train_ok({"--dataset", "csv:" + dir + "/animals.csv:label", "--model", "mlp:4", "--epochs", "1",
            "--out", dir + "/animals"});
}

std::vector<CliRow> cli_rows() {
  const std::vector<std::string> spirals = {"--dataset", "spirals"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  std::vector<CliRow> rows = {
      {"no_subcommand", {}, 2, {"subcommand"}},
      {"unknown_subcommand", {"fly"}, 2, {"subcommand"}},
      {"train_unknown_flag", train({"--epoch", "3"}), 2, {"--epoch"}},
      {"train_epochs_zero", train({"--epochs", "0"}), 2, {"--epochs", "0"}},
      {"train_epochs_not_a_number", train({"--epochs", "abc"}), 2, {"--epochs", "abc"}},
      {"train_batch_negative", train({"--batch-size", "-5"}), 2, {"--batch-size", "-5"}},
      {"train_lr_negative", train({"--lr", "-1"}), 2, {"--lr", "-1"}},
      {"train_lr_nan", train({"--lr", "nan"}), 2, {"--lr"}},
      {"train_label_smoothing",
       train({"--label-smoothing", "1.5"}),
       2,
       {"--label-smoothing", "1.5"}},
      {"train_optimizer_unknown", train({"--optimizer", "rmsprop"}), 2, {"--optimizer", "rmsprop"}},
      {"train_schedule_unknown", train({"--schedule", "linear"}), 2, {"--schedule", "linear"}},
      {"train_threads_zero", train({"--threads", "0"}), 2, {"--threads"}},
      {"train_val_fraction_one", train({"--val-fraction", "1"}), 2, {"--val-fraction"}},
      {"train_dataset_unknown",
       train({"--dataset", "cifar10"}),
       2,
       {"--dataset 'cifar10'", "unknown dataset"}},
      {"train_model_unknown", train(with(spirals, {"--model", "cnn:3"})), 2, {"--model 'cnn:3'"}},
      {"train_model_zero_width",
       train(with(spirals, {"--model", "mlp:0"})),
       2,
       {"--model 'mlp:0'"}},
      {"train_model_bad_activation",
       train(with(spirals, {"--model", "mlp:8:swish"})),
       2,
       {"swish"}},
      {"train_csv_missing",
       train({"--dataset", "csv:/nonexistent/d.csv:label"}),
       2,
       {"/nonexistent/d.csv"}},
      {"train_csv_ragged",
       train({"--dataset", "csv:{dir}/ragged.csv:label"}),
       2,
       {"ragged.csv:3", "ragged row"}},
      {"train_csv_non_numeric",
       train({"--dataset", "csv:{dir}/nonnum.csv:label"}),
       2,
       {"nonnum.csv:3", "\"x2\"", "abc"}},
      {"train_csv_no_label_column",
       train({"--dataset", "csv:{dir}/ok5.csv:target"}),
       2,
       {"ok5.csv", "target"}},
      {"train_idx_missing_dir",
       train({"--dataset", "idx:/nonexistent/mnist"}),
       2,
       {"/nonexistent/mnist"}},
      {"train_idx_bad_magic",
       train({"--dataset", "idx:{dir}/idx_badmagic"}),
       2,
       {"train-images-idx3-ubyte", "bad magic", "offset 0"}},
      {"train_idx_truncated_gz",
       train({"--dataset", "idx:{dir}/idx_trunc"}),
       2,
       {"train-images-idx3-ubyte.gz", "truncated"}},
      {"train_resume_missing",
       {"train", "--resume", "/nonexistent/c.ckpt"},
       2,
       {"/nonexistent/c.ckpt"}},
      {"train_resume_bad_checksum",
       {"train", "--resume", "{dir}/bad_crc.ckpt"},
       2,
       {"bad_crc.ckpt", "checksum mismatch"}},
      {"train_resume_truncated",
       {"train", "--resume", "{dir}/truncated.ckpt"},
       2,
       {"truncated.ckpt"}},
      {"train_resume_newer_version",
       {"train", "--resume", "{dir}/newer.ckpt"},
       2,
       {"newer.ckpt", "format version 2", "newer"}},
      {"train_resume_tensor_mismatch",
       {"train", "--resume", "{dir}/mismatch/checkpoint.ckpt"},
       2,
       {"mismatch/checkpoint.ckpt", "0.bias", "(5)", "(8)"}},
      {"train_resume_float_progress",
       {"train", "--resume", "{dir}/float_progress/checkpoint.ckpt"},
       2,
       {"expected an integer", "1e+300"}},
      {"train_resume_out_taken",
       {"train", "--resume", "{dir}/ok/checkpoint.ckpt", "--out", "{dir}/idx_trunc"},
       2,
       {"/idx_trunc", "already exists and is not empty"}},
      {"train_out_exists",
       {"train", "--dataset", "spirals", "--out", "{dir}/ok"},
       2,
       {"/ok", "already exists and is not empty",
        "continue it with: gradlab train --resume {dir}/ok/checkpoint.ckpt"}},
      {"train_out_died_early",
       {"train", "--dataset", "spirals", "--out", "{dir}/early"},
       2,
       {"stopped before its first checkpoint",
        "restart it with: gradlab train --resume {dir}/early"}},
      {"train_out_not_utf8",
       {"train", "--dataset", "spirals", "--out", "{out}\xfe"},
       2,
       {"--out", "\\xfe", "not valid UTF-8"}},
      {"train_dataset_not_utf8",
       train({"--dataset", "csv:{dir}/caf\xe9.csv:label"}),
       2,
       {"--dataset", "caf\\xe9.csv", "not valid UTF-8"}},

      // ---- --resume: only its own directory, only flags that may change ----
      {"train_resume_fixed_lr",
       {"train", "--resume", "{dir}/ok/checkpoint.ckpt", "--lr", "0.5"},
       2,
       {"--lr 0.5 cannot be given with --resume", "0.001", "only --epochs, --threads may change"}},
      {"train_resume_fixed_dataset",
       {"train", "--resume", "{dir}/ok/checkpoint.ckpt", "--dataset", "moons"},
       2,
       {"--dataset 'moons' cannot be given with --resume", "spirals"}},
      {"train_resume_fixed_model",
       {"train", "--resume", "{dir}/ok/checkpoint.ckpt", "--model", "mlp:64"},
       2,
       {"--model 'mlp:64' cannot be given with --resume", "mlp:8"}},
      {"train_resume_fixed_seed",
       {"train", "--resume", "{dir}/ok", "--seed", "0"},
       2,
       {"--seed 0 cannot be given with --resume", "already (drop the flag)"}},
      {"train_resume_epochs_shrink",
       {"train", "--resume", "{dir}/ok/checkpoint.ckpt", "--epochs", "1"},
       2,
       {"--epochs 1", "already finished 2 epochs"}},
      {"train_resume_old_copy",
       {"train", "--resume", "{dir}/some/folder/copy.ckpt"},
       2,
       {"copy.ckpt", "not the checkpoint of its run directory {dir}/ok", "give --out NEWDIR"}},
      {"train_resume_run_gone",
       {"train", "--resume", "{dir}/orphan/c.ckpt"},
       2,
       {"/nonexistent/gone-run", "is not there", "give --out NEWDIR"}},
      {"train_resume_not_a_run",
       {"train", "--resume", "{dir}/idx_trunc"},
       2,
       {"/idx_trunc", "not a run directory"}},
      {"train_resume_fifo",
       {"train", "--resume", "{dir}/fifo.ckpt"},
       2,
       {"fifo.ckpt", "not a regular file"}},
      {"train_resume_dev_zero",
       {"train", "--resume", "/dev/zero"},
       2,
       {"/dev/zero", "not a regular file"}},
      {"eval_fifo",
       {"eval", "--checkpoint", "{dir}/fifo.ckpt"},
       2,
       {"fifo.ckpt", "not a regular file"}},
      {"eval_dev_zero",
       {"eval", "--checkpoint", "/dev/zero"},
       2,
       {"/dev/zero", "not a regular file"}},

      // ---- numbers and sizes ----
      {"train_lr_huge", train({"--lr", "1e308"}), 2, {"--lr 1e308", "(0, 10]"}},
      {"train_lr_inf", train({"--lr", "inf"}), 2, {"--lr inf", "finite"}},
      {"train_weight_decay_inf",
       train({"--weight-decay", "inf"}),
       2,
       {"--weight-decay inf", "finite"}},
      {"train_momentum_inf",
       train({"--optimizer", "sgd", "--momentum", "inf"}),
       2,
       {"--momentum inf", "finite"}},
      {"train_momentum_negative",
       train({"--optimizer", "sgd", "--momentum", "-0.5"}),
       2,
       {"--momentum -0.5: must be a number in [0, 1)"}},
      {"train_momentum_without_sgd",
       train({"--momentum", "0.5"}),
       2,
       {"--momentum 0.5", "only --optimizer sgd"}},
      {"train_seed_negative",
       train({"--seed", "-1"}),
       2,
       {"--seed -1", "[0, 18446744073709551615]"}},
      {"train_seed_overflow",
       train({"--seed", "18446744073709551616"}),
       2,
       {"--seed 18446744073709551616", "out of range"}},
      {"train_epochs_overflow",
       train({"--epochs", "99999999999999999999"}),
       2,
       {"--epochs 99999999999999999999", "out of range"}},
      {"train_batch_overflow",
       train({"--batch-size", "9223372036854775808"}),
       2,
       {"--batch-size 9223372036854775808", "out of range"}},
      {"train_threads_negative", train({"--threads", "-2"}), 2, {"--threads -2"}},
      {"train_val_fraction_tiny",
       train({"--dataset", "spirals", "--val-fraction", "0.0001"}),
       2,
       {"--val-fraction 0.0001", "validation split is empty", "2400 training examples"}},
      {"train_csv_two_rows",
       train({"--dataset", "csv:{dir}/two.csv:label"}),
       2,
       {"two.csv has 2 examples", "held-out test split is empty"}},
      {"train_csv_class_id_100000",
       train({"--dataset", "csv:{dir}/labels100k.csv:label"}),
       2,
       {"labels100k.csv:4", "class id 100000", "limit of 1000 classes"}},
      {"train_csv_label_not_utf8",
       train({"--dataset", "csv:{dir}/latin1.csv:label"}),
       2,
       {"latin1.csv", "caf\\xe9", "not valid UTF-8"}},
      {"train_idx_sizes_differ",
       train({"--dataset", "idx:{dir}/idx_mismatch"}),
       2,
       {"idx_mismatch/train-images-idx3-ubyte holds 4x4",
        "idx_mismatch/t10k-images-idx3-ubyte holds 5x5"}},
      {"train_idx_too_big",
       train({"--dataset", "idx:{dir}/idx_huge"}),
       2,
       {"--dataset idx:", "2000 images of 1000x1000", "needs about", "GRADLAB_MEMORY_LIMIT=1G"},
       {"GRADLAB_MEMORY_LIMIT=1G"}},
      {"train_model_too_big",
       train({"--dataset", "spirals", "--model", "mlp:65536,65536"}),
       2,
       {"--model mlp:65536,65536", "4295426051 parameters", "needs about", "GB"},
       {"GRADLAB_MEMORY_LIMIT=1G"}},
      {"train_batch_too_big",
       train({"--dataset", "idx:{dir}/idx_4000", "--model", "mlp:2048", "--batch-size", "4096"}),
       2,
       {"--batch-size 4096 with --model mlp:2048", "needs about", "smaller --batch-size"},
       {"GRADLAB_MEMORY_LIMIT=200M"}},
      {"train_memory_limit_malformed",
       train({"--dataset", "spirals"}),
       2,
       {"GRADLAB_MEMORY_LIMIT 'lots'"},
       {"GRADLAB_MEMORY_LIMIT=lots"}},

      // ---- files ----
      {"eval_unknown_label",
       {"eval", "--checkpoint", "{dir}/animals/checkpoint.ckpt", "--dataset",
        "csv:{dir}/zoo.csv:label"},
       2,
       {"zoo.csv:14", "unknown class \"zebra\"", "\"cat\""}},
      {"eval_no_checkpoint_flag", {"eval"}, 2, {"--checkpoint"}},
      {"eval_checkpoint_missing",
       {"eval", "--checkpoint", "/nonexistent/c.ckpt"},
       2,
       {"/nonexistent/c.ckpt"}},
      {"eval_bad_magic",
       {"eval", "--checkpoint", "{dir}/bad_magic.ckpt"},
       2,
       {"bad_magic.ckpt", "bad magic"}},
      {"eval_bad_checksum",
       {"eval", "--checkpoint", "{dir}/bad_crc.ckpt"},
       2,
       {"bad_crc.ckpt", "checksum mismatch"}},
      {"eval_newer_version",
       {"eval", "--checkpoint", "{dir}/newer.ckpt"},
       2,
       {"newer.ckpt", "format version 2"}},
      {"eval_tensor_mismatch",
       {"eval", "--checkpoint", "{dir}/mismatch/checkpoint.ckpt"},
       2,
       {"mismatch/checkpoint.ckpt", "does not match the model", "0.bias"}},
      {"eval_dataset_more_classes",
       {"eval", "--checkpoint", "{dir}/ok/checkpoint.ckpt", "--dataset", "blobs"},
       2,
       {"blobs", "4 classes", "predicts 3"}},
      {"eval_dataset_other_width",
       {"eval", "--checkpoint", "{dir}/ok/checkpoint.ckpt", "--dataset", "csv:{dir}/ok5.csv:label"},
       2,
       {"ok5.csv", "checkpoint.ckpt", "5 features", "2"}},
      {"eval_dataset_unknown",
       {"eval", "--checkpoint", "{dir}/ok/checkpoint.ckpt", "--dataset", "nope"},
       2,
       {"--dataset 'nope'"}},
  };
  // Every float flag refuses NaN, from the flag table itself.
  for (const cli::FlagDef& f : cli::train_flags()) {
    if (!f.get(cli::TrainConfig{}).is_number_float()) continue;
    std::string name = "train_nan_" + f.key();
    rows.push_back({name, train({f.flag(), "nan"}), 2, {f.flag() + " nan", "NaN is not allowed"}});
  }
  return rows;
}

}  // namespace gradlab::rely
