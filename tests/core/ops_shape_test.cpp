// tests/core/ops_shape_test.cpp — views (core/ops_shape.cpp): reshape, view,
// flatten, transpose, permute, narrow, slice, select, expand, squeeze,
// unsqueeze, contiguous.
//
// Values by hand; properties (transpose twice is identity, permute then its
// inverse, reshape round trip, view and contiguous agree, views share
// storage, slices match index arithmetic); gradcheck for every view on plain
// and non-contiguous inputs; 0-d and zero-size inputs; errors naming the dim
// and the rank.
#include <algorithm>
#include <numeric>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

// A random shape with exactly n elements (rank 0-4; zero-size when n == 0).
rc::Gen<Shape> gen_shape_with_numel(int64_t n) {
  if (n == 0) {
    return rc::gen::map(
        rc::gen::tuple(genShape(3, 4), uniformInRange<std::size_t>(0, 4)),
        [](const std::tuple<Shape, std::size_t>& t) {
          Shape s = std::get<0>(t);
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(std::min(std::get<1>(t), s.size())), 0);
          return s;
        });
  }
  std::vector<int64_t> factors;
  for (int64_t m = n, p = 2; m > 1;) {
    if (m % p == 0) {
      factors.push_back(p);
      m /= p;
    } else {
      ++p;
    }
  }
  const int min_rank = n > 1 ? 1 : 0;
  return rc::gen::mapcat(uniformInRange<int>(min_rank, 5), [factors](int rank) {
    return rc::gen::map(rc::gen::container<std::vector<int>>(
                            factors.size(), uniformInRange<int>(0, std::max(rank, 1))),
                        [factors, rank](const std::vector<int>& bucket) {
                          Shape s(static_cast<std::size_t>(rank), 1);
                          for (std::size_t i = 0; i < factors.size(); ++i)
                            s[static_cast<std::size_t>(bucket[i])] *= factors[i];
                          return s;
                        });
  });
}

bool shares_storage(const Tensor& a, const Tensor& b) {
  return a.impl()->storage == b.impl()->storage;
}

// ---- values by hand ------------------------------------------------------------------
TEST(Shape, ReshapeAndViewByHand) {
  Tensor x = arange(6);
  EXPECT_TRUE(tensorIs(reshape(x, {2, 3}), {2, 3}, {0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(tensorIs(reshape(x, {3, -1}), {3, 2}, {0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(tensorIs(x.view({-1, 1, 2}), {3, 1, 2}, {0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(shares_storage(x.view({2, 3}), x));
  // A transposed matrix cannot be flattened without a copy: view refuses,
  // reshape copies (in row-major order of the transposed view).
  Tensor t = reshape(x, {2, 3}).t();
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_THROWS_WITH(view(t, {6}), std::invalid_argument, "view", "(3,2)", "(6)", "reshape");
  Tensor r = reshape(t, {6});
  EXPECT_TRUE(tensorIs(r, {6}, {0, 3, 1, 4, 2, 5}));
  EXPECT_FALSE(shares_storage(r, x));
  // ... but splitting one of its dims is a view.
  Tensor v = view(t, {3, 2, 1});
  EXPECT_TRUE(shares_storage(v, x));
  EXPECT_TRUE(tensorIs(v, {3, 2, 1}, {0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(tensorIs(flatten(reshape(arange(24), {2, 3, 4}), 1), {2, 12}, values(arange(24))));
  EXPECT_EQ(flatten(zeros({2, 3, 4, 5}), 1, 2).shape(), (Shape{2, 12, 5}));
}

TEST(Shape, TransposePermuteByHand) {
  Tensor x = reshape(arange(6), {2, 3});
  EXPECT_TRUE(tensorIs(transpose(x, 0, 1), {3, 2}, {0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(tensorIs(x.transpose(-1, -2), {3, 2}, {0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(transpose(x, 0, 1).strides(), (Shape{1, 3}));
  Tensor y = reshape(arange(24), {2, 3, 4});
  Tensor p = permute(y, {2, 0, 1});
  EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(p.strides(), (Shape{1, 12, 4}));
  EXPECT_TRUE(tensorIs(select(select(p, 0, 3), 0, 1), {3}, {15, 19, 23}));
  EXPECT_TRUE(tensorIs(y.permute({-1, 0, 1}), {4, 2, 3}, values(p)));
}

TEST(Shape, NarrowSliceSelectByHand) {
  Tensor x = reshape(arange(12), {3, 4});
  EXPECT_TRUE(tensorIs(narrow(x, 1, 1, 2), {3, 2}, {1, 2, 5, 6, 9, 10}));
  EXPECT_TRUE(tensorIs(narrow(x, 0, 2, 1), {1, 4}, {8, 9, 10, 11}));
  EXPECT_EQ(narrow(x, 0, 3, 0).shape(), (Shape{0, 4}));
  EXPECT_TRUE(tensorIs(slice(x, 1, 0, 4, 2), {3, 2}, {0, 2, 4, 6, 8, 10}));
  EXPECT_TRUE(tensorIs(slice(arange(10), 0, -3, 100, 2), {2}, {7, 9}));  // Python-style clamping
  EXPECT_TRUE(tensorIs(slice(arange(10), 0, 5, 2), {0}, {}));            // end before start: empty
  EXPECT_TRUE(tensorIs(slice(arange(10), 0, -100, -8, 3), {1}, {0}));
  EXPECT_TRUE(tensorIs(select(x, 0, 1), {4}, {4, 5, 6, 7}));
  EXPECT_TRUE(tensorIs(select(x, 1, -1), {3}, {3, 7, 11}));
  EXPECT_TRUE(tensorIs(select(arange(5), 0, 2), {}, {2}));
  EXPECT_TRUE(shares_storage(narrow(x, 1, 1, 2), x));
  EXPECT_EQ(narrow(x, 1, 1, 2).storage_offset(), 1);
  EXPECT_EQ(slice(x, 0, 1, 3).storage_offset(), 4);
}

TEST(Shape, ExpandSqueezeUnsqueezeByHand) {
  Tensor c = f64({1, 2, 3}, {3, 1});
  Tensor e = expand(c, {2, 3, 4});
  EXPECT_EQ(e.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(e.strides()[0], 0);
  EXPECT_EQ(e.strides()[2], 0);
  EXPECT_TRUE(tensorIs(select(e, 0, 1), {3, 4}, {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}));
  EXPECT_EQ(expand(c, {-1, 2}).shape(), (Shape{3, 2}));
  EXPECT_EQ(expand(c, {3, 0}).shape(), (Shape{3, 0}));
  EXPECT_EQ(squeeze(zeros({1, 3, 1, 2})).shape(), (Shape{3, 2}));
  EXPECT_EQ(squeeze(zeros({1, 3, 1, 2}), 2).shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(squeeze(zeros({1, 3}), 1).shape(), (Shape{1, 3}));  // not size 1: unchanged
  EXPECT_EQ(unsqueeze(zeros({2, 3}), 0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(unsqueeze(zeros({2, 3}), -1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(unsqueeze(zeros({2, 3}), 1).shape(), (Shape{2, 1, 3}));
}

TEST(Shape, ViewsShareStorageAndSeeWrites) {
  Tensor x = zeros({3, 4}, DType::Float64);
  narrow(x, 1, 1, 2).fill_(7);
  EXPECT_TRUE(tensorIs(x, {3, 4}, {0, 7, 7, 0, 0, 7, 7, 0, 0, 7, 7, 0}));
  select(x, 0, 2).fill_(1);
  EXPECT_TRUE(tensorIs(x, {3, 4}, {0, 7, 7, 0, 0, 7, 7, 0, 1, 1, 1, 1}));
  transpose(x, 0, 1).copy_(f64({-1, -2, -3}, {3}));  // broadcast over the 4 rows of x^T
  EXPECT_TRUE(tensorIs(x, {3, 4}, {-1, -1, -1, -1, -2, -2, -2, -2, -3, -3, -3, -3}));
  Tensor y = zeros({2, 3}, DType::Float64);
  reshape(y, {6}).copy_(arange(6));
  EXPECT_TRUE(tensorIs(y, {2, 3}, {0, 1, 2, 3, 4, 5}));
  slice(y, 1, 0, 3, 2).fill_(-1);
  EXPECT_TRUE(tensorIs(y, {2, 3}, {-1, 1, -1, -1, 4, -1}));
}

TEST(Shape, ContiguousCopiesOnlyWhenNeeded) {
  Tensor x = reshape(arange(6, DType::Float64), {2, 3});
  EXPECT_TRUE(shares_storage(contiguous(x), x));
  Tensor t = x.t().contiguous();
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_FALSE(shares_storage(t, x));
  EXPECT_EQ(t.strides(), (Shape{2, 1}));
  EXPECT_TRUE(tensorIs(t, {3, 2}, {0, 3, 1, 4, 2, 5}));
  Tensor e = expand(f64({1, 2}, {2}), {3, 2}).contiguous();
  EXPECT_TRUE(tensorIs(e, {3, 2}, {1, 2, 1, 2, 1, 2}));
}

// ---- 0-d and zero-size ---------------------------------------------------------------
TEST(Shape, ZeroDimInputs) {
  Tensor s = f64({4}, {});
  EXPECT_EQ(reshape(s, {1, 1}).shape(), (Shape{1, 1}));
  EXPECT_EQ(reshape(reshape(s, {1}), {}).dim(), 0);
  EXPECT_EQ(reshape(s, {-1}).shape(), (Shape{1}));
  EXPECT_EQ(flatten(s).shape(), (Shape{1}));
  EXPECT_EQ(unsqueeze(s, 0).shape(), (Shape{1}));
  EXPECT_EQ(unsqueeze(s, -1).shape(), (Shape{1}));
  EXPECT_EQ(squeeze(s).dim(), 0);
  EXPECT_EQ(squeeze(s, 0).dim(), 0);
  EXPECT_EQ(transpose(s, 0, -1).dim(), 0);
  EXPECT_EQ(permute(s, {}).dim(), 0);
  EXPECT_EQ(expand(s, {2, 3}).shape(), (Shape{2, 3}));
  EXPECT_TRUE(tensorIs(expand(s, {2}), {2}, {4, 4}));
  EXPECT_THROWS_WITH(narrow(s, 0, 0, 1), std::invalid_argument, "narrow", "0-d");
  EXPECT_THROWS_WITH(select(s, 0, 0), std::invalid_argument, "select", "0-d");
  EXPECT_THROWS_WITH(slice(s, 0, 0, 1), std::invalid_argument, "slice", "0-d");
  EXPECT_THROWS_WITH(transpose(s, 0, 1), std::invalid_argument, "transpose", "dim 1", "rank 0");
}

TEST(Shape, ZeroSizeInputs) {
  Tensor e = zeros({0, 3});
  EXPECT_EQ(reshape(e, {3, 0}).shape(), (Shape{3, 0}));
  EXPECT_EQ(reshape(e, {3, 1, 0}).shape(), (Shape{3, 1, 0}));
  EXPECT_THROWS_WITH(reshape(e, {0, -1}), std::invalid_argument, "reshape", "(0,3)", "(0,-1)");
  EXPECT_EQ(transpose(e, 0, 1).shape(), (Shape{3, 0}));
  EXPECT_EQ(narrow(e, 1, 1, 2).shape(), (Shape{0, 2}));
  EXPECT_EQ(flatten(e).shape(), (Shape{0}));
  EXPECT_EQ(unsqueeze(e, 1).shape(), (Shape{0, 1, 3}));
  EXPECT_EQ(expand(zeros({1, 3}), {0, 3}).shape(), (Shape{0, 3}));
  EXPECT_EQ(transpose(e, 0, 1).contiguous().shape(), (Shape{3, 0}));
  EXPECT_EQ(view(transpose(e, 0, 1), {0}).numel(), 0);
}

// ---- errors ------------------------------------------------------------------------------
TEST(Shape, ErrorsNameOpShapesDimsAndRank) {
  Tensor x = zeros({2, 3});
  EXPECT_THROWS_WITH(reshape(x, {4}), std::invalid_argument, "reshape", "(2,3)", "(4)");
  EXPECT_THROWS_WITH(reshape(x, {-1, -1}), std::invalid_argument, "reshape", "-1");
  EXPECT_THROWS_WITH(reshape(x, {-2, 3}), std::invalid_argument, "reshape", "-2");
  EXPECT_THROWS_WITH(view(x, {5, -1}), std::invalid_argument, "view", "(2,3)", "(5,-1)");
  EXPECT_THROWS_WITH(transpose(x, 0, 2), std::invalid_argument, "transpose", "dim 2", "rank 2");
  EXPECT_THROWS_WITH(permute(x, {0}), std::invalid_argument, "permute", "rank 2");
  EXPECT_THROWS_WITH(permute(x, {0, 0}), std::invalid_argument, "permute", "repeated");
  EXPECT_THROWS_WITH(permute(x, {0, 2}), std::invalid_argument, "permute", "dim 2", "rank 2");
  EXPECT_THROWS_WITH(narrow(x, 1, 2, 2), std::invalid_argument, "narrow", "start 2", "length 2",
                     "size 3");
  EXPECT_THROWS_WITH(narrow(x, 2, 0, 1), std::invalid_argument, "narrow", "dim 2", "rank 2");
  EXPECT_THROWS_WITH(slice(x, 0, 0, 2, 0), std::invalid_argument, "slice", "step");
  EXPECT_THROWS_WITH(slice(x, -3, 0, 2), std::invalid_argument, "slice", "dim -3", "rank 2");
  EXPECT_THROWS_WITH(select(x, 1, 3), std::invalid_argument, "select", "index 3", "size 3");
  EXPECT_THROWS_WITH(select(x, 0, -3), std::invalid_argument, "select", "index -3", "size 2");
  EXPECT_THROWS_WITH(expand(x, {3, 3}), std::invalid_argument, "expand", "(2,3)", "(3,3)");
  EXPECT_THROWS_WITH(expand(x, {3}), std::invalid_argument, "expand", "(2,3)", "(3)");
  EXPECT_THROWS_WITH(squeeze(x, 2), std::invalid_argument, "squeeze", "dim 2", "rank 2");
  EXPECT_THROWS_WITH(unsqueeze(x, 3), std::invalid_argument, "unsqueeze", "dim 3", "rank");
  EXPECT_THROWS_WITH(flatten(zeros({2, 3, 4}), 2, 1), std::invalid_argument, "flatten",
                     "start_dim 2", "end_dim 1");
  EXPECT_THROWS_WITH(flatten(x, 0, 5), std::invalid_argument, "flatten", "dim 5", "rank 2");
  EXPECT_THROWS_WITH(x.t().t().t().reshape({7}), std::invalid_argument, "reshape", "(3,2)", "(7)");
  EXPECT_THROWS_WITH(zeros({2, 3, 4}).t(), std::invalid_argument, "t", "(2,3,4)");
}

// ---- properties ----------------------------------------------------------------------------
RC_GTEST_PROP(Shape, TransposeTwiceIsIdentity, ()) {
  const ViewCase v = *genView(genShape(4, 5, 0, 1));
  const Tensor x = v.make(*genSeed());
  const int64_t d0 = *uniformInRange<int64_t>(-x.dim(), x.dim());
  const int64_t d1 = *uniformInRange<int64_t>(-x.dim(), x.dim());
  Tensor tt = transpose(transpose(x, d0, d1), d0, d1);
  RC_ASSERT(tt.shape() == x.shape());
  RC_ASSERT(tt.strides() == x.strides());
  RC_ASSERT(shares_storage(tt, x));
  RC_ASSERT(sameValues(tt, x));
}

RC_GTEST_PROP(Shape, PermuteThenInverseIsIdentity, ()) {
  const Tensor x = *genTensor();
  std::vector<int64_t> perm(static_cast<std::size_t>(x.dim()));
  std::iota(perm.begin(), perm.end(), 0);
  Generator gen(*genSeed());
  std::vector<int64_t> shuffled = randperm(x.dim(), gen).to_vector<int64_t>();
  std::vector<int64_t> inverse(shuffled.size());
  for (std::size_t i = 0; i < shuffled.size(); ++i)
    inverse[static_cast<std::size_t>(shuffled[i])] = static_cast<int64_t>(i);
  Tensor p = permute(x, shuffled);
  for (std::size_t i = 0; i < shuffled.size(); ++i)
    RC_ASSERT(p.shape()[i] == x.shape()[static_cast<std::size_t>(shuffled[i])]);
  RC_ASSERT(sameValues(permute(p, inverse), x));
  RC_ASSERT(sameValues(permute(x, perm), x));
}

RC_GTEST_PROP(Shape, ReshapeRoundTrip, ()) {
  const ViewCase v = *genView();
  const Tensor x = v.make(*genSeed());
  const Shape target = *gen_shape_with_numel(x.numel());
  Tensor r = reshape(x, target);
  RC_ASSERT(r.shape() == target);
  // Row-major order is preserved, and reshaping back gives x.
  RC_ASSERT(values(r) == values(x));
  RC_ASSERT(sameValues(reshape(r, x.shape()), x));
  RC_ASSERT(sameValues(flatten(x), reshape(x, {x.numel()})));
}

RC_GTEST_PROP(Shape, ViewAndContiguousAgree, ()) {
  const ViewCase v = *genView();
  const Tensor x = v.make(*genSeed());
  const Tensor xc = x.contiguous();
  RC_ASSERT(xc.is_contiguous() || xc.numel() == 0);
  RC_ASSERT(values(xc) == values(x));
  const Shape target = *gen_shape_with_numel(x.numel());
  // A contiguous tensor can always be viewed; a view shares storage.
  Tensor vc = view(xc, target);
  RC_ASSERT(shares_storage(vc, xc));
  RC_ASSERT(values(vc) == values(x));
  // A strided tensor may or may not be viewable; when it is, it agrees.
  try {
    Tensor vx = view(x, target);
    RC_ASSERT(shares_storage(vx, x));
    RC_ASSERT(values(vx) == values(x));
  } catch (const std::invalid_argument& e) {
    RC_ASSERT(std::string(e.what()).find("view") != std::string::npos);
  }
  // Splitting the last dim (or adding size-1 dims) is always a view.
  if (x.dim() > 0) {
    Shape s = x.shape();
    s.push_back(1);
    RC_ASSERT(shares_storage(view(x, s), x));
    RC_ASSERT(values(view(x, s)) == values(x));
  }
}

RC_GTEST_PROP(Shape, NarrowAndSliceMatchIndexArithmetic, ()) {
  const ViewCase v = *genView(genShape(4, 5, 1, 1));
  const Tensor x = v.make(*genSeed());
  const int64_t d = *uniformInRange<int64_t>(0, x.dim());
  const int64_t n = x.size(d);
  const int64_t start = *uniformInRange<int64_t>(-n - 2, n + 3);
  const int64_t end = *uniformInRange<int64_t>(-n - 2, n + 3);
  const int64_t step = *uniformInRange<int64_t>(1, 4);
  // Python's range semantics for x[start:end:step].
  auto clampi = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
  std::vector<int64_t> picked;
  for (int64_t i = clampi(start); i < clampi(end); i += step) picked.push_back(i);
  Tensor s = slice(x, d, start, end, step);
  RC_ASSERT(s.size(d) == static_cast<int64_t>(picked.size()));
  RC_ASSERT(shares_storage(s, x));
  Tensor want = index_select(x, d, i64(picked, {static_cast<int64_t>(picked.size())}));
  RC_ASSERT(sameValues(s, want));
  // narrow = slice with step 1; select = narrow + squeeze.
  const int64_t st = clampi(start), len = std::max<int64_t>(0, clampi(end) - st);
  RC_ASSERT(sameValues(narrow(x, d, st, len), slice(x, d, st, st + len)));
  const int64_t i = *uniformInRange<int64_t>(-n, n);
  RC_ASSERT(sameValues(select(x, d, i), squeeze(narrow(x, d, i < 0 ? i + n : i, 1), d)));
}

RC_GTEST_PROP(Shape, ExpandIsBroadcasting, ()) {
  const BroadcastPair p = *genBroadcastPair();
  const Tensor a = randomTensor(p.a, *genSeed());
  Tensor e = expand(a, p.out);
  RC_ASSERT(e.shape() == p.out);
  RC_ASSERT(shares_storage(e, a));
  RC_ASSERT(sameValues(e, add(a, zeros(p.out, DType::Float64))));
}

RC_GTEST_PROP(Shape, SqueezeUnsqueezeRoundTrip, ()) {
  const Tensor x = *genTensor();
  const int64_t d = *uniformInRange<int64_t>(-x.dim() - 1, x.dim() + 1);
  Tensor u = unsqueeze(x, d);
  RC_ASSERT(u.dim() == x.dim() + 1);
  RC_ASSERT(u.size(d) == 1);
  RC_ASSERT(sameValues(squeeze(u, d), x));
  Tensor s = squeeze(x);
  for (int64_t k : s.shape()) RC_ASSERT(k != 1);
  RC_ASSERT(values(s) == values(x));
}

// ---- gradcheck -----------------------------------------------------------------------------
// Every view op's backward maps the gradient back to the input's layout.
RC_GTEST_PROP(ShapeGrad, EveryViewOp, ()) {
  const ViewCase v = *genView(genGradShape());
  const Tensor x = randomTensor(v.base_shape, *genSeed());
  const int64_t r = static_cast<int64_t>(v.shape.size());
  const Shape target = *gen_shape_with_numel(numel_of(v.shape));
  using In = const std::vector<Tensor>&;
  rcGradcheck([&](In in) { return v.apply(in[0]); }, {x});
  rcGradcheck([&](In in) { return reshape(v.apply(in[0]), target); }, {x});
  rcGradcheck([&](In in) { return flatten(v.apply(in[0])); }, {x});
  rcGradcheck([&](In in) { return contiguous(v.apply(in[0])); }, {x});
  rcGradcheck([&](In in) { return squeeze(v.apply(in[0])); }, {x});
  Shape two(static_cast<std::size_t>(r) + 1, 1);  // (2, 1, ..., 1): broadcast over the new dim
  two[0] = 2;
  rcGradcheck([&](In in) { return mul(unsqueeze(v.apply(in[0]), 0), f64({1, 2}, two)); }, {x});
  rcGradcheck([&](In in) { return view(v.apply(in[0]).contiguous(), target); }, {x});
  Shape wide = v.shape;
  wide.insert(wide.begin(), 2);
  rcGradcheck([&](In in) { return expand(v.apply(in[0]), wide); }, {x});
  if (r >= 1) {
    const int64_t d = *uniformInRange<int64_t>(0, r);
    const int64_t n = v.shape[static_cast<std::size_t>(d)];
    const int64_t start = *uniformInRange<int64_t>(0, n + 1);
    const int64_t step = *uniformInRange<int64_t>(1, 3);
    rcGradcheck([&](In in) { return transpose(v.apply(in[0]), 0, d); }, {x});
    rcGradcheck([&](In in) { return narrow(v.apply(in[0]), d, start, n - start); }, {x});
    rcGradcheck([&](In in) { return slice(v.apply(in[0]), d, start, n, step); }, {x});
    if (n > 0) rcGradcheck([&](In in) { return select(v.apply(in[0]), d, start % n); }, {x});
    std::vector<int64_t> perm(static_cast<std::size_t>(r));
    std::iota(perm.rbegin(), perm.rend(), 0);
    rcGradcheck([&](In in) { return permute(v.apply(in[0]), perm); }, {x});
  }
  // A view used twice (x + x^T): both paths accumulate.
  if (r == 2 && v.shape[0] == v.shape[1])
    rcGradcheck([&](In in) { return add(v.apply(in[0]), transpose(v.apply(in[0]), 0, 1)); }, {x});
}

}  // namespace
}  // namespace gradlab
