// tests/core/ops_reduce_test.cpp — reductions (core/ops_reduce.cpp): sum,
// mean, max, min, amax, amin, argmax, argmin over any set of dims, keepdim.
//
// Values by hand; an index-arithmetic reference over random shapes and dim
// sets; properties (linearity of sum, sums over dims compose, argmax agrees
// with max); gradcheck (plain and non-contiguous inputs); ties; 0-d and
// zero-size inputs; accumulation precision (Float16 and Float32 sums); errors.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A random subset of the dims of a rank-r tensor, some written negatively.
rc::Gen<std::vector<int64_t>> gen_dims(int64_t r) {
  return rc::gen::map(
      rc::gen::container<std::vector<int>>(static_cast<std::size_t>(r), uniformInRange<int>(0, 3)),
      [r](const std::vector<int>& pick) {
        std::vector<int64_t> dims;  // 0: keep, 1: reduce as d, 2: reduce as d - r
        for (int64_t d = 0; d < r; ++d) {
          if (pick[static_cast<std::size_t>(d)] == 1) dims.push_back(d);
          if (pick[static_cast<std::size_t>(d)] == 2) dims.push_back(d - r);
        }
        return dims;
      });
}

// Reference: reduce x over `dims` (empty = all) with f(acc, v) from `init`.
Tensor reference_reduce(const Tensor& x, std::vector<int64_t> dims, bool keepdim, double init,
                        const std::function<double(double, double)>& f) {
  const int64_t r = x.dim();
  std::vector<bool> red(static_cast<std::size_t>(r), dims.empty());
  for (int64_t d : dims) red[static_cast<std::size_t>(d < 0 ? d + r : d)] = true;
  Shape out, keep;
  for (int64_t d = 0; d < r; ++d) {
    keep.push_back(red[static_cast<std::size_t>(d)] ? 1 : x.shape()[static_cast<std::size_t>(d)]);
    if (!red[static_cast<std::size_t>(d)]) out.push_back(x.shape()[static_cast<std::size_t>(d)]);
  }
  std::vector<double> acc(static_cast<std::size_t>(numel_of(keep)), init);
  std::vector<double> xv = values(x);
  for (int64_t i = 0; i < x.numel(); ++i) {
    std::vector<int64_t> idx = unravel(i, x.shape());
    std::size_t o = static_cast<std::size_t>(ravel_broadcast(idx, keep));
    acc[o] = f(acc[o], xv[static_cast<std::size_t>(i)]);
  }
  return f64(acc, keepdim ? keep : out);
}

// ---- values by hand ----------------------------------------------------------------
TEST(Reduce, SumAndMeanByHand) {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_TRUE(tensorIs(sum(x), {}, {21}));
  EXPECT_TRUE(tensorIs(x.sum(), {}, {21}));
  EXPECT_TRUE(tensorIs(sum(x, {0}), {3}, {5, 7, 9}));
  EXPECT_TRUE(tensorIs(sum(x, {1}), {2}, {6, 15}));
  EXPECT_TRUE(tensorIs(sum(x, {-1}, true), {2, 1}, {6, 15}));
  EXPECT_TRUE(tensorIs(sum(x, {0, 1}), {}, {21}));
  EXPECT_TRUE(tensorIs(sum(x, {}, true), {1, 1}, {21}));  // empty dims = all
  EXPECT_TRUE(tensorIs(mean(x), {}, {3.5}));
  EXPECT_TRUE(tensorIs(x.mean(), {}, {3.5}));
  EXPECT_TRUE(tensorIs(mean(x, {0}), {3}, {2.5, 3.5, 4.5}));
  EXPECT_TRUE(tensorIs(mean(x, {1}, true), {2, 1}, {2, 5}));
  Tensor y = f64({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});
  EXPECT_TRUE(tensorIs(sum(y, {0, 2}), {2}, {1 + 2 + 5 + 6, 3 + 4 + 7 + 8}));
  EXPECT_TRUE(tensorIs(sum(y, {2, 0}, true), {1, 2, 1}, {14, 22}));
}

TEST(Reduce, SumDtypes) {
  EXPECT_EQ(sum(i64({1, 2, 3}, {3})).dtype(), DType::Int64);
  EXPECT_TRUE(tensorIs(sum(i64({1, 2, 3}, {3})), {}, {6}));
  EXPECT_EQ(sum(from_vector<uint8_t>({1, 0, 1, 1}, {4})).dtype(), DType::Int64);  // counts trues
  EXPECT_TRUE(tensorIs(sum(from_vector<uint8_t>({1, 0, 1, 1}, {4})), {}, {3}));
  EXPECT_EQ(sum(ones({3}, DType::Float16)).dtype(), DType::Float16);
  EXPECT_EQ(mean(ones({3}, DType::BFloat16)).dtype(), DType::BFloat16);
  EXPECT_THROWS_WITH(mean(i64({1, 2}, {2})), std::invalid_argument, "mean", "Int64");
}

TEST(Reduce, AccumulationIsWiderThanStorage) {
  // 4096 halves of 1: a float16 accumulator would stall at 2048 (2048 + 1
  // rounds back to 2048); computing in float32 gives the exact 4096.
  EXPECT_TRUE(tensorIs(sum(ones({4096}, DType::Float16)), {}, {4096}));
  EXPECT_TRUE(tensorIs(sum(ones({4096, 2}, DType::Float16), {0}), {2}, {4096, 4096}));
  EXPECT_TRUE(tensorIs(mean(ones({4096}, DType::BFloat16)), {}, {1}));
  // Float32 sums accumulate in float64: 1e8 + 1 - 1e8 = 1 (float32 alone gives 0).
  EXPECT_TRUE(tensorIs(sum(from_vector<float>({1e8f, 1, -1e8f}, {3})), {}, {1}));
  EXPECT_TRUE(tensorIs(sum(from_vector<float>({1e8f, 1e8f, 1, 1, -1e8f, -1e8f}, {3, 2}), {0}), {2},
                       {1, 1}));
}

TEST(Reduce, MaxMinByHand) {
  Tensor x = f64({3, 1, 4, 1, 5, 9, 2, 6}, {2, 4});
  EXPECT_TRUE(tensorIs(max(x), {}, {9}));
  EXPECT_TRUE(tensorIs(min(x), {}, {1}));
  EXPECT_TRUE(tensorIs(amax(x, {1}), {2}, {4, 9}));
  EXPECT_TRUE(tensorIs(amin(x, {0}), {4}, {3, 1, 2, 1}));
  EXPECT_TRUE(tensorIs(amax(x, {0, 1}, true), {1, 1}, {9}));
  EXPECT_TRUE(tensorIs(amax(x, {}), {}, {9}));
  EXPECT_TRUE(tensorIs(argmax(x, 1), {2}, {2, 1}));
  EXPECT_TRUE(tensorIs(argmin(x, 1, true), {2, 1}, {1, 2}));
  EXPECT_TRUE(tensorIs(argmax(x, 0), {4}, {1, 1, 0, 1}));
  EXPECT_EQ(argmax(x, 0).dtype(), DType::Int64);
  EXPECT_TRUE(tensorIs(argmax(x), {}, {5}));  // flattened
  // Ties: the first index wins.
  EXPECT_TRUE(tensorIs(argmax(f64({2, 7, 7, 1}, {4}), 0), {}, {1}));
  EXPECT_TRUE(tensorIs(argmin(f64({2, 1, 7, 1}, {4}), 0), {}, {1}));
  // NaN propagates, and argmax points at it.
  EXPECT_TRUE(tensorIs(max(f64({1, kNaN, 3}, {3})), {}, {kNaN}));
  EXPECT_TRUE(tensorIs(argmax(f64({1, kNaN, 3}, {3})), {}, {1}));
  EXPECT_TRUE(tensorIs(amin(f64({1, 3, kNaN}, {3}), {0}), {}, {kNaN}));
  // Integers.
  EXPECT_TRUE(tensorIs(min(i64({3, -1, 2}, {3})), {}, {-1}));
  EXPECT_EQ(amax(i64({3, -1, 2}, {3}), {0}).dtype(), DType::Int64);
}

TEST(Reduce, ExtremeGradientIsSplitAmongTies) {
  Tensor x = f64({1, 3, 3, 2, 0, 2}, {2, 3});
  x.requires_grad_();
  amax(x, {1}).sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {2, 3}, {0, 0.5, 0.5, 0.5, 0, 0.5}));
  x.zero_grad();
  max(x).backward();
  EXPECT_TRUE(tensorIs(x.grad(), {2, 3}, {0, 0.5, 0.5, 0, 0, 0}));
  x.zero_grad();
  min(x).backward();
  EXPECT_TRUE(tensorIs(x.grad(), {2, 3}, {0, 0, 0, 0, 1, 0}));
  Tensor c = full({4}, 2.0, DType::Float64);
  c.requires_grad_();
  max(c).backward();
  EXPECT_TRUE(tensorIs(c.grad(), {4}, {0.25, 0.25, 0.25, 0.25}));
}

TEST(Reduce, SumAndMeanGradientsByHand) {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  x.requires_grad_();
  mul(sum(x, {1}), f64({1, 10}, {2})).sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {2, 3}, {1, 1, 1, 10, 10, 10}));
  x.zero_grad();
  mean(x, {0}, true).sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {2, 3}, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}));
}

// ---- 0-d and zero-size -------------------------------------------------------------
TEST(Reduce, ZeroDimInputs) {
  Tensor s = f64({2.5}, {});
  EXPECT_TRUE(tensorIs(sum(s), {}, {2.5}));
  EXPECT_TRUE(tensorIs(sum(s, {0}), {}, {2.5}));
  EXPECT_TRUE(tensorIs(sum(s, {-1}, true), {}, {2.5}));
  EXPECT_TRUE(tensorIs(mean(s), {}, {2.5}));
  EXPECT_TRUE(tensorIs(max(s), {}, {2.5}));
  EXPECT_TRUE(tensorIs(amin(s, {0}), {}, {2.5}));
  EXPECT_TRUE(tensorIs(argmax(s, 0), {}, {0}));
  EXPECT_TRUE(tensorIs(argmax(s), {}, {0}));
  EXPECT_THROWS_WITH(sum(s, {1}), std::invalid_argument, "sum", "dim 1", "rank 0");
  Tensor g = f64({2.5}, {});
  g.requires_grad_();
  mul(max(g), sum(g, {0})).backward();
  EXPECT_TRUE(tensorIs(g.grad(), {}, {5}));
}

TEST(Reduce, ZeroSizeInputs) {
  Tensor e = zeros({0, 3}, DType::Float64);
  EXPECT_TRUE(tensorIs(sum(e), {}, {0}));
  EXPECT_TRUE(tensorIs(sum(e, {0}), {3}, {0, 0, 0}));
  EXPECT_EQ(sum(e, {1}).shape(), (Shape{0}));
  EXPECT_TRUE(tensorIs(mean(e), {}, {kNaN}));   // 0/0, as NumPy and PyTorch
  EXPECT_EQ(amax(e, {1}).shape(), (Shape{0}));  // reducing a non-empty dim is fine
  EXPECT_EQ(argmax(e, 1).shape(), (Shape{0}));
  EXPECT_THROWS_WITH(max(e), std::invalid_argument, "max", "(0,3)");
  EXPECT_THROWS_WITH(amin(e, {0}), std::invalid_argument, "amin", "(0,3)");
  EXPECT_THROWS_WITH(argmax(e, 0), std::invalid_argument, "argmax", "(0,3)");
  e.requires_grad_();
  sum(e, {0}).sum().backward();
  EXPECT_EQ(e.grad().shape(), (Shape{0, 3}));
}

TEST(Reduce, DimErrorsNameDimAndRank) {
  Tensor x = ones({2, 3});
  EXPECT_THROWS_WITH(sum(x, {2}), std::invalid_argument, "sum", "dim 2", "rank 2");
  EXPECT_THROWS_WITH(mean(x, {-3}), std::invalid_argument, "mean", "dim -3", "rank 2");
  EXPECT_THROWS_WITH(amax(x, {5}), std::invalid_argument, "amax", "dim 5", "rank 2");
  EXPECT_THROWS_WITH(argmin(x, 2), std::invalid_argument, "argmin", "dim 2", "rank 2");
  EXPECT_THROWS_WITH(sum(x, {1, -1}), std::invalid_argument, "sum", "more than once");
  EXPECT_THROWS_WITH(amax(ones({2}, DType::Bool), {0}), std::invalid_argument, "amax", "Bool");
  EXPECT_THROWS_WITH(sum(Tensor()), std::invalid_argument, "sum", "undefined");
}

// ---- properties ------------------------------------------------------------------------
RC_GTEST_PROP(Reduce, MatchesIndexArithmeticReference, ()) {
  const Tensor x = *genTensor();
  const std::vector<int64_t> dims = *gen_dims(x.dim());
  const bool keepdim = *rc::gen::arbitrary<bool>();
  RC_ASSERT(sameValues(sum(x, dims, keepdim),
                       reference_reduce(x, dims, keepdim, 0, std::plus<double>()), 1e-13));
  int64_t count = 1;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (dims.empty() || std::find(dims.begin(), dims.end(), d) != dims.end() ||
        std::find(dims.begin(), dims.end(), d - x.dim()) != dims.end())
      count *= x.size(d);
  RC_ASSERT(sameValues(mean(x, dims, keepdim),
                       div(reference_reduce(x, dims, keepdim, 0, std::plus<double>()),
                           full({}, static_cast<double>(count), DType::Float64)),
                       1e-13));
  if (count > 0) {
    auto mx = [](double a, double v) { return std::max(a, v); };
    auto mn = [](double a, double v) { return std::min(a, v); };
    RC_ASSERT(
        sameValues(amax(x, dims, keepdim), reference_reduce(x, dims, keepdim, -HUGE_VAL, mx)));
    RC_ASSERT(sameValues(amin(x, dims, keepdim), reference_reduce(x, dims, keepdim, HUGE_VAL, mn)));
  }
}

RC_GTEST_PROP(Reduce, SumIsLinear, ()) {
  const Shape s = *genShape();
  const Tensor x = randomTensor(s, *genSeed()), y = randomTensor(s, *genSeed());
  const std::vector<int64_t> dims = *gen_dims(static_cast<int64_t>(s.size()));
  const double a = *uniformInRange<int>(-5, 6), b = *uniformInRange<int>(-5, 6);
  Tensor lhs = sum(x * a + y * b, dims);
  Tensor rhs = sum(x, dims) * a + sum(y, dims) * b;
  RC_ASSERT(sameValues(lhs, rhs, 1e-10));  // rounding differs; linearity is what is checked
}

RC_GTEST_PROP(Reduce, SumsOverDimsCompose, ()) {
  const Tensor x = *genTensor(genShape(4, 5, 0, 2));
  const int64_t d = *uniformInRange<int64_t>(1, x.dim());
  // Summing dim d and then dim 0 = summing both at once = summing everything.
  Tensor two = sum(sum(x, {d}), {0});
  RC_ASSERT(sameValues(two, sum(x, {0, d}), 1e-10));
  RC_ASSERT(sameValues(sum(two), sum(x), 1e-10));
  // keepdim only keeps size-1 dims.
  RC_ASSERT(sameValues(reshape(sum(x, {0, d}, true), sum(x, {0, d}).shape()), sum(x, {0, d})));
}

RC_GTEST_PROP(Reduce, ArgmaxAgreesWithMax, ()) {
  const Tensor x = *genTensor(genShape(4, 5, 1));
  const int64_t d = *uniformInRange<int64_t>(0, std::max<int64_t>(x.dim(), 1));
  Tensor idx = argmax(x, d, true);
  Tensor jdx = argmin(x, d, true);
  if (x.dim() > 0) {
    RC_ASSERT(sameValues(gather(x, d, idx), amax(x, {d}, true)));
    RC_ASSERT(sameValues(gather(x, d, jdx), amin(x, {d}, true)));
  }
  RC_ASSERT(sameValues(squeeze(idx, d), argmax(x, d)));
  // Flattened argmax picks the maximum of everything.
  RC_ASSERT(values(reshape(x, {-1}))[static_cast<std::size_t>(argmax(x).item())] == max(x).item());
  // Every element is within [min, max].
  RC_ASSERT(values(le(x, max(x))) == std::vector<double>(static_cast<std::size_t>(x.numel()), 1.0));
  RC_ASSERT(values(ge(x, min(x))) == std::vector<double>(static_cast<std::size_t>(x.numel()), 1.0));
}

RC_GTEST_PROP(Reduce, NonContiguousInputMatchesContiguous, ()) {
  const ViewCase v = *genView();
  const Tensor x = v.make(*genSeed());
  const Tensor xc = x.contiguous();
  const std::vector<int64_t> dims = *gen_dims(x.dim());
  const bool keepdim = *rc::gen::arbitrary<bool>();
  RC_ASSERT(sameValues(sum(x, dims, keepdim), sum(xc, dims, keepdim)));
  RC_ASSERT(sameValues(sum(x), sum(xc)));
  RC_ASSERT(sameValues(mean(x, dims, keepdim), mean(xc, dims, keepdim)));
  if (x.numel() > 0) {
    RC_ASSERT(sameValues(amax(x, dims, keepdim), amax(xc, dims, keepdim)));
    RC_ASSERT(sameValues(amin(x, dims, keepdim), amin(xc, dims, keepdim)));
    RC_ASSERT(sameValues(argmax(x), argmax(xc)));
    for (int64_t d = 0; d < x.dim(); ++d) {
      RC_ASSERT(sameValues(argmax(x, d, keepdim), argmax(xc, d, keepdim)));
      RC_ASSERT(sameValues(argmin(x, d), argmin(xc, d)));
    }
  }
}

// ---- gradcheck -------------------------------------------------------------------------
RC_GTEST_PROP(ReduceGrad, SumAndMean, ()) {
  const ViewCase v = *genView(genGradShape());
  const std::vector<int64_t> dims = *gen_dims(static_cast<int64_t>(v.shape.size()));
  const bool keepdim = *rc::gen::arbitrary<bool>();
  const Tensor x = randomTensor(v.base_shape, *genSeed());
  rcGradcheck([](const std::vector<Tensor>& in) { return sum(in[0]); }, {x});
  rcGradcheck([&](const std::vector<Tensor>& in) { return sum(v.apply(in[0]), dims, keepdim); },
              {x});
  // The mean over zero elements is NaN whatever the input: nothing to check.
  int64_t count = 1;
  for (int64_t d = 0; d < static_cast<int64_t>(v.shape.size()); ++d)
    if (dims.empty() || std::count(dims.begin(), dims.end(), d) ||
        std::count(dims.begin(), dims.end(), d - static_cast<int64_t>(v.shape.size())))
      count *= v.shape[static_cast<std::size_t>(d)];
  if (count > 0)
    rcGradcheck([&](const std::vector<Tensor>& in) { return mean(v.apply(in[0]), dims, keepdim); },
                {x});
}

RC_GTEST_PROP(ReduceGrad, MaxMinAmaxAmin, ()) {
  const ViewCase v = *genView(genGradShape(1));
  const std::vector<int64_t> dims = *gen_dims(static_cast<int64_t>(v.shape.size()));
  const bool keepdim = *rc::gen::arbitrary<bool>();
  // Distinct values far apart (an expanded view repeats values: ties then
  // share the gradient, which the numerical derivative does not see, so
  // expanded views are checked by hand above instead).
  RC_PRE(v.kind != ViewCase::Expanded);
  Generator gen(*genSeed());
  const Tensor x =
      randperm(numel_of(v.base_shape), gen).to(DType::Float64).reshape(v.base_shape) * 0.1;
  rcGradcheck([&](const std::vector<Tensor>& in) { return max(v.apply(in[0])); }, {x});
  rcGradcheck([&](const std::vector<Tensor>& in) { return min(v.apply(in[0])); }, {x});
  rcGradcheck([&](const std::vector<Tensor>& in) { return amax(v.apply(in[0]), dims, keepdim); },
              {x});
  rcGradcheck([&](const std::vector<Tensor>& in) { return amin(v.apply(in[0]), dims, keepdim); },
              {x});
}

}  // namespace
}  // namespace gradlab
