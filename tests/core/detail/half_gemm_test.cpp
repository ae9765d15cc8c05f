// tests/core/detail/half_gemm_test.cpp — the 16-bit GEMM back end
// (core/detail/half_gemm.cpp) through gradlab::matmul.
//
// The bound. For bf16 inputs (exactly representable, so the inputs carry no
// error of their own) and float32 accumulation of k products, the float32
// result s satisfies |s - exact| <= gamma_k * sum_t |a_it| |b_tj| with
// gamma_k = k u / (1 - k u), u = 2^-24 (Higham, Accuracy and Stability of
// Numerical Algorithms, 3.5); rounding s once to bf16 adds at most 2^-8 |s|,
// and oneDNN's vcvtneps2bf16 may flush a result below 2^-126 to zero. So
//   |c - exact| <= gamma_k S + 2^-8 (|exact| + gamma_k S) + 2^-126,
// S = |A| @ |B|, computed here in float64 (its own error is ~1e-16, far
// below the bound). A bf16 accumulator would exceed it (checked below: the
// bound has teeth), and so would rounding the inputs to bf16 a second time.
//
// Also: the forced float32 fallback is used and bit-identical to widen +
// sgemm + round; transposed, strided and batched operands; 1 vs 2 threads give
// identical bits; fp16; zero-size and NaN cases.
#include "core/detail/half_gemm.h"

#include <omp.h>

#include <cmath>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using detail::HalfGemmPath;
using testing::tensorIs;

// Standard normal values in a 16-bit dtype (views of these reach the GEMM as
// views: `to` would make a contiguous copy).
Tensor randn16(const Shape& shape, uint64_t seed, DType dtype = DType::BFloat16) {
  Generator gen(seed);
  return randn(shape, gen, DType::Float32).to(dtype);
}
Tensor f64(const Tensor& x) { return x.to(DType::Float64); }

// Largest |got - exact| / bound over all entries (<= 1 means within bound).
// a, b: the 16-bit inputs (any layout); got: their product.
double worst_ratio(const Tensor& a16, const Tensor& b16, const Tensor& got) {
  const Tensor a = f64(a16), b = f64(b16);
  const int64_t k = a.size(-1);
  const double u = std::ldexp(1.0, -24), gamma = k * u / (1 - k * u);
  std::vector<double> exact = matmul(a, b).to_vector<double>();
  std::vector<double> s = matmul(abs(a), abs(b)).to_vector<double>();
  std::vector<double> c = got.to_vector<double>();
  double worst = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    const double bound = gamma * s[i] + std::ldexp(1.0, -8) * (std::fabs(exact[i]) + gamma * s[i]) +
                         std::ldexp(1.0, -126);
    worst = std::max(worst, std::fabs(c[i] - exact[i]) / bound);
  }
  return worst;
}

struct GemmCase {
  int64_t n, m, k;
  bool ta, tb;
};

// op(A) (n, k) and op(B) (k, m) as (possibly transposed) views of bf16 tensors.
std::pair<Tensor, Tensor> operands(const GemmCase& c, uint64_t seed) {
  Tensor a = c.ta ? randn16({c.k, c.n}, seed).t() : randn16({c.n, c.k}, seed);
  Tensor b = c.tb ? randn16({c.m, c.k}, seed + 1).t() : randn16({c.k, c.m}, seed + 1);
  return {a, b};
}

const GemmCase kCases[] = {
    {1, 1, 1, false, false},      {3, 5, 7, false, true},       {17, 33, 65, true, false},
    {33, 17, 130, true, true},    {128, 256, 784, false, true}, {128, 784, 256, false, false},
    {256, 784, 128, true, false}, {10, 128, 128, false, true},  {16, 16, 4096, true, false},
    {64, 48, 2048, true, true},
};

TEST(HalfGemm, Bf16WithinTheFloat32AccumulationBound) {
  for (bool forced : {false, true}) {
    std::optional<detail::ForceFloat32HalfGemm> force;
    if (forced) force.emplace();
    for (const GemmCase& c : kCases) {
      auto [a, b] = operands(c, 11);
      ASSERT_EQ(a.is_contiguous(), !c.ta);
      Tensor got = matmul(a, b);
      ASSERT_EQ(got.dtype(), DType::BFloat16);
      ASSERT_EQ(got.shape(), (Shape{c.n, c.m}));
      EXPECT_LE(worst_ratio(a, b, got), 1.0)
          << c.n << "x" << c.m << "x" << c.k << " ta=" << c.ta << " tb=" << c.tb
          << (forced ? " (forced fallback)" : "");
    }
  }
}

// The bound is tight enough to reject a bf16 accumulator (what a kernel
// without fp32 accumulation would compute).
TEST(HalfGemm, BoundRejectsBf16Accumulation) {
  const int64_t n = 4, m = 4, k = 2048;
  Tensor a = randn16({n, k}, 3), b = randn16({k, m}, 4);
  std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>(), vc(n * m);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) {
      float acc = 0;
      for (int64_t t = 0; t < k; ++t) {
        acc += static_cast<float>(va[i * k + t] * vb[t * m + j]);
        acc = bfloat16_to_float(float_to_bfloat16(acc));
      }
      vc[i * m + j] = acc;
    }
  EXPECT_GT(worst_ratio(a, b, from_vector<double>(vc, {n, m})), 1.0);
}

// Float32 inputs (not bf16-representable): rounding them to bf16 costs up to
// (2^-7 + 2^-16) S on top of the bound above; sgemm on the same float32 values
// stays within gamma_k S. Both measured against float64.
TEST(HalfGemm, Bf16AgainstSgemmInFloat64) {
  const int64_t n = 96, m = 80, k = 512;
  Generator gen(5);
  Tensor a = randn({n, k}, gen), b = randn({k, m}, gen);
  Tensor a64 = a.to(DType::Float64), b64 = b.to(DType::Float64);
  std::vector<double> exact = matmul(a64, b64).to_vector<double>();
  std::vector<double> s = matmul(abs(a64), abs(b64)).to_vector<double>();
  std::vector<double> c16 =
      matmul(a.to(DType::BFloat16), b.to(DType::BFloat16)).to_vector<double>();
  std::vector<double> c32 = matmul(a, b).to_vector<double>();
  const double u = std::ldexp(1.0, -24), gamma = k * u / (1 - k * u);
  const double input = std::ldexp(1.0, -7) + std::ldexp(1.0, -16);
  double worst16 = 0, worst32 = 0, max_err16 = 0, max_err32 = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    const double acc = gamma * s[i] + input * s[i];
    const double b16 = acc + std::ldexp(1.0, -8) * (std::fabs(exact[i]) + acc);
    worst16 = std::max(worst16, std::fabs(c16[i] - exact[i]) / b16);
    worst32 = std::max(worst32, std::fabs(c32[i] - exact[i]) / (gamma * s[i]));
    max_err16 = std::max(max_err16, std::fabs(c16[i] - exact[i]));
    max_err32 = std::max(max_err32, std::fabs(c32[i] - exact[i]));
  }
  EXPECT_LE(worst16, 1.0);
  EXPECT_LE(worst32, 1.0);
  // bf16 inputs really are coarser than float32 ones (the comparison means
  // something): its worst error is well above sgemm's.
  EXPECT_GT(max_err16, 100 * max_err32);
}

TEST(HalfGemm, PathFollowsTheCpuAndTheForceGuard) {
  const HalfGemmPath native =
      detail::cpu_has_avx512_bf16() ? HalfGemmPath::OneDnnBf16 : HalfGemmPath::Float32Sgemm;
  // The environment variable would override the CPU; this suite runs without it.
  ASSERT_EQ(std::getenv("GRADLAB_BF16_GEMM"), nullptr);
  EXPECT_EQ(detail::bf16_gemm_path(), native);
  {
    detail::ForceFloat32HalfGemm force;
    EXPECT_EQ(detail::bf16_gemm_path(), HalfGemmPath::Float32Sgemm);
    {
      detail::ForceFloat32HalfGemm nested;
      EXPECT_EQ(detail::bf16_gemm_path(), HalfGemmPath::Float32Sgemm);
    }
    EXPECT_EQ(detail::bf16_gemm_path(), HalfGemmPath::Float32Sgemm);
  }
  EXPECT_EQ(detail::bf16_gemm_path(), native);
  EXPECT_STREQ(detail::half_gemm_path_name(HalfGemmPath::OneDnnBf16), "onednn-bf16");
  EXPECT_STREQ(detail::half_gemm_path_name(HalfGemmPath::Float32Sgemm), "float32-sgemm");
}

TEST(HalfGemm, ForcedFallbackIsUsedAndIsWidenSgemmRound) {
  Tensor a = randn16({37, 70}, 7);
  Tensor b = randn16({50, 70}, 8).t();  // transposed view
  const detail::HalfGemmCalls before = detail::half_gemm_calls();
  Tensor got;
  {
    detail::ForceFloat32HalfGemm force;
    got = matmul(a, b);
  }
  const detail::HalfGemmCalls after = detail::half_gemm_calls();
  EXPECT_EQ(after.float32_sgemm - before.float32_sgemm, 1);
  EXPECT_EQ(after.onednn_bf16 - before.onednn_bf16, 0);
  // Exactly the float32 product rounded once.
  Tensor want = matmul(a.to(DType::Float32), b.to(DType::Float32)).to(DType::BFloat16);
  EXPECT_TRUE(equal(got, want));

  // Unforced, the native path runs.
  const detail::HalfGemmCalls before2 = detail::half_gemm_calls();
  Tensor native = matmul(a, b);
  const detail::HalfGemmCalls after2 = detail::half_gemm_calls();
  if (detail::cpu_has_avx512_bf16()) {
    EXPECT_EQ(after2.onednn_bf16 - before2.onednn_bf16, 1);
    EXPECT_EQ(after2.float32_sgemm - before2.float32_sgemm, 0);
  } else {
    EXPECT_EQ(after2.float32_sgemm - before2.float32_sgemm, 1);
  }
  EXPECT_LE(worst_ratio(a, b, native), 1.0);
}

// Views that are neither row- nor column-contiguous (a step on both dims) are
// copied once; sliced views with a leading dim larger than their width and
// broadcast batches go straight through. All against float64, per batch entry.
TEST(HalfGemm, StridedAndBatchedOperands) {
  Tensor base = randn16({6, 40, 50}, 21);
  Tensor rhs = randn16({50, 30}, 22);
  struct View {
    const char* name;
    Tensor a, b;
  };
  const View views[] = {
      {"sliced (ld 50 > width 20)", narrow(base, 2, 5, 20), narrow(rhs, 0, 5, 20)},
      {"step 2 on both dims", slice(slice(base, 1, 0, 40, 2), 2, 0, 50, 2),
       slice(randn16({25, 60}, 23), 1, 0, 60, 2)},
      {"batch broadcast", base, expand(unsqueeze(rhs, 0), {6, 50, 30})},
      {"batch of transposes", transpose(base, 1, 2), randn16({6, 40, 9}, 24)},
      {"folded batch", base, rhs},
  };
  for (const View& v : views) {
    Tensor got = matmul(v.a, v.b);
    ASSERT_EQ(got.dtype(), DType::BFloat16) << v.name;
    ASSERT_EQ(got.shape(), matmul(f64(v.a), f64(v.b)).shape()) << v.name;
    const int64_t nb = got.size(0);
    Tensor ax = expand(v.a, {nb, v.a.size(-2), v.a.size(-1)});
    Tensor bx = expand(v.b, {nb, v.b.size(-2), v.b.size(-1)});
    for (int64_t i = 0; i < nb; ++i)
      EXPECT_LE(worst_ratio(select(ax, 0, i), select(bx, 0, i), select(got, 0, i)), 1.0)
          << v.name << " batch " << i;
  }
}

// Same inputs, 1 and 2 threads: identical bits (a transposed A with a long k
// is the case oneDNN would otherwise split across threads).
TEST(HalfGemm, IndependentOfTheThreadCount) {
  const GemmCase cases[] = {
      {16, 16, 4096, true, false},  {32, 64, 4096, true, false},   {256, 64, 4096, true, false},
      {256, 64, 4096, true, true},  {128, 64, 16384, true, false}, {64, 64, 16384, true, true},
      {128, 256, 784, false, true}, {256, 784, 128, true, false},  {64, 64, 16384, false, false}};
  const int saved = omp_get_max_threads();
  for (const GemmCase& c : cases) {
    auto [a, b] = operands(c, 31);
    omp_set_num_threads(1);
    Tensor one = matmul(a, b);
    omp_set_num_threads(2);
    Tensor two = matmul(a, b);
    EXPECT_TRUE(equal(one, two)) << c.n << "x" << c.m << "x" << c.k << " ta=" << c.ta
                                 << " tb=" << c.tb;
  }
  omp_set_num_threads(saved);
}

// fp16: widen + sgemm + round, bit for bit, and within the same bound (fp16
// rounds to 2^-11 instead of 2^-8, so the bf16 bound holds a fortiori).
TEST(HalfGemm, Float16IsWidenSgemmRound) {
  Tensor a = randn16({40, 64}, 41, DType::Float16);
  Tensor b = randn16({30, 64}, 42, DType::Float16).t();
  Tensor got = matmul(a, b);
  ASSERT_EQ(got.dtype(), DType::Float16);
  EXPECT_TRUE(equal(got, matmul(a.to(DType::Float32), b.to(DType::Float32)).to(DType::Float16)));
  EXPECT_LE(worst_ratio(a, b, got), 1.0);
}

TEST(HalfGemm, ZeroSizesAndNaN) {
  for (bool forced : {false, true}) {
    std::optional<detail::ForceFloat32HalfGemm> force;
    if (forced) force.emplace();
    for (DType dt : {DType::BFloat16, DType::Float16}) {
      Tensor z = matmul(zeros({3, 0}, dt), zeros({0, 4}, dt));  // k == 0: zeros
      EXPECT_TRUE(tensorIs(z, {3, 4}, std::vector<double>(12, 0.0)));
      EXPECT_EQ(z.dtype(), dt);
      EXPECT_EQ(matmul(zeros({0, 5}, dt), zeros({5, 4}, dt)).shape(), (Shape{0, 4}));
      // A NaN in row 1 of A reaches exactly row 1 of C.
      Tensor a = ones({3, 8}, DType::Float32);
      a.data_ptr<float>()[1 * 8 + 2] = std::nanf("");
      std::vector<double> c = matmul(a.to(dt), ones({8, 5}, dt)).to_vector<double>();
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 5; ++j) {
          if (i == 1)
            EXPECT_TRUE(std::isnan(c[i * 5 + j])) << dtype_name(dt) << " forced=" << forced;
          else
            EXPECT_EQ(c[i * 5 + j], 8.0) << dtype_name(dt) << " forced=" << forced;
        }
    }
  }
}

// Mixed operands promote first (bf16 with fp16 -> float32, bf16 with
// float32 -> float32), as every binary op does.
TEST(HalfGemm, MixedDtypesPromote) {
  Tensor a = randn16({4, 6}, 51), b = randn16({6, 3}, 52);
  EXPECT_EQ(matmul(a, b.to(DType::Float16)).dtype(), DType::Float32);
  Tensor mixed = matmul(a, b.to(DType::Float32));
  EXPECT_EQ(mixed.dtype(), DType::Float32);
  EXPECT_TRUE(equal(mixed, matmul(a.to(DType::Float32), b.to(DType::Float32))));
}

}  // namespace
}  // namespace gradlab
