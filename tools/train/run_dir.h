// tools/train/run_dir.h — a run's directory: claimed before anything is
// written, locked while the run lives, and the only place the run writes.
//
//   <run>/config.json      the run record: id, settings, history of resumes
//   <run>/checkpoint.ckpt  rewritten atomically after every epoch (and on a stop)
//   <run>/metrics.csv      never ahead of checkpoint.ckpt
//   <run>/curves.svg, confusion.txt, confusion.csv   at the end
//   <run>/.gradlab.lock    held (flock) while a gradlab works in it
//
// A new run claims its directory exclusively (mkdir, or an exclusive lock
// file in an existing empty one), so two runs started at once never share
// one. A resumed run continues in its own directory, recognised by the run
// id that config.json and every checkpoint carry, or in a new one given by
// --out; it never writes next to a checkpoint that was copied elsewhere.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tools/train/checkpoint.h"
#include "tools/train/run_config.h"

namespace gradlab::cli {

// config.json: which run this is and what happened to it.
struct RunRecord {
  std::string id;                                    // random, 16 hex digits
  TrainConfig config;                                // the current settings
  nlohmann::json history = nlohmann::json::array();  // {"event": "start"|"resume"|"branch", ...}
};
nlohmann::json to_json(const RunRecord& r);
// std::runtime_error "<path>: <what>" (path names the file in messages).
RunRecord run_record_from_json(const nlohmann::json& j, const std::string& path);
RunRecord read_run_record(const std::string& path);
std::string new_run_id();
// "2026-11-03T12:00:00Z"
std::string utc_now();

// The directory a new run will claim, checked but not created: `out`, or
// runs/<dataset>-<YYYYmmdd-HHMMSS> (numbered -2, -3, ... if taken when
// claimed). ExitError{2} if `out` exists and is not an empty directory,
// saying how to continue or restart the run it holds; or if its absolute
// path is not UTF-8 (it is recorded in JSON).
struct NewRunDir {
  std::filesystem::path path;  // absolute
  bool numbered = false;       // a default name: take the next free number
};
NewRunDir plan_new_run_dir(const std::string& out, const std::string& dataset);

// Where a --resume continues, found before anything is written.
struct ResumeSource {
  std::optional<Checkpoint> checkpoint;  // absent: restart a run that stopped before its first
  std::string checkpoint_path;           // as given, or <dir>/checkpoint.ckpt
  RunRecord record;                      // the run's record (from its directory or checkpoint)
  std::filesystem::path dir;             // where to write: the run's own directory, or --out
  bool branch = false;                   // dir is a new directory (--out) to be claimed
};
// `arg` is a checkpoint file or a run directory (its checkpoint.ckpt, or,
// when it has none, its config.json: a restart from scratch). ExitError{2}
// or std::runtime_error naming the path when the checkpoint cannot be used,
// or when continuing would write anywhere but the run's own directory (a
// copied checkpoint whose run has moved on: give --out for a new directory).
ResumeSource resolve_resume(const std::string& arg, const std::string& out);

class RunDir {
 public:
  // Claims a new directory (see plan_new_run_dir) and locks it.
  static RunDir create(const NewRunDir& plan);
  // Locks an existing run directory; ExitError{2} if another gradlab holds it.
  static RunDir open(const std::filesystem::path& dir);
  RunDir(RunDir&& other) noexcept;
  RunDir& operator=(RunDir&&) = delete;
  ~RunDir();  // removes the lock file and releases the lock

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes <dir>/name atomically (temporary, fsync, rename).
  void write(const std::string& name, const std::string& content) const;

 private:
  RunDir(std::filesystem::path path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}
  std::filesystem::path path_;
  int lock_fd_ = -1;
};

}  // namespace gradlab::cli
