// tests/reliability/fuzz_regression_test.cpp — replays, through the same
// target functions the fuzzers run (fuzz/targets.h), every seed in
// fuzz/corpus/<target>/ and every input that ever crashed a fuzzer, kept in
// tests/reliability/fuzz_crashes/<target>/ (named for what it found). A
// target aborts on a broken invariant and lets any undocumented exception
// escape, so a regression fails (or crashes) this test. Built with any
// compiler; scripts/sanitize.sh reruns it under ASan + UBSan.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/targets.h"

namespace gradlab::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Runs every file under `dir` through `target`; returns how many there were.
int replay(const Target& target, const fs::path& dir) {
  int n = 0;
  if (!fs::is_directory(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename().string()[0] == '.') continue;
    const std::vector<uint8_t> bytes = read_all(e.path());
    SCOPED_TRACE(e.path().string());
    EXPECT_NO_THROW(target.run(bytes.data(), bytes.size()));
    ++n;
  }
  return n;
}

class FuzzReplay : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzReplay, SeedCorpusAndPastCrashesPass) {
  const Target& t = GetParam();
  const int seeds = replay(t, fs::path(GRADLAB_SOURCE_DIR) / "fuzz" / "corpus" / t.name);
  const int crashes = replay(t, fs::path(GRADLAB_SOURCE_DIR) / "tests" / "reliability" / "fuzz_crashes" / t.name);
  EXPECT_GE(seeds, 3) << "the seed corpus of " << t.name << " is missing";
  std::printf("[ replay   ] %s: %d seeds, %d past crashes\n", t.name, seeds, crashes);
}

TEST_P(FuzzReplay, EmptyAndTinyInputs) {
  const Target& t = GetParam();
  const uint8_t bytes[4] = {0, 1, 0x1f, 0x8b};
  for (size_t n = 0; n <= 4; ++n) EXPECT_NO_THROW(t.run(bytes, n));
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(all_targets()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace gradlab::fuzz
