// tests/datasets/transforms_test.cpp — train/validation split and
// normalisation (datasets/transforms.cpp).
#include "datasets/transforms.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "tests/datasets/test_util.h"

namespace gradlab::data {
namespace {

using testing::expect_throw;

// n examples, one feature equal to the index; labels from `label_of`.
Dataset indexed(int64_t n, int64_t num_classes, const std::function<int64_t(int64_t)>& label_of) {
  std::vector<float> x;
  std::vector<int64_t> y;
  for (int64_t i = 0; i < n; ++i) {
    x.push_back(static_cast<float>(i));
    y.push_back(label_of(i));
  }
  Dataset d;
  d.features = from_vector(x, {n, 1});
  d.labels = from_vector(y, {n});
  d.num_classes = num_classes;
  return d;
}

// ---- split ---------------------------------------------------------------------------

RC_GTEST_PROP(Split, SizesDisjointCoveringAndDeterministic, ()) {
  const auto n = *rc::gen::inRange<int64_t>(0, 400);
  const auto k = *rc::gen::inRange<int64_t>(1, 6);
  const double frac = *rc::gen::inRange(0, 95) / 100.0;
  const bool stratified = *rc::gen::arbitrary<bool>();
  const auto seed = *rc::gen::arbitrary<uint64_t>();
  // Skewed classes: class of i is (i * i) % k.
  const Dataset d = indexed(n, k, [k](int64_t i) { return (i * i) % k; });
  const SplitOptions opts{.val_fraction = frac, .seed = seed, .stratified = stratified};
  const SplitIndices s = split_indices(d, opts);

  RC_ASSERT(static_cast<int64_t>(s.val.size()) == std::llround(frac * static_cast<double>(n)));
  RC_ASSERT(std::is_sorted(s.train.begin(), s.train.end()));
  RC_ASSERT(std::is_sorted(s.val.begin(), s.val.end()));
  std::vector<int64_t> all = s.train;
  all.insert(all.end(), s.val.begin(), s.val.end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> iota(static_cast<std::size_t>(n));
  std::iota(iota.begin(), iota.end(), 0);
  RC_ASSERT(all == iota);  // disjoint and covering

  const SplitIndices again = split_indices(d, opts);
  RC_ASSERT(again.train == s.train);
  RC_ASSERT(again.val == s.val);

  if (stratified) {
    const std::vector<int64_t> counts = class_counts(d);
    std::vector<int64_t> val_counts(static_cast<std::size_t>(k), 0);
    for (int64_t i : s.val) ++val_counts[static_cast<std::size_t>((i * i) % k)];
    for (std::size_t c = 0; c < counts.size(); ++c) {
      RC_ASSERT(std::abs(static_cast<double>(val_counts[c]) -
                         frac * static_cast<double>(counts[c])) < 1.0 + 1e-9);
    }
  }
}

TEST(Split, DifferentSeedsGiveDifferentSplits) {
  const Dataset d = indexed(100, 2, [](int64_t i) { return i % 2; });
  EXPECT_NE(split_indices(d, {.val_fraction = 0.2, .seed = 1}).val,
            split_indices(d, {.val_fraction = 0.2, .seed = 2}).val);
}

TEST(Split, StratifiedKeepsARareClassInBothParts) {
  // 10 examples of class 1 among 1000: a stratified 10% split puts exactly 1
  // in validation.
  const Dataset d = indexed(1000, 2, [](int64_t i) { return i % 100 == 0 ? 1 : 0; });
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const SplitIndices s =
        split_indices(d, {.val_fraction = 0.1, .seed = seed, .stratified = true});
    const auto rare =
        std::count_if(s.val.begin(), s.val.end(), [](int64_t i) { return i % 100 == 0; });
    EXPECT_EQ(rare, 1) << "seed " << seed;
  }
}

TEST(Split, TrainValSplitCopiesTheRightExamples) {
  const Dataset d = indexed(50, 5, [](int64_t i) { return i % 5; });
  const SplitIndices idx = split_indices(d, {.val_fraction = 0.3, .seed = 4});
  const TrainValSplit s = train_val_split(d, {.val_fraction = 0.3, .seed = 4});
  EXPECT_EQ(s.val.size(), 15);
  EXPECT_EQ(s.train.size(), 35);
  const std::vector<float> xv = s.val.features.to_vector<float>();
  const std::vector<int64_t> yv = s.val.labels.to_vector<int64_t>();
  for (std::size_t i = 0; i < idx.val.size(); ++i) {
    EXPECT_EQ(xv[i], static_cast<float>(idx.val[i]));
    EXPECT_EQ(yv[i], idx.val[i] % 5);
  }
  EXPECT_EQ(s.train.num_classes, 5);
}

TEST(Split, BadFraction) {
  const Dataset d = indexed(10, 1, [](int64_t) { return 0; });
  expect_throw<std::invalid_argument>([&] { split_indices(d, {.val_fraction = 1.0}); },
                                      {"val_fraction must be in [0, 1)"});
  expect_throw<std::invalid_argument>([&] { split_indices(d, {.val_fraction = -0.1}); },
                                      {"val_fraction"});
  expect_throw<std::invalid_argument>([&] { split_indices(d, {.val_fraction = std::nan("")}); },
                                      {"val_fraction"});
}

// ---- normalisation -------------------------------------------------------------------

Dataset table(const std::vector<float>& values, int64_t cols) {
  const auto n = static_cast<int64_t>(values.size()) / cols;
  Dataset d;
  d.features = from_vector(values, {n, cols});
  d.labels = zeros({n}, DType::Int64);
  d.num_classes = 1;
  return d;
}

TEST(Normalize, PerFeatureStatisticsAreThePopulationMeanAndStd) {
  // Column 0: 1, 2, 3, 4 (mean 2.5, population std sqrt(1.25)); column 1
  // constant 7 (std 1 by convention); column 2: -10, 10, -10, 10 (std 10).
  const Dataset d = table({1, 7, -10, 2, 7, 10, 3, 7, -10, 4, 7, 10}, 3);
  const Normalizer n = fit_normalizer(d);
  ASSERT_EQ(n.mean.size(), 3u);
  EXPECT_FLOAT_EQ(n.mean[0], 2.5f);
  EXPECT_FLOAT_EQ(n.stddev[0], static_cast<float>(std::sqrt(1.25)));
  EXPECT_FLOAT_EQ(n.mean[1], 7.0f);
  EXPECT_EQ(n.stddev[1], 1.0f);
  EXPECT_FLOAT_EQ(n.mean[2], 0.0f);
  EXPECT_FLOAT_EQ(n.stddev[2], 10.0f);
  const std::vector<float> z = normalize(d, n).features.to_vector<float>();
  EXPECT_FLOAT_EQ(z[0], static_cast<float>(-1.5 / std::sqrt(1.25)));
  EXPECT_EQ(z[1], 0.0f);
  EXPECT_FLOAT_EQ(z[2], -1.0f);
}

// Output is float32: with integer inputs in [-1000, 1000] the rounding of
// the mean is at most ~6e-5 and a non-constant column has std >= 0.5, so z
// is good to ~1.2e-4; 1e-3 leaves room without hiding a wrong formula.
RC_GTEST_PROP(Normalize, TrainFeaturesBecomeZeroMeanUnitStd, ()) {
  const auto rows = *rc::gen::inRange<int64_t>(2, 50);
  const auto cols = *rc::gen::inRange<int64_t>(1, 5);
  const bool few_values = *rc::gen::arbitrary<bool>();  // often makes constant columns
  std::vector<float> v;
  for (int64_t i = 0; i < rows * cols; ++i) {
    v.push_back(
        static_cast<float>(few_values ? *rc::gen::inRange(0, 2) : *rc::gen::inRange(-1000, 1001)));
  }
  const Dataset d = table(v, cols);
  const std::vector<float> z = normalize(d, fit_normalizer(d)).features.to_vector<float>();
  for (int64_t j = 0; j < cols; ++j) {
    bool constant = true;
    double s = 0, sq = 0;
    for (int64_t i = 0; i < rows; ++i) {
      const auto at = static_cast<std::size_t>(i * cols + j);
      constant = constant && v[at] == v[static_cast<std::size_t>(j)];
      s += z[at];
      sq += static_cast<double>(z[at]) * z[at];
    }
    const double mean = s / static_cast<double>(rows);
    const double var = sq / static_cast<double>(rows) - mean * mean;
    if (constant) {
      RC_ASSERT(s == 0.0);  // (x - mean) / 1 with x == mean exactly
      RC_ASSERT(sq == 0.0);
    } else {
      RC_ASSERT(std::abs(mean) < 1e-3);
      RC_ASSERT(std::abs(var - 1.0) < 1e-3);
    }
  }
}

TEST(Normalize, GlobalModeUsesOneStatisticAndOtherSplitsReuseIt) {
  const Dataset train = table({0, 2, 4, 6}, 2);  // mean 3, std sqrt(5)
  const Normalizer n = fit_normalizer(train, NormMode::Global);
  ASSERT_EQ(n.mean.size(), 1u);
  EXPECT_FLOAT_EQ(n.mean[0], 3.0f);
  EXPECT_FLOAT_EQ(n.stddev[0], static_cast<float>(std::sqrt(5.0)));
  // A "test" split is transformed with the train statistics, not its own.
  const Dataset test = table({3, 3 + static_cast<float>(std::sqrt(5.0))}, 2);
  const std::vector<float> z = normalize(test, n).features.to_vector<float>();
  EXPECT_EQ(z[0], 0.0f);
  EXPECT_FLOAT_EQ(z[1], 1.0f);
}

TEST(Normalize, ImagesPerPixelAndBatchesOfAnyRank) {
  Dataset d;
  d.features = from_vector(std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}, {2, 2, 2});
  d.labels = zeros({2}, DType::Int64);
  d.num_classes = 1;
  const Normalizer n = fit_normalizer(d);  // per pixel: 4 features
  ASSERT_EQ(n.mean.size(), 4u);
  EXPECT_FLOAT_EQ(n.mean[3], 5.0f);
  EXPECT_FLOAT_EQ(n.stddev[3], 2.0f);
  const Tensor z = n.apply(d.features);
  EXPECT_EQ(z.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(z.to_vector<float>(), (std::vector<float>{-1, -1, -1, -1, 1, 1, 1, 1}));
}

TEST(Normalize, AnEmptyBatchKeepsItsFeatureCount) {
  const Normalizer n = fit_normalizer(table({1, 2, 3, 4}, 2));
  const Tensor z = n.apply(zeros({0, 2}));
  EXPECT_EQ(z.shape(), (Shape{0, 2}));
  expect_throw<std::invalid_argument>(
      [&] {
        n.apply(zeros({0, 3}));
      },
      {"(0,3) has 3 features per example", "fitted on 2"});
}

TEST(Normalize, Errors) {
  const Dataset d = table({1, 2, 3, 4}, 2);
  const Normalizer n = fit_normalizer(d);
  expect_throw<std::invalid_argument>(
      [&] {
        n.apply(from_vector(std::vector<float>{1, 2, 3}, {1, 3}));
      },
      {"3 features per example", "fitted on 2"});
  expect_throw<std::invalid_argument>([&] { Normalizer{}.apply(d.features); }, {"not fitted"});
  expect_throw<std::invalid_argument>([&] { n.apply(zeros({2, 2}, DType::Int64)); }, {"floating"});
  Dataset empty_set = d;
  empty_set.features = zeros({0, 2});
  empty_set.labels = zeros({0}, DType::Int64);
  expect_throw<std::invalid_argument>([&] { fit_normalizer(empty_set); }, {"empty dataset"});
  const Dataset bad = table({1, std::nanf("")}, 2);
  expect_throw<std::invalid_argument>([&] { fit_normalizer(bad); },
                                      {"feature 1 has non-finite values"});
}

}  // namespace
}  // namespace gradlab::data
