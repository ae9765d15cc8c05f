// tests/datasets/synthetic_test.cpp — spirals, moons and blobs
// (datasets/synthetic.cpp): shapes, labels, the geometry each promises,
// determinism for a seed, and argument checks.
#include "datasets/synthetic.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "tests/datasets/test_util.h"

namespace gradlab::data {
namespace {

using testing::expect_throw;

bool same(const Dataset& a, const Dataset& b) {
  return a.features.to_vector<float>() == b.features.to_vector<float>() &&
         a.labels.to_vector<int64_t>() == b.labels.to_vector<int64_t>();
}

TEST(Synthetic, SpiralsShapeAndLabels) {
  const Dataset d = make_spirals({.n_per_class = 50, .num_classes = 4, .noise = 0.3, .seed = 3});
  EXPECT_EQ(d.features.shape(), (Shape{200, 2}));
  EXPECT_EQ(d.num_classes, 4);
  EXPECT_EQ(class_counts(d), (std::vector<int64_t>{50, 50, 50, 50}));
  EXPECT_EQ(d.class_names.size(), 4u);
  EXPECT_NO_THROW(validate(d));
}

// Noise moves the angle only: point t of an arm has radius t / (n - 1).
RC_GTEST_PROP(Synthetic, SpiralRadiusIsTheArmPosition, ()) {
  const auto n = *rc::gen::inRange<int64_t>(2, 60);
  const auto k = *rc::gen::inRange<int64_t>(1, 6);
  const Dataset d = make_spirals(
      {.n_per_class = n, .num_classes = k, .noise = 0.5, .seed = *rc::gen::arbitrary<uint64_t>()});
  const std::vector<float> x = d.features.to_vector<float>();
  for (int64_t i = 0; i < n * k; ++i) {
    const double r =
        std::hypot(x[static_cast<std::size_t>(2 * i)], x[static_cast<std::size_t>(2 * i + 1)]);
    RC_ASSERT(std::abs(r - static_cast<double>(i % n) / static_cast<double>(n - 1)) < 1e-6);
  }
}

TEST(Synthetic, SpiralsWithoutNoiseFollowTheFormula) {
  const Dataset d = make_spirals({.n_per_class = 5, .num_classes = 2, .noise = 0.0});
  const std::vector<float> x = d.features.to_vector<float>();
  // Arm 1, point 2 of 5: r = 0.5, angle = 4 + 4 * 0.5 = 6.
  EXPECT_FLOAT_EQ(x[2 * 7], static_cast<float>(0.5 * std::sin(6.0)));
  EXPECT_FLOAT_EQ(x[2 * 7 + 1], static_cast<float>(0.5 * std::cos(6.0)));
}

TEST(Synthetic, MoonsWithoutNoiseLieOnTheirCircles) {
  const Dataset d = make_moons({.n_samples = 101, .noise = 0.0});
  EXPECT_EQ(d.features.shape(), (Shape{101, 2}));
  EXPECT_EQ(class_counts(d), (std::vector<int64_t>{51, 50}));
  const std::vector<float> x = d.features.to_vector<float>();
  const std::vector<int64_t> y = d.labels.to_vector<int64_t>();
  for (std::size_t i = 0; i < 101; ++i) {
    const double a = x[2 * i], b = x[2 * i + 1];
    if (y[i] == 0) {
      EXPECT_NEAR(std::hypot(a, b), 1.0, 1e-6);
      EXPECT_GE(b, -1e-6);
    } else {
      EXPECT_NEAR(std::hypot(a - 1.0, b - 0.5), 1.0, 1e-6);
      EXPECT_LE(b, 0.5 + 1e-6);
    }
  }
}

TEST(Synthetic, MoonsNoiseHasTheRequestedSpread) {
  const Dataset clean = make_moons({.n_samples = 20000, .noise = 0.0, .seed = 1});
  const Dataset noisy = make_moons({.n_samples = 20000, .noise = 0.2, .seed = 1});
  const std::vector<float> a = clean.features.to_vector<float>(),
                           b = noisy.features.to_vector<float>();
  double sq = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sq += (b[i] - a[i]) * (b[i] - a[i]);
  const double sd = std::sqrt(sq / static_cast<double>(a.size()));
  EXPECT_NEAR(sd, 0.2, 0.004);  // standard error of the sd estimate ~0.0007
}

TEST(Synthetic, BlobsClustersHaveTheRequestedStdAndLieInTheBox) {
  const Dataset d = make_blobs({.n_per_class = 4000,
                                .num_classes = 3,
                                .dim = 5,
                                .cluster_std = 0.5,
                                .center_box = 4.0,
                                .seed = 9});
  EXPECT_EQ(d.features.shape(), (Shape{12000, 5}));
  const std::vector<float> x = d.features.to_vector<float>();
  for (int64_t k = 0; k < 3; ++k) {
    for (int64_t j = 0; j < 5; ++j) {
      double s = 0, sq = 0;
      for (int64_t i = k * 4000; i < (k + 1) * 4000; ++i)
        s += x[static_cast<std::size_t>(i * 5 + j)];
      const double mean = s / 4000;
      for (int64_t i = k * 4000; i < (k + 1) * 4000; ++i) {
        const double dv = x[static_cast<std::size_t>(i * 5 + j)] - mean;
        sq += dv * dv;
      }
      EXPECT_NEAR(std::sqrt(sq / 4000), 0.5, 0.03) << "class " << k << " dim " << j;
      EXPECT_LE(std::abs(mean), 4.0 + 0.05);  // centre in the box, mean within ~6 sd
    }
  }
}

TEST(Synthetic, SameSeedSameDataDifferentSeedDifferentData) {
  EXPECT_TRUE(same(make_spirals({.seed = 5}), make_spirals({.seed = 5})));
  EXPECT_FALSE(same(make_spirals({.seed = 5}), make_spirals({.seed = 6})));
  EXPECT_TRUE(same(make_moons({.seed = 5}), make_moons({.seed = 5})));
  EXPECT_FALSE(same(make_moons({.seed = 5}), make_moons({.seed = 6})));
  EXPECT_TRUE(same(make_blobs({.seed = 5}), make_blobs({.seed = 5})));
  EXPECT_FALSE(same(make_blobs({.seed = 5}), make_blobs({.seed = 6})));
}

TEST(Synthetic, BadArguments) {
  expect_throw<std::invalid_argument>([] { make_spirals({.n_per_class = 0}); },
                                      {"make_spirals: n_per_class must be >= 1, got 0"});
  expect_throw<std::invalid_argument>([] { make_spirals({.noise = -1}); },
                                      {"noise must be finite and >= 0"});
  expect_throw<std::invalid_argument>([] { make_spirals({.noise = std::nan("")}); }, {"noise"});
  expect_throw<std::invalid_argument>([] { make_moons({.n_samples = 1}); },
                                      {"make_moons: n_samples"});
  expect_throw<std::invalid_argument>([] { make_blobs({.dim = 0}); }, {"make_blobs: dim"});
  expect_throw<std::invalid_argument>([] { make_blobs({.num_classes = 1000000}); },
                                      {"num_classes 1000000 is larger than the limit"});
  expect_throw<std::invalid_argument>(
      [] { make_spirals({.n_per_class = int64_t{1} << 40, .num_classes = 3}); }, {"too large"});
  expect_throw<std::invalid_argument>(
      [] { make_blobs({.n_per_class = int64_t{1} << 62, .num_classes = 8}); }, {"too large"});
}

}  // namespace
}  // namespace gradlab::data
