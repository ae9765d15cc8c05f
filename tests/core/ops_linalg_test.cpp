// tests/core/ops_linalg_test.cpp — matmul (core/ops_linalg.cpp).
//
// Values by hand; a naive triple loop as reference over random shapes with
// broadcast batch dims, 1-D operands and transposed / sliced / expanded
// (non-contiguous) operands, in Float64, Float32 and Int64; gradcheck over
// the same cases; zero-size dims; Float16 accumulation; the error messages.
#include <cmath>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

// Reference: NumPy matmul semantics by a triple loop in float64.
Tensor naive_matmul(const Tensor& a0, const Tensor& b0) {
  Tensor a = a0.dim() == 1 ? reshape(a0, {1, a0.size(0)}) : a0;
  Tensor b = b0.dim() == 1 ? reshape(b0, {b0.size(0), 1}) : b0;
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  Shape abatch(a.shape().begin(), a.shape().end() - 2),
      bbatch(b.shape().begin(), b.shape().end() - 2);
  Shape batch = broadcast_shapes(abatch, bbatch);
  Shape os = batch;
  os.insert(os.end(), {n, m});
  std::vector<double> va = values(a), vb = values(b),
                      vo(static_cast<std::size_t>(numel_of(os)), 0.0);
  for (int64_t o = 0; o < numel_of(os); ++o) {
    std::vector<int64_t> idx = unravel(o, os);
    const int64_t i = idx[idx.size() - 2], j = idx[idx.size() - 1];
    std::vector<int64_t> ia(idx.begin(), idx.end() - 2), ib = ia;
    ia.insert(ia.end(), {i, 0});
    ib.insert(ib.end(), {0, j});
    double acc = 0;
    for (int64_t t = 0; t < k; ++t) {
      ia.back() = t;
      ib[ib.size() - 2] = t;
      acc += va[static_cast<std::size_t>(ravel_broadcast(ia, a.shape()))] *
             vb[static_cast<std::size_t>(ravel_broadcast(ib, b.shape()))];
    }
    vo[static_cast<std::size_t>(o)] = acc;
  }
  Tensor out = f64(vo, os);
  if (b0.dim() == 1) out = squeeze(out, -1);
  if (a0.dim() == 1) out = squeeze(out, b0.dim() == 1 ? 0 : -2);
  return out;
}

// Operand shapes for a random matmul: broadcast batch dims, n, k, m in [0, 4],
// and sometimes a 1-D operand.
struct MatmulCase {
  Shape a, b;
};
std::ostream& operator<<(std::ostream& os, const MatmulCase& c) {
  return os << "lhs " << shape_str(c.a) << " @ rhs " << shape_str(c.b);
}
rc::Gen<MatmulCase> gen_matmul_case(int max_dim = 4) {
  return rc::gen::apply(
      [](const BroadcastPair& batch, int64_t n, int64_t k, int64_t m, int vec) {
        MatmulCase c{batch.a, batch.b};
        c.a.insert(c.a.end(), {n, k});
        c.b.insert(c.b.end(), {k, m});
        if (vec == 1) c.a = {k};       // vector @ (batched) matrix
        if (vec == 2) c.b = {k};       // (batched) matrix @ vector
        if (vec == 3) c = {{k}, {k}};  // dot product
        return c;
      },
      genBroadcastPair(2, 3), genDim(max_dim), genDim(max_dim), genDim(max_dim),
      rc::gen::weightedElement<int>({{6, 0}, {1, 1}, {1, 2}, {1, 3}}));
}

// ---- values by hand ------------------------------------------------------------------------
TEST(Matmul, ByHand) {
  Tensor a = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = f64({7, 8, 9, 10, 11, 12}, {3, 2});
  EXPECT_TRUE(tensorIs(matmul(a, b), {2, 2}, {58, 64, 139, 154}));
  EXPECT_TRUE(tensorIs(matmul(b, a), {3, 3}, {39, 54, 69, 49, 68, 87, 59, 82, 105}));
  // Transposed (non-contiguous) operands go to GEMM with the transpose flag.
  EXPECT_TRUE(tensorIs(matmul(a.t().t(), b.t().t()), {2, 2}, {58, 64, 139, 154}));
  EXPECT_TRUE(tensorIs(matmul(b.t(), a.t()), {2, 2}, {58, 139, 64, 154}));
  // 1-D operands, as NumPy.
  Tensor v = f64({1, 0, -1}, {3});
  EXPECT_TRUE(tensorIs(matmul(a, v), {2}, {-2, -2}));
  EXPECT_TRUE(tensorIs(matmul(f64({1, -1}, {2}), a), {3}, {-3, -3, -3}));
  EXPECT_TRUE(tensorIs(matmul(v, v), {}, {2}));
  // Batched, with broadcast batch dims: (2,1,2,3) @ (3,3,2) -> (2,3,2,2).
  Tensor ab = stack({a, a * 2.0});
  Tensor bb = stack({b, b * 0.0, b * -1.0});
  Tensor r = matmul(unsqueeze(ab, 1), bb);
  EXPECT_EQ(r.shape(), (Shape{2, 3, 2, 2}));
  EXPECT_TRUE(tensorIs(select(select(r, 0, 1), 0, 2), {2, 2}, {-116, -128, -278, -308}));
  EXPECT_TRUE(tensorIs(matmul(v, bb), {3, 2}, {-4, -4, 0, 0, 4, 4}));
}

TEST(Matmul, Dtypes) {
  Tensor ai = reshape(arange(6), {2, 3}), bi = reshape(arange(6), {3, 2});
  EXPECT_EQ(matmul(ai, bi).dtype(), DType::Int64);
  EXPECT_TRUE(tensorIs(matmul(ai, bi), {2, 2}, {10, 13, 28, 40}));
  EXPECT_TRUE(tensorIs(matmul(ai.t(), ai), {3, 3}, {9, 12, 15, 12, 17, 22, 15, 22, 29}));
  EXPECT_EQ(matmul(ones({2, 2}), ones({2, 2}, DType::Float64)).dtype(), DType::Float64);
  EXPECT_EQ(matmul(ones({2, 2}), ones({2, 2})).dtype(), DType::Float32);
  // Float16: computed in float32 (a half accumulator would stall at 2048),
  // result stored as Float16.
  Tensor h = matmul(ones({2, 4096}, DType::Float16), ones({4096, 3}, DType::Float16));
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_TRUE(tensorIs(h, {2, 3}, std::vector<double>(6, 4096)));
  EXPECT_TRUE(
      tensorIs(matmul(ones({4096}, DType::BFloat16), ones({4096}, DType::BFloat16)), {}, {4096}));
  EXPECT_THROWS_WITH(matmul(ones({2, 2}, DType::Bool), ones({2, 2}, DType::Bool)),
                     std::invalid_argument, "matmul", "Bool");
}

TEST(Matmul, ZeroSizeDims) {
  // k = 0: the empty sum is 0.
  EXPECT_TRUE(tensorIs(matmul(zeros({3, 0}), zeros({0, 4})), {3, 4}, std::vector<double>(12, 0)));
  EXPECT_TRUE(
      tensorIs(matmul(zeros({2, 3, 0}), zeros({0, 4})), {2, 3, 4}, std::vector<double>(24, 0)));
  EXPECT_TRUE(tensorIs(matmul(zeros({1, 1, 0}), zeros({0, 2})), {1, 1, 2}, {0, 0}));
  EXPECT_TRUE(tensorIs(matmul(zeros({0}), zeros({0})), {}, {0}));
  EXPECT_EQ(matmul(zeros({0, 3}), zeros({3, 4})).shape(), (Shape{0, 4}));
  EXPECT_EQ(matmul(zeros({2, 3}), zeros({3, 0})).shape(), (Shape{2, 0}));
  EXPECT_EQ(matmul(zeros({0, 2, 3}), zeros({3, 4})).shape(), (Shape{0, 2, 4}));
  EXPECT_EQ(matmul(zeros({2, 0, 3}), zeros({5, 1, 3, 4})).shape(), (Shape{5, 2, 0, 4}));
  // Gradients through k = 0 are zero-size; through n = 0 they are zeros.
  Tensor a = zeros({0, 3}, DType::Float64), b = ones({3, 2}, DType::Float64);
  a.requires_grad_();
  b.requires_grad_();
  matmul(a, b).sum().backward();
  EXPECT_EQ(a.grad().shape(), (Shape{0, 3}));
  EXPECT_TRUE(tensorIs(b.grad(), {3, 2}, std::vector<double>(6, 0)));
}

TEST(Matmul, GradientByHand) {
  Tensor a = f64({1, 2, 3, 4}, {2, 2}), b = f64({5, 6, 7, 8}, {2, 2});
  a.requires_grad_();
  b.requires_grad_();
  matmul(a, b).sum().backward();
  // dA = 1 @ B^T (row sums of B), dB = A^T @ 1 (column sums of A).
  EXPECT_TRUE(tensorIs(a.grad(), {2, 2}, {11, 15, 11, 15}));
  EXPECT_TRUE(tensorIs(b.grad(), {2, 2}, {4, 4, 6, 6}));
}

// ---- errors --------------------------------------------------------------------------------
TEST(Matmul, ErrorsNameBothShapes) {
  EXPECT_THROWS_WITH(matmul(zeros({2, 3}), zeros({4, 5})), std::invalid_argument,
                     "matmul: lhs (2,3) vs rhs (4,5)");
  EXPECT_THROWS_WITH(matmul(zeros({3}), zeros({4})), std::invalid_argument,
                     "matmul: lhs (3) vs rhs (4)");
  EXPECT_THROWS_WITH(matmul(zeros({2, 3}), zeros({4})), std::invalid_argument,
                     "matmul: lhs (2,3) vs rhs (4)");
  EXPECT_THROWS_WITH(matmul(zeros({4}), zeros({2, 3, 5})), std::invalid_argument,
                     "matmul: lhs (4) vs rhs (2,3,5)");
  EXPECT_THROWS_WITH(matmul(zeros({7, 2, 3}), zeros({6, 3, 5})), std::invalid_argument, "matmul",
                     "(7,2,3)", "(6,3,5)");
  EXPECT_THROWS_WITH(matmul(zeros({}), zeros({2})), std::invalid_argument, "matmul", "()", "(2)");
  EXPECT_THROWS_WITH(matmul(Tensor(), zeros({2})), std::invalid_argument, "matmul", "undefined");
}

// ---- properties ------------------------------------------------------------------------------
RC_GTEST_PROP(Matmul, MatchesNaiveTripleLoop, ()) {
  const MatmulCase c = *gen_matmul_case();
  const ViewCase va = *genView(c.a), vb = *genView(c.b);
  const Tensor a = va.make(*genSeed()), b = vb.make(*genSeed());
  Tensor want = naive_matmul(a, b);
  Tensor got = matmul(a, b);
  RC_ASSERT(got.dtype() == DType::Float64);
  RC_ASSERT(sameValues(got, want, 1e-12));
  // Contiguous copies give the same product.
  RC_ASSERT(sameValues(matmul(a.contiguous(), b.contiguous()), want, 1e-12));
  // Float32 (BLAS sgemm) agrees to float precision.
  Tensor got32 = matmul(a.to(DType::Float32), b.to(DType::Float32));
  RC_ASSERT(got32.dtype() == DType::Float32);
  RC_ASSERT(sameValues(got32, want, 1e-5));
}

RC_GTEST_PROP(Matmul, IntegerMatchesNaiveTripleLoop, ()) {
  const MatmulCase c = *gen_matmul_case();
  const ViewCase va = *genView(c.a), vb = *genView(c.b);
  Generator gen(*genSeed());
  const Tensor a = va.apply(randint(-9, 10, va.base_shape, gen)),
               b = vb.apply(randint(-9, 10, vb.base_shape, gen));
  Tensor got = matmul(a, b);
  RC_ASSERT(got.dtype() == DType::Int64);
  RC_ASSERT(sameValues(got, naive_matmul(a, b)));  // exact
}

RC_GTEST_PROP(Matmul, TransposeIdentity, ()) {
  // (A B)^T = B^T A^T, through transposed operands.
  const int64_t n = *genDim(), k = *genDim(), m = *genDim();
  const Tensor a = randomTensor({n, k}, *genSeed()), b = randomTensor({k, m}, *genSeed());
  RC_ASSERT(sameValues(matmul(a, b).t(), matmul(b.t(), a.t()), 1e-12));
}

// ---- gradcheck -------------------------------------------------------------------------------
RC_GTEST_PROP(MatmulGrad, BroadcastBatchAndVectors, ()) {
  const MatmulCase c = *gen_matmul_case(3);
  rcGradcheck([](const std::vector<Tensor>& x) { return matmul(x[0], x[1]); },
              {randomTensor(c.a, *genSeed()), randomTensor(c.b, *genSeed())});
}

RC_GTEST_PROP(MatmulGrad, NonContiguousOperands, ()) {
  const MatmulCase c = *gen_matmul_case(3);
  const ViewCase va = *genView(c.a), vb = *genView(c.b);
  rcGradcheck([&](const std::vector<Tensor>& x) { return matmul(va.apply(x[0]), vb.apply(x[1])); },
              {randomTensor(va.base_shape, *genSeed()), randomTensor(vb.base_shape, *genSeed())});
}

RC_GTEST_PROP(MatmulGrad, SameOperandTwice, ()) {
  // x @ x^T: both operand paths feed the same leaf.
  const int64_t n = *genDim(3), k = *genDim(3);
  rcGradcheck([](const std::vector<Tensor>& x) { return matmul(x[0], x[0].t()); },
              {randomTensor({n, k}, *genSeed())});
}

}  // namespace
}  // namespace gradlab
