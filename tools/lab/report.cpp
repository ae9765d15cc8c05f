// tools/lab/report.cpp — readable failure messages. See tools/lab/report.h.
#include "tools/lab/report.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "tools/lab/common.h"

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
  std::size_t start = 0;
  PropertyFailure f;
  for (std::size_t i = 0; i < lines.size() && start == 0; ++i) {
    std::smatch m;
    if (std::regex_search(lines[i], m, header_re)) {
      f.tests = std::stoi(m[1]);
      f.shrinks = m[2].matched ? std::stoi(m[2]) : 0;
      start = i + 1;
    }
  }
  if (start == 0) return std::nullopt;

  // RC_LOG's lines come last, after a blank line and "Log:".
  std::size_t log_at = lines.size();
  for (std::size_t i = start + 1; i < lines.size() && log_at == lines.size(); ++i)
    if (lines[i] == "Log:" && trim(lines[i - 1]).empty()) log_at = i;
  for (std::size_t i = log_at + 1; i < lines.size(); ++i)
    if (!trim(lines[i]).empty()) f.log.push_back(lines[i]);

  // Before it: the counterexample ("type:" + value paragraphs), then the
  // description of the failure.
  const auto is_input = [&](const std::vector<std::string>& para) {
    const std::string& first = para.front();
    return para.size() >= 2 && first.size() > 1 && first.back() == ':' &&
           first != "Exception thrown with message:" && first != "Expands to:" &&
           !std::regex_match(first, location_re);
  };
  const auto append = [](std::string& to, const std::string& text) {
    to += (to.empty() ? "" : "\n") + text;
  };
  bool in_description = false;
  std::string* more = &f.message;  // where a paragraph of plain text belongs
  for (const auto& para : paragraphs({lines.begin() + static_cast<std::ptrdiff_t>(start),
                                      lines.begin() + static_cast<std::ptrdiff_t>(log_at)})) {
    const std::string& first = para.front();
    const std::string rest = join({para.begin() + 1, para.end()}, "\n");
    std::smatch m;
    if (!in_description && is_input(para)) {
      f.inputs.emplace_back(first.substr(0, first.size() - 1), rest);
      continue;
    }
    in_description = true;
    if (first == "Exception thrown with message:") {
      f.exception = rest;
      more = &f.exception;  // a what() with blank lines in it
    } else if (first == "Expands to:") {
      f.expansion = rest;
    } else if (f.location.empty() && std::regex_match(first, m, location_re)) {
      f.location = short_location(m[1]);
      f.check = rest;
    } else {
      append(*more, join(para, "\n"));  // RC_FAIL's message, "Unknown object thrown", ...
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

namespace {

constexpr std::size_t kInputWidth = 100;  // a generated input longer than this is shortened
constexpr std::size_t kLineWidth = 400;   // any other line (a safety net)

std::string clip(const std::string& line, std::size_t width) {
  if (line.size() <= width) return line;
  return line.substr(0, width) + " ... [" + std::to_string(line.size() - width) +
         " more characters]";
}

// "  check     first line" then "            next lines", each clipped to `width`.
void add_labelled(std::vector<std::string>& out, const std::string& label, const std::string& text,
                  const std::string& suffix = "", std::size_t width = kLineWidth) {
  const auto lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string tag = i == 0 ? label : "";
    tag.resize(12, ' ');
    out.push_back(tag + clip(lines[i], width) + (i + 1 == lines.size() ? suffix : ""));
  }
}

// The first max_lines of `lines` (at least one), then "[... N more lines<of_what> ...]".
void add_capped(std::vector<std::string>& out, const std::vector<std::string>& lines,
                std::size_t max_lines, const std::string& of_what = "") {
  const std::size_t shown = std::min(lines.size(), std::max<std::size_t>(max_lines, 1));
  out.insert(out.end(), lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(shown));
  const std::size_t cut = lines.size() - shown;
  if (cut > 0)
    out.push_back("[... " + std::to_string(cut) + " more line" + (cut == 1 ? "" : "s") + of_what +
                  " ...]");
}

std::vector<std::string> describe_property(const PropertyFailure& p, std::size_t max_lines) {
  std::vector<std::string> out;
  std::string head = "Falsifiable after " + std::to_string(p.tests) + " tests";
  if (p.shrinks > 0)
    head += " and " + std::to_string(p.shrinks) + " shrink" + (p.shrinks == 1 ? "" : "s") +
            "; the input below is the smallest failing one";
  out.push_back(head);
  if (!p.check.empty())
    add_labelled(out, "  check", p.check, p.location.empty() ? "" : "   (" + p.location + ")");
  if (!p.expansion.empty()) add_labelled(out, "  got", p.expansion);
  if (!p.message.empty()) add_labelled(out, "  message", p.message);
  if (!p.exception.empty()) add_labelled(out, "  threw", p.exception);

  std::vector<std::string> log;
  for (const auto& l : p.log) add_labelled(log, "  log", l);
  add_capped(out, log, max_lines, " of log");

  // The raw inputs get what is left of max_lines.
  std::vector<std::string> inputs;
  for (const auto& [type, value] : p.inputs) {
    if (split_lines(value).size() == 1) {
      add_labelled(inputs, "  input", value, "   (" + type + ")", kInputWidth);
    } else {
      add_labelled(inputs, "  input", value, "", kInputWidth);
      inputs.push_back("            (" + type + ")");
    }
  }
  add_capped(out, inputs, max_lines > out.size() ? max_lines - out.size() : 0,
             " of generated input");
  return out;
}

}  // namespace

std::vector<std::string> describe_failure(const std::string& message, std::size_t max_lines) {
  if (auto p = parse_property_failure(message)) return describe_property(*p, max_lines);

  // gtest's console says "file:line: Failure", its JSON just "file:line".
  static const std::regex failure_re(R"(^(\S*):(\d+)(: Failure)?$)");
  static const std::regex exception_re(
      R"re(^C\+\+ exception with description "(.*)" thrown in (.*)\.$)re");
  std::vector<std::string> out;
  for (const auto& line : split_lines(message)) {
    std::smatch m;
    if (line == "unknown file: Failure" || line == "Failed" || trim(line).empty()) continue;
    if (std::regex_match(line, m, failure_re)) {
      out.push_back("at " + short_location(m[1].str() + ":" + m[2].str()));
    } else if (std::regex_match(line, m, exception_re)) {
      out.push_back("threw     " + m[1].str() + "   (in " + m[2].str() + ")");
    } else {
      out.push_back(clip(line, kLineWidth));
    }
  }
  std::vector<std::string> capped;
  add_capped(capped, out, max_lines);
  return capped;
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
