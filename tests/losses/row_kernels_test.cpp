// tests/losses/row_kernels_test.cpp — losses/kernels/: the vectorised exp's
// accuracy and edge cases, 16-bit load/store, and agreement of every ISA
// build this CPU can run (generic, avx2, avx512) with the float64 kernels,
// for row lengths that exercise tails and the online max across blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/random.h"
#include "losses/kernels/row_kernels.h"

namespace {

using gradlab::kernels::KernelSet;
using gradlab::kernels::RowStats;

std::vector<const KernelSet*> available() {
  std::vector<const KernelSet*> out;
  for (const char* isa : {"generic", "avx2", "avx512"})
    if (const KernelSet* k = gradlab::kernels::kernels_for(isa)) out.push_back(k);
  return out;
}

TEST(RowKernels, GenericIsAlwaysAvailableAndDefaultIsOneOfThem) {
  ASSERT_NE(gradlab::kernels::kernels_for("generic"), nullptr);
  EXPECT_EQ(gradlab::kernels::kernels_for("sse9"), nullptr);
  const std::string chosen = gradlab::kernels::kernels().isa;
  EXPECT_TRUE(chosen == "generic" || chosen == "avx2" || chosen == "avx512") << chosen;
}

// exp through the softmax kernel: out = exp(x - 0) * 1.
std::vector<float> vexp(const KernelSet& k, const std::vector<float>& x) {
  std::vector<float> out(x.size());
  k.f32.softmax(x.data(), static_cast<int64_t>(x.size()), 0.0, 1.0, out.data());
  return out;
}

double ulp_error(float got, double exact) {
  const float rounded = static_cast<float>(exact);
  const double ulp = std::nextafter(rounded, INFINITY) - rounded;
  return std::fabs(got - exact) / (ulp > 0 ? ulp : std::numeric_limits<float>::denorm_min());
}

TEST(RowKernels, ExpIsAccurateOnItsWholeRange) {
  std::vector<float> x;
  for (double v = -105.0; v <= 88.72; v += 0.00731) x.push_back(static_cast<float>(v));
  for (const KernelSet* k : available()) {
    SCOPED_TRACE(k->isa);
    const std::vector<float> e = vexp(*k, x);
    double worst = 0.0;
    float at = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double exact = std::exp(static_cast<double>(x[i]));
      const double err = exact < 1.1754943508222875e-38  // subnormal results: absolute
                             ? std::fabs(e[i] - exact) / std::numeric_limits<float>::denorm_min()
                             : ulp_error(e[i], exact);
      if (err > worst) worst = err, at = x[i];
    }
    EXPECT_LE(worst, 2.0) << "worst at x = " << at;
  }
}

TEST(RowKernels, ExpEdgeCases) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
  const std::vector<float> x = {-inf, inf, nan, 89.0f, 88.7f, -87.0f, -103.0f, -110.0f, -1e30f, 1e30f, 0.0f, -0.0f};
  for (const KernelSet* k : available()) {
    SCOPED_TRACE(k->isa);
    const std::vector<float> e = vexp(*k, x);
    EXPECT_EQ(e[0], 0.0f);
    EXPECT_EQ(e[1], inf);
    EXPECT_TRUE(std::isnan(e[2]));
    EXPECT_EQ(e[3], inf);
    EXPECT_TRUE(std::isfinite(e[4]) && e[4] > 1e38f);
    EXPECT_GT(e[5], 0.0f);
    EXPECT_GT(e[6], 0.0f);  // subnormal, not flushed
    EXPECT_EQ(e[7], 0.0f);
    EXPECT_EQ(e[8], 0.0f);
    EXPECT_EQ(e[9], inf);
    EXPECT_EQ(e[10], 1.0f);
    EXPECT_EQ(e[11], 1.0f);
  }
}

TEST(RowKernels, SixteenBitRoundTripEveryPattern) {
  std::vector<uint16_t> all(65536), out(65536);
  for (uint32_t i = 0; i < 65536; ++i) all[i] = static_cast<uint16_t>(i);
  for (const KernelSet* k : available()) {
    SCOPED_TRACE(k->isa);
    for (bool half : {true, false}) {
      const auto& rk = half ? k->f16 : k->bf16;
      rk.log_softmax(all.data(), 65536, 0.0, 0.0, out.data());  // out = (x - 0) - 0 = x
      for (uint32_t i = 0; i < 65536; ++i) {
        const float a = half ? gradlab::half_to_float({all[i]}) : gradlab::bfloat16_to_float({all[i]});
        const float b = half ? gradlab::half_to_float({out[i]}) : gradlab::bfloat16_to_float({out[i]});
        if (std::isnan(a)) ASSERT_TRUE(std::isnan(b)) << i;
        else ASSERT_EQ(out[i], all[i]) << "pattern " << i << (half ? " half" : " bf16");
      }
    }
  }
}

// Every ISA against the float64 kernels on the same (float-exact) data.
TEST(RowKernels, EveryIsaAgreesWithFloat64) {
  gradlab::Generator gen(5);
  for (int64_t n : {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 100, 1023, 1024, 1025, 2100, 5000}) {
    std::vector<float> x(n), u(n);
    std::vector<double> xd(n), ud(n);
    for (int64_t i = 0; i < n; ++i) {
      // increasing drift: the max grows block after block (online rescaling)
      x[i] = static_cast<float>(gen.normal() * 5.0 + 0.01 * static_cast<double>(i));
      u[i] = static_cast<float>(gen.uniform_double() + 0.5);
      xd[i] = x[i], ud[i] = u[i];
    }
    const auto& f64 = gradlab::kernels::kernels_for("generic")->f64;
    const RowStats ref = f64.stats(xd.data(), n, ud.data(), true);
    const double lse_ref = ref.shift + std::log(ref.sum);
    std::vector<double> gref(n);
    const int64_t y = n / 2;
    f64.ce_grad(xd.data(), n, ref.shift, std::log(ref.sum), 0.7, 0.2, ud.data(), y, 0.3, gref.data(),
                false);
    for (const KernelSet* k : available()) {
      SCOPED_TRACE(std::string(k->isa) + " n=" + std::to_string(n));
      const RowStats st = k->f32.stats(x.data(), n, u.data(), true);
      EXPECT_EQ(st.max, ref.max);
      EXPECT_NEAR(st.shift + std::log(st.sum), lse_ref, 2e-6 * std::fabs(lse_ref) + 1e-6);
      EXPECT_NEAR(st.dot, ref.dot, 1e-12 * std::fabs(ref.dot) + 1e-9);  // double accumulation
      std::vector<float> g(n), gs(n + 16);
      k->f32.ce_grad(x.data(), n, st.shift, std::log(st.sum), 0.7, 0.2, u.data(), y, 0.3, g.data(),
                     false);
      for (int64_t i = 0; i < n; ++i) ASSERT_NEAR(g[i], gref[i], 1e-5) << "element " << i;
      // non-temporal stores: the same bits, at an aligned and a misaligned start
      for (int64_t off : {0, 1}) {
        float* out = gs.data() + off;
        k->f32.ce_grad(x.data(), n, st.shift, std::log(st.sum), 0.7, 0.2, u.data(), y, 0.3, out, true);
        ASSERT_EQ(std::memcmp(out, g.data(), sizeof(float) * static_cast<size_t>(n)), 0);
      }
      // and the 16-bit formats agree with float32 rounded once
      for (bool half : {true, false}) {
        std::vector<uint16_t> xh(n), gh(n), ghs(n + 32);
        for (int64_t i = 0; i < n; ++i) xh[i] = half ? gradlab::float_to_half(x[i]).bits
                                                     : gradlab::float_to_bfloat16(x[i]).bits;
        const auto& rk = half ? k->f16 : k->bf16;
        const RowStats sh = rk.stats(xh.data(), n, u.data(), true);
        rk.ce_grad(xh.data(), n, sh.shift, std::log(sh.sum), 0.7, 0.2, u.data(), y, 0.3, gh.data(), false);
        rk.ce_grad(xh.data(), n, sh.shift, std::log(sh.sum), 0.7, 0.2, u.data(), y, 0.3, ghs.data() + 16,
                   true);
        ASSERT_EQ(std::memcmp(ghs.data() + 16, gh.data(), 2 * static_cast<size_t>(n)), 0);
      }
    }
  }
}

// The forward reads each block once, summing with the max known so far; a
// block that raises the max by more than 64 nats (or to infinity, or after
// blocks that were all -inf) is summed again with the new shift. Rows built
// to take each of those paths agree with a plain two-pass float64 reference.
TEST(RowKernels, ForwardStatsWhenTheMaxJumpsBetweenBlocks) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
  const int64_t n = 3000;  // three blocks of 1024 (the last one partial)
  struct Case {
    const char* name;
    bool block0_neg_inf;  // block 0 all -inf (else standard normal, as the rest)
    float add1, add2;     // added to every value of blocks 1 and 2
    float one_value;      // if not 0: element 2500 (block 2) is set to this
  };
  for (const Case c : {Case{"small rise", false, 10.0f, 60.0f, 0.0f},
                       Case{"rise just over 64", false, 0.0f, 70.0f, 0.0f},
                       Case{"rise of 1000", false, 1000.0f, 0.0f, 0.0f},
                       Case{"fall", false, -500.0f, -1e4f, 0.0f},
                       Case{"first block all -inf", true, 0.0f, 0.0f, 0.0f},
                       Case{"first block all -inf, then about -1000", true, -1000.0f, -1000.0f, 0.0f},
                       Case{"+inf later", false, 0.0f, 0.0f, inf},
                       Case{"NaN later", false, 0.0f, 0.0f, nan}}) {
    std::vector<float> x(n);
    std::vector<double> xd(n);
    gradlab::Generator gen(11);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t block = i / 1024;
      float v = static_cast<float>(gen.normal());
      if (block == 0 && c.block0_neg_inf) v = -inf;
      if (block == 1) v += c.add1;
      if (block == 2) v += c.add2;
      if (i == 2500 && c.one_value != 0.0f) v = c.one_value;  // NaN != 0 too
      x[i] = v, xd[i] = v;
    }
    // the reference: two plain passes in double (the kernels share one algorithm)
    double max = -HUGE_VAL, sum = 0.0;
    for (double v : xd) max = v > max ? v : max;
    const double shift = std::isfinite(max) ? max : 0.0;
    for (double v : xd) sum += std::exp(v - shift);
    const double lse_ref = shift + std::log(sum);
    for (const KernelSet* k : available()) {
      SCOPED_TRACE(std::string(k->isa) + ": " + c.name);
      const RowStats st = k->f32.stats(x.data(), n, nullptr, true);
      EXPECT_EQ(st.max, max);
      EXPECT_EQ(st.shift, shift);
      const double lse = st.shift + std::log(st.sum);
      if (std::isnan(lse_ref) || std::isinf(lse_ref)) {
        EXPECT_TRUE(std::isnan(lse_ref) ? std::isnan(lse) : lse == lse_ref) << lse;
      } else {
        EXPECT_NEAR(lse, lse_ref, 2e-6 * std::fabs(lse_ref) + 1e-6);
      }
    }
  }
}

}  // namespace
