// tools/grade/toolchain.cpp — replaying CMake's recorded compile and link
// commands for a student's files. See tools/grade/toolchain.h.
#include "tools/grade/toolchain.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

#include "tools/lab/common.h"

namespace gradlab::labtools {

RecordedCommand RecordedCommand::load(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("missing recorded command " + file.string());
  RecordedCommand cmd;
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error("empty recorded command " + file.string());
  cmd.cwd = line;
  while (std::getline(in, line)) cmd.args.push_back(line);
  if (cmd.args.empty()) throw std::runtime_error("empty recorded command " + file.string());
  return cmd;
}

namespace {

fs::path normal(const fs::path& cwd, const std::string& arg) {
  const fs::path p(arg);
  return (p.is_absolute() ? p : cwd / p).lexically_normal();
}

std::vector<fs::path> paths(const json& list) {
  std::vector<fs::path> out;
  for (const auto& p : list) out.push_back(fs::path(p.get<std::string>()).lexically_normal());
  return out;
}

bool contains(const std::vector<fs::path>& list, const fs::path& p) {
  return std::find(list.begin(), list.end(), p) != list.end();
}

}  // namespace

Toolchain Toolchain::load(const json& info) {
  Toolchain t;
  t.compile_student_ = RecordedCommand::load(info.at("compile_impl_cmd").get<std::string>());
  t.compile_test_ = RecordedCommand::load(info.at("compile_suite_cmd").get<std::string>());
  t.link_ = RecordedCommand::load(info.at("link_cmd").get<std::string>());
  t.suite_objects_ = paths(info.at("suite_objects"));
  t.reference_objects_ = paths(info.at("reference_objects"));
  // The link line must contain the objects we are going to swap.
  for (const auto& obj : t.reference_objects_) {
    bool found = false;
    for (const auto& a : t.link_.args) found = found || normal(t.link_.cwd, a) == obj;
    if (!found)
      throw std::runtime_error("recorded link command " + info.at("link_cmd").get<std::string>() +
                               " does not mention " + obj.string() + "; rebuild " +
                               info.at("lab").get<std::string>() + "_reference");
  }
  return t;
}

ProcessResult Toolchain::compile(const fs::path& source, const fs::path& object, Flags flags,
                                 const fs::path& log, double timeout) const {
  const RecordedCommand& rec = flags == Flags::Student ? compile_student_ : compile_test_;
  std::vector<std::string> argv;
  for (std::size_t i = 0; i < rec.args.size(); ++i) {
    const std::string& a = rec.args[i];
    if (a == "-MD" || a == "-MMD") continue;
    if (a == "-MT" || a == "-MF" || a == "-MQ") {
      ++i;  // and its value
      continue;
    }
    // Student code: warnings are reported, never fatal.
    if (a == "-Werror" || a.rfind("-Werror=", 0) == 0) continue;
    if (a == "-o" && i + 1 < rec.args.size()) {
      argv.push_back("-o");
      argv.push_back(fs::absolute(object).string());
      ++i;
      continue;
    }
    if (a == "-c" && i + 1 < rec.args.size()) {
      argv.push_back("-c");
      argv.push_back(fs::absolute(source).string());
      ++i;
      continue;
    }
    argv.push_back(a);
  }
  fs::create_directories(object.parent_path());
  return run_process(argv, rec.cwd, log, Limits{timeout, 0, 0, 0});
}

ProcessResult Toolchain::link(const std::vector<fs::path>& objects, bool with_suite,
                              const fs::path& exe, const fs::path& log, double timeout) const {
  std::vector<std::string> argv;
  bool inserted = false;
  for (std::size_t i = 0; i < link_.args.size(); ++i) {
    const std::string& a = link_.args[i];
    if (a == "-o" && i + 1 < link_.args.size()) {
      argv.push_back("-o");
      argv.push_back(fs::absolute(exe).string());
      ++i;
      continue;
    }
    const fs::path p = normal(link_.cwd, a);
    if (contains(reference_objects_, p)) {
      if (!inserted)
        for (const auto& obj : objects) argv.push_back(fs::absolute(obj).string());
      inserted = true;
      continue;
    }
    if (!with_suite && contains(suite_objects_, p)) continue;
    argv.push_back(a);
  }
  fs::create_directories(exe.parent_path());
  return run_process(argv, link_.cwd, log, Limits{timeout, 0, 0, 0});
}

std::vector<std::string> undefined_symbols(const fs::path& object, const fs::path& scratch) {
  const fs::path out = scratch / (object.filename().string() + ".nm.txt");
  const ProcessResult r =
      run_process({"nm", "-C", "-u", object.string()}, scratch, out, Limits{60, 0, 0, 0});
  if (!r.ok()) throw std::runtime_error("nm failed on " + object.string() + ": " + r.describe());
  std::vector<std::string> symbols;
  for (const auto& line : split_lines(read_text(out))) {
    // "                 U gradlab::log_softmax(gradlab::Tensor const&, long)"
    const std::string t = trim(line);
    if (t.size() > 2 && (t[0] == 'U' || t[0] == 'w' || t[0] == 'v') && t[1] == ' ')
      symbols.push_back(trim(t.substr(2)));
  }
  return symbols;
}

std::vector<std::string> taught_symbols_used(const std::vector<std::string>& undefined,
                                             const std::vector<std::string>& taught) {
  // Template instantiations demangle with their return type first
  // ("gradlab::Tensor gradlab::f<float>(...)"), so the name may follow a space.
  std::set<std::string> hits;
  for (const auto& sym : undefined)
    for (const auto& name : taught)
      for (auto pos = sym.find(name); pos != std::string::npos; pos = sym.find(name, pos + 1)) {
        const std::size_t end = pos + name.size();
        if ((pos == 0 || sym[pos - 1] == ' ') && end < sym.size() &&
            (sym[end] == '(' || sym[end] == '<'))
          hits.insert(name);
      }
  return {hits.begin(), hits.end()};
}

}  // namespace gradlab::labtools
