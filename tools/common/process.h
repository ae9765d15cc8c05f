// tools/common/process.h — run one child process with limits (used by
// `gradlab lab check` and `gradlab grade`).
//
// The child runs in its own process group and working directory, with its
// stdout and stderr sent to one file, stdin from /dev/null, and optional
// limits: wall-clock time (the whole group is killed with SIGKILL),
// address space (RLIMIT_AS, so a runaway allocation fails with bad_alloc
// instead of eating the machine), CPU time (RLIMIT_CPU) and file size
// (RLIMIT_FSIZE). Safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace gradlab::labtools {

struct Limits {
  double wall_seconds = 0;      // 0 = none; else SIGKILL to the group after this long
  std::uint64_t memory_mb = 0;  // 0 = none; RLIMIT_AS
  double cpu_seconds = 0;       // 0 = none; RLIMIT_CPU (SIGXCPU, then SIGKILL)
  std::uint64_t file_mb = 512;  // 0 = none; RLIMIT_FSIZE (largest file it may write)
};

struct ProcessResult {
  bool started = false;    // false: fork/exec failed (see error)
  int exit_code = -1;      // valid when signal == 0 and !timed_out
  int signal = 0;          // the signal that ended it (SIGKILL after a timeout)
  bool timed_out = false;  // killed by the wall-clock limit
  double seconds = 0;      // wall-clock time
  std::string error;       // why it did not start

  bool ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }
  // "exit code 1", "killed by SIGSEGV (segmentation fault)", "timed out after 5 s", ...
  std::string describe() const;
};

// Runs argv (argv[0] is looked up on PATH unless it contains a '/') in `cwd`,
// writing stdout+stderr to `output` (truncated). `env` entries (NAME, value)
// are added to, or replace, the current environment.
ProcessResult run_process(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                          const std::filesystem::path& output, const Limits& limits,
                          const std::vector<std::pair<std::string, std::string>>& env = {});

// "SIGSEGV", "SIGABRT", ... ("signal 42" for unknown ones).
std::string signal_name(int sig);
// "segmentation fault", "aborted", ... (empty when there is nothing to add).
std::string signal_meaning(int sig);

// The file's contents, at most max_bytes (with a note when cut); "" if absent.
std::string read_text(const std::filesystem::path& path, std::size_t max_bytes = 1 << 20);

}  // namespace gradlab::labtools
