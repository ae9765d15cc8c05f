// tools/train/run_dir.cpp — see run_dir.h.
#include "tools/train/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>
#include <stdexcept>

#include "datasets/io.h"
#include "tools/commands.h"
#include "tools/train/utf8.h"

namespace gradlab::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLockName = ".gradlab.lock";
constexpr const char* kRecordName = "config.json";
constexpr const char* kCheckpointName = "checkpoint.ckpt";

[[noreturn]] void bad(const std::string& message) { throw ExitError{kExitBadInput, message}; }

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(p, ec));
}

fs::path absolute_of(const std::string& p, const std::string& flag) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  if (ec) bad(flag + " " + printable(p) + ": " + ec.message());
  a = a.lexically_normal();
  try {
    require_utf8(a.string(), flag, "gradlab records the run directory in its checkpoints");
  } catch (const std::invalid_argument& e) {
    bad(e.what());
  }
  return a;
}

// What an existing directory holds, as advice for whoever wants it.
std::string occupied(const fs::path& dir) {
  const std::string d = dir.string();
  if (present(dir / kCheckpointName))
    return "run directory " + d + " already exists and is not empty: it holds a run; continue " +
           "it with: gradlab train --resume " + (dir / kCheckpointName).string() +
           " (or choose another --out)";
  if (present(dir / kRecordName))
    return "run directory " + d + " already exists and is not empty: it holds a run that " +
           "stopped before its first checkpoint; restart it with: gradlab train --resume " + d +
           " (or choose another --out)";
  return "run directory " + d + " already exists and is not empty; choose another --out";
}

bool empty_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec) && !ec;
}

// Opens and flocks <dir>/.gradlab.lock; -1 with errno on failure.
int take_lock(const fs::path& dir, bool exclusive_create) {
  const std::string path = (dir / kLockName).string();
  const int fd =
      ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | (exclusive_create ? O_EXCL : 0), 0644);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return fd;
}

std::string lock_holder(const fs::path& dir) {
  std::string pid;
  try {
    const std::vector<uint8_t> b =
        data::read_file_head((dir / kLockName).string(), "lock", 32).bytes;
    pid.assign(b.begin(), b.end());
  } catch (const std::exception&) {
    return "";
  }
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "" : " (pid " + printable(pid) + ")";
}

std::string sanitized(const std::string& dataset) {
  std::string name = dataset;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  if (name.size() > 40) name.resize(40);
  return name;
}

std::optional<RunRecord> record_in(const fs::path& dir) {
  if (!present(dir / kRecordName)) return std::nullopt;
  try {
    return read_run_record((dir / kRecordName).string());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

std::string progress_text(const Checkpoint& c) {
  const nlohmann::json* p = c.meta.contains("progress") ? &c.meta.at("progress") : nullptr;
  if (!p || !p->is_object() || !p->contains("epoch") || !p->contains("batch")) return "";
  return " (at epoch " + p->at("epoch").dump() + ", batch " + p->at("batch").dump() + ")";
}

}  // namespace

// ---- the run record ------------------------------------------------------------------

nlohmann::json to_json(const RunRecord& r) {
  return {{"format", "gradlab-run"},
          {"id", r.id},
          {"config", to_json(r.config)},
          {"history", r.history}};
}

RunRecord run_record_from_json(const nlohmann::json& j, const std::string& path) {
  try {
    if (!j.is_object() || j.value("format", "") != "gradlab-run")
      throw std::runtime_error("not a gradlab run record (no \"format\": \"gradlab-run\")");
    RunRecord r;
    r.id = j.at("id").get<std::string>();
    if (r.id.empty() || r.id.size() > 64) throw std::runtime_error("bad run id");
    r.config = config_from_json(j.at("config"));
    r.history = j.value("history", nlohmann::json::array());
    if (!r.history.is_array()) throw std::runtime_error("'history' must be an array");
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

RunRecord read_run_record(const std::string& path) {
  const std::vector<uint8_t> bytes = data::read_file_bytes(path, "run record", 1 << 24);
  const nlohmann::json j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded()) throw std::runtime_error(path + ": not valid JSON");
  return run_record_from_json(j, path);
}

std::string new_run_id() {
  std::random_device rd;
  const uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                     static_cast<uint64_t>(std::time(nullptr)) ^
                     (static_cast<uint64_t>(::getpid()) << 16);
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// ---- where a run goes ----------------------------------------------------------------

NewRunDir plan_new_run_dir(const std::string& out, const std::string& dataset) {
  NewRunDir plan;
  if (out.empty()) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    plan.path = absolute_of("runs/" + sanitized(dataset) + "-" + stamp, "the run directory");
    plan.numbered = true;
    return plan;
  }
  plan.path = absolute_of(out, "--out");
  std::error_code ec;
  const fs::file_status st = fs::status(plan.path, ec);
  if (fs::exists(st) && !fs::is_directory(st))
    bad("--out " + printable(out) + " exists and is not a directory");
  if (fs::exists(st) && !empty_dir(plan.path)) bad(occupied(plan.path));
  return plan;
}

ResumeSource resolve_resume(const std::string& arg, const std::string& out) {
  ResumeSource src;
  const fs::path given = absolute_of(arg, "--resume");
  std::error_code ec;
  if (fs::is_directory(given, ec)) {
    if (present(given / kCheckpointName)) {
      src.checkpoint_path = (given / kCheckpointName).string();
    } else if (present(given / kRecordName)) {
      // A run that stopped before its first checkpoint: start it again.
      src.record = read_run_record((given / kRecordName).string());
      src.dir = given;
    } else {
      bad("--resume " + printable(arg) + ": not a run directory (it holds neither " +
          kCheckpointName + " nor " + kRecordName + ")");
    }
  } else {
    src.checkpoint_path = arg;
  }

  fs::path home;  // the run's own directory
  if (!src.checkpoint_path.empty()) {
    src.checkpoint = load_checkpoint(src.checkpoint_path);
    const nlohmann::json& meta = src.checkpoint->meta;
    const nlohmann::json run = meta.value("run", nlohmann::json::object());
    if (!run.is_object() || !run.contains("id") || !run["id"].is_string() || !run.contains("dir") ||
        !run["dir"].is_string())
      throw std::runtime_error("checkpoint " + src.checkpoint_path +
                               ": no run record (id and directory); was it written by gradlab "
                               "train?");
    try {
      src.record.config = config_from_json(meta.at("config"));
    } catch (const std::exception& e) {
      throw std::runtime_error("checkpoint " + src.checkpoint_path + ": bad config: " + e.what());
    }
    src.record.id = run["id"].get<std::string>();
    const fs::path ckpt = absolute_of(src.checkpoint_path, "--resume");
    // The run's directory: where the checkpoint lies, or where it was written.
    for (const fs::path& candidate :
         {ckpt.parent_path(), fs::path(run["dir"].get<std::string>())}) {
      const std::optional<RunRecord> r = record_in(candidate);
      if (r && r->id == src.record.id) {
        home = candidate;
        src.record.history = r->history;
        break;
      }
    }
    if (!home.empty()) {
      const fs::path own = home / kCheckpointName;
      if (present(own) && !same_file(own, ckpt)) {
        // Another file than the run's own checkpoint: continuing it there
        // would replace that one, unless they are the same bytes.
        const bool same = data::read_file_bytes(own.string(), "checkpoint") ==
                          data::read_file_bytes(ckpt.string(), "checkpoint");
        if (!same && out.empty())
          bad("--resume " + printable(arg) + ": this is not the checkpoint of its run directory " +
              home.string() + ", which holds a newer or different one" +
              progress_text(load_checkpoint(own.string())) +
              "; continuing here would replace it. Resume " + own.string() +
              ", or give --out NEWDIR to continue " + printable(arg) + " in a new run directory");
      }
    } else if (out.empty()) {
      bad("--resume " + printable(arg) + ": its run directory " +
          printable(run["dir"].get<std::string>()) +
          " is not there (or holds another run), and gradlab writes only into a run's own "
          "directory; give --out NEWDIR to continue this checkpoint in a new run directory");
    }
    src.dir = home;
  } else {
    home = src.dir;
  }

  if (!out.empty()) {
    const fs::path target = absolute_of(out, "--out");
    if (!home.empty() && (target == home || same_file(target, home))) return src;
    if (!src.checkpoint)
      bad("--out " + printable(out) +
          ": a run that stopped before its first checkpoint restarts "
          "in its own directory " +
          home.string() + " (drop --out)");
    src.dir = plan_new_run_dir(out, src.record.config.dataset).path;
    src.branch = true;
  }
  return src;
}

// ---- the directory itself ------------------------------------------------------------

RunDir RunDir::create(const NewRunDir& plan) {
  std::error_code ec;
  fs::create_directories(plan.path.parent_path(), ec);
  if (ec) bad("cannot create " + plan.path.parent_path().string() + ": " + ec.message());
  for (int k = 1; k <= 1000; ++k) {
    const fs::path dir =
        k == 1 ? plan.path : fs::path(plan.path.string() + "-" + std::to_string(k));
    const bool made = ::mkdir(dir.c_str(), 0777) == 0;
    if (!made && errno != EEXIST)
      bad("cannot create run directory " + dir.string() + ": " + std::strerror(errno));
    if (!made && plan.numbered) continue;
    if (!made && !empty_dir(dir)) bad(occupied(dir));
    // Made now, or an empty directory given by --out: ours only if we are
    // the first to create its lock file (another run may be in between).
    const int fd = take_lock(dir, true);
    if (fd >= 0) return RunDir(dir, fd);
    if (errno != EEXIST)
      bad("cannot lock run directory " + dir.string() + ": " + std::strerror(errno));
    if (plan.numbered) continue;  // someone got in between: take the next name
    bad("run directory " + dir.string() + " is being claimed by another gradlab train" +
        lock_holder(dir));
  }
  bad("cannot find a free run directory name after " + plan.path.string() + "-1000");
}

RunDir RunDir::open(const fs::path& dir) {
  const int fd = take_lock(dir, false);
  if (fd < 0) {
    if (errno == EWOULDBLOCK)
      bad("run directory " + dir.string() + " is in use by another gradlab train" +
          lock_holder(dir));
    bad("cannot lock run directory " + dir.string() + ": " + std::strerror(errno));
  }
  return RunDir(dir, fd);
}

RunDir::RunDir(RunDir&& other) noexcept : path_(std::move(other.path_)), lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

RunDir::~RunDir() {
  if (lock_fd_ < 0) return;
  ::unlink((path_ / kLockName).c_str());
  ::close(lock_fd_);
}

void RunDir::write(const std::string& name, const std::string& content) const {
  write_file_atomic(file(name), content);
}

}  // namespace gradlab::cli
