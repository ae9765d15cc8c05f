// fuzz/targets.cpp — the fuzz targets (see targets.h): feed bytes to a reader,
// accept only its documented exception, check what it accepted.
#include "fuzz/targets.h"

#include <spdlog/spdlog.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/ops.h"
#include "datasets/csv.h"
#include "datasets/dataset.h"
#include "datasets/gzip.h"
#include "datasets/idx.h"
#include "datasets/npy.h"
#include "tools/commands.h"
#include "tools/train/checkpoint.h"
#include "tools/train/memory.h"
#include "tools/train/run_config.h"
#include "tools/train/specs.h"
#include "tools/train/train_cmd.h"
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

// ---- the train command ----------------------------------------------------------

namespace fs = std::filesystem;

// The working directory of a command target: its own directory under a
// fresh one made on first use, which the process moves into for each input
// (so relative paths in fuzzed arguments land there). Also a small memory
// budget (a fuzzed model or batch must be refused by the estimate, not
// allocated), quiet logs and a silent stdout.
fs::path command_scratch(const char* target) {
  static const fs::path base = [] {
    std::string tmpl = (fs::temp_directory_path() / "gradlab-fuzz-cli-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) fail("mkdtemp failed");
    static const std::string made = tmpl;
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(made, ec);
    });
    ::setenv("GRADLAB_MEMORY_LIMIT", "64M", 1);
    spdlog::set_level(spdlog::level::off);
    static std::ofstream null_stream;  // never opened: discards everything
    std::cout.rdbuf(null_stream.rdbuf());
    return fs::path(tmpl);
  }();
  const fs::path dir = base / target;
  fs::create_directories(dir);
  if (::chdir(dir.c_str()) != 0) fail("chdir failed");
  return dir;
}

// What may end a command without a finding: exit code 2 (bad input) or a
// documented exception.
template <class Fn>
bool command_accepts(Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const CLI::Error&) {
  } catch (const cli::ExitError& e) {
    if (e.code != cli::kExitBadInput)
      fail("exit code " + std::to_string(e.code) + " from a dry run: " + e.message);
  } catch (const std::invalid_argument&) {
  } catch (const std::runtime_error&) {
  }
  return false;
}

// Every entry under `dir` but those in `keep` (relative names).
std::vector<std::string> extra_entries(const fs::path& dir, const std::vector<std::string>& keep) {
  std::vector<std::string> extra;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string rel = fs::relative(e.path(), dir).string();
    if (std::find(keep.begin(), keep.end(), rel) == keep.end()) extra.push_back(rel);
  }
  return extra;
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
    if (!lm.model || lm.data.in_features < 1 || lm.data.num_classes < 1)
      fail("load_model: accepted a model with no shape");
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
        if ((d.kind == "csv" || d.kind == "idx") && d.path.empty())
          fail("parse_dataset_spec: accepted a file spec with no path");
        if (d.kind == "csv" && d.label.empty()) fail("parse_dataset_spec: csv without label");
        if (std::none_of(cli::dataset_kinds().begin(), cli::dataset_kinds().end(),
                         [&](const cli::DatasetKind& k) { return k.name == d.kind; }))
          fail("parse_dataset_spec: a kind outside the table");
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

int train_flags(const uint8_t* data, std::size_t size) {
  const fs::path dir = command_scratch("train_flags");
  std::vector<std::string> args = {"gradlab", "train"};
  bool has_dataset = false;
  std::string token;
  for (std::size_t i = 0; i <= size && args.size() < 40; ++i) {
    if (i == size || data[i] == 0 || data[i] == '\n') {
      if (token.find("fashion") != std::string::npos) return 0;  // slow to load; tested elsewhere
      has_dataset = has_dataset || token == "--dataset" || token.rfind("--dataset=", 0) == 0;
      args.push_back(token.substr(0, 256));
      token.clear();
    } else {
      token += static_cast<char>(data[i]);
    }
  }
  if (!has_dataset) args.insert(args.end(), {"--dataset", "moons"});
  args.push_back("--dry-run");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  command_accepts([&] {
    CLI::App app;
    cli::add_train_command(app);
    app.parse(static_cast<int>(argv.size()), argv.data());
  });
  const std::vector<std::string> extra = extra_entries(dir, {});
  if (!extra.empty()) fail("train --dry-run created " + extra.front());
  return 0;
}

int resume(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const fs::path dir = command_scratch("resume");
  const uint8_t mode = data[0];
  std::vector<uint8_t> bytes = bytes_of(data + 1, size - 1);
  if (mode & 1) put_crc(bytes);
  std::error_code ec;
  fs::remove_all(dir / "run", ec);
  fs::create_directories(dir / "run");
  {
    std::ofstream f(dir / "run" / "checkpoint.ckpt", std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  }
  // The run's record next to it, when the bytes name a run: the resume then
  // goes as deep as a real one.
  std::vector<std::string> keep = {"run", "run/checkpoint.ckpt"};
  accepts([&] {
    const cli::Checkpoint ck = cli::decode_checkpoint(bytes, "fuzz.ckpt");
    const nlohmann::json run = ck.meta.value("run", nlohmann::json());
    if (!run.is_object() || !run.contains("id") || !ck.meta.contains("config")) return;
    const nlohmann::json record = {{"format", "gradlab-run"},
                                   {"id", run["id"]},
                                   {"config", ck.meta["config"]},
                                   {"history", nlohmann::json::array()}};
    std::ofstream(dir / "run" / "config.json") << record.dump();
    keep.push_back("run/config.json");
  });
  cli::TrainRequest req;
  req.resume = "run/checkpoint.ckpt";
  req.dry_run = true;
  const int flag = (mode >> 1) % 8;
  const bool fixed_flag = flag == 4 || flag == 5;
  switch (flag) {
    case 1:
      req.flags = {{"epochs", "7"}};
      break;
    case 2:
      req.flags = {{"threads", "2"}};
      break;
    case 3:
      req.flags = {{"epochs", "1"}};
      break;
    case 4:
      req.flags = {{"lr", "0.5"}};
      break;
    case 5:
      req.flags = {{"seed", "3"}};
      break;
    case 6:
      req.out = "branch";
      break;
    case 7:
      req.resume = "run";
      break;
    default:
      break;
  }
  cli::TrainPlan plan;
  if (command_accepts([&] { plan = cli::plan_train(req); })) {
    if (fixed_flag) fail("resume accepted --" + req.flags[0].first + ", which may not change");
    const cli::RunState& st = plan.session.state;
    if (st.epoch > plan.cfg.epochs || st.batch < 0 ||
        (st.epoch < plan.cfg.epochs ? st.batch >= plan.session.batches_per_epoch : st.batch != 0))
      fail("resume accepted a position outside its run");
    if (!plan.resume || (!plan.resume->branch &&
                         plan.resume->dir.lexically_normal() != (dir / "run").lexically_normal()))
      fail("resume would write outside its own run directory: " + plan.resume->dir.string());
  }
  const std::vector<std::string> extra = extra_entries(dir, keep);
  if (!extra.empty()) fail("a resume dry run created " + extra.front());
  return 0;
}

const std::vector<Target>& all_targets() {
  static const std::vector<Target> targets = {
      {"idx_raw", idx_raw},
      {"idx_gzip", idx_gzip},
      {"csv", csv},
      {"npy", npy},
      {"checkpoint", checkpoint},
      {"specs", specs},
      {"train_flags", train_flags},
      {"resume", resume},
  };
  return targets;
}

}  // namespace gradlab::fuzz
