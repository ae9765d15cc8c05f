// tests/tools/grade/toolchain_test.cpp — tools/grade/toolchain.cpp: replaying
// recorded compile/link commands with a student's files swapped in, and
// spotting calls to the functions a phase teaches with `nm -C -u`.
#include "tools/grade/toolchain.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/tools/scratch.h"
#include "tools/lab/common.h"

#ifndef GRADLAB_TEST_CXX
#error "GRADLAB_TEST_CXX must name the C++ compiler"
#endif

namespace fs = std::filesystem;
namespace lt = gradlab::labtools;
using nlohmann::json;

namespace {

fs::path scratch() {
  const fs::path dir = labtools_test::scratch_root() / "grade_toolchain";
  fs::create_directories(dir);
  return dir;
}

// Recorded commands whose "compiler" is `echo`, so the test sees the replayed
// argument list in the log.
json fake_build(const fs::path& dir) {
  lt::write_text_file(dir / "compile.cmd",
                      dir.string() +
                          "\n/bin/echo\n-DX=1\n-I/src\n-Wall\n-Werror\n-Werror=vla\n-std=gnu++20\n"
                          "-MD\n-MT\nref.o\n-MF\nref.o.d\n-o\nref.o\n-c\n/src/reference.cpp\n");
  lt::write_text_file(
      dir / "link.cmd",
      dir.string() + "\n/bin/echo\n-O3\nsuite/a.o\nref.o\n-o\nlab_reference\n-lgtest\n");
  return {{"lab", "lab99"},
          {"compile_impl_cmd", (dir / "compile.cmd").string()},
          {"compile_suite_cmd", (dir / "compile.cmd").string()},
          {"link_cmd", (dir / "link.cmd").string()},
          {"suite_objects", json::array({(dir / "suite/./a.o").string()})},
          {"reference_objects", json::array({(dir / "ref.o").string()})}};
}

}  // namespace

TEST(Toolchain, CompileSwapsSourceAndObjectAndDropsWerrorAndDepfiles) {
  const fs::path dir = scratch() / "compile";
  fs::create_directories(dir);
  const auto tc = lt::Toolchain::load(fake_build(dir));
  const auto r = tc.compile("/sub/alice/x.cpp", dir / "out" / "x.o", lt::Toolchain::Flags::Student,
                            dir / "log", 30);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(lt::read_text(dir / "log"), "-DX=1 -I/src -Wall -std=gnu++20 -o " +
                                            (dir / "out" / "x.o").string() +
                                            " -c /sub/alice/x.cpp\n");
}

TEST(Toolchain, LinkReplacesTheReferenceObjectsKeepingTheSuite) {
  const fs::path dir = scratch() / "link";
  fs::create_directories(dir);
  const auto tc = lt::Toolchain::load(fake_build(dir));
  ASSERT_TRUE(tc.link({"/w/a1.o", "/w/a2.o"}, true, "/w/suite", dir / "log", 30).ok());
  EXPECT_EQ(lt::read_text(dir / "log"), "-O3 suite/a.o /w/a1.o /w/a2.o -o /w/suite -lgtest\n");
  ASSERT_TRUE(tc.link({"/w/t.o", "/w/bug.o"}, false, "/w/mine", dir / "log", 30).ok());
  EXPECT_EQ(lt::read_text(dir / "log"), "-O3 /w/t.o /w/bug.o -o /w/mine -lgtest\n");
}

TEST(Toolchain, MissingRecordsAreAClearError) {
  json info = fake_build(scratch());
  info["link_cmd"] = (scratch() / "nope.cmd").string();
  try {
    lt::Toolchain::load(info);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nope.cmd"), std::string::npos) << e.what();
  }
}

TEST(TaughtSymbols, MatchesCallsNotLookalikes) {
  const std::vector<std::string> undefined = {
      "gradlab::log_softmax(gradlab::Tensor const&, long)",
      "gradlab::log_softmax_backward(gradlab::Tensor const&)",  // a different function
      "gradlab::Tensor gradlab::softmax<float>(gradlab::Tensor const&)", "std::exp(double)"};
  EXPECT_EQ(lt::taught_symbols_used(
                undefined, {"gradlab::log_softmax", "gradlab::softmax", "gradlab::logsumexp"}),
            (std::vector<std::string>{"gradlab::log_softmax", "gradlab::softmax"}));
  EXPECT_TRUE(lt::taught_symbols_used(undefined, {"gradlab::log"}).empty());
}

TEST(TaughtSymbols, FoundInARealObjectFile) {
  const fs::path dir = scratch() / "nm";
  fs::create_directories(dir);
  lt::write_text_file(
      dir / "student.cpp",
      "namespace gradlab { struct Tensor; Tensor& log_softmax(const Tensor&, long); }\n"
      "gradlab::Tensor& f(const gradlab::Tensor& x) { return gradlab::log_softmax(x, -1); }\n");
  const auto r = lt::run_process({GRADLAB_TEST_CXX, "-c", "student.cpp", "-o", "student.o"}, dir,
                                 dir / "cc.log", lt::Limits{120, 0, 0, 0});
  ASSERT_TRUE(r.ok()) << lt::read_text(dir / "cc.log");
  const auto undefined = lt::undefined_symbols(dir / "student.o", dir);
  EXPECT_EQ(lt::taught_symbols_used(undefined, {"gradlab::log_softmax", "gradlab::softmax"}),
            std::vector<std::string>{"gradlab::log_softmax"});
}
