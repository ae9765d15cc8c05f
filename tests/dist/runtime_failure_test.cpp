// tests/dist/runtime_failure_test.cpp — dist/runtime.cpp when a rank dies,
// hangs or calls a different collective: the job must end, in seconds and
// with a message that names the problem, instead of hanging. Each test runs
// failure_probe.cpp as 2 ranks under mpiexec (with a wall-clock limit of its
// own, so that a regression fails here rather than hanging CTest).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tools/common/process.h"

namespace {

namespace fs = std::filesystem;
using gradlab::labtools::ProcessResult;

std::vector<std::string> split(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

struct Outcome {
  ProcessResult result;
  std::string output;  // stdout and stderr of every rank and of mpiexec
};

// Runs the probe in `mode`; `ranks` 0 means without mpiexec.
Outcome run_probe(const std::string& mode, double timeout, int ranks = 2) {
  std::vector<std::string> argv;
  if (ranks > 0) {
    argv = {GRADLAB_MPIEXEC, "-n", std::to_string(ranks)};
    for (const std::string& f : split(GRADLAB_MPIEXEC_FLAGS)) argv.push_back(f);
  }
  argv.push_back(DIST_FAILURE_PROBE);
  argv.push_back(mode);
  argv.push_back(std::to_string(timeout));
  std::vector<std::pair<std::string, std::string>> env;
  for (const std::string& kv : split(GRADLAB_MPIEXEC_ENV)) {
    const auto eq = kv.find('=');
    env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  const fs::path dir = fs::temp_directory_path();
  const fs::path out = dir / ("gradlab-dist-probe-" + mode + "-" + std::to_string(::getpid()));
  Outcome o;
  o.result = gradlab::labtools::run_process(argv, dir, out, {.wall_seconds = 60}, env);
  o.output = gradlab::labtools::read_text(out);
  fs::remove(out);
  return o;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(RuntimeFailure, HealthyJobSucceeds) {
  const Outcome o = run_probe("ok", 30);
  EXPECT_TRUE(o.result.ok()) << o.result.describe() << "\n" << o.output;
  EXPECT_TRUE(contains(o.output, "probe: rank 0 of 2: all_reduce_ gave 2")) << o.output;
  EXPECT_TRUE(contains(o.output, "probe: rank 1 of 2: all_reduce_ gave 2")) << o.output;
}

TEST(RuntimeFailure, WithoutALauncherTheWorldIsOneRank) {
  const Outcome o = run_probe("ok", 30, /*ranks=*/0);
  EXPECT_TRUE(o.result.ok()) << o.result.describe() << "\n" << o.output;
  EXPECT_TRUE(contains(o.output, "probe: rank 0 of 1: all_reduce_ gave 1")) << o.output;
}

TEST(RuntimeFailure, StuckRankTimesOutTheOthersWithAMessageNamingIt) {
  const Outcome o = run_probe("stall", 2);
  EXPECT_FALSE(o.result.timed_out) << "the job hung:\n" << o.output;
  EXPECT_FALSE(o.result.ok()) << o.output;
  EXPECT_TRUE(contains(o.output,
                       "probe: rank 0 caught: dist::all_reduce_: rank 0 of 2 timed "
                       "out after 2 s waiting for rank 1: a rank died, hangs, or "
                       "called a different collective"))
      << o.output;
  EXPECT_TRUE(contains(o.output, "dist: rank 0 aborts the job")) << o.output;
  EXPECT_LT(o.result.seconds, 30) << o.output;  // the stuck rank sleeps for 60
}

TEST(RuntimeFailure, DeadRankEndsTheJob) {
  // mpiexec notices the killed rank and stops the job before the (long)
  // collective timeout: either way the survivor does not hang.
  const Outcome o = run_probe("die", 120);
  EXPECT_FALSE(o.result.timed_out) << "the job hung:\n" << o.output;
  EXPECT_FALSE(o.result.ok()) << o.output;
  EXPECT_TRUE(contains(o.output, "rank 1") && contains(o.output, "signal 9")) << o.output;
  EXPECT_LT(o.result.seconds, 30) << o.output;
}

TEST(RuntimeFailure, DifferentSizesOnDifferentRanksAreNamed) {
  const Outcome o = run_probe("mismatch", 30);
  EXPECT_FALSE(o.result.timed_out) << "the job hung:\n" << o.output;
  EXPECT_FALSE(o.result.ok()) << o.output;
  EXPECT_TRUE(contains(o.output, "with tensors of different sizes")) << o.output;
  EXPECT_LT(o.result.seconds, 25) << o.output;
}

TEST(RuntimeFailure, RankMissingAtFinalizeDoesNotHangTheOthers) {
  const Outcome o = run_probe("stall_before_finalize", 2);
  EXPECT_FALSE(o.result.timed_out) << "the job hung:\n" << o.output;
  EXPECT_FALSE(o.result.ok()) << o.output;
  EXPECT_TRUE(contains(o.output,
                       "dist::barrier: rank 0 of 2 timed out after 2 s waiting for "
                       "rank 1"))
      << o.output;
  EXPECT_LT(o.result.seconds, 30) << o.output;
}

}  // namespace
