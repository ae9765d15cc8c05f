// tools/common/process.cpp — fork + setrlimit + exec, with a wall-clock kill.
// See tools/common/process.h.
#include "tools/common/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

extern char** environ;

namespace gradlab::labtools {
namespace fs = std::filesystem;

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGFPE:
      return "SIGFPE";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGXCPU:
      return "SIGXCPU";
    case SIGXFSZ:
      return "SIGXFSZ";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGINT:
      return "SIGINT";
    default:
      return "signal " + std::to_string(sig);
  }
}

std::string signal_meaning(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "segmentation fault: invalid memory access";
    case SIGABRT:
      return "aborted (failed assert, std::terminate or abort())";
    case SIGFPE:
      return "arithmetic exception (integer division by zero?)";
    case SIGBUS:
      return "bus error: invalid memory access";
    case SIGILL:
      return "illegal instruction";
    case SIGKILL:
      return "killed";
    case SIGXCPU:
      return "CPU time limit exceeded";
    case SIGXFSZ:
      return "file size limit exceeded";
    default:
      return "";
  }
}

std::string ProcessResult::describe() const {
  std::ostringstream out;
  if (!started) {
    out << "could not start: " << error;
  } else if (timed_out) {
    out << "timed out after " << std::llround(seconds) << " s";
  } else if (signal != 0) {
    out << "killed by " << signal_name(signal);
    if (const auto meaning = signal_meaning(signal); !meaning.empty())
      out << " (" << meaning << ")";
  } else {
    out << "exit code " << exit_code;
  }
  return out.str();
}

std::string read_text(const fs::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string text(max_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(max_bytes));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.peek() != std::char_traits<char>::eof()) text += "\n[... output cut ...]\n";
  return text;
}

namespace {

// argv[0] resolved against PATH in the parent (execve in the child then needs
// no allocation: only async-signal-safe calls happen between fork and exec).
std::string resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return name;
}

void set_limit(int resource, rlim_t value) {
  struct rlimit lim;
  lim.rlim_cur = value;
  lim.rlim_max = value;
  ::setrlimit(resource, &lim);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const fs::path& cwd,
                          const fs::path& output, const Limits& limits,
                          const std::vector<std::pair<std::string, std::string>>& env) {
  ProcessResult result;
  if (argv.empty()) {
    result.error = "empty command";
    return result;
  }
  // ---- everything the child needs, prepared before fork ----------------------
  const std::string program = resolve_program(argv[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : env) vars[name] = value;
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : vars) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  const std::string cwd_str = cwd.string();
  const std::string out_str = output.string();
  const auto mb = [](std::uint64_t m) { return static_cast<rlim_t>(m) * 1024 * 1024; };

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    result.error = std::string("fork failed: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    // ---- child: async-signal-safe calls only ---------------------------------
    ::setpgid(0, 0);
    const int out = ::open(out_str.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || in < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::close_range(3, ~0U, 0);
    if (::chdir(cwd_str.c_str()) != 0) ::_exit(127);
    set_limit(RLIMIT_CORE, 0);
    if (limits.memory_mb > 0) set_limit(RLIMIT_AS, mb(limits.memory_mb));
    if (limits.file_mb > 0) set_limit(RLIMIT_FSIZE, mb(limits.file_mb));
    if (limits.cpu_seconds > 0) {
      struct rlimit lim;
      lim.rlim_cur = static_cast<rlim_t>(std::ceil(limits.cpu_seconds));
      lim.rlim_max = lim.rlim_cur + 1;  // SIGXCPU first, SIGKILL a second later
      ::setrlimit(RLIMIT_CPU, &lim);
    }
    ::execve(program.c_str(), args.data(), envp.data());
    ::_exit(127);
  }
  // Also set the group from the parent: no race with the kill below.
  ::setpgid(pid, pid);
  result.started = true;

  // ---- parent: wait, killing the whole group at the deadline ------------------
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    // WNOWAIT: the child stays a zombie, so its pid (= the group id) cannot be
    // reused before we kill what is left of its group below.
    siginfo_t info{};
    const int rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (rc == 0 && info.si_pid == pid) break;
    if (rc < 0 && errno != EINTR) {
      result.error = std::string("waitid failed: ") + std::strerror(errno);
      break;
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (limits.wall_seconds > 0 && elapsed > limits.wall_seconds && !result.timed_out) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
    }
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::milliseconds(20)) pause *= 2;
  }
  // Grandchildren the program left behind (same group) go too; then reap.
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
    if (result.exit_code == 127 && ::access(program.c_str(), X_OK) != 0) {
      result.started = false;
      result.error = "cannot execute " + program;
    }
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace gradlab::labtools
