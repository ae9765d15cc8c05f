// tools/lab_report.cpp — readable failure messages. See tools/lab_report.h.
#include "tools/lab_report.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "tools/lab_common.h"

namespace gradlab::labtools {

namespace {

// "path/to/tests/test_x.cpp:12" -> "test_x.cpp:12" (students do not need the
// absolute path of the build machine).
std::string short_location(const std::string& loc) {
  const auto slash = loc.rfind('/');
  return slash == std::string::npos ? loc : loc.substr(slash + 1);
}

// Paragraphs separated by blank lines.
std::vector<std::vector<std::string>> paragraphs(const std::vector<std::string>& lines) {
  std::vector<std::vector<std::string>> out(1);
  for (const auto& l : lines) {
    if (trim(l).empty()) {
      if (!out.back().empty()) out.emplace_back();
    } else {
      out.back().push_back(l);
    }
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

}  // namespace

std::optional<PropertyFailure> parse_property_failure(const std::string& message) {
  static const std::regex header_re(R"(Falsifiable after (\d+) tests?(?: and (\d+) shrinks?)?)");
  static const std::regex location_re(R"(^(\S.*:\d+):$)");
  const auto lines = split_lines(message);
  std::optional<std::size_t> start;
  PropertyFailure f;
  for (std::size_t i = 0; i < lines.size() && !start; ++i) {
    std::smatch m;
    if (std::regex_search(lines[i], m, header_re)) {
      f.tests = std::stoi(m[1]);
      f.shrinks = m[2].matched ? std::stoi(m[2]) : 0;
      start = i + 1;
    }
  }
  if (!start) return std::nullopt;

  bool in_description = false;
  for (const auto& para :
       paragraphs({lines.begin() + static_cast<std::ptrdiff_t>(*start), lines.end()})) {
    std::smatch m;
    const std::string& first = para.front();
    if (first == "Exception thrown with message:") {
      std::vector<std::string> rest(para.begin() + 1, para.end());
      f.exception = join(rest, "\n");
      in_description = true;
    } else if (first == "Expands to:") {
      f.expansion = join({para.begin() + 1, para.end()}, "\n");
      in_description = true;
    } else if (f.location.empty() && std::regex_match(first, m, location_re)) {
      f.location = short_location(m[1]);
      f.check = join({para.begin() + 1, para.end()}, "\n");
      in_description = true;
    } else if (!in_description && first.size() > 1 && first.back() == ':' && para.size() >= 2) {
      f.inputs.emplace_back(first.substr(0, first.size() - 1),
                            join({para.begin() + 1, para.end()}, "\n"));
    } else if (in_description && f.check.empty() && f.exception.empty()) {
      f.check = join(para, "\n");  // e.g. an RC_FAIL message without location
    }
  }
  return f;
}

std::optional<std::string> not_implemented_name(const std::string& message) {
  static const std::regex re(R"(not implemented yet: ([A-Za-z_0-9:<>]+))");
  std::smatch m;
  if (std::regex_search(message, m, re)) return m[1].str();
  return std::nullopt;
}

std::vector<std::string> describe_failure(const std::string& message, std::size_t max_lines) {
  std::vector<std::string> out;
  if (auto p = parse_property_failure(message)) {
    std::string head = "property falsified after " + std::to_string(p->tests) + " random case" +
                       (p->tests == 1 ? "" : "s");
    if (p->shrinks > 0)
      head += "; shrunk " + std::to_string(p->shrinks) + " time" + (p->shrinks == 1 ? "" : "s") +
              " to the smallest failing input";
    out.push_back(head + ":");
    for (const auto& [type, value] : p->inputs) {
      for (const auto& l : split_lines(value)) out.push_back("  input     " + l);
      out.push_back("            (" + type + ")");
    }
    if (!p->exception.empty()) {
      out.push_back("  threw     " + p->exception);
    } else {
      if (!p->check.empty()) {
        const auto check_lines = split_lines(p->check);
        out.push_back("  check     " + check_lines.front() +
                      (p->location.empty() ? "" : "   (" + p->location + ")"));
        for (std::size_t i = 1; i < check_lines.size(); ++i)
          out.push_back("            " + check_lines[i]);
      }
      if (!p->expansion.empty())
        for (const auto& l : split_lines(p->expansion)) out.push_back("  got       " + l);
    }
  } else {
    // gtest's console says "file:line: Failure", its JSON just "file:line".
    static const std::regex failure_re(R"(^(\S*):(\d+)(: Failure)?$)");
    static const std::regex exception_re(
        R"re(^C\+\+ exception with description "(.*)" thrown in (.*)\.$)re");
    for (const auto& line : split_lines(message)) {
      std::smatch m;
      if (line == "unknown file: Failure" || line == "Failed" || trim(line).empty()) continue;
      if (std::regex_match(line, m, failure_re)) {
        out.push_back("at " + short_location(m[1].str() + ":" + m[2].str()));
      } else if (std::regex_match(line, m, exception_re)) {
        out.push_back("threw     " + m[1].str() + "   (in " + m[2].str() + ")");
      } else {
        out.push_back(line);
      }
    }
  }
  if (out.size() > max_lines) {
    const std::size_t cut = out.size() - max_lines;
    out.resize(max_lines);
    out.push_back("[... " + std::to_string(cut) + " more lines ...]");
  }
  return out;
}

void print_test_report(std::ostream& out, const SuiteRun& run, const ReportOptions& opt) {
  // Failures caused only by unimplemented functions are grouped: "3 tests
  // need lab02::log_softmax" says more than three identical messages.
  std::map<std::string, std::vector<std::string>> not_implemented;
  std::vector<const TestOutcome*> other_failures;
  int passed = 0;
  for (const auto& t : run.tests) {
    if (t.status == TestStatus::Passed) {
      ++passed;
      continue;
    }
    if (t.status == TestStatus::Failed && !opt.verbose) {
      if (auto name = not_implemented_name(t.message)) {
        not_implemented[*name].push_back(t.name);
        continue;
      }
    }
    other_failures.push_back(&t);
  }

  for (const auto& t : run.tests)
    if (t.status == TestStatus::Passed) out << "  PASS   " << t.name << "\n";

  int detailed = 0;
  for (const TestOutcome* t : other_failures) {
    std::string tag = "FAIL";
    if (t->status == TestStatus::Crashed) tag = "CRASH";
    if (t->status == TestStatus::TimedOut) tag = "HANG";
    if (t->status == TestStatus::NotRun) tag = "----";
    if (t->status == TestStatus::Skipped) tag = "SKIP";
    out << "  " << tag << std::string(tag.size() < 5 ? 5 - tag.size() : 0, ' ') << "  " << t->name;
    if (t->status == TestStatus::NotRun) {
      out << "   (" << t->message << ")\n";
      continue;
    }
    out << "\n";
    if (opt.verbose || detailed < opt.max_detailed) {
      ++detailed;
      for (const auto& line : describe_failure(t->message, opt.verbose ? 200 : 12))
        out << "           " << line << "\n";
    }
  }
  if (!opt.verbose && detailed < static_cast<int>(other_failures.size()) &&
      static_cast<int>(other_failures.size()) > opt.max_detailed)
    out << "           (details of the first " << opt.max_detailed
        << " failures shown; --verbose shows all)\n";

  for (const auto& [function, tests] : not_implemented) {
    out << "  TODO   " << function << " is not implemented yet (" << tests.size()
        << (tests.size() == 1 ? " test calls" : " tests call") << " it: ";
    const std::size_t shown = std::min<std::size_t>(tests.size(), 3);
    out << join({tests.begin(), tests.begin() + static_cast<std::ptrdiff_t>(shown)}, ", ")
        << (tests.size() > shown ? ", ..." : "") << ")\n";
  }
}

}  // namespace gradlab::labtools
