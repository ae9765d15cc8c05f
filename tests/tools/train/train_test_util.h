// tests/tools/train/train_test_util.h — helpers shared by the tools/train
// suites: fresh scratch directories, file reading, metrics without seconds,
// and a run of the trainer into a directory (as `gradlab train` claims it).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tools/train/run_dir.h"
#include "tools/train/trainer.h"

namespace gradlab::cli::test {

namespace fs = std::filesystem;

// A fresh, empty directory under $TMPDIR for this test program.
inline fs::path fresh_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("gradlab-train-test-" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// metrics.csv without its last column (seconds).
inline std::string without_seconds(const std::string& csv) {
  std::istringstream in(csv);
  std::string line, out;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

inline TrainConfig spirals_config(int64_t epochs) {
  TrainConfig c;
  c.dataset = "spirals";
  c.epochs = epochs;
  c.val_fraction = 0.1;
  return c;
}

// Trains `c` from scratch into `dir` (an empty directory), as `gradlab train
// --out dir` does after its checks.
inline TrainOutcome run_into(const TrainConfig& c, const fs::path& dir) {
  TrainSession s = make_session(c, load_run_data(c), nullptr, "");
  s.run_id = "test";
  RunDir d = RunDir::create({fs::absolute(dir), false});
  return train_run(s, d);
}

}  // namespace gradlab::cli::test
