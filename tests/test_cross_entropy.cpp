// tests/test_cross_entropy.cpp — the course suite for gradlab::cross_entropy.
//
//   reference  golden PyTorch 1.13 float64 loss AND gradient
//              (tests/data/losses_cross_entropy_reference.json, made by
//              tests/data/gen_reference.py) over the whole grid reduction x
//              eps in {0, 0.1, 1} x weight/none x ignore_index/none x
//              mask/none, probability targets, (B, T, C) sequences; replayed
//              in Float64 (tight) and Float32
//   gradcheck  finite differences in float64 (core/gradcheck.h)
//   property   changing an ignored row changes nothing; permuting rows leaves
//              mean and sum unchanged; eps = 0 equals NLL of log_softmax; fp16
//              input equals fp32 input within fp16 rounding
//   stress     all padding, one valid token, logits +-1e4, fp16 60000, C = 1
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "losses/cross_entropy.h"
#include "losses/softmax.h"
#include "tests/losses/golden.h"

namespace {

using gradlab::CrossEntropyOptions;
using gradlab::DType;
using gradlab::Reduction;
using gradlab::Shape;
using gradlab::Tensor;
using losses_test::all_close;
using losses_test::json;

Tensor f64(const std::vector<double>& v, Shape s) { return gradlab::from_vector<double>(v, std::move(s)); }
Tensor i64(const std::vector<int64_t>& v, Shape s) { return gradlab::from_vector<int64_t>(v, std::move(s)); }
Tensor mask_of(const std::vector<uint8_t>& v, Shape s) { return gradlab::from_vector<uint8_t>(v, std::move(s)); }

// Loss and gradients of one call, seeded with `upstream`.
struct Result {
  Tensor loss, grad, target_grad;
};
Result run(const Tensor& logits_in, const Tensor& target_in, const CrossEntropyOptions& o,
           const Tensor& upstream) {
  Tensor logits = logits_in.detach().requires_grad_();
  Tensor target = target_in;
  if (gradlab::is_floating(target.dtype())) target = target_in.detach().requires_grad_();
  Result r;
  r.loss = gradlab::cross_entropy(logits, target, o);
  r.loss.backward(upstream.to(r.loss.dtype()));
  r.grad = logits.grad();
  if (gradlab::is_floating(target.dtype())) r.target_grad = target.grad();
  return r;
}

// ==== reference (PyTorch 1.13, float64) ============================================

const json& golden() {
  static const json g = losses_test::load_golden("losses_cross_entropy_reference.json");
  return g;
}

Reduction reduction_of(const std::string& s) {
  return s == "none" ? Reduction::None : s == "sum" ? Reduction::Sum : Reduction::Mean;
}

struct Case {
  Tensor logits, target, upstream;
  CrossEntropyOptions opts;
};
Case load_case(const json& c, DType dt) {
  Case k;
  k.logits = losses_test::tensor_of(c.at("logits"), dt);
  if (c.at("soft").get<bool>()) {
    k.target = losses_test::tensor_of(c.at("target"), DType::Float64);
  } else {
    k.target = i64(c.at("target").at("values").get<std::vector<int64_t>>(),
                   losses_test::shape_of(c.at("target")));
  }
  k.upstream = losses_test::tensor_of(c.at("upstream"));
  k.opts.reduction = reduction_of(c.at("reduction"));
  k.opts.label_smoothing = c.at("label_smoothing").get<double>();
  if (c.contains("weight")) k.opts.weight = losses_test::tensor_of(c.at("weight"), dt);
  if (c.contains("ignore_index")) k.opts.ignore_index = c.at("ignore_index").get<int64_t>();
  if (c.contains("mask")) {
    std::vector<uint8_t> m;
    for (bool b : c.at("mask").at("values")) m.push_back(b);
    k.opts.mask = mask_of(m, losses_test::shape_of(c.at("mask")));
  }
  return k;
}

void check_golden(const json& c, DType dt, double rtol, double atol) {
  SCOPED_TRACE(c.at("name").get<std::string>() + " " + gradlab::dtype_name(dt));
  const Case k = load_case(c, dt);
  const Result r = run(k.logits, k.target, k.opts, k.upstream);
  EXPECT_EQ(r.loss.dtype(), dt == DType::Float64 ? DType::Float64 : DType::Float32);
  EXPECT_EQ(r.loss.shape(), losses_test::shape_of(c.at("loss")));
  EXPECT_TRUE(all_close(r.loss, losses_test::values_of(c.at("loss")), rtol, atol)) << "loss";
  ASSERT_TRUE(r.grad.defined());
  EXPECT_EQ(r.grad.dtype(), dt);
  EXPECT_TRUE(all_close(r.grad, losses_test::values_of(c.at("grad")), rtol, atol)) << "grad";
  if (c.contains("target_grad")) {
    ASSERT_TRUE(r.target_grad.defined());
    EXPECT_TRUE(all_close(r.target_grad, losses_test::values_of(c.at("target_grad")), rtol, atol))
        << "target grad";
  }
}

TEST(CrossEntropyReference, GoldenHasProvenanceAndTheWholeGrid) {
  const json& p = golden().at("provenance");
  EXPECT_EQ(p.at("torch").get<std::string>().rfind("1.13", 0), 0u);
  EXPECT_TRUE(p.contains("seed") && p.contains("command") && p.contains("date"));
  int grid = 0;
  for (const json& c : golden().at("cases"))
    if (c.at("name").get<std::string>().rfind("grid_", 0) == 0) ++grid;
  EXPECT_EQ(grid, 3 * 3 * 2 * 2 * 2);
}

TEST(CrossEntropyReference, Float64MatchesTorch) {
  for (const json& c : golden().at("cases")) check_golden(c, DType::Float64, 1e-10, 1e-12);
}

TEST(CrossEntropyReference, Float32MatchesTorch) {
  // float32 logits are exact copies of the float64 ones; float32 exp/log and
  // the float32 result/gradient add a few float ulps of the logits' scale.
  for (const json& c : golden().at("cases")) {
    double scale = 1.0;
    for (double v : losses_test::values_of(c.at("logits")))
      if (std::isfinite(v)) scale = std::max(scale, std::fabs(v));
    check_golden(c, DType::Float32, 1e-5, 1e-6 * scale);
  }
}

// ==== gradcheck ======================================================================

TEST(CrossEntropyGradcheck, ClassTargetsEveryOption) {
  gradlab::Generator gen(3);
  const Tensor x = gradlab::randn({5, 4}, gen, DType::Float64);
  const Tensor y = i64({0, 3, 2, 1, 3}, {5});
  const Tensor w = f64({0.5, 1.5, 1.0, 2.0}, {4});
  const Tensor m = mask_of({1, 1, 0, 1, 1}, {5});
  for (Reduction red : {Reduction::None, Reduction::Sum, Reduction::Mean})
    for (double eps : {0.0, 0.1, 1.0})
      for (bool opt : {false, true}) {
        CrossEntropyOptions o{.reduction = red, .label_smoothing = eps};
        if (opt) o.weight = w, o.mask = m, o.ignore_index = 1;
        const auto res = gradlab::gradcheck(
            [&](const std::vector<Tensor>& in) { return gradlab::cross_entropy(in[0], y, o); },
            {x});
        EXPECT_TRUE(res.ok) << res.message << " (eps " << eps << ", options " << opt << ")";
      }
}

TEST(CrossEntropyGradcheck, ProbabilityTargetsBothInputs) {
  gradlab::Generator gen(4);
  const Tensor x = gradlab::randn({3, 2, 5}, gen, DType::Float64);
  const Tensor t = gradlab::softmax(gradlab::randn({3, 2, 5}, gen, DType::Float64));
  const Tensor w = f64({0.5, 1.5, 1.0, 2.0, 0.7}, {5});
  for (Reduction red : {Reduction::None, Reduction::Sum, Reduction::Mean}) {
    CrossEntropyOptions o{.reduction = red, .label_smoothing = 0.2, .weight = w};
    const auto res = gradlab::gradcheck(
        [&](const std::vector<Tensor>& in) { return gradlab::cross_entropy(in[0], in[1], o); },
        {x, t});
    EXPECT_TRUE(res.ok) << res.message;
  }
}

// ==== property =======================================================================

struct Batch {
  int64_t n, c;
  std::vector<double> logits;
  std::vector<int64_t> target;
};
rc::Gen<Batch> gen_batch() {
  return rc::gen::mapcat(rc::gen::pair(rc::gen::inRange<int64_t>(1, 9), rc::gen::inRange<int64_t>(1, 12)),
                         [](std::pair<int64_t, int64_t> nc) {
                           const auto [n, c] = nc;
                           return rc::gen::map(
                               rc::gen::pair(rc::gen::container<std::vector<double>>(
                                                 static_cast<size_t>(n * c),
                                                 rc::gen::map(rc::gen::inRange(-20000, 20001),
                                                              [](int v) { return v / 1000.0; })),
                                             rc::gen::container<std::vector<int64_t>>(
                                                 static_cast<size_t>(n), rc::gen::inRange<int64_t>(0, c))),
                               [n, c](std::pair<std::vector<double>, std::vector<int64_t>> p) {
                                 return Batch{n, c, std::move(p.first), std::move(p.second)};
                               });
                         });
}

rc::Gen<CrossEntropyOptions> gen_options(int64_t c) {
  return rc::gen::map(rc::gen::tuple(rc::gen::element(Reduction::Mean, Reduction::Sum, Reduction::None),
                                     rc::gen::element(0.0, 0.1, 0.5, 1.0), rc::gen::arbitrary<bool>()),
                      [c](std::tuple<Reduction, double, bool> t) {
                        CrossEntropyOptions o{.reduction = std::get<0>(t), .label_smoothing = std::get<1>(t)};
                        if (std::get<2>(t)) {
                          std::vector<double> w;
                          for (int64_t i = 0; i < c; ++i) w.push_back(0.25 + 0.5 * static_cast<double>(i % 4));
                          o.weight = f64(w, {c});
                        }
                        return o;
                      });
}

RC_GTEST_PROP(CrossEntropyProperty, ChangingAnIgnoredRowChangesNothing, ()) {
  Batch b = *gen_batch();
  CrossEntropyOptions o = *gen_options(b.c);
  const int64_t row = *rc::gen::inRange<int64_t>(0, b.n);
  const bool by_mask = *rc::gen::arbitrary<bool>();
  std::vector<uint8_t> m(static_cast<size_t>(b.n), 1);
  if (by_mask) {
    m[row] = 0;
    o.mask = mask_of(m, {b.n});
  } else {
    o.ignore_index = -1;
    b.target[row] = -1;
  }
  const Tensor y = i64(b.target, {b.n});
  const Tensor up = o.reduction == Reduction::None ? gradlab::full({b.n}, 0.5, DType::Float64)
                                                   : gradlab::scalar_tensor(0.5, DType::Float64);
  const Result r1 = run(f64(b.logits, {b.n, b.c}), y, o, up);
  // junk in the ignored row: NaN, inf, huge values; junk target when masked
  const double junk = *rc::gen::element(NAN, INFINITY, -INFINITY, 1e30, -3.0);
  for (int64_t j = 0; j < b.c; ++j) b.logits[row * b.c + j] = j % 2 ? junk : -junk;
  if (by_mask) b.target[row] = 1000;
  const Result r2 = run(f64(b.logits, {b.n, b.c}), i64(b.target, {b.n}), o, up);
  RC_ASSERT(losses_test::same_values(r1.loss, r2.loss));
  RC_ASSERT(losses_test::same_values(r1.grad, r2.grad));
  const std::vector<double> g = r2.grad.to_vector<double>();
  for (int64_t j = 0; j < b.c; ++j) RC_ASSERT(g[row * b.c + j] == 0.0);
}

RC_GTEST_PROP(CrossEntropyProperty, PermutingRowsLeavesMeanAndSum, ()) {
  Batch b = *gen_batch();
  CrossEntropyOptions o = *gen_options(b.c);
  if (o.reduction == Reduction::None) o.reduction = Reduction::Sum;
  std::vector<int64_t> perm(static_cast<size_t>(b.n));
  for (int64_t i = 0; i < b.n; ++i) perm[i] = i;
  for (size_t i = perm.size(); i-- > 1;)
    std::swap(perm[i], perm[static_cast<size_t>(*rc::gen::inRange<size_t>(0, i + 1))]);
  Batch p = b;
  for (int64_t i = 0; i < b.n; ++i) {
    p.target[i] = b.target[perm[i]];
    for (int64_t j = 0; j < b.c; ++j) p.logits[i * b.c + j] = b.logits[perm[i] * b.c + j];
  }
  const double l1 = gradlab::cross_entropy(f64(b.logits, {b.n, b.c}), i64(b.target, {b.n}), o).item();
  const double l2 = gradlab::cross_entropy(f64(p.logits, {p.n, p.c}), i64(p.target, {p.n}), o).item();
  RC_ASSERT(std::fabs(l1 - l2) <= 1e-12 * (1.0 + std::fabs(l1)));
}

RC_GTEST_PROP(CrossEntropyProperty, NoSmoothingEqualsNllOfLogSoftmax, ()) {
  const Batch b = *gen_batch();
  CrossEntropyOptions o = *gen_options(b.c);
  o.label_smoothing = 0.0;
  const Tensor x = f64(b.logits, {b.n, b.c});
  const std::vector<double> lsm = gradlab::log_softmax(x, 1).to_vector<double>();
  const std::vector<double> w = o.weight.defined() ? o.weight.to_vector<double>()
                                                   : std::vector<double>(static_cast<size_t>(b.c), 1.0);
  std::vector<double> nll;
  double total = 0.0, wsum = 0.0;
  for (int64_t i = 0; i < b.n; ++i) {
    nll.push_back(-w[b.target[i]] * lsm[i * b.c + b.target[i]]);
    total += nll.back();
    wsum += w[b.target[i]];
  }
  const Tensor got = gradlab::cross_entropy(x, i64(b.target, {b.n}), o);
  if (o.reduction == Reduction::None) RC_ASSERT(all_close(got, nll, 1e-12, 1e-12));
  else if (o.reduction == Reduction::Sum) RC_ASSERT(all_close(got, {total}, 1e-12, 1e-12));
  else RC_ASSERT(all_close(got, {total / wsum}, 1e-12, 1e-12));
}

RC_GTEST_PROP(CrossEntropyProperty, Float16EqualsFloat32WithinHalfRounding, ()) {
  const Batch b = *gen_batch();
  CrossEntropyOptions o = *gen_options(b.c);
  const Tensor x32 = f64(b.logits, {b.n, b.c}).to(DType::Float32);
  const Tensor x16 = x32.to(DType::Float16);
  const Tensor y = i64(b.target, {b.n});
  const Tensor up = o.reduction == Reduction::None ? gradlab::full({b.n}, 1.0, DType::Float32)
                                                   : gradlab::scalar_tensor(1.0, DType::Float32);
  const Result h = run(x16, y, o, up);
  const Result f = run(x16.to(DType::Float32), y, o, up);  // the same values, in float32
  RC_ASSERT(h.loss.dtype() == DType::Float32);
  RC_ASSERT(h.grad.dtype() == DType::Float16);
  RC_ASSERT(all_close(h.loss, f.loss.to_vector<double>(), 1e-6, 1e-6));
  // the fp16 gradient is the float32 one rounded to half: within half an ulp
  // (2^-11 relative), or a subnormal step
  RC_ASSERT(all_close(h.grad, f.grad.to_vector<double>(), 1.0 / 2048, 6e-8));
  // and against the unrounded float32 logits: |dx| <= 2^-11 * 20 per logit
  // (|x| <= 20), |d l_i / d x_i| sums to at most 2 * w_max = 3.5 per row, so
  // |dl_i| <= 3.5 * 20 / 2048; Sum adds n rows, Mean divides by >= 0.25 n.
  const Result o32 = run(x32, y, o, up);
  const double per_row = 3.5 * 20.0 / 2048;
  const double bound = per_row * (o.reduction == Reduction::Sum    ? static_cast<double>(b.n)
                                  : o.reduction == Reduction::Mean ? 4.0
                                                                   : 1.0);
  RC_ASSERT(all_close(h.loss, o32.loss.to_vector<double>(), 0.0, bound + 1e-5));
}

// ==== stress =========================================================================

TEST(CrossEntropyStress, AllPaddingIsZeroWithZeroGradient) {
  gradlab::Generator gen(5);
  const Tensor x = gradlab::randn({2, 3, 4}, gen);
  const Tensor y = i64({0, 1, 2, 3, 0, 1}, {2, 3});
  for (Reduction red : {Reduction::Mean, Reduction::Sum, Reduction::None})
    for (bool by_mask : {true, false}) {
      CrossEntropyOptions o{.reduction = red, .label_smoothing = 0.1};
      Tensor yy = y;
      if (by_mask) o.mask = mask_of({0, 0, 0, 0, 0, 0}, {2, 3});
      else yy = gradlab::full({2, 3}, -100.0, DType::Int64);
      const Tensor up = red == Reduction::None ? gradlab::ones({2, 3}) : gradlab::scalar_tensor(1.0);
      const Result r = run(x, yy, o, up);
      for (double v : r.loss.to_vector<double>()) EXPECT_EQ(v, 0.0);  // PyTorch: NaN for Mean
      for (double v : r.grad.to_vector<double>()) EXPECT_EQ(v, 0.0);
    }
}

TEST(CrossEntropyStress, OneValidToken) {
  gradlab::Generator gen(6);
  const Tensor x = gradlab::randn({4, 7}, gen, DType::Float64);
  const Tensor y = i64({3, 5, 1, 0}, {4});
  const Tensor m = mask_of({0, 0, 1, 0}, {4});
  const Tensor w = f64({1, 2, 3, 4, 5, 6, 7}, {7});
  CrossEntropyOptions none{.reduction = Reduction::None, .label_smoothing = 0.1, .weight = w, .mask = m};
  CrossEntropyOptions mean = none;
  mean.reduction = Reduction::Mean;
  const double row = gradlab::cross_entropy(x, y, none).to_vector<double>()[2];
  EXPECT_GT(row, 0.0);
  // Mean divides by the one valid target's weight, w[1] = 2
  EXPECT_NEAR(gradlab::cross_entropy(x, y, mean).item(), row / 2.0, 1e-14);
}

TEST(CrossEntropyStress, LogitsPlusMinus1e4) {
  for (const json& c : golden().at("cases")) {
    if (c.at("name").get<std::string>().rfind("stress_pm1e4", 0) != 0) continue;
    check_golden(c, DType::Float64, 1e-12, 1e-12);
    check_golden(c, DType::Float32, 1e-6, 1e-6);  // the float32 values are exact inputs
    const Case k = load_case(c, DType::Float32);
    for (double v : gradlab::cross_entropy(k.logits, k.target, k.opts).to_vector<double>())
      EXPECT_TRUE(std::isfinite(v));
  }
}

TEST(CrossEntropyStress, Float16Logit60000) {
  // a naive half exp overflows above ~11.09; 60000 must work
  const Tensor x64 = f64({60000, 59968, 0, -60000, 1, 2}, {2, 3});  // exact in half
  const Tensor y = i64({1, 2}, {2});
  for (double eps : {0.0, 0.1}) {
    CrossEntropyOptions o{.label_smoothing = eps};
    const Result h = run(x64.to(DType::Float16), y, o, gradlab::scalar_tensor(1.0));
    const Result d = run(x64, y, o, gradlab::scalar_tensor(1.0, DType::Float64));
    EXPECT_EQ(h.loss.dtype(), DType::Float32);
    EXPECT_EQ(h.grad.dtype(), DType::Float16);
    EXPECT_TRUE(std::isfinite(h.loss.item()));
    EXPECT_TRUE(all_close(h.loss, d.loss.to_vector<double>(), 1e-6, 0.0));
    EXPECT_TRUE(all_close(h.grad, d.grad.to_vector<double>(), 1.0 / 2048, 1e-7));
  }
}

TEST(CrossEntropyStress, OneClass) {
  // log_softmax of a single class is 0: zero loss and zero gradient
  gradlab::Generator gen(8);
  const Tensor x = gradlab::randn({5, 1}, gen) * 100.0;
  for (double eps : {0.0, 0.1, 1.0}) {
    const Result r = run(x, gradlab::zeros({5}, DType::Int64), {.label_smoothing = eps},
                         gradlab::scalar_tensor(1.0));
    EXPECT_EQ(r.loss.item(), 0.0);
    for (double v : r.grad.to_vector<double>()) EXPECT_EQ(v, 0.0);
  }
}

}  // namespace
