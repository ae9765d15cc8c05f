// tests/tools/lab/common_test.cpp — tools/lab/common.cpp: phases and their
// manifests, points lookup, compiler error extraction.
#include "tools/lab/common.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/tools/scratch.h"

namespace fs = std::filesystem;
namespace lt = gradlab::labtools;
using nlohmann::json;

namespace {

// A labs/ folder with two phases and one folder that is not a phase.
fs::path make_labs() {
  const fs::path labs = labtools_test::scratch_dir("lab_common") / "labs";
  fs::create_directories(labs / "02_logsoftmax" / "starter");
  fs::create_directories(labs / "01_tensors");
  fs::create_directories(labs / "03_autograd");  // no lab.h: not a phase yet
  fs::create_directories(labs / "common");
  lt::write_text_file(labs / "02_logsoftmax" / "lab.h", "#pragma once\n");
  lt::write_text_file(labs / "02_logsoftmax" / "README.md",
                      "intro\n# Phase 02 — Stable log-softmax\n");
  lt::write_text_file(labs / "02_logsoftmax" / "starter" / "my_tests.cpp", "\n");
  lt::write_text_file(labs / "02_logsoftmax" / "manifest.json", R"({
    "sources": ["starter/logsoftmax.cpp"],
    "taught_symbols": ["gradlab::log_softmax"],
    "points": {"Stress.Big": 3, "Property.*": 2, "default": 1}})");
  lt::write_text_file(labs / "01_tensors" / "lab.h", "#pragma once\n");
  return labs;
}

}  // namespace

TEST(Phases, DiscoveredSortedWithTitlesAndManifests) {
  const auto phases = lt::discover_phases(make_labs());
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases[0].id, "01_tensors");
  EXPECT_EQ(phases[0].title, "tensors");  // no README: the topic
  EXPECT_EQ(phases[0].manifest, json::object());
  EXPECT_EQ(phases[1].id, "02_logsoftmax");
  EXPECT_EQ(phases[1].number, "02");
  EXPECT_EQ(phases[1].lab(), "lab02");
  EXPECT_EQ(phases[1].title, "Stable log-softmax");
  EXPECT_EQ(phases[1].sources(), std::vector<std::string>{"starter/logsoftmax.cpp"});
  EXPECT_EQ(phases[1].taught_symbols(), std::vector<std::string>{"gradlab::log_softmax"});
  EXPECT_EQ(phases[1].my_tests_source(), "starter/my_tests.cpp");
  EXPECT_FALSE(phases[0].my_tests_source().has_value());
}

TEST(Phases, FoundByNumberIdOrTopic) {
  const auto phases = lt::discover_phases(make_labs());
  for (const std::string q : {"2", "02", "02_logsoftmax", "logsoftmax", "lab02"}) {
    const auto* p = lt::find_phase(phases, q);
    ASSERT_NE(p, nullptr) << q;
    EXPECT_EQ(p->id, "02_logsoftmax") << q;
  }
  EXPECT_EQ(lt::find_phase(phases, "3"), nullptr);
  EXPECT_EQ(lt::find_phase(phases, "softmax"), nullptr);
}

TEST(Points, ExactThenSuiteWildcardThenDefault) {
  const auto phases = lt::discover_phases(make_labs());
  const auto& p = phases[1];
  EXPECT_EQ(p.points_for("Stress.Big"), 3);
  EXPECT_EQ(p.points_for("Property.ShiftInvariance"), 2);
  EXPECT_EQ(p.points_for("Reference.Scipy"), 1);
  EXPECT_EQ(phases[0].points_for("Anything.AtAll"), 1);  // no manifest
  EXPECT_EQ(lt::lookup_points(json{{"A.B", 5}}, "A.C", 7), 7);
}

TEST(CompilerErrors, KeepsErrorLinesAndTheirContext) {
  const std::string log =
      "[1/2] Building CXX object x.o\nFAILED: x.o\n/usr/bin/c++ -c x.cpp\n"
      "x.cpp: In function 'int f()':\nx.cpp:3:10: error: 'y' was not declared in this scope\n"
      "    3 |   return y;\n      |          ^\nninja: build stopped: subcommand failed.\n";
  const std::string errors = lt::compiler_errors(log);
  EXPECT_EQ(errors,
            "x.cpp:3:10: error: 'y' was not declared in this scope\n    3 |   return y;\n      |   "
            "       ^");
}

TEST(Text, SplitTrimJoinReplace) {
  EXPECT_EQ(lt::split_lines("a\r\nb\n\nc"), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(lt::trim("  x y \n"), "x y");
  EXPECT_EQ(lt::join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(lt::replace_all("/tmp/s/x.cpp and /tmp/s/y.cpp", "/tmp/s/", ""), "x.cpp and y.cpp");
}
