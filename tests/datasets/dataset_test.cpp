// tests/datasets/dataset_test.cpp — Dataset invariants, row gathers,
// subsets, class counts and random_permutation (datasets/dataset.cpp).
#include "datasets/dataset.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <numeric>

#include "core/random.h"
#include "tests/datasets/test_util.h"

namespace gradlab::data {
namespace {

using testing::expect_throw;

// n examples of shape (2, 3); example i holds the values 100 i + 0..5.
Dataset make_numbered(int64_t n, int64_t num_classes) {
  std::vector<float> x;
  std::vector<int64_t> y;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < 6; ++j) x.push_back(static_cast<float>(100 * i + j));
    y.push_back(i % num_classes);
  }
  Dataset d;
  d.features = from_vector(x, {n, 2, 3});
  d.labels = from_vector(y, {n});
  d.num_classes = num_classes;
  return d;
}

TEST(Dataset, SizeAndExampleShape) {
  const Dataset d = make_numbered(5, 3);
  EXPECT_EQ(d.size(), 5);
  EXPECT_EQ(d.example_shape(), (Shape{2, 3}));
  EXPECT_EQ(d.example_numel(), 6);
  EXPECT_EQ(Dataset{}.size(), 0);
}

TEST(Dataset, ValidateAcceptsAConsistentDataset) {
  Dataset d = make_numbered(4, 2);
  d.class_names = {"a", "b"};
  EXPECT_NO_THROW(validate(d));
}

TEST(Dataset, ValidateNamesEachViolation) {
  Dataset d = make_numbered(4, 2);
  d.labels = from_vector(std::vector<int64_t>{0, 1, 0}, {3});
  expect_throw<std::invalid_argument>([&] { validate(d, "here"); },
                                      {"here: ", "labels shape (3)", "4 examples"});
  d = make_numbered(4, 2);
  d.labels = from_vector(std::vector<float>{0, 1, 0, 1}, {4});
  expect_throw<std::invalid_argument>([&] { validate(d); }, {"labels must be Int64", "Float32"});
  d = make_numbered(4, 2);
  d.labels = from_vector(std::vector<int64_t>{0, 1, 2, 1}, {4});
  expect_throw<std::invalid_argument>([&] { validate(d); },
                                      {"label 2 out of range for 2 classes at index 2"});
  d = make_numbered(4, 2);
  d.class_names = {"only one"};
  expect_throw<std::invalid_argument>([&] { validate(d); }, {"1 class names for 2 classes"});
  d = make_numbered(4, 2);
  d.features = Tensor();
  expect_throw<std::invalid_argument>([&] { validate(d); }, {"features tensor is undefined"});
}

TEST(Dataset, GatherRowsCopiesTheChosenRowsInOrder) {
  const Dataset d = make_numbered(6, 3);
  const Tensor g = gather_rows(d.features, std::vector<int64_t>{4, 0, 4});
  EXPECT_EQ(g.shape(), (Shape{3, 2, 3}));
  const std::vector<float> v = g.to_vector<float>();
  for (int64_t r = 0; r < 3; ++r) {
    const int64_t src = r == 1 ? 0 : 4;
    for (int64_t j = 0; j < 6; ++j) EXPECT_EQ(v[r * 6 + j], static_cast<float>(100 * src + j));
  }
  // The result owns its storage: changing it leaves the source alone.
  Tensor g2 = gather_rows(d.features, std::vector<int64_t>{1});
  g2.fill_(-1.0);
  EXPECT_EQ(d.features.to_vector<float>()[6], 100.0f);
}

TEST(Dataset, GatherRowsEmptyAndOutOfRange) {
  const Dataset d = make_numbered(3, 3);
  EXPECT_EQ(gather_rows(d.features, std::vector<int64_t>{}).shape(), (Shape{0, 2, 3}));
  expect_throw<std::invalid_argument>(
      [&] {
        gather_rows(d.features, std::vector<int64_t>{0, 3});
      },
      {"gather_rows", "index 3 out of range for 3 rows at position 1"});
  expect_throw<std::invalid_argument>([&] { gather_rows(d.features, std::vector<int64_t>{-1}); },
                                      {"index -1"});
}

TEST(Dataset, GatherRowsOfANonContiguousSource) {
  // (3, 2) transposed to (2, 3): rows of the transposed view, not of storage.
  const Tensor x = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {3, 2}).t();
  const Tensor g = gather_rows(x, std::vector<int64_t>{1});
  EXPECT_EQ(g.to_vector<float>(), (std::vector<float>{2, 4, 6}));
}

TEST(Dataset, SubsetKeepsClassesAndPairsLabelsWithFeatures) {
  Dataset d = make_numbered(6, 3);
  d.class_names = {"x", "y", "z"};
  const Dataset s = subset(d, {5, 1});
  EXPECT_EQ(s.size(), 2);
  EXPECT_EQ(s.num_classes, 3);
  EXPECT_EQ(s.class_names, d.class_names);
  EXPECT_EQ(s.labels.to_vector<int64_t>(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(s.features.to_vector<float>()[0], 500.0f);
  EXPECT_EQ(s.features.to_vector<float>()[6], 100.0f);
}

TEST(Dataset, ClassCounts) {
  const Dataset d = make_numbered(7, 3);  // labels 0 1 2 0 1 2 0
  EXPECT_EQ(class_counts(d), (std::vector<int64_t>{3, 2, 2}));
}

TEST(Dataset, FashionMnistNames) {
  ASSERT_EQ(fashion_mnist_class_names().size(), 10u);
  EXPECT_EQ(fashion_mnist_class_names()[0], "T-shirt/top");
  EXPECT_EQ(fashion_mnist_class_names()[9], "Ankle boot");
}

RC_GTEST_PROP(Dataset, RandomPermutationIsAPermutationAndDeterministic, ()) {
  const auto n = *rc::gen::inRange<int64_t>(0, 300);
  const auto seed = *rc::gen::arbitrary<uint64_t>();
  Generator g1(seed), g2(seed);
  const std::vector<int64_t> p = random_permutation(n, g1);
  RC_ASSERT(p == random_permutation(n, g2));
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> iota(static_cast<std::size_t>(n));
  std::iota(iota.begin(), iota.end(), 0);
  RC_ASSERT(sorted == iota);
}

TEST(Dataset, RandomPermutationDependsOnTheSeedAndMixesUniformly) {
  Generator a(1), b(2);
  EXPECT_NE(random_permutation(50, a), random_permutation(50, b));
  // Every element lands in every position about equally often: 3000
  // permutations of 5, expected 600 per (value, position) cell.
  Generator g(7);
  std::vector<int> hits(25, 0);
  for (int t = 0; t < 3000; ++t) {
    const auto p = random_permutation(5, g);
    for (int pos = 0; pos < 5; ++pos) ++hits[static_cast<std::size_t>(p[pos] * 5 + pos)];
  }
  for (int h : hits) {
    EXPECT_GT(h, 480);  // about 5 standard deviations (sd ~ 22) either side
    EXPECT_LT(h, 720);
  }
}

}  // namespace
}  // namespace gradlab::data
