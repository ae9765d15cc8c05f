// tests/losses/cross_entropy_test.cpp — losses/cross_entropy.cpp beyond the
// course suite (tests/test_cross_entropy.cpp): argument validation and its
// messages, NaN semantics, layouts, dtypes, and bit-identical results for
// any thread count.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "losses/cross_entropy.h"
#include "tests/losses/golden.h"

namespace {

using gradlab::CrossEntropyOptions;
using gradlab::DType;
using gradlab::Reduction;
using gradlab::Tensor;

Tensor i64(const std::vector<int64_t>& v, gradlab::Shape s) {
  return gradlab::from_vector<int64_t>(v, std::move(s));
}

// The message of the std::invalid_argument thrown by f ("" if none).
template <class F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(CrossEntropyValidation, TargetOutOfRangeNamesIndexValueAndClasses) {
  const Tensor x = gradlab::zeros({4, 10});
  EXPECT_EQ(error_of([&] { gradlab::cross_entropy(x, i64({1, 2, 3, 12}, {4})); }),
            "cross_entropy: target 12 out of range for 10 classes at index 3");
  EXPECT_EQ(error_of([&] { gradlab::cross_entropy(x, i64({1, -1, 3, 2}, {4})); }),
            "cross_entropy: target -1 out of range for 10 classes at index 1");
  const Tensor x3 = gradlab::zeros({2, 3, 5});
  EXPECT_EQ(error_of([&] { gradlab::cross_entropy(x3, i64({0, 1, 2, 3, 4, 5}, {2, 3})); }),
            "cross_entropy: target 5 out of range for 5 classes at index (1,2)");
  // ignored and masked rows are never checked (padding may hold anything)
  EXPECT_NO_THROW(gradlab::cross_entropy(x, i64({1, 2, 3, -100}, {4})));
  EXPECT_NO_THROW(gradlab::cross_entropy(
      x, i64({1, 99, 3, 2}, {4}), {.mask = gradlab::from_vector<uint8_t>({1, 0, 1, 1}, {4})}));
}

TEST(CrossEntropyValidation, LabelSmoothingOutsideUnitInterval) {
  const Tensor x = gradlab::zeros({2, 3});
  const Tensor y = i64({0, 1}, {2});
  for (double eps : {-0.1, 1.5, std::nan("")}) {
    const std::string msg = error_of([&] { gradlab::cross_entropy(x, y, {.label_smoothing = eps}); });
    EXPECT_NE(msg.find("cross_entropy: label_smoothing must be in [0, 1]"), std::string::npos) << msg;
  }
  EXPECT_NO_THROW(gradlab::cross_entropy(x, y, {.label_smoothing = 1.0}));
}

TEST(CrossEntropyValidation, ShapesAreNamed) {
  const Tensor x = gradlab::zeros({4, 5});
  const Tensor y = i64({0, 1, 2, 3}, {4});
  std::string msg = error_of([&] { gradlab::cross_entropy(x, y, {.weight = gradlab::ones({4})}); });
  EXPECT_NE(msg.find("weight (4) must have shape (5)"), std::string::npos) << msg;
  msg = error_of([&] {
    gradlab::cross_entropy(x, y, {.mask = gradlab::ones({2, 2}, DType::Bool)});
  });
  EXPECT_NE(msg.find("mask (2,2)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(4)"), std::string::npos) << msg;
  msg = error_of([&] { gradlab::cross_entropy(x, i64({0, 1, 2}, {3})); });
  EXPECT_NE(msg.find("target (3)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("logits (4,5)"), std::string::npos) << msg;
  msg = error_of([&] { gradlab::cross_entropy(x, gradlab::zeros({4, 5}, DType::Int64)); });
  EXPECT_NE(msg.find("must be floating"), std::string::npos) << msg;
  msg = error_of([&] { gradlab::cross_entropy(x, gradlab::zeros({4, 5}), {.ignore_index = 0}); });
  EXPECT_NE(msg.find("ignore_index (0) is not supported with probability targets"),
            std::string::npos) << msg;
  msg = error_of([&] { gradlab::cross_entropy(gradlab::zeros({4, 0}), gradlab::zeros({4}, DType::Int64)); });
  EXPECT_NE(msg.find("no classes"), std::string::npos) << msg;
  msg = error_of([&] { gradlab::cross_entropy(gradlab::zeros({4, 5}, DType::Int64), y); });
  EXPECT_NE(msg.find("logits must be floating"), std::string::npos) << msg;
}

TEST(CrossEntropyNaN, NaNInAValidRowIsNeverHidden) {
  Tensor x = gradlab::from_vector<float>({1, 2, 3, 4, NAN, 6}, {2, 3});
  const Tensor y = i64({0, 1}, {2});
  for (double eps : {0.0, 0.1}) {
    Tensor xl = x.detach().requires_grad_();
    Tensor l = gradlab::cross_entropy(xl, y, {.reduction = Reduction::None, .label_smoothing = eps});
    const std::vector<double> v = l.to_vector<double>();
    EXPECT_TRUE(std::isfinite(v[0]));
    EXPECT_TRUE(std::isnan(v[1]));
    gradlab::sum(l).backward();
    const std::vector<double> g = xl.grad().to_vector<double>();
    for (int j = 0; j < 3; ++j) EXPECT_TRUE(std::isfinite(g[j]));
    for (int j = 3; j < 6; ++j) EXPECT_TRUE(std::isnan(g[j]));
    EXPECT_TRUE(std::isnan(gradlab::cross_entropy(x, y, {.label_smoothing = eps}).item()));
  }
}

TEST(CrossEntropyNaN, NaNInAPaddedRowNeverLeaks) {
  const Tensor x = gradlab::from_vector<float>({1, 2, 3, NAN, INFINITY, -INFINITY}, {2, 3});
  for (bool by_mask : {true, false}) {
    CrossEntropyOptions o{.label_smoothing = 0.1, .weight = gradlab::full({3}, 2.0)};
    Tensor y = i64({2, 1}, {2});
    if (by_mask) o.mask = gradlab::from_vector<uint8_t>({1, 0}, {2});
    else y = i64({2, -100}, {2});
    Tensor xl = x.detach().requires_grad_();
    Tensor l = gradlab::cross_entropy(xl, y, o);
    EXPECT_TRUE(std::isfinite(l.item()));
    l.backward();
    const std::vector<double> g = xl.grad().to_vector<double>();
    for (int j = 0; j < 3; ++j) EXPECT_TRUE(std::isfinite(g[j]));
    for (int j = 3; j < 6; ++j) EXPECT_EQ(g[j], 0.0);  // exact zeros, not NaN * 0
    // the same as the first row alone
    const Tensor alone = gradlab::cross_entropy(gradlab::narrow(x, 0, 0, 1), i64({2}, {1}),
                                                {.label_smoothing = 0.1, .weight = gradlab::full({3}, 2.0)});
    EXPECT_EQ(l.item(), alone.item());
  }
}

TEST(CrossEntropyLayout, SequenceEqualsFlattenedAndNonContiguousIsAccepted) {
  gradlab::Generator gen(1);
  const Tensor x = gradlab::randn({2, 5, 7}, gen);
  const Tensor y = gradlab::randint(0, 7, {2, 5}, gen);
  CrossEntropyOptions o{.reduction = Reduction::None, .label_smoothing = 0.1};
  const Tensor a = gradlab::cross_entropy(x, y, o);
  const Tensor b = gradlab::cross_entropy(gradlab::reshape(x, {10, 7}), gradlab::reshape(y, {10}), o);
  EXPECT_EQ(a.shape(), (gradlab::Shape{2, 5}));
  EXPECT_TRUE(losses_test::same_values(gradlab::reshape(a, {10}), b));
  // classes on the last dim of a transposed (non-contiguous) view
  const Tensor xt = gradlab::transpose(gradlab::randn({7, 10}, gen), 0, 1);
  ASSERT_FALSE(xt.is_contiguous());
  EXPECT_TRUE(losses_test::same_values(gradlab::cross_entropy(xt, gradlab::reshape(y, {10}), o),
                                       gradlab::cross_entropy(xt.contiguous(), gradlab::reshape(y, {10}), o)));
  // a single row (C): 0-d target
  EXPECT_EQ(gradlab::cross_entropy(gradlab::randn({7}, gen), gradlab::scalar_tensor(3, DType::Int64),
                                   {.reduction = Reduction::None})
                .shape(),
            gradlab::Shape{});
}

TEST(CrossEntropyDtypes, SixteenBitLogitsComputeInFloat32) {
  gradlab::Generator gen(2);
  const Tensor x = gradlab::randn({6, 9}, gen) * 4.0;
  const Tensor y = gradlab::randint(0, 9, {6}, gen);
  for (DType dt : {DType::Float16, DType::BFloat16}) {
    Tensor xh = x.to(dt).requires_grad_();
    Tensor l = gradlab::cross_entropy(xh, y, {.label_smoothing = 0.1});
    EXPECT_EQ(l.dtype(), DType::Float32);
    l.backward();
    EXPECT_EQ(xh.grad().dtype(), dt);
    Tensor xf = x.to(dt).to(DType::Float32).requires_grad_();
    Tensor lf = gradlab::cross_entropy(xf, y, {.label_smoothing = 0.1});
    lf.backward();
    EXPECT_NEAR(l.item(), lf.item(), 1e-6 * std::fabs(lf.item()));
    const double ulp = dt == DType::Float16 ? 1.0 / 1024 : 1.0 / 128;
    EXPECT_TRUE(losses_test::all_close(xh.grad(), xf.grad().to_vector<double>(), ulp, 1e-7));
  }
}

TEST(CrossEntropyThreads, BitIdenticalForAnyThreadCount) {
  // big enough to be split across threads (rows x C >= 2^15)
  gradlab::Generator gen(9);
  const Tensor x = gradlab::randn({257, 300}, gen) * 3.0;
  Tensor y = gradlab::randint(0, 300, {257}, gen);
  const CrossEntropyOptions o{.ignore_index = 7, .label_smoothing = 0.1,
                              .weight = gradlab::rand({300}, gen) + 0.5};
  std::vector<Tensor> losses, grads;
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    Tensor xl = x.detach().requires_grad_();
    Tensor l = gradlab::cross_entropy(xl, y, o);
    l.backward();
    losses.push_back(l);
    grads.push_back(xl.grad());
  }
  omp_set_num_threads(saved);
  for (size_t i = 1; i < losses.size(); ++i) {
    EXPECT_TRUE(gradlab::equal(losses[0], losses[i]));
    EXPECT_TRUE(gradlab::equal(grads[0], grads[i]));
  }
}

TEST(CrossEntropyAutograd, NoGraphWithoutRequiresGradAndTargetGradDtype) {
  const Tensor x = gradlab::zeros({2, 3});
  EXPECT_EQ(gradlab::cross_entropy(x, i64({0, 1}, {2})).grad_fn_name(), "");
  Tensor xl = gradlab::zeros({2, 3}).requires_grad_();
  EXPECT_EQ(gradlab::cross_entropy(xl, i64({0, 1}, {2})).grad_fn_name(), "cross_entropy");
  // probability targets are differentiable too, in their own dtype
  Tensor t = gradlab::full({2, 3}, 1.0 / 3).to(DType::Float64).requires_grad_();
  gradlab::cross_entropy(xl, t).backward();
  ASSERT_TRUE(t.grad().defined());
  EXPECT_EQ(t.grad().dtype(), DType::Float64);
  // d/dt_c = -lsm_c / N = log(3) / 2 for uniform logits
  EXPECT_TRUE(losses_test::all_close(t.grad(), std::vector<double>(6, std::log(3.0) / 2), 1e-6, 0.0));
}

}  // namespace
