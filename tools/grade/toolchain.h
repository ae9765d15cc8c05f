// tools/grade/toolchain.h — compiling and linking a student's files the way
// CMake built the phase's reference, without running CMake per student.
//
// cmake/GradlabLab.cmake records, when labNN_reference is built, the exact
// compile command of reference.cpp, the compile command of the suite and the
// link command of labNN_reference (<build>/labs/grade/labNN_*.cmd: working
// directory, then one argument per line). The grader replays them:
//   compile  student.cpp -> student.o    reference.cpp's command, with -c/-o
//                                        swapped, dependency-file flags and
//                                        -Werror dropped (warnings stay)
//   link     suite objects + student.o   labNN_reference's command, with the
//                                        reference objects replaced
// so the flags, include paths and libraries are always the build's own.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/common/process.h"

namespace gradlab::labtools {

struct RecordedCommand {
  std::filesystem::path cwd;
  std::vector<std::string> args;
  static RecordedCommand load(const std::filesystem::path& file);  // throws runtime_error
};

class Toolchain {
 public:
  // From a phase's <build>/labs/grade/labNN.json. Throws std::runtime_error
  // when a recorded command is missing (labNN_reference not built yet).
  static Toolchain load(const nlohmann::json& info);

  enum class Flags { Student, Test };  // reference.cpp's flags, or the suite's
  // Compiles one source into `object`; the compiler's output goes to `log`.
  ProcessResult compile(const std::filesystem::path& source, const std::filesystem::path& object,
                        Flags flags, const std::filesystem::path& log, double timeout) const;

  // Links `objects` (+ the suite's objects when with_suite) into `exe`.
  ProcessResult link(const std::vector<std::filesystem::path>& objects, bool with_suite,
                     const std::filesystem::path& exe, const std::filesystem::path& log,
                     double timeout) const;

  const std::vector<std::filesystem::path>& reference_objects() const { return reference_objects_; }

 private:
  RecordedCommand compile_student_, compile_test_, link_;
  std::vector<std::filesystem::path> suite_objects_, reference_objects_;
};

// Demangled symbols an object file uses but does not define (`nm -C -u`).
std::vector<std::string> undefined_symbols(const std::filesystem::path& object,
                                           const std::filesystem::path& scratch);

// The taught functions ("gradlab::log_softmax") among those symbols: a symbol
// matches when it is the name followed by '(' (a call) or '<' (a template).
std::vector<std::string> taught_symbols_used(const std::vector<std::string>& undefined,
                                             const std::vector<std::string>& taught);

}  // namespace gradlab::labtools
