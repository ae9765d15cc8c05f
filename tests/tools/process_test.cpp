// tests/tools/process_test.cpp — tools/common/process.cpp: exit codes,
// signals, the wall-clock kill, the memory limit, cwd and environment.
#include "tools/common/process.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "tests/tools/scratch.h"

namespace fs = std::filesystem;
using gradlab::labtools::Limits;
using gradlab::labtools::ProcessResult;
using gradlab::labtools::read_text;
using gradlab::labtools::run_process;
using gradlab::labtools::signal_name;

namespace {

fs::path scratch(const std::string& name) {
  return labtools_test::scratch_dir("lab_process/" + name);
}

}  // namespace

TEST(RunProcess, CapturesOutputAndExitCode) {
  const fs::path dir = scratch("exit");
  const ProcessResult r =
      run_process({"sh", "-c", "echo out; echo err >&2; exit 3"}, dir, dir / "log", Limits{});
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(read_text(dir / "log"), "out\nerr\n");
  EXPECT_EQ(r.describe(), "exit code 3");
}

TEST(RunProcess, RunsInCwdWithExtraEnvironment) {
  const fs::path dir = scratch("cwd");
  const ProcessResult r = run_process({"sh", "-c", "pwd; echo \"$GRADLAB_TEST_VAR\""}, dir,
                                      dir / "log", Limits{}, {{"GRADLAB_TEST_VAR", "hello"}});
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(read_text(dir / "log"), fs::canonical(dir).string() + "\nhello\n");
}

TEST(RunProcess, ReportsTheKillingSignal) {
  const fs::path dir = scratch("signal");
  const ProcessResult r = run_process({"sh", "-c", "kill -SEGV $$"}, dir, dir / "log", Limits{});
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(signal_name(r.signal), "SIGSEGV");
  EXPECT_NE(r.describe().find("SIGSEGV"), std::string::npos) << r.describe();
}

TEST(RunProcess, KillsTheWholeGroupAtTheWallClockLimit) {
  const fs::path dir = scratch("timeout");
  Limits limits;
  limits.wall_seconds = 0.5;
  // The shell's child `sleep` must die too, or the output file stays open.
  const ProcessResult r =
      run_process({"sh", "-c", "sleep 30 & sleep 30; echo never"}, dir, dir / "log", limits);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.seconds, 5.0);
  EXPECT_EQ(read_text(dir / "log"), "");
  EXPECT_NE(r.describe().find("timed out"), std::string::npos);
}

TEST(RunProcess, CpuLimitStopsABusyLoop) {
  const fs::path dir = scratch("cpu");
  Limits limits;
  limits.cpu_seconds = 1;
  limits.wall_seconds = 20;
  const ProcessResult r =
      run_process({"sh", "-c", "while :; do :; done"}, dir, dir / "log", limits);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.signal == SIGXCPU || r.signal == SIGKILL) << r.describe();
}

TEST(RunProcess, MemoryLimitMakesBigAllocationsFail) {
  const fs::path dir = scratch("memory");
  Limits limits;
  limits.memory_mb = 64;
  // `dd` with a 128 MB block needs a 128 MB buffer, which a 64 MB
  // address-space limit refuses; without the limit the same command works.
  const ProcessResult r = run_process({"dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"},
                                      dir, dir / "log", limits);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(read_text(dir / "log").find("memory"), std::string::npos) << read_text(dir / "log");
  limits.memory_mb = 0;
  EXPECT_TRUE(run_process({"dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"}, dir,
                          dir / "log", limits)
                  .ok());
}

TEST(RunProcess, MissingProgramIsNotStarted) {
  const fs::path dir = scratch("missing");
  const ProcessResult r =
      run_process({"/nonexistent/gradlab-no-such-program"}, dir, dir / "log", Limits{});
  EXPECT_FALSE(r.started);
  EXPECT_FALSE(r.ok());
}
