// tests/core/ops_index_test.cpp — indexing and assembly (core/ops_index.cpp):
// gather, index_select, one_hot, cat, stack, and the allclose/equal helpers.
//
// Values by hand; references by index arithmetic; properties (cat then narrow
// gives back the parts, stack is cat of unsqueezed parts, one_hot inverts
// argmax); gradcheck with repeated indices and non-contiguous inputs; 0-d and
// zero-size inputs; error messages naming the index, its position and the size.
#include <cmath>
#include <limits>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- values by hand ------------------------------------------------------------------------
TEST(Index, GatherByHand) {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_TRUE(tensorIs(gather(x, 1, i64({2, 0, 1, 1}, {2, 2})), {2, 2}, {3, 1, 5, 5}));
  EXPECT_TRUE(tensorIs(gather(x, 0, i64({1, 0, 1}, {1, 3})), {1, 3}, {4, 2, 6}));
  EXPECT_TRUE(
      tensorIs(gather(x, -1, i64({0}, {1, 1})), {1, 1}, {1}));  // index may be smaller than x
  EXPECT_TRUE(tensorIs(gather(x.t(), 0, i64({2, 1}, {1, 2})), {1, 2}, {3, 5}));
  EXPECT_TRUE(tensorIs(gather(f64({7}, {}), 0, i64({0}, {})), {}, {7}));
  EXPECT_EQ(gather(x, 1, zeros({2, 0}, DType::Int64)).shape(), (Shape{2, 0}));
}

TEST(Index, IndexSelectByHand) {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_TRUE(tensorIs(index_select(x, 1, i64({2, 0, 2}, {3})), {2, 3}, {3, 1, 3, 6, 4, 6}));
  EXPECT_TRUE(tensorIs(index_select(x, 0, i64({1}, {1})), {1, 3}, {4, 5, 6}));
  EXPECT_TRUE(tensorIs(index_select(x, 0, i64({-1}, {1})), {1, 3},
                       {4, 5, 6}));  // negative counts from the end
  EXPECT_TRUE(tensorIs(index_select(x.t(), 0, i64({2}, {1})), {1, 2}, {3, 6}));
  EXPECT_EQ(index_select(x, 1, zeros({0}, DType::Int64)).shape(), (Shape{2, 0}));
  EXPECT_EQ(index_select(i64({5, 6}, {2}), 0, i64({1}, {1})).dtype(), DType::Int64);
}

TEST(Index, OneHotByHand) {
  Tensor oh = one_hot(i64({2, 0, 1}, {3}), 4);
  EXPECT_EQ(oh.dtype(), DType::Int64);
  EXPECT_TRUE(tensorIs(oh, {3, 4}, {0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_TRUE(tensorIs(one_hot(i64({1}, {}), 2), {2}, {0, 1}));
  EXPECT_EQ(one_hot(i64({0, 1, 1, 0}, {2, 2}), 3).shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(one_hot(zeros({0}, DType::Int64), 3).shape(), (Shape{0, 3}));
  // A non-contiguous index reads in logical order.
  EXPECT_TRUE(tensorIs(one_hot(i64({0, 1, 2, 0}, {2, 2}).t(), 3), {2, 2, 3},
                       {1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0}));
}

TEST(Index, CatAndStackByHand) {
  Tensor a = f64({1, 2, 3, 4}, {2, 2}), b = f64({5, 6}, {2, 1});
  EXPECT_TRUE(tensorIs(cat({a, b}, 1), {2, 3}, {1, 2, 5, 3, 4, 6}));
  EXPECT_TRUE(tensorIs(cat({a, b.t()}, 0), {3, 2}, {1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(tensorIs(cat({a, zeros({2, 0}, DType::Float64), b}, -1), {2, 3}, {1, 2, 5, 3, 4, 6}));
  EXPECT_TRUE(tensorIs(cat({a}), {2, 2}, {1, 2, 3, 4}));
  EXPECT_TRUE(tensorIs(stack({a, a * 10.0}), {2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40}));
  EXPECT_TRUE(tensorIs(stack({a, a * 10.0}, 2), {2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40}));
  EXPECT_TRUE(tensorIs(stack({f64({1}, {}), f64({2}, {})}), {2}, {1, 2}));
  // dtypes promote.
  EXPECT_EQ(cat({i64({1}, {1}), f64({2}, {1})}).dtype(), DType::Float64);
  EXPECT_EQ(cat({ones({1}, DType::Float16), ones({1}, DType::BFloat16)}).dtype(), DType::Float32);
}

TEST(Index, GradientsByHand) {
  // Repeated indices accumulate.
  Tensor x = f64({1, 2, 3}, {3});
  x.requires_grad_();
  index_select(x, 0, i64({2, 2, 0, 2}, {4})).sum().backward();
  EXPECT_TRUE(tensorIs(x.grad(), {3}, {1, 0, 3}));
  Tensor y = f64({1, 2, 3, 4}, {2, 2});
  y.requires_grad_();
  mul(gather(y, 1, i64({1, 1, 1, 0, 0, 0}, {2, 3})), f64({1, 2, 3}, {3})).sum().backward();
  EXPECT_TRUE(tensorIs(y.grad(), {2, 2}, {0, 6, 6, 0}));
  // cat sends each part its slice, in the part's own dtype.
  Tensor p = f64({1, 2}, {2}), q = ones({1}, DType::Float32);
  p.requires_grad_();
  q.requires_grad_();
  mul(cat({p, q}), f64({10, 20, 30}, {3})).sum().backward();
  EXPECT_TRUE(tensorIs(p.grad(), {2}, {10, 20}));
  EXPECT_TRUE(tensorIs(q.grad(), {1}, {30}));
  EXPECT_EQ(q.grad().dtype(), DType::Float32);
}

TEST(Index, AllcloseAndEqual) {
  Tensor a = f64({1, 2, kInf}, {3});
  EXPECT_TRUE(allclose(a, f64({1 + 1e-9, 2, kInf}, {3})));
  EXPECT_FALSE(allclose(a, f64({1.1, 2, kInf}, {3})));
  EXPECT_TRUE(allclose(a, f64({1.1, 2, kInf}, {3}), 0.2));
  EXPECT_FALSE(allclose(a, f64({1, 2, -kInf}, {3})));
  EXPECT_FALSE(allclose(f64({kNaN}, {1}), f64({kNaN}, {1})));
  EXPECT_TRUE(allclose(f64({kNaN}, {1}), f64({kNaN}, {1}), 1e-5, 1e-8, true));
  EXPECT_TRUE(allclose(f64({1, 1}, {2}), f64({1}, {})));  // broadcasts
  EXPECT_TRUE(equal(a, f64({1, 2, kInf}, {3})));
  EXPECT_FALSE(equal(a, a.to(DType::Float32)));                // dtypes differ
  EXPECT_FALSE(equal(f64({1, 2}, {2}), f64({1, 2}, {1, 2})));  // shapes differ
  EXPECT_TRUE(equal(reshape(arange(6), {2, 3}).t(), reshape(i64({0, 3, 1, 4, 2, 5}, {6}), {3, 2})));
}

// ---- errors ----------------------------------------------------------------------------------
TEST(Index, ErrorsNameTheValues) {
  Tensor x = zeros({2, 3});
  EXPECT_THROWS_WITH(gather(x, 1, i64({0, 3}, {2, 1})), std::invalid_argument, "gather", "index 3",
                     "size 3", "position 1");
  EXPECT_THROWS_WITH(gather(x, 1, i64({-1}, {1, 1})), std::invalid_argument, "gather", "index -1");
  EXPECT_THROWS_WITH(gather(x, 0, i64({0}, {1})), std::invalid_argument, "gather", "(1)", "(2,3)");
  EXPECT_THROWS_WITH(gather(x, 0, zeros({1, 1})), std::invalid_argument, "gather", "Int64",
                     "Float32");
  EXPECT_THROWS_WITH(gather(x, 2, i64({0}, {1, 1})), std::invalid_argument, "gather", "dim 2",
                     "rank 2");
  EXPECT_THROWS_WITH(gather(x, 0, i64({0, 0, 0, 0}, {1, 4})), std::invalid_argument, "gather",
                     "(1,4)", "(2,3)");
  EXPECT_THROWS_WITH(index_select(x, 1, i64({5}, {1})), std::invalid_argument, "index_select",
                     "index 5", "size 3");
  EXPECT_THROWS_WITH(index_select(x, 0, i64({0}, {1, 1})), std::invalid_argument, "index_select",
                     "1-D", "(1,1)");
  EXPECT_THROWS_WITH(index_select(x, 0, zeros({1}, DType::Bool)), std::invalid_argument,
                     "index_select", "Bool");
  EXPECT_THROWS_WITH(index_select(f64({1}, {}), 0, i64({0}, {1})), std::invalid_argument,
                     "index_select", "0-d");
  EXPECT_THROWS_WITH(index_select(x, -3, i64({0}, {1})), std::invalid_argument, "index_select",
                     "dim -3", "rank 2");
  EXPECT_THROWS_WITH(one_hot(i64({0, 3}, {2}), 3), std::invalid_argument, "one_hot", "3",
                     "3 classes", "position 1");
  EXPECT_THROWS_WITH(one_hot(i64({-1}, {1}), 3), std::invalid_argument, "one_hot", "-1");
  EXPECT_THROWS_WITH(one_hot(zeros({1}), 3), std::invalid_argument, "one_hot", "Float32");
  EXPECT_THROWS_WITH(cat({x, zeros({3, 3})}, 1), std::invalid_argument, "cat", "(2,3)", "(3,3)",
                     "dim 0");
  EXPECT_THROWS_WITH(cat({x, zeros({2})}), std::invalid_argument, "cat", "(2,3)", "(2)");
  EXPECT_THROWS_WITH(cat({x, x}, 2), std::invalid_argument, "cat", "dim 2", "rank 2");
  EXPECT_THROWS_WITH(cat({}), std::invalid_argument, "cat");
  EXPECT_THROWS_WITH(cat({zeros({}), zeros({})}), std::invalid_argument, "cat", "zero-dim");
  EXPECT_THROWS_WITH(stack({x, zeros({3, 2})}), std::invalid_argument, "stack", "(2,3)", "(3,2)");
  EXPECT_THROWS_WITH(stack({x, x}, 3), std::invalid_argument, "stack", "dim 3", "rank");
}

// ---- properties -------------------------------------------------------------------------------
RC_GTEST_PROP(Index, GatherMatchesIndexArithmetic, ()) {
  const ViewCase v = *genView(genShape(4, 5, 1, 1));
  const Tensor x = v.make(*genSeed());
  const int64_t d = *uniformInRange<int64_t>(0, x.dim());
  Shape is = x.shape();
  for (auto& s : is) s = *genDim(static_cast<int>(s));  // index no larger than x
  is[static_cast<std::size_t>(d)] = *genDim(5);
  Generator gen(*genSeed());
  const Tensor index = randint(0, x.size(d), is, gen);
  Tensor got = gather(x, d, index);
  RC_ASSERT(got.shape() == is);
  std::vector<double> xv = values(x), want;
  std::vector<int64_t> iv = index.to_vector<int64_t>();
  for (int64_t i = 0; i < numel_of(is); ++i) {
    std::vector<int64_t> idx = unravel(i, is);
    idx[static_cast<std::size_t>(d)] = iv[static_cast<std::size_t>(i)];
    int64_t flat = 0;
    for (int64_t k = 0; k < x.dim(); ++k)
      flat = flat * x.size(k) + idx[static_cast<std::size_t>(k)];
    want.push_back(xv[static_cast<std::size_t>(flat)]);
  }
  RC_ASSERT(sameValues(got, f64(want, is)));
}

RC_GTEST_PROP(Index, IndexSelectMatchesSelectThenStack, ()) {
  const ViewCase v = *genView(genShape(4, 5, 1, 1));
  const Tensor x = v.make(*genSeed());
  const int64_t d = *uniformInRange<int64_t>(0, x.dim());
  const int64_t k = *uniformInRange<int64_t>(1, 6);
  Generator gen(*genSeed());
  const Tensor index = randint(0, x.size(d), {k}, gen);
  std::vector<Tensor> parts;
  for (int64_t i : index.to_vector<int64_t>()) parts.push_back(select(x, d, i));
  RC_ASSERT(sameValues(index_select(x, d, index), stack(parts, d)));
}

RC_GTEST_PROP(Index, CatThenNarrowGivesBackTheParts, ()) {
  const Shape base = *genShape(4, 4, 0, 1);
  const int64_t d = *uniformInRange<int64_t>(0, static_cast<int64_t>(base.size()));
  const int nparts = *uniformInRange<int>(1, 5);
  std::vector<Tensor> parts;
  for (int i = 0; i < nparts; ++i) {
    Shape s = base;
    s[static_cast<std::size_t>(d)] = *uniformInRange<int64_t>(0, 4);
    parts.push_back((*genView(s)).make(*genSeed()));
  }
  Tensor c = cat(
      parts, d - static_cast<int64_t>(base.size()) * *uniformInRange<int>(0, 2));  // d or d - rank
  int64_t at = 0;
  for (const Tensor& p : parts) {
    RC_ASSERT(sameValues(narrow(c, d, at, p.size(d)), p));
    at += p.size(d);
  }
  RC_ASSERT(c.size(d) == at);
  // stack = cat of the parts unsqueezed at the new dim.
  const Tensor a = parts[0];
  const int64_t sd = *uniformInRange<int64_t>(0, a.dim() + 1);
  std::vector<Tensor> same(static_cast<std::size_t>(nparts), a), unsq;
  for (const Tensor& p : same) unsq.push_back(unsqueeze(p, sd));
  RC_ASSERT(sameValues(stack(same, sd), cat(unsq, sd)));
  for (int i = 0; i < nparts; ++i) RC_ASSERT(sameValues(select(stack(same, sd), sd, i), a));
}

RC_GTEST_PROP(Index, OneHotInvertsArgmax, ()) {
  const Shape s = *genShape(3, 4);
  const int64_t classes = *uniformInRange<int64_t>(1, 7);
  Generator gen(*genSeed());
  const Tensor idx = randint(0, classes, s, gen);
  Tensor oh = one_hot(idx, classes);
  Shape want = s;
  want.push_back(classes);
  RC_ASSERT(oh.shape() == want);
  RC_ASSERT(sameValues(sum(oh, {-1}), ones(s, DType::Int64)));
  RC_ASSERT(sameValues(argmax(oh, -1), idx));
}

// ---- gradcheck ------------------------------------------------------------------------------
RC_GTEST_PROP(IndexGrad, GatherAndIndexSelectWithRepeats, ()) {
  const ViewCase v = *genView(genGradShape(1, 1));
  const Tensor x = randomTensor(v.base_shape, *genSeed());
  const int64_t r = static_cast<int64_t>(v.shape.size());
  const int64_t d = *uniformInRange<int64_t>(0, r);
  Generator gen(*genSeed());
  Shape is = v.shape;
  is[static_cast<std::size_t>(d)] = *genDim(4);  // may be more picks than the size: repeats
  const Tensor gidx = randint(0, v.shape[static_cast<std::size_t>(d)], is, gen);
  const Tensor sidx = randint(0, v.shape[static_cast<std::size_t>(d)], {*genDim(4)}, gen);
  rcGradcheck([&](const std::vector<Tensor>& in) { return gather(v.apply(in[0]), d, gidx); }, {x});
  rcGradcheck([&](const std::vector<Tensor>& in) { return index_select(v.apply(in[0]), d, sidx); },
              {x});
}

RC_GTEST_PROP(IndexGrad, CatAndStack, ()) {
  const Shape base = *genShape(3, 3, 0, 1);
  const int64_t d = *uniformInRange<int64_t>(0, static_cast<int64_t>(base.size()));
  Shape s1 = base, s2 = base;
  s2[static_cast<std::size_t>(d)] = *uniformInRange<int64_t>(0, 3);
  const ViewCase v1 = *genView(s1), v2 = *genView(s2);
  const Tensor a = randomTensor(v1.base_shape, *genSeed()),
               b = randomTensor(v2.base_shape, *genSeed());
  rcGradcheck(
      [&](const std::vector<Tensor>& in) {
        return cat({v1.apply(in[0]), v2.apply(in[1]), v1.apply(in[0])}, d);
      },
      {a, b});
  const int64_t sd = *uniformInRange<int64_t>(0, static_cast<int64_t>(base.size()) + 1);
  rcGradcheck(
      [&](const std::vector<Tensor>& in) {
        return stack({v1.apply(in[0]), v1.apply(in[1]) * 2.0}, sd);
      },
      {a, randomTensor(v1.base_shape, *genSeed())});
}

}  // namespace
}  // namespace gradlab
