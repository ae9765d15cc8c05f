// fuzz/targets.cpp — the fuzz targets (see targets.h): feed bytes to a reader,
// accept only its documented exception, check what it accepted.
#include "fuzz/targets.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/ops.h"
#include "datasets/csv.h"
#include "datasets/dataset.h"
#include "datasets/gzip.h"
#include "datasets/idx.h"
#include "datasets/npy.h"
#include "tools/train/checkpoint.h"
#include "tools/train/run_config.h"
#include "tools/train/trainer.h"

namespace gradlab::fuzz {

namespace {

// A broken invariant: report and abort (libFuzzer saves the input).
[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

std::vector<uint8_t> bytes_of(const uint8_t* data, std::size_t size) {
  return std::vector<uint8_t>(data, data + size);
}

// Runs fn; a std::runtime_error (the documented rejection of bad bytes) is
// swallowed, anything else propagates. Returns true if fn returned normally.
template <class Fn> bool accepts(Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

// ---- IDX ---------------------------------------------------------------------

void check_images(const Tensor& t) {
  if (t.dim() != 3 || t.dtype() != DType::Float32) fail("idx images: not a 3-D Float32 tensor");
  if (t.numel() != t.size(0) * t.size(1) * t.size(2)) fail("idx images: numel does not match the shape");
  for (float v : t.to_vector<float>())
    if (!(v >= 0.0f && v <= 1.0f)) fail("idx images: scaled pixel outside [0, 1]");
}

void check_labels(const Tensor& t) {
  if (t.dim() != 1 || t.dtype() != DType::Int64) fail("idx labels: not a 1-D Int64 tensor");
  for (int64_t v : t.to_vector<int64_t>())
    if (v < 0 || v > 255) fail("idx labels: label outside [0, 255]");
}

void parse_idx_both(const std::vector<uint8_t>& bytes, const std::string& name) {
  accepts([&] { check_images(data::parse_idx_images(bytes, name)); });
  accepts([&] { check_labels(data::parse_idx_labels(bytes, name)); });
}

// gzip-compresses `in` (one member, default level).
std::vector<uint8_t> gzip_compress(const uint8_t* in, std::size_t n) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fail("deflateInit2 failed");
  std::vector<uint8_t> out(deflateBound(&zs, static_cast<uLong>(n)) + 32);
  zs.next_in = const_cast<Bytef*>(in);
  zs.avail_in = static_cast<uInt>(n);
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) fail("deflate did not finish");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// ---- checkpoints -------------------------------------------------------------

void put_crc(std::vector<uint8_t>& b) {
  if (b.size() < 4) return;
  const std::size_t body = b.size() - 4;
  const uint32_t crc = static_cast<uint32_t>(crc32(0L, b.data(), static_cast<uInt>(body)));
  for (int i = 0; i < 4; ++i) b[body + static_cast<std::size_t>(i)] = static_cast<uint8_t>(crc >> (8 * i));
}

void check_same(const cli::Checkpoint& a, const cli::Checkpoint& b) {
  if (a.meta != b.meta) fail("checkpoint: metadata changed in an encode/decode round trip");
  if (a.tensors.keys() != b.tensors.keys()) fail("checkpoint: tensor names changed in a round trip");
  for (const auto& [k, t] : a.tensors) {
    const Tensor& u = b.tensors.at(k);
    if (t.dtype() != u.dtype() || t.shape() != u.shape() || !equal(t, u))
      fail("checkpoint: tensor '" + k + "' changed in a round trip");
  }
}

}  // namespace

int idx_raw(const uint8_t* data, std::size_t size) {
  if (data::is_gzip(data, size)) return 0;
  parse_idx_both(bytes_of(data, size), "fuzz.idx");
  return 0;
}

int idx_gzip(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool as_is = data[0] & 1;
  const std::vector<uint8_t> gz = as_is ? bytes_of(data + 1, size - 1) : gzip_compress(data + 1, size - 1);
  parse_idx_both(gz, "fuzz.idx.gz");
  // gunzip's bomb guard: never more than max_bytes out.
  accepts([&] {
    const std::vector<uint8_t> out = data::gunzip(gz.data(), gz.size(), "fuzz.gz", 4096);
    if (out.size() > 4096) fail("gunzip returned more than max_bytes");
    if (!as_is && out != bytes_of(data + 1, size - 1) && size - 1 <= 4096) fail("gunzip changed the bytes");
  });
  return 0;
}

int csv(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr char kDelims[] = {',', ';', '\t', '|'};
  const data::CsvOptions opts{.label_column = "label", .delimiter = kDelims[data[0] % 4]};
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  accepts([&] {
    const data::Dataset d = data::parse_csv(text, "fuzz.csv", opts);
    try {
      data::validate(d, "fuzz csv");
    } catch (const std::invalid_argument& e) {
      fail(std::string("csv: accepted a dataset that does not validate: ") + e.what());
    }
    if (d.features.dim() != 2 || d.features.dtype() != DType::Float32) fail("csv: features not (N, F) Float32");
    for (float v : d.features.to_vector<float>())
      if (!std::isfinite(v)) fail("csv: accepted a non-finite feature");
  });
  return 0;
}

int npy(const uint8_t* data, std::size_t size) {
  accepts([&] {
    const Tensor t = data::parse_npy(bytes_of(data, size), "fuzz.npy");
    if (!t.is_contiguous()) fail("npy: result not contiguous");
    const Tensor u = data::parse_npy(data::serialize_npy(t), "roundtrip.npy");
    if (u.dtype() != t.dtype() || u.shape() != t.shape() || !equal(t, u)) fail("npy: save/load round trip differs");
  });
  return 0;
}

int checkpoint(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::vector<uint8_t> b = bytes_of(data + 1, size - 1);
  if (data[0] & 1) put_crc(b);
  cli::Checkpoint ck;
  if (!accepts([&] { ck = cli::decode_checkpoint(b, "fuzz.ckpt"); })) return 0;
  check_same(ck, cli::decode_checkpoint(cli::encode_checkpoint(ck), "roundtrip.ckpt"));
  // What `gradlab eval` does next. Bad metadata or tensors that do not fit
  // the model are runtime_error (or invalid_argument from a spec): exit 2.
  try {
    cli::LoadedModel lm = cli::load_model(ck, "fuzz.ckpt");
    if (!lm.model || lm.in_features < 1 || lm.num_classes < 1) fail("load_model: accepted a model with no shape");
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}

int specs(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string s(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      try {
        const cli::DatasetSpec d = cli::parse_dataset_spec(s);
        if (d.text != s) fail("parse_dataset_spec: text not kept");
        if ((d.kind == cli::DatasetSpec::Kind::Csv || d.kind == cli::DatasetSpec::Kind::Idx) && d.path.empty())
          fail("parse_dataset_spec: accepted a file spec with no path");
        if (d.kind == cli::DatasetSpec::Kind::Csv && d.label.empty()) fail("parse_dataset_spec: csv without label");
      } catch (const std::invalid_argument&) {
      }
      break;
    case 1:
      try {
        const cli::ModelSpec m = cli::parse_model_spec(s);
        for (int64_t h : m.hidden)
          if (h < 1 || h > 65536) fail("parse_model_spec: accepted hidden size " + std::to_string(h));
      } catch (const std::invalid_argument&) {
      }
      break;
    default: {
      const nlohmann::json j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) break;
      accepts([&] {
        const cli::TrainConfig c = cli::config_from_json(j);
        if (cli::to_json(cli::config_from_json(cli::to_json(c))) != cli::to_json(c))
          fail("config_from_json: to_json round trip differs");
      });
    }
  }
  return 0;
}

const std::vector<Target>& all_targets() {
  static const std::vector<Target> targets = {
      {"idx_raw", idx_raw}, {"idx_gzip", idx_gzip},     {"csv", csv},
      {"npy", npy},         {"checkpoint", checkpoint}, {"specs", specs},
  };
  return targets;
}

}  // namespace gradlab::fuzz
