// tests/reliability/bad_input_data.cpp — catalogue rows for datasets/ (files
// missing, unreadable, truncated or corrupt, in every format), for the
// checkpoint reader (tools/train/checkpoint.h, tools/train/trainer.h) and for the CLI's
// spec strings (tools/train/run_config.h).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/ops.h"
#include "datasets/csv.h"
#include "datasets/dataset.h"
#include "datasets/gzip.h"
#include "datasets/idx.h"
#include "datasets/loader.h"
#include "datasets/npy.h"
#include "datasets/synthetic.h"
#include "datasets/transforms.h"
#include "layers/linear.h"
#include "tests/reliability/bad_input.h"
#include "tests/reliability/rely_util.h"
#include "tools/train/checkpoint.h"
#include "tools/train/run_config.h"
#include "tools/train/specs.h"
#include "tools/train/trainer.h"

namespace gradlab::rely {

namespace {

BadInput ia(std::string name, std::function<void()> f, std::vector<std::string> frags) {
  return {std::move(name), std::move(f), Throws::InvalidArgument, std::move(frags)};
}
BadInput re(std::string name, std::function<void()> f, std::vector<std::string> frags) {
  return {std::move(name), std::move(f), Throws::RuntimeError, std::move(frags)};
}

using Bytes = std::vector<uint8_t>;

// An IDX file: magic 00 00 08 <ndim>, big-endian sizes, then `payload`.
Bytes idx(std::vector<uint32_t> dims, size_t payload, uint8_t dtype = 0x08) {
  Bytes b = {0, 0, dtype, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  for (size_t i = 0; i < payload; ++i) b.push_back(static_cast<uint8_t>(i % 7));
  return b;
}

std::string file(const std::string& name, const Bytes& bytes) {
  const std::string p = scratch() + "/" + name;
  write_bytes(p, bytes);
  return p;
}
// Replaces the first occurrence of `from` in b by `to` (same length).
void patch(Bytes& b, const std::string& from, const std::string& to) {
  const auto it = std::search(b.begin(), b.end(), from.begin(), from.end());
  if (it == b.end() || from.size() != to.size()) throw std::logic_error("patch: '" + from + "' not found");
  const size_t at = static_cast<size_t>(it - b.begin());
  for (size_t i = 0; i < to.size(); ++i) b[at + i] = static_cast<uint8_t>(to[i]);
}

// A .npy file with the given header dict and `data_bytes` bytes of data.
Bytes npy_bytes(const std::string& dict, size_t data_bytes) {
  std::string h = dict;
  while ((10 + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::string f = "\x93NUMPY\x01";
  f += '\0';
  f += static_cast<char>(h.size() & 0xff);
  f += static_cast<char>(h.size() >> 8);
  f += h;
  f.append(data_bytes, '\0');
  return Bytes(f.begin(), f.end());
}

data::Dataset tiny(int64_t n = 4, int64_t classes = 2) {
  data::Dataset d;
  d.features = zeros({n, 2});
  std::vector<int64_t> y;
  for (int64_t i = 0; i < n; ++i) y.push_back(i % classes);
  d.labels = from_vector<int64_t>(y, {n});
  d.num_classes = classes;
  return d;
}

// A small valid checkpoint of an mlp:4 on 2 features and 3 classes.
cli::Checkpoint good_checkpoint() {
  cli::TrainConfig cfg;
  cfg.dataset = "spirals";
  cfg.model = "mlp:4";
  auto model = cli::build_model(cli::parse_model_spec(cfg.model), 2, 3, 0);
  cli::Checkpoint c;
  const cli::DataRecord data{.in_features = 2,
                             .num_classes = 3,
                             .class_names = {"0", "1", "2"},
                             .norm = {{0.f, 0.f}, {1.f, 1.f}}};
  c.meta = {{"config", cli::to_json(cfg)}, {"data", cli::to_json(data)}};
  for (const auto& [k, t] : model->state_dict()) c.tensors.insert("model." + k, t);
  return c;
}
Bytes good_bytes() { return cli::encode_checkpoint(good_checkpoint()); }
void set_u32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
}
// Re-seals the trailing CRC-32 after an edit (so the edit, not the checksum, is caught).
void reseal(Bytes& b) {
  const size_t body = b.size() - 4;
  set_u32(b, body, static_cast<uint32_t>(crc32(0L, b.data(), static_cast<uInt>(body))));
}

// A checkpoint file written by hand from its documented layout
// (tools/train/checkpoint.h): magic, version, header length, JSON, data, CRC-32.
Bytes raw_checkpoint(const nlohmann::json& header, size_t data_bytes) {
  const std::string h = header.dump();
  std::string f = "GLCKPT\r\n";
  f.append(12, '\0');
  f += h;
  f.append(data_bytes + 4, '\0');
  Bytes b(f.begin(), f.end());
  set_u32(b, 8, cli::kCheckpointVersion);
  set_u32(b, 12, static_cast<uint32_t>(h.size()));
  reseal(b);
  return b;
}
nlohmann::json tensor_entry(const std::string& name, Shape shape, uint64_t offset, uint64_t nbytes) {
  return {{"name", name}, {"dtype", "Float32"}, {"shape", shape}, {"offset", offset}, {"nbytes", nbytes}};
}

}  // namespace

std::vector<BadInput> data_rows() {
  return {
      // ---- files that are not there or not files ----
      re("idx_missing_file", [] { data::load_idx_images("/nonexistent/train-images-idx3-ubyte"); },
         {"/nonexistent/train-images-idx3-ubyte"}),
      re("idx_path_is_directory", [] { data::load_idx_labels(scratch()); }, {scratch()}),
      re("csv_missing_file", [] { data::load_csv("/nonexistent/x.csv", {.label_column = "y"}); },
         {"/nonexistent/x.csv"}),
      re("npy_missing_file", [] { data::load_npy("/nonexistent/x.npy"); }, {"/nonexistent/x.npy"}),
      re("mnist_dir_missing", [] { data::load_mnist_dir("/nonexistent/mnist", data::Split::Train); },
         {"/nonexistent/mnist", "train-images-idx3-ubyte"}),
      re("fashion_mnist_dir_missing", [] { data::load_fashion_mnist("/nonexistent/fm", data::Split::Test); },
         {"/nonexistent/fm", "t10k-images-idx3-ubyte"}),
      // ---- IDX raw ----
      re("idx_bad_magic", [] { data::parse_idx_images({'P', 'K', 3, 4, 0, 0, 0, 0}, "x.idx"); },
         {"x.idx", "bad magic", "offset 0"}),
      re("idx_empty_file", [] { data::parse_idx_labels({}, "e.idx"); }, {"e.idx", "truncated", "0 bytes"}),
      re("idx_truncated_header", [] { data::parse_idx_images({0, 0, 8, 3, 0, 0}, "h.idx"); },
         {"h.idx", "truncated header"}),
      re("idx_truncated_data", [] { data::parse_idx_images(idx({2, 3, 3}, 17), "t.idx"); },
         {"t.idx", "truncated", "18", "17"}),
      re("idx_trailing_bytes", [] { data::parse_idx_labels(idx({3}, 5), "l.idx"); }, {"l.idx", "2 unexpected bytes"}),
      re("idx_wrong_dtype", [] { data::parse_idx_labels(idx({3}, 12, 0x0D), "f.idx"); },
         {"f.idx", "dtype", "0x0D", "offset 2"}),
      re("idx_labels_as_images", [] { data::parse_idx_images(idx({3}, 3), "lab.idx"); },
         {"lab.idx", "labels file"}),
      re("idx_absurd_dims", [] { data::parse_idx_images(idx({0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, 0), "a.idx"); },
         {"a.idx", "absurd dims", "4294967295"}),
      re("idx_zero_width_images", [] { data::parse_idx_images(idx({1, 0, 28}, 0), "z.idx"); },
         {"z.idx", "0x28"}),
      // ---- IDX gzip ----
      re("idx_gz_truncated_stream", [] {
           Bytes gz = gzip_bytes(idx({4, 5, 5}, 100));
           gz.resize(gz.size() / 2);
           data::parse_idx_images(gz, "t.gz");
         },
         {"t.gz"}),
      re("idx_gz_corrupt_stream", [] {
           Bytes gz = gzip_bytes(idx({4, 5, 5}, 100));
           for (size_t i = 12; i < gz.size() - 8; ++i) gz[i] ^= 0x5A;
           data::parse_idx_images(gz, "c.gz");
         },
         {"c.gz"}),
      re("idx_gz_truncated_data", [] { data::parse_idx_images(gzip_bytes(idx({4, 5, 5}, 99)), "d.gz"); },
         {"d.gz", "truncated", "(decompressed)"}),
      re("idx_gz_bad_magic", [] { data::parse_idx_labels(gzip_bytes({'h', 'e', 'l', 'l', 'o'}), "m.gz"); },
         {"m.gz", "bad magic", "(decompressed)"}),
      re("gunzip_bomb_guard", [] {
           const Bytes gz = gzip_bytes(Bytes(1 << 20, 0));
           data::gunzip(gz.data(), gz.size(), "bomb.gz", 1000);
         },
         {"bomb.gz", "1000"}),
      re("load_idx_count_mismatch", [] {
           data::load_idx(file("im.idx", idx({3, 2, 2}, 12)), file("lb.idx", idx({4}, 4)));
         },
         {"im.idx", "lb.idx", "3", "4"}),
      re("load_idx_label_out_of_range", [] {
           data::load_idx(file("im2.idx", idx({3, 2, 2}, 12)), file("lb2.idx", idx({3}, 3)), {.scale = true, .num_classes = 2, .class_names = {}});
         },
         {"lb2.idx", "2"}),
      // ---- CSV ----
      re("csv_ragged_row", [] { data::parse_csv("a,b,label\n1,2,0\n3,4\n", "r.csv", {.label_column = "label"}); },
         {"r.csv:3", "ragged row", "2"}),
      re("csv_non_numeric_cell", [] { data::parse_csv("a,label\n1,0\nabc,1\n", "n.csv", {.label_column = "label"}); },
         {"n.csv:3", "column \"a\"", "abc"}),
      re("csv_non_finite_cell", [] { data::parse_csv("a,label\ninf,0\n", "i.csv", {.label_column = "label"}); },
         {"i.csv:2", "non-finite", "inf"}),
      re("csv_nan_cell", [] { data::parse_csv("a,label\nnan,0\n", "nan.csv", {.label_column = "label"}); },
         {"nan.csv:2", "nan"}),
      re("csv_missing_label_column", [] { data::parse_csv("a,b\n1,2\n", "m.csv", {.label_column = "label"}); },
         {"m.csv:1", "label"}),
      re("csv_empty_file", [] { data::parse_csv("", "e.csv", {.label_column = "label"}); }, {"e.csv:1", "empty"}),
      re("csv_header_only", [] { data::parse_csv("a,label\n", "h.csv", {.label_column = "label"}); },
         {"h.csv:1", "no data rows"}),
      re("csv_unterminated_quote", [] { data::parse_csv("a,label\n\"1,0\n", "q.csv", {.label_column = "label"}); },
         {"q.csv:2", "unterminated"}),
      re("csv_absurd_class_id", [] { data::parse_csv("a,label\n1,99999999\n", "c.csv", {.label_column = "label"}); },
         {"c.csv:2", "99999999"}),
      ia("csv_quote_delimiter", [] { data::parse_csv("a\n", "d.csv", {.label_column = "a", .delimiter = '"'}); },
         {"parse_csv", "delimiter"}),
      // ---- .npy ----
      re("npy_bad_magic", [] { data::parse_npy({'N', 'U', 'M', 'P', 'Y'}, "m.npy"); }, {"m.npy", "bad magic"}),
      re("npy_unsupported_dtype", [] {
           data::parse_npy(npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16), "c.npy");
         },
         {"c.npy", "<c8"}),
      re("npy_big_endian", [] {
           data::parse_npy(npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8), "b.npy");
         },
         {"b.npy", ">f4", "big-endian"}),
      re("npy_fortran_order", [] {
           data::parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16), "f.npy");
         },
         {"f.npy", "fortran_order"}),
      re("npy_truncated_data", [] {
           data::parse_npy(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 20), "t.npy");
         },
         {"t.npy", "truncated data", "(3)", "24"}),
      re("npy_malformed_header", [] {
           data::parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,3 }", 24), "h.npy");
         },
         {"h.npy", "bad header"}),
      re("npy_absurd_shape", [] {
           data::parse_npy(
               npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0), "a.npy");
         },
         {"a.npy", "absurd shape"}),
      ia("npy_save_bfloat16", [] { data::serialize_npy(ones({2}).to(DType::BFloat16)); }, {"BFloat16"}),
      // ---- in-memory datasets, loaders, transforms ----
      ia("loader_zero_batch", [] { data::DataLoader(tiny(), {.batch_size = 0}); }, {"DataLoader", "batch_size", "0"}),
      ia("loader_label_out_of_range", [] {
           data::Dataset d = tiny();
           d.num_classes = 1;
           data::DataLoader(d, {});
         },
         {"label 1", "1"}),
      ia("loader_batch_index_out_of_range", [] {
           data::DataLoader l(tiny(), {.batch_size = 2});
           l.batch(l.order(0), 5);
         },
         {"DataLoader::batch", "5"}),
      ia("loader_negative_epoch", [] { data::DataLoader(tiny(), {}).order(-1); }, {"DataLoader::order", "-1"}),
      ia("gather_rows_out_of_range", [] { data::gather_rows(zeros({3, 2}), {0, 3}); }, {"gather_rows", "3"}),
      ia("subset_out_of_range", [] { data::subset(tiny(), {9}); }, {"9"}),
      ia("split_fraction_one", [] { data::train_val_split(tiny(), {.val_fraction = 1.0}); },
         {"train_val_split", "val_fraction", "1"}),
      ia("split_fraction_nan", [] { data::train_val_split(tiny(), {.val_fraction = NAN}); },
         {"train_val_split", "val_fraction"}),
      ia("normalizer_empty_dataset", [] { data::fit_normalizer(tiny(0)); }, {"fit_normalizer", "empty"}),
      ia("normalizer_wrong_width", [] {
           data::Normalizer n{.mean = {0, 0, 0}, .stddev = {1, 1, 1}};
           n.apply(zeros({4, 2}));
         },
         {"Normalizer::apply", "(4,2)"}),
      ia("spirals_zero_classes", [] { data::make_spirals({.num_classes = 0}); }, {"make_spirals", "num_classes", "0"}),
      ia("spirals_negative_count", [] { data::make_spirals({.n_per_class = -5}); }, {"make_spirals", "-5"}),
      ia("moons_negative_noise", [] { data::make_moons({.noise = -1}); }, {"make_moons", "noise"}),
      ia("blobs_absurd_size", [] { data::make_blobs({.n_per_class = int64_t{1} << 40, .dim = int64_t{1} << 40}); },
         {"make_blobs"}),
      ia("random_permutation_negative", [] {
           Generator g(0);
           data::random_permutation(-3, g);
         },
         {"-3"}),
  };
}

std::vector<BadInput> checkpoint_rows() {
  return {
      re("ckpt_missing_file", [] { cli::load_checkpoint("/nonexistent/c.ckpt"); },
         {"/nonexistent/c.ckpt", "cannot open"}),
      re("ckpt_directory", [] { cli::load_checkpoint(scratch()); }, {scratch()}),
      re("ckpt_empty", [] { cli::decode_checkpoint({}, "e.ckpt"); },
         {"e.ckpt", "too short", "0 bytes"}),
      re("ckpt_bad_magic",
         [] {
           Bytes b = good_bytes();
           b[0] = 'X';
           cli::decode_checkpoint(b, "m.ckpt");
         },
         {"m.ckpt", "bad magic", "offset 0"}),
      re("ckpt_newer_version",
         [] {
           Bytes b = good_bytes();
           set_u32(b, 8, cli::kCheckpointVersion + 1);
           reseal(b);
           cli::decode_checkpoint(b, "v.ckpt");
         },
         {"v.ckpt", "format version 2", "newer", "offset 8"}),
      re("ckpt_unknown_version_zero",
         [] {
           Bytes b = good_bytes();
           set_u32(b, 8, 0);
           reseal(b);
           cli::decode_checkpoint(b, "v0.ckpt");
         },
         {"v0.ckpt", "format version 0"}),
      re("ckpt_checksum_mismatch",
         [] {
           Bytes b = good_bytes();
           b[b.size() / 2] ^= 1;
           cli::decode_checkpoint(b, "x.ckpt");
         },
         {"x.ckpt", "checksum mismatch"}),
      re("ckpt_truncated",
         [] {
           Bytes b = good_bytes();
           b.resize(b.size() - 10);
           cli::decode_checkpoint(b, "t.ckpt");
         },
         {"t.ckpt", "checksum mismatch"}),
      re("ckpt_header_length_past_end",
         [] {
           Bytes b = good_bytes();
           b[12] = 0xFF, b[13] = 0xFF, b[14] = 0xFF;
           reseal(b);
           cli::decode_checkpoint(b, "h.ckpt");
         },
         {"h.ckpt", "header length", "offset 12"}),
      re("ckpt_header_not_json",
         [] {
           Bytes b = good_bytes();
           b[20] = '!';
           reseal(b);
           cli::decode_checkpoint(b, "j.ckpt");
         },
         {"j.ckpt", "JSON", "offset 20"}),
      re("ckpt_tensor_data_outside_file",
         [] {
           cli::decode_checkpoint(raw_checkpoint({{"tensors", {tensor_entry("w", {2}, 4, 8)}}}, 8), "o.ckpt");
         },
         {"o.ckpt", "'w'", "outside the file"}),
      re("ckpt_tensor_size_not_its_shape",
         [] {
           cli::decode_checkpoint(raw_checkpoint({{"tensors", {tensor_entry("w", {2}, 0, 12)}}}, 12), "z.ckpt");
         },
         {"z.ckpt", "'w'", "(2)"}),
      re("ckpt_tensor_negative_shape",
         [] {
           cli::decode_checkpoint(raw_checkpoint({{"tensors", {tensor_entry("w", {-2}, 0, 8)}}}, 8), "n.ckpt");
         },
         {"n.ckpt", "'w'", "-2"}),
      re("ckpt_tensor_absurd_shape",
         [] {
           cli::decode_checkpoint(
               raw_checkpoint({{"tensors", {tensor_entry("w", {int64_t{1} << 40, int64_t{1} << 40}, 0, 8)}}}, 8),
               "a.ckpt");
         },
         {"a.ckpt", "'w'"}),
      // Found by fuzz_checkpoint: a float in the tensor table was converted
      // to int64 with undefined behaviour (tests/reliability/fuzz_crashes/).
      re("ckpt_float_shape_entry",
         [] {
           nlohmann::json h = {{"tensors", {tensor_entry("w", {2}, 0, 8)}}};
           h["tensors"][0]["shape"] = {4.8e19};
           cli::decode_checkpoint(raw_checkpoint(h, 8), "f.ckpt");
         },
         {"f.ckpt", "'w'", "integers"}),
      re("ckpt_fractional_offset",
         [] {
           nlohmann::json h = {{"tensors", {tensor_entry("w", {2}, 0, 8)}}};
           h["tensors"][0]["offset"] = 0.5;
           cli::decode_checkpoint(raw_checkpoint(h, 8), "o5.ckpt");
         },
         {"o5.ckpt", "'w'", "integers"}),
      re("ckpt_duplicate_tensor_name",
         [] {
           cli::decode_checkpoint(
               raw_checkpoint({{"tensors", {tensor_entry("w", {1}, 0, 4), tensor_entry("w", {1}, 4, 4)}}}, 8),
               "d.ckpt");
         },
         {"d.ckpt", "w"}),
      re("ckpt_no_tensor_table",
         [] {
           cli::decode_checkpoint(raw_checkpoint({{"config", 1}}, 0), "t.ckpt");
         },
         {"t.ckpt", "tensor table"}),
      re("ckpt_unknown_dtype",
         [] {
           Bytes b = good_bytes();
           patch(b, "Float32", "Float99");
           reseal(b);
           cli::decode_checkpoint(b, "d.ckpt");
         },
         {"d.ckpt", "unknown dtype", "Float99"}),
      re("ckpt_tensor_shape_does_not_match_model",
         [] {
           cli::Checkpoint c = good_checkpoint();
           cli::Checkpoint bad;
           bad.meta = c.meta;
           for (const auto& [k, t] : c.tensors)
             bad.tensors.insert(k, k == "model.0.bias" ? zeros({5}) : t);
           cli::load_model(cli::decode_checkpoint(cli::encode_checkpoint(bad), "s.ckpt"), "s.ckpt");
         },
         {"s.ckpt", "does not match the model", "0.bias", "(5)", "(4)"}),
      re("ckpt_missing_model_tensors",
         [] {
           cli::Checkpoint c = good_checkpoint();
           c.tensors = {};
           cli::load_model(c, "n.ckpt");
         },
         {"n.ckpt", "missing key \"0.weight\""}),
      re("ckpt_model_spec_does_not_match_tensors",
         [] {
           cli::Checkpoint c = good_checkpoint();
           c.meta["config"]["model"] = "mlp:4,4";
           cli::load_model(c, "p.ckpt");
         },
         {"p.ckpt", "mlp:4,4"}),
      re("ckpt_huge_spec_refused_before_building",
         [] {
           // Spec mlp:4,8192,8192 over tensors of an mlp:4: building it first
           // would allocate 256 MB before load_state_dict noticed.
           cli::Checkpoint c = good_checkpoint();
           c.meta["config"]["model"] = "mlp:4,8192,8192";
           c.tensors.insert("model.6.weight", zeros({3, 8192}));
           cli::load_model(c, "h.ckpt");
         },
         {"h.ckpt", "'mlp:4,8192,8192'", "67182607 parameters", "holds 24603"}),
      re("ckpt_huge_data_record_refused_before_building",
         [] {
           // A data record claiming 2^31 inputs for an mlp:4.
           cli::Checkpoint c = good_checkpoint();
           c.meta["data"]["in_features"] = int64_t{1} << 31;
           c.meta["data"]["normalizer"] = {{"mean", {0.0}}, {"std", {1.0}}};
           cli::load_model(c, "d.ckpt");
         },
         {"d.ckpt", "2147483648 inputs", "holds 27"}),
      re("ckpt_bad_config",
         [] {
           cli::Checkpoint c = good_checkpoint();
           c.meta["config"].erase("epochs");
           cli::load_model(c, "cfg.ckpt");
         },
         {"cfg.ckpt", "epochs"}),
      re("config_wrong_type",
         [] {
           cli::config_from_json({{"dataset", 3}});
         },
         {"config"}),
      // Found by fuzz_specs: "epochs": 3.2e125 was cast to int64 (undefined behaviour).
      re("config_float_epochs",
         [] {
           nlohmann::json j = cli::to_json(cli::TrainConfig{});
           j["epochs"] = 3.2e125;
           cli::config_from_json(j);
         },
         {"config", "'epochs'", "integer", "3.2e+125"}),
  };
}

std::vector<BadInput> spec_rows() {
  return {
      ia("dataset_unknown", [] { cli::parse_dataset_spec("cifar10"); }, {"--dataset 'cifar10'", "unknown dataset"}),
      ia("dataset_empty", [] { cli::parse_dataset_spec(""); }, {"--dataset ''"}),
      ia("dataset_csv_without_label", [] { cli::parse_dataset_spec("csv:data.csv"); },
         {"--dataset 'csv:data.csv'", "label"}),
      ia("dataset_csv_empty_path", [] { cli::parse_dataset_spec("csv::y"); }, {"--dataset 'csv::y'"}),
      ia("dataset_idx_without_dir", [] { cli::parse_dataset_spec("idx:"); }, {"--dataset 'idx:'", "directory"}),
      ia("model_unknown_kind", [] { cli::parse_model_spec("cnn:3"); }, {"--model 'cnn:3'", "unknown model kind"}),
      ia("model_zero_hidden", [] { cli::parse_model_spec("mlp:0"); }, {"--model 'mlp:0'", "0"}),
      ia("model_negative_hidden", [] { cli::parse_model_spec("mlp:-4"); }, {"--model 'mlp:-4'", "-4"}),
      ia("model_huge_hidden", [] { cli::parse_model_spec("mlp:99999999999999999999"); }, {"--model", "99999999999999999999"}),
      ia("model_not_a_number", [] { cli::parse_model_spec("mlp:12x"); }, {"--model 'mlp:12x'", "12x"}),
      ia("model_empty_hidden", [] { cli::parse_model_spec("mlp:8,,4"); }, {"--model 'mlp:8,,4'"}),
      ia("model_trailing_comma", [] { cli::parse_model_spec("mlp:8,"); }, {"--model 'mlp:8,'"}),
      ia("model_unknown_activation", [] { cli::parse_model_spec("mlp:8:swish"); }, {"--model 'mlp:8:swish'", "swish"}),
      ia("model_prefix_only", [] { cli::parse_model_spec("mlpx"); }, {"--model 'mlpx'"}),
  };
}

}  // namespace gradlab::rely
