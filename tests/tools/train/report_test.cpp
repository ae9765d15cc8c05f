// tests/tools/train/report_test.cpp — the plot (gnuplot without a shell, the
// built-in writer) and the confusion matrix sized by the classes present.
#include "tools/train/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "tests/tools/train/train_test_util.h"

namespace gradlab::cli::test {
namespace {

using ::testing::HasSubstr;

const std::vector<EpochMetrics> kRows = {{1, 0.5, 0.75, std::nullopt, std::nullopt, 1e-3, 1.25},
                                         {2, 0.25, 0.9, 0.3, 0.85, 1e-3, 1.0}};

TEST(Report, BuiltinSvgHasBothPanels) {
  const std::string svg = learning_curves_svg_builtin(kRows);
  EXPECT_THAT(svg, HasSubstr(">loss<"));
  EXPECT_THAT(svg, HasSubstr(">accuracy<"));
  EXPECT_THAT(svg, HasSubstr("<polyline"));
}

// The plot is drawn in a fresh directory under the run directory, by an
// argument vector: a work directory (or TMPDIR) holding quotes and shell
// syntax runs nothing, and nothing is left behind.
TEST(Report, PlottingRunsNoShellWhateverThePaths) {
  const fs::path root = fresh_dir("plot");
  const fs::path canary = root / "pwned";
  const fs::path dir =
      root / ("run'; touch " + canary.string() + "; echo '$(touch " + canary.string() + ")");
  fs::create_directories(dir);
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", dir.c_str(), 1);
  bool used = false;
  const std::string svg = learning_curves_svg(kRows, dir, &used);
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  EXPECT_THAT(svg, HasSubstr("<svg"));
  EXPECT_FALSE(fs::exists(canary)) << "a command ran through a shell";
  EXPECT_TRUE(fs::is_empty(dir)) << "the plot's work directory was left behind";
  std::printf("[ plot     ] drawn by %s\n", used ? "gnuplot" : "the built-in writer");
}

TEST(Report, ConfusionIsSizedByTheClassesPresent) {
  Confusion m({3, 90});
  m.add(3, 3);
  m.add(3, 3);
  m.add(3, 90);
  m.add(90, 90);
  m.add(90, 7);  // a class no example has: "other"
  EXPECT_EQ(m.total(), 5);
  EXPECT_EQ(m.correct(), 3);
  EXPECT_TRUE(m.has_other());
  std::vector<std::string> names(100);
  names[3] = "cat";
  names[90] = "dog";
  const std::string s = format_confusion(m, names);
  EXPECT_THAT(s, HasSubstr("accuracy 0.6000 (3/5)"));
  EXPECT_THAT(s, HasSubstr("other"));
  EXPECT_THAT(s, HasSubstr("0.667"));
  EXPECT_EQ(confusion_csv(m, names), "true\\predicted,cat,dog,other\ncat,2,1,0\ndog,0,1,1\n");
  EXPECT_THROW(m.add(5, 3), std::invalid_argument);
  EXPECT_THROW(Confusion({2, 1}), std::invalid_argument);
}

TEST(Report, ConfusionWithoutOtherHasNoOtherColumn) {
  Confusion m({0, 1});
  m.add(0, 0);
  m.add(0, 1);
  m.add(1, 1);
  EXPECT_EQ(confusion_csv(m, {"cat", "dog"}), "true\\predicted,cat,dog\ncat,1,1\ndog,0,1\n");
  EXPECT_THAT(format_confusion(m, {"cat", "dog"}), ::testing::Not(HasSubstr("other")));
}

}  // namespace
}  // namespace gradlab::cli::test
