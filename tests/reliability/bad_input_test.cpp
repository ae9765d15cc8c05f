// tests/reliability/bad_input_test.cpp — the bad-input catalogue: one
// table-driven test over every public entry point (the rows are in
// bad_input_*.cpp, see bad_input.h).
//
// Library rows: the call must throw exactly the expected exception type
// (std::invalid_argument for bad arguments, std::runtime_error for bad files,
// std::out_of_range for a missing key/index) with every fragment in its
// message. Returning normally is a failure (a silent wrong answer); any other
// exception type is a failure; an abort kills the test program.
// Propagation rows: NaN/inf input that must show in the result.
// CLI rows: the `gradlab` binary must exit 2 with every fragment in its
// output, must not create its --out directory, and must not change any file
// in the fixture directory (nothing half-written).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <typeinfo>

#include "tests/reliability/bad_input.h"
#include "tests/reliability/rely_util.h"

namespace gradlab::rely {

const std::string& scratch() {
  static ScratchDir dir("badinput");
  static const std::string path = dir.path().string();
  return path;
}

namespace {

using ::testing::HasSubstr;

const char* throws_name(Throws t) {
  switch (t) {
    case Throws::InvalidArgument: return "std::invalid_argument";
    case Throws::OutOfRange: return "std::out_of_range";
    case Throws::RuntimeError: return "std::runtime_error";
  }
  return "?";
}

// ---- library rows ------------------------------------------------------------

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, ThrowsTheDocumentedErrorNamingTheValues) {
  const BadInput& row = GetParam();
  std::string what, got;
  try {
    row.call();
    FAIL() << row.name << ": returned normally; expected " << throws_name(row.expect);
  } catch (const std::invalid_argument& e) {
    got = throws_name(Throws::InvalidArgument), what = e.what();
  } catch (const std::out_of_range& e) {
    got = throws_name(Throws::OutOfRange), what = e.what();
  } catch (const std::runtime_error& e) {
    got = throws_name(Throws::RuntimeError), what = e.what();
  } catch (const std::exception& e) {
    got = typeid(e).name(), what = e.what();
  }
  EXPECT_EQ(got, throws_name(row.expect)) << "message: " << what;
  for (const std::string& f : row.fragments) EXPECT_THAT(what, HasSubstr(f));
}

std::string row_name(const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Core, BadInputTest, ::testing::ValuesIn(core_rows()), row_name);
INSTANTIATE_TEST_SUITE_P(Losses, BadInputTest, ::testing::ValuesIn(loss_rows()), row_name);
INSTANTIATE_TEST_SUITE_P(Layers, BadInputTest, ::testing::ValuesIn(layer_rows()), row_name);
INSTANTIATE_TEST_SUITE_P(Optim, BadInputTest, ::testing::ValuesIn(optim_rows()), row_name);
INSTANTIATE_TEST_SUITE_P(Datasets, BadInputTest, ::testing::ValuesIn(data_rows()), row_name);
INSTANTIATE_TEST_SUITE_P(Checkpoint, BadInputTest, ::testing::ValuesIn(checkpoint_rows()), row_name);
INSTANTIATE_TEST_SUITE_P(Specs, BadInputTest, ::testing::ValuesIn(spec_rows()), row_name);

// ---- NaN / inf must reach the result -----------------------------------------

class PropagateTest : public ::testing::TestWithParam<MustPropagate> {};

TEST_P(PropagateTest, NonFiniteInputShowsInTheResult) {
  const MustPropagate& row = GetParam();
  const std::vector<double> v = row.call().to_vector<double>();
  ASSERT_FALSE(v.empty());
  for (double x : v) {
    if (row.expect == "nan") EXPECT_TRUE(std::isnan(x)) << x;
    else if (row.expect == "inf") EXPECT_TRUE(std::isinf(x) && x > 0) << x;
    else if (row.expect == "-inf") EXPECT_TRUE(std::isinf(x) && x < 0) << x;
    else EXPECT_FALSE(std::isfinite(x)) << x;
  }
}

INSTANTIATE_TEST_SUITE_P(All, PropagateTest, ::testing::ValuesIn(propagate_rows()),
                         [](const auto& info) { return info.param.name; });

// ---- the gradlab command -----------------------------------------------------

// Every file under `dir` with its size and modification time.
std::map<std::string, std::pair<uintmax_t, int64_t>> snapshot(const fs::path& dir) {
  std::map<std::string, std::pair<uintmax_t, int64_t>> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const int64_t mtime = e.last_write_time().time_since_epoch().count();
    files[e.path().string()] = {e.is_regular_file() ? e.file_size() : 0, mtime};
  }
  return files;
}

std::string substitute(std::string s, const std::string& dir, const std::string& out) {
  for (auto [key, value] : {std::pair<std::string, std::string>{"{dir}", dir}, {"{out}", out}}) {
    for (size_t at; (at = s.find(key)) != std::string::npos;) s.replace(at, key.size(), value);
  }
  return s;
}

class CliTest : public ::testing::TestWithParam<CliRow> {
 protected:
  static void SetUpTestSuite() {
    fixtures_ = new ScratchDir("badinput-cli");
    cli_fixtures(fixtures_->path().string(), GRADLAB_CLI);
  }
  static void TearDownTestSuite() {
    delete fixtures_;
    fixtures_ = nullptr;
  }
  static ScratchDir* fixtures_;
};
ScratchDir* CliTest::fixtures_ = nullptr;

TEST_P(CliTest, ExitsTwoWithAMessageAndLeavesNothingBehind) {
  const CliRow& row = GetParam();
  const std::string dir = fixtures_->path().string();
  const std::string out = dir + "/runs/" + row.name;
  std::vector<std::string> argv = {GRADLAB_CLI};
  for (const std::string& a : row.args) argv.push_back(substitute(a, dir, out));
  const auto before = snapshot(dir);
  ScratchDir logs("badinput-log");
  SpawnOptions opts;
  for (const std::string& e : row.env) opts.env.push_back(substitute(e, dir, out));
  const RunResult r = run(argv, logs.path(), opts);
  EXPECT_EQ(r.code, row.code) << r.output;
  for (const std::string& f : row.fragments) EXPECT_THAT(r.output, HasSubstr(substitute(f, dir, out)));
  EXPECT_FALSE(fs::exists(out)) << "a failed command left its run directory " << out;
  EXPECT_EQ(snapshot(dir), before) << "a failed command changed files in " << dir;
}

INSTANTIATE_TEST_SUITE_P(Gradlab, CliTest, ::testing::ValuesIn(cli_rows()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace gradlab::rely
