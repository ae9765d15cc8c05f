// tests/reliability/rely_util.h — helpers shared by the reliability suites:
// a scratch directory removed on scope exit, file writing, gzip compression,
// and running the `gradlab` binary as a child process (to completion, or in
// the background to be killed).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace gradlab::rely {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR, removed (recursively) by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag = "rely") {
    std::string tmpl = (fs::temp_directory_path() / ("gradlab-" + tag + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}
inline void write_text(const std::string& path, const std::string& text) {
  write_bytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}
inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
inline std::string read_text(const std::string& path) {
  const std::vector<uint8_t> b = read_bytes(path);
  return std::string(b.begin(), b.end());
}

// gzip-compress (one member with header and CRC, as `gzip` writes).
inline std::vector<uint8_t> gzip_bytes(const std::vector<uint8_t>& in) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::vector<uint8_t> out(deflateBound(&z, static_cast<uLong>(in.size())) + 64);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A started child process: its pid and the file its stdout+stderr go to.
struct Child {
  pid_t pid = -1;
  std::string log;
};

// How to start a child besides its arguments.
struct SpawnOptions {
  std::vector<std::string> env = {};  // "NAME=VALUE": added to, or replacing, the environment
  std::string cwd = {};               // "" = the current directory
  int stdout_fd = -1;                 // -1: the log file; else this descriptor
  uint64_t address_space = 0;         // > 0: RLIMIT_AS in bytes (as `ulimit -v`)
};

// Starts `argv` (argv[0] a path) with stdout and stderr sent to `log_path`.
inline Child spawn(const std::vector<std::string>& argv, const std::string& log_path,
                   const SpawnOptions& opts = {}) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The environment, prepared before fork (the child only calls execve).
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    bool replaced = false;
    for (const std::string& o : opts.env)
      replaced = replaced || entry.rfind(o.substr(0, o.find('=') + 1), 0) == 0;
    if (!replaced) env_strings.push_back(entry);
  }
  env_strings.insert(env_strings.end(), opts.env.begin(), opts.env.end());
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(opts.stdout_fd >= 0 ? opts.stdout_fd : fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    if (!opts.cwd.empty() && ::chdir(opts.cwd.c_str()) != 0) ::_exit(126);
    if (opts.address_space > 0) {
      struct rlimit lim;
      lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(opts.address_space);
      if (::setrlimit(RLIMIT_AS, &lim) != 0) ::_exit(125);
    }
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  return {pid, log_path};
}

// Waits for the child; returns its exit code, or 128 + signal if killed.
inline int wait_child(const Child& c) {
  int status = 0;
  while (::waitpid(c.pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

struct RunResult {
  int code = -1;
  std::string output;  // stdout and stderr interleaved
};

// Runs `argv` to completion, capturing its output through a file in `dir`.
inline RunResult run(const std::vector<std::string>& argv, const fs::path& dir,
                     const SpawnOptions& opts = {}) {
  static int counter = 0;
  const std::string log = (dir / ("run-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".log")).string();
  const Child c = spawn(argv, log, opts);
  RunResult r;
  r.code = wait_child(c);
  r.output = read_text(log);
  fs::remove(log);
  return r;
}

}  // namespace gradlab::rely
