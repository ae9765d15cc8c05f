// tools/lab/common.cpp — phases, manifests, build directory. See tools/lab/common.h.
#include "tools/lab/common.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "tools/common/process.h"

#ifndef GRADLAB_SOURCE_DIR
#error "GRADLAB_SOURCE_DIR must be defined (tools/CMakeLists.txt)"
#endif

namespace gradlab::labtools {

// ---- text helpers -------------------------------------------------------------

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(path.string() + ": invalid JSON at byte " + std::to_string(e.byte) +
                             ": " + e.what());
  }
}

void write_text_file(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out << text;
  if (!out) throw std::runtime_error("error writing " + path.string());
}

std::string now_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// ---- phases -------------------------------------------------------------------

std::vector<std::string> Phase::sources() const {
  std::vector<std::string> out;
  if (manifest.contains("sources") && manifest["sources"].is_array())
    for (const auto& s : manifest["sources"])
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::vector<std::string> Phase::taught_symbols() const {
  std::vector<std::string> out;
  if (manifest.contains("taught_symbols") && manifest["taught_symbols"].is_array())
    for (const auto& s : manifest["taught_symbols"])
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

double lookup_points(const json& points, const std::string& test, double fallback) {
  if (!points.is_object()) return fallback;
  if (auto it = points.find(test); it != points.end() && it->is_number()) return it->get<double>();
  const auto dot = test.find('.');
  if (dot != std::string::npos) {
    if (auto it = points.find(test.substr(0, dot) + ".*"); it != points.end() && it->is_number())
      return it->get<double>();
  }
  if (auto it = points.find("default"); it != points.end() && it->is_number())
    return it->get<double>();
  return fallback;
}

double Phase::points_for(const std::string& test) const {
  return lookup_points(manifest.value("points", json::object()), test, 1.0);
}

std::optional<std::string> Phase::my_tests_source() const {
  if (manifest.contains("my_tests") && manifest["my_tests"].is_object())
    return manifest["my_tests"].value("source", std::string("starter/my_tests.cpp"));
  if (fs::exists(dir / "starter" / "my_tests.cpp")) return std::string("starter/my_tests.cpp");
  return std::nullopt;
}

double Phase::my_tests_points() const {
  if (manifest.contains("my_tests") && manifest["my_tests"].is_object())
    return manifest["my_tests"].value("points", 10.0);
  return 10.0;
}

namespace {
std::string readme_title(const fs::path& readme, const std::string& fallback) {
  std::ifstream in(readme);
  std::string line;
  // "# Phase 02 — Stable log-softmax" -> "Stable log-softmax"
  static const std::regex prefix_re(R"(^(Phase|Lab)\s*[0-9]+\s*(—|–|:|-|·|\.)?\s*)",
                                    std::regex::icase);
  while (std::getline(in, line)) {
    if (line.rfind("# ", 0) == 0) {
      const std::string title = trim(std::regex_replace(trim(line.substr(2)), prefix_re, ""));
      return title.empty() ? fallback : title;
    }
  }
  return fallback;
}
}  // namespace

std::vector<Phase> discover_phases(const fs::path& labs_dir) {
  std::vector<Phase> phases;
  std::error_code ec;
  if (!fs::is_directory(labs_dir, ec)) return phases;
  static const std::regex name_re("^([0-9][0-9])_([a-z0-9_]+)$");
  for (const auto& entry : fs::directory_iterator(labs_dir, ec)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    std::smatch m;
    if (!std::regex_match(name, m, name_re)) continue;
    if (!fs::exists(entry.path() / "lab.h")) continue;
    Phase p;
    p.id = name;
    p.number = m[1];
    p.topic = m[2];
    p.dir = entry.path();
    p.title = readme_title(p.dir / "README.md", p.topic);
    if (fs::exists(p.dir / "manifest.json")) p.manifest = read_json_file(p.dir / "manifest.json");
    if (!p.manifest.is_object()) p.manifest = json::object();
    phases.push_back(std::move(p));
  }
  std::sort(phases.begin(), phases.end(),
            [](const Phase& a, const Phase& b) { return a.id < b.id; });
  return phases;
}

const Phase* find_phase(const std::vector<Phase>& phases, const std::string& query) {
  std::string q = trim(query);
  if (q.size() == 1 && std::isdigit(static_cast<unsigned char>(q[0]))) q = "0" + q;
  for (const auto& p : phases)
    if (q == p.number || q == p.id || q == p.topic || q == p.lab()) return &p;
  return nullptr;
}

// ---- build directory ----------------------------------------------------------

fs::path source_dir() { return fs::path(GRADLAB_SOURCE_DIR); }

fs::path find_build_dir(const std::string& flag) {
  if (!flag.empty()) return fs::absolute(flag).lexically_normal();
  if (const char* env = std::getenv("GRADLAB_BUILD_DIR"); env && *env)
    return fs::absolute(env).lexically_normal();
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && exe.has_parent_path()) {
    const fs::path tree = exe.parent_path().parent_path();  // <build>/tools/gradlab
    if (fs::exists(tree / "CMakeCache.txt")) return tree;
  }
#ifdef GRADLAB_BINARY_DIR
  if (fs::exists(fs::path(GRADLAB_BINARY_DIR) / "CMakeCache.txt")) return GRADLAB_BINARY_DIR;
#endif
  return source_dir() / "build";
}

std::optional<json> load_build_info(const fs::path& build_dir, const Phase& phase) {
  const fs::path info = build_dir / "labs" / "grade" / (phase.lab() + ".json");
  if (!fs::exists(info)) return std::nullopt;
  return read_json_file(info);
}

std::optional<json> load_build_info_or_configure(const fs::path& build_dir, const Phase& phase,
                                                 const fs::path& log) {
  if (auto info = load_build_info(build_dir, phase)) return info;
  if (!fs::exists(build_dir / "CMakeCache.txt")) return std::nullopt;
  run_process({"cmake", build_dir.string()}, build_dir, log, Limits{600, 0, 0, 0});
  return load_build_info(build_dir, phase);
}

bool cmake_build(const fs::path& build_dir, const std::vector<std::string>& targets,
                 const fs::path& log, double* seconds) {
  std::vector<std::string> argv = {"cmake", "--build", build_dir.string(), "--target"};
  argv.insert(argv.end(), targets.begin(), targets.end());
  fs::create_directories(log.parent_path());
  const ProcessResult r = run_process(argv, build_dir, log, Limits{1800, 0, 0, 0});
  if (seconds) *seconds = r.seconds;
  return r.ok();
}

std::string compiler_errors(const std::string& log, std::size_t max_lines) {
  const auto lines = split_lines(log);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < lines.size() && out.size() < max_lines; ++i) {
    const std::string& l = lines[i];
    const bool is_error = l.find("error") != std::string::npos ||
                          l.find("CMake Error") != std::string::npos ||
                          l.find("undefined reference") != std::string::npos;
    if (!is_error) continue;
    if (l.rfind("FAILED:", 0) == 0 || l.rfind("ninja:", 0) == 0 ||
        l.find("collect2: error") != std::string::npos || l.rfind("gmake", 0) == 0)
      continue;
    out.push_back(l);
    // The compiler's context lines (source line, caret, notes) follow.
    for (std::size_t j = i + 1; j < lines.size() && j <= i + 3 && out.size() < max_lines; ++j) {
      if (lines[j].find("error") != std::string::npos) break;
      if (lines[j].rfind("FAILED:", 0) == 0 || lines[j].rfind("ninja:", 0) == 0) break;
      out.push_back(lines[j]);
      i = j;
    }
  }
  if (out.empty()) {  // no recognisable error line: the log's last lines
    const std::size_t from = lines.size() > max_lines ? lines.size() - max_lines : 0;
    out.assign(lines.begin() + static_cast<std::ptrdiff_t>(from), lines.end());
  }
  return join(out, "\n");
}

}  // namespace gradlab::labtools
