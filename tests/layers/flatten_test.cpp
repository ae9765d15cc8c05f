// tests/layers/flatten_test.cpp — Flatten: shapes, row-major order, gradcheck.
#include "layers/flatten.h"

#include <gtest/gtest.h>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "tests/layers/test_util.h"

namespace gradlab::nn {
namespace {

TEST(Flatten, KeepsTheBatchDimByDefault) {
  Flatten flat;
  Tensor x = arange(0, 24, 1, DType::Float64).reshape({2, 3, 4});
  Tensor y = flat(x);
  EXPECT_EQ(y.shape(), (Shape{2, 12}));
  std::vector<double> expected(24);
  for (int i = 0; i < 24; ++i) expected[i] = i;  // row-major order is kept
  EXPECT_TRUE(test::values_near(y, expected, 0));
}

TEST(Flatten, CustomRange) {
  Tensor x = zeros({2, 3, 4, 5});
  EXPECT_EQ(Flatten(0)(x).shape(), (Shape{120}));
  EXPECT_EQ(Flatten(1, 2)(x).shape(), (Shape{2, 12, 5}));
  EXPECT_EQ(Flatten(-2)(x).shape(), (Shape{2, 3, 20}));
  EXPECT_EQ(Flatten(2, 3).repr(), "Flatten(start_dim=2, end_dim=3)");
}

TEST(Flatten, Gradcheck) {
  Flatten flat;
  Generator gen(1);
  // A transposed (non-contiguous) input too.
  auto r = gradcheck([&](const std::vector<Tensor>& in) { return flat(transpose(in[0], 1, 2)); },
                     {randn({2, 3, 2}, gen, DType::Float64)});
  EXPECT_TRUE(r.ok) << r.message;
}

}  // namespace
}  // namespace gradlab::nn
