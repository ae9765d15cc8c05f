// tools/lab/common.h — what `gradlab lab` and `gradlab grade` share: finding
// the phases (labs/NN_topic/), their manifests, the build directory and what
// CMake recorded about each phase there (cmake/GradlabLab.cmake).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gradlab::labtools {

namespace fs = std::filesystem;
using nlohmann::json;

// One labs/NN_topic/ folder.
struct Phase {
  std::string id;      // "02_logsoftmax"
  std::string number;  // "02"
  std::string topic;   // "logsoftmax"
  std::string title;   // first "# " heading of its README.md (or the topic)
  fs::path dir;
  json manifest;  // manifest.json ({} if absent)

  std::string lab() const { return "lab" + number; }  // "lab02": target prefix
  // manifest "sources" (paths relative to dir), e.g. {"starter/logsoftmax.cpp"}.
  std::vector<std::string> sources() const;
  std::vector<std::string> taught_symbols() const;
  // Points for one test ("Suite.Name"): exact entry, then "Suite.*", then
  // "default", then 1.
  double points_for(const std::string& test) const;
  // The student's own tests, if the phase has them: manifest "my_tests"
  // {"source", "points"}, else starter/my_tests.cpp with 10 points.
  std::optional<std::string> my_tests_source() const;
  double my_tests_points() const;
};

// Points lookup shared by manifests and --extra-tests points.json.
double lookup_points(const json& points, const std::string& test, double fallback);

// The phases under labs_dir, sorted by number (folders NN_* with a lab.h).
std::vector<Phase> discover_phases(const fs::path& labs_dir);
// "2", "02", "02_logsoftmax" or "logsoftmax" -> the phase; nullptr if none.
const Phase* find_phase(const std::vector<Phase>& phases, const std::string& query);

// The source tree compiled into this binary (GRADLAB_SOURCE_DIR).
fs::path source_dir();
// The build tree: --build-dir if given, else $GRADLAB_BUILD_DIR, else the tree
// this executable was built in (<build>/tools/gradlab), else the compiled-in
// GRADLAB_BINARY_DIR, else <source>/build.
fs::path find_build_dir(const std::string& flag);

// What cmake/GradlabLab.cmake generated for a phase:
// <build>/labs/grade/labNN.json. nullopt if the phase is not in that build.
std::optional<json> load_build_info(const fs::path& build_dir, const Phase& phase);
// As load_build_info, but when it is missing re-runs CMake's configure step
// once (a new phase folder or suite appears only after reconfiguring).
std::optional<json> load_build_info_or_configure(const fs::path& build_dir, const Phase& phase,
                                                 const fs::path& log);

// `cmake --build build_dir --target t1 t2 ...`, output to `log`. Returns true
// on success.
bool cmake_build(const fs::path& build_dir, const std::vector<std::string>& targets,
                 const fs::path& log, double* seconds = nullptr);

// The compiler's error lines from a build log, shortened for a person: lines
// mentioning "error" and the few lines after each, at most max_lines.
std::string compiler_errors(const std::string& log, std::size_t max_lines = 20);

// Small text helpers.
std::vector<std::string> split_lines(const std::string& text);
std::string trim(const std::string& s);
std::string join(const std::vector<std::string>& items, const std::string& sep);
// Replaces every occurrence of `from` by `to`.
std::string replace_all(std::string text, const std::string& from, const std::string& to);
json read_json_file(const fs::path& path);  // throws std::runtime_error naming the file
void write_text_file(const fs::path& path, const std::string& text);
std::string now_iso8601();

}  // namespace gradlab::labtools
