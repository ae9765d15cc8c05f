// tests/losses/mse_test.cpp — losses/mse.cpp: values, reductions, gradient,
// shape errors.
#include <gtest/gtest.h>

#include <vector>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "losses/mse.h"
#include "tests/losses/golden.h"

namespace {

using gradlab::Reduction;
using gradlab::Tensor;

TEST(MseLoss, ValuesAndReductions) {
  const Tensor a = gradlab::from_vector<double>({1, 2, 3, 4}, {2, 2});
  const Tensor b = gradlab::from_vector<double>({1, 0, 5, 1}, {2, 2});
  // squared errors: 0, 4, 4, 9
  EXPECT_TRUE(losses_test::all_close(gradlab::mse_loss(a, b, Reduction::None), {0, 4, 4, 9}, 0, 0));
  EXPECT_EQ(gradlab::mse_loss(a, b, Reduction::Sum).item(), 17.0);
  EXPECT_EQ(gradlab::mse_loss(a, b).item(), 17.0 / 4);
  EXPECT_EQ(gradlab::mse_loss(a, b).shape(), gradlab::Shape{});
}

TEST(MseLoss, GradientInBothArguments) {
  gradlab::Generator gen(1);
  const Tensor a = gradlab::randn({3, 4}, gen, gradlab::DType::Float64);
  const Tensor b = gradlab::randn({3, 4}, gen, gradlab::DType::Float64);
  for (Reduction r : {Reduction::None, Reduction::Sum, Reduction::Mean}) {
    const auto res = gradlab::gradcheck(
        [&](const std::vector<Tensor>& in) { return gradlab::mse_loss(in[0], in[1], r); }, {a, b});
    EXPECT_TRUE(res.ok) << res.message;
  }
}

TEST(MseLoss, ShapeMismatchNamesBoth) {
  try {
    gradlab::mse_loss(gradlab::zeros({3, 1}), gradlab::zeros({3}));
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "mse_loss: input (3,1) vs target (3)");
  }
}

}  // namespace
