// tests/datasets/fashion_mnist_test.cpp — the real data: Debian's
// Fashion-MNIST files read by load_fashion_mnist, checked against golden
// statistics computed independently by Python's gzip + NumPy
// (tests/data/datasets/make_fashion_mnist_stats.py, provenance in the JSON).
//
// scripts/install-deps.sh installs the data (package dataset-fashion-mnist);
// if it is missing this test FAILS with the path and the package name. It is
// never skipped.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "datasets/idx.h"

namespace gradlab::data {
namespace {

nlohmann::json golden() {
  const std::string path =
      std::string(GRADLAB_TEST_DATA_DIR) + "/datasets/fashion_mnist_stats.json";
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open golden file " + path);
  return nlohmann::json::parse(f);
}

// Loads a split unscaled (raw 0..255 values as floats), or records a failure
// that says what to install.
bool load(Split split, Dataset& out) {
  try {
    const auto t0 = std::chrono::steady_clock::now();
    out = load_fashion_mnist(split, /*scale=*/false);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "[ info ] loaded " << out.size() << " examples from " << kFashionMnistDir << " in "
              << s << " s\n";
    return true;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "Fashion-MNIST is required at " << kFashionMnistDir
                  << " (Debian package dataset-fashion-mnist, installed by "
                     "scripts/install-deps.sh): "
                  << e.what();
    return false;
  }
}

void check_split(Split split, const nlohmann::json& g) {
  Dataset d;
  if (!load(split, d)) return;
  const int64_t n = g["count"].get<int64_t>();
  ASSERT_EQ(d.features.shape(), (Shape{n, g["rows"].get<int64_t>(), g["cols"].get<int64_t>()}));
  ASSERT_EQ(d.labels.shape(), (Shape{n}));
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(d.class_names, fashion_mnist_class_names());
  EXPECT_NO_THROW(validate(d));

  const std::vector<int64_t> y = d.labels.to_vector<int64_t>();
  EXPECT_EQ(class_counts(d), g["label_counts"].get<std::vector<int64_t>>());
  const auto first = g["first_labels"].get<std::vector<int64_t>>();
  EXPECT_EQ(std::vector<int64_t>(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(first.size())),
            first);

  const float* x = d.features.data_ptr<float>();
  const int64_t total = d.features.numel();
  int64_t sum = 0, weighted = 0;
  float max_pixel = 0;
  for (int64_t k = 0; k < total; ++k) {
    const auto v = static_cast<int64_t>(x[k]);
    ASSERT_EQ(static_cast<float>(v), x[k]) << "unscaled pixels must be integers, index " << k;
    sum += v;
    weighted += v * (k % 251);
    max_pixel = std::max(max_pixel, x[k]);
  }
  EXPECT_EQ(sum, g["pixel_sum"].get<int64_t>());
  EXPECT_EQ(weighted, g["weighted_pixel_sum"].get<int64_t>());
  EXPECT_EQ(max_pixel, g["max_pixel"].get<float>());
  const auto image_sums = g["first_image_sums"].get<std::vector<int64_t>>();
  for (std::size_t i = 0; i < image_sums.size(); ++i) {
    int64_t s = 0;
    for (int64_t k = 0; k < 784; ++k)
      s += static_cast<int64_t>(x[static_cast<int64_t>(i) * 784 + k]);
    EXPECT_EQ(s, image_sums[i]) << "image " << i;
  }
}

TEST(FashionMnist, TrainSplitMatchesNumPy) { check_split(Split::Train, golden()["train"]); }

TEST(FashionMnist, TestSplitMatchesNumPy) { check_split(Split::Test, golden()["test"]); }

TEST(FashionMnist, ScaledPixelsAreRawOver255) {
  Dataset raw, scaled;
  if (!load(Split::Test, raw)) return;
  scaled = load_fashion_mnist(Split::Test);
  const float* a = raw.features.data_ptr<float>();
  const float* b = scaled.features.data_ptr<float>();
  float lo = 1, hi = 0;
  for (int64_t k = 0; k < raw.features.numel(); ++k) {
    ASSERT_EQ(b[k], a[k] / 255.0f) << "index " << k;
    lo = std::min(lo, b[k]);
    hi = std::max(hi, b[k]);
  }
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 1.0f);
}

}  // namespace
}  // namespace gradlab::data
