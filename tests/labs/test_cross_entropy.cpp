// tests/labs/test_cross_entropy.cpp — the phase-05 suite: the fused softmax
// cross-entropy with ignore_index, a padding mask and the mean over valid
// tokens (labs/05_cross_entropy/lab.h).
//
// Compiled once and linked against each implementation of lab.h (reference,
// starter, every bug-zoo entry, students' submissions). Three kinds of test:
//   Property.*   RapidCheck: the definition (in long double), padding and
//                shift invariance, finite differences, gradient structure;
//                failures shrink to the smallest batch
//   Reference.*  torch.nn.functional.cross_entropy loss and gradient in
//                float64 (tests/data/labs/lab05_cross_entropy.json, made by
//                tests/data/labs/gen_labs_reference.py)
//   Stress.*     logits of +-1000 and 1e4, all-padding batches, NaN/inf in
//                padding, a 10^6-class vocabulary, 200000 tokens, bad args
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/random.h"
#include "labs/05_cross_entropy/lab.h"

namespace {

using json = nlohmann::json;
using Vec = std::vector<float>;
using Targets = std::vector<int64_t>;
using Mask = std::vector<uint8_t>;
using Real = long double;

struct Batch {
  Vec logits;
  Targets target;
  Mask mask;  // empty = no padding
  int64_t N = 0, C = 1, ignore_index = -100;

  bool valid(int64_t n) const {
    const auto i = static_cast<std::size_t>(n);
    return (mask.empty() || mask[i]) && target[i] != ignore_index;
  }
  float loss() const {
    return lab05::cross_entropy_forward(logits, target, mask, N, C, ignore_index);
  }
  Vec grad(float g = 1.0f) const {
    return lab05::cross_entropy_backward(logits, target, mask, N, C, ignore_index, g);
  }
  // Largest |logit| over valid rows: float32 rounding error scales with it.
  double scale() const {
    double m = 0;
    for (int64_t n = 0; n < N; ++n)
      if (valid(n))
        for (int64_t c = 0; c < C; ++c)
          m = std::max(m,
                       std::abs(static_cast<double>(logits[static_cast<std::size_t>(n * C + c)])));
    return m;
  }
};

// ---- printing -----------------------------------------------------------------

template <class T>
std::string str(const std::vector<T>& v, std::size_t limit = 12) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size() && i < limit; ++i) os << (i ? ", " : "") << +v[i];
  if (v.size() > limit) os << ", ... (" << v.size() << " values)";
  os << "]";
  return os.str();
}

std::string describe(const Batch& b) {
  std::ostringstream os;
  os << "N=" << b.N << ", C=" << b.C << ", ignore_index=" << b.ignore_index
     << ", logits=" << str(b.logits, 24) << ", target=" << str(b.target)
     << ", mask=" << (b.mask.empty() ? std::string("(none)") : str(b.mask));
  return os.str();
}

// RapidCheck prints a generated Batch with this (one line per counterexample).
std::ostream& operator<<(std::ostream& os, const Batch& b) { return os << describe(b); }

// ---- the test's own definition, in long double ----------------------------------

Real row_lse(const std::vector<Real>& x, int64_t n, int64_t C) {
  Real m = -std::numeric_limits<Real>::infinity();
  for (int64_t c = 0; c < C; ++c) m = std::max(m, x[static_cast<std::size_t>(n * C + c)]);
  Real s = 0;
  for (int64_t c = 0; c < C; ++c) s += std::exp(x[static_cast<std::size_t>(n * C + c)] - m);
  return m + std::log(s);
}

Real oracle_loss(const Batch& b, const std::vector<Real>& x) {
  Real total = 0;
  int64_t V = 0;
  for (int64_t n = 0; n < b.N; ++n) {
    if (!b.valid(n)) continue;
    total += row_lse(x, n, b.C) -
             x[static_cast<std::size_t>(n * b.C + b.target[static_cast<std::size_t>(n)])];
    ++V;
  }
  return V ? total / static_cast<Real>(V) : 0;
}

std::vector<Real> widen(const Vec& v) { return std::vector<Real>(v.begin(), v.end()); }
Real oracle_loss(const Batch& b) { return oracle_loss(b, widen(b.logits)); }

// Tolerances: float32 output, plus rounding that grows with the logits' size.
double loss_tol(const Batch& b, double expected) {
  return 1e-6 + 2e-7 * b.scale() + 1e-5 * std::abs(expected);
}
double grad_tol(const Batch& b, double expected) {
  return 1e-6 + (1e-5 + 2e-7 * b.scale()) * std::abs(expected);
}

// "" if the gradient matches `expected` (N, C), else the first bad entry.
std::string grad_problem(const std::string& what, const Batch& b, const Vec& got,
                         const std::vector<double>& expected) {
  if (got.size() != expected.size())
    return what + ": gradient has " + std::to_string(got.size()) +
           " values, expected N * C = " + std::to_string(expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!(std::abs(got[i] - expected[i]) <= grad_tol(b, expected[i]))) {
      const auto n = static_cast<int64_t>(i) / b.C, c = static_cast<int64_t>(i) % b.C;
      std::ostringstream os;
      os << what << ": dL/dlogits[" << n << "][" << c << "] = " << got[i] << ", expected "
         << expected[i] << " (row " << n << " is "
         << (b.valid(n) ? "valid" : "padding/ignored, so its gradient must be 0") << ")";
      return os.str();
    }
  }
  return "";
}

// ---- RapidCheck helpers -------------------------------------------------------------

[[noreturn]] void counterexample(const std::string& what_went_wrong) { RC_FAIL(what_went_wrong); }

void check(const std::string& problem) {
  if (!problem.empty()) counterexample(problem);
}

template <class F>
auto guarded(const std::string& call, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw std::runtime_error(call + " threw: " + e.what());
  }
}

rc::Gen<int> small_int(int hi) {
  return rc::gen::map(rc::gen::inRange(0, 2 * hi + 1),
                      [](int v) { return v % 2 ? -(v + 1) / 2 : v / 2; });
}

// A small batch: logits in quarters within [-10, 10], optional padding mask,
// ignore_index -100 or a real class id, targets anywhere in [0, C).
rc::Gen<Batch> gen_batch(int max_n = 6) {
  return rc::gen::exec([max_n] {
    Batch b;
    b.N = *rc::gen::inRange<int64_t>(0, max_n + 1).as("N");
    b.C = *rc::gen::inRange<int64_t>(1, 7).as("C");
    for (int v :
         *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(b.N * b.C), small_int(40))
              .as("logits (in quarters)"))
      b.logits.push_back(static_cast<float>(v) / 4.0f);
    b.target = *rc::gen::container<Targets>(static_cast<std::size_t>(b.N),
                                            rc::gen::inRange<int64_t>(0, b.C))
                    .as("target");
    if (*rc::gen::arbitrary<bool>().as("has a padding mask"))
      for (bool m : *rc::gen::container<std::vector<bool>>(static_cast<std::size_t>(b.N),
                                                           rc::gen::arbitrary<bool>())
                         .as("mask (false = padding)"))
        b.mask.push_back(m ? 0 : 1);  // shrinks toward "real token"
    b.ignore_index = *rc::gen::element(int64_t{-100}, int64_t{0}, int64_t{1}).as("ignore_index");
    return b;
  });
}

// ---- golden data ----------------------------------------------------------------------

const json& golden() {
  static const json data = [] {
    const std::string path = std::string(GRADLAB_TEST_DATA_DIR) + "/labs/lab05_cross_entropy.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open golden file " + path);
    return json::parse(in);
  }();
  return data;
}

}  // namespace

// =============================================================================
// Property tests
// =============================================================================

RC_GTEST_PROP(Property, LossMatchesDefinition, ()) {
  const Batch b = *gen_batch().as("batch");
  const std::string call = "cross_entropy_forward(" + describe(b) + ")";
  const float got = guarded(call, [&] { return b.loss(); });
  const double expected = static_cast<double>(oracle_loss(b));
  if (!(std::abs(got - expected) <= loss_tol(b, expected)))
    counterexample(call + ": expected " + std::to_string(expected) +
                   " (mean over valid rows of logsumexp - logit[target]), got " +
                   std::to_string(got));
}

// A batch and the same batch with padding rows inserted (see below).
struct PaddedPair {
  Batch b, p;
  std::vector<int64_t> origin;  // row of b each row of p came from (-1 = inserted padding)
};
std::ostream& operator<<(std::ostream& os, const PaddedPair& c) {
  return os << "without padding: " << describe(c.b) << "\n  with padding:    " << describe(c.p);
}

rc::Gen<PaddedPair> gen_padded_pair() {
  return rc::gen::exec([] {
    PaddedPair c;
    c.b = *gen_batch(4);
    Batch& b = c.b;
    if (b.mask.empty()) b.mask.assign(static_cast<std::size_t>(b.N), 1);
    const int extra = *rc::gen::inRange(1, 4);
    const float inf = std::numeric_limits<float>::infinity(),
                nan = std::numeric_limits<float>::quiet_NaN();
    Batch& p = c.p;
    p = b;
    for (int64_t n = 0; n < b.N; ++n) c.origin.push_back(n);
    for (int k = 0; k < extra; ++k) {
      const auto at = static_cast<std::size_t>(*rc::gen::inRange<int64_t>(0, p.N + 1));
      const float junk = *rc::gen::element(0.0f, 1e30f, -1e30f, inf, -inf, nan);
      p.logits.insert(p.logits.begin() + static_cast<std::ptrdiff_t>(at) * p.C,
                      static_cast<std::size_t>(p.C), junk);
      p.target.insert(p.target.begin() + static_cast<std::ptrdiff_t>(at),
                      *rc::gen::element(int64_t{0}, int64_t{-1}, int64_t{999}, p.C));
      p.mask.insert(p.mask.begin() + static_cast<std::ptrdiff_t>(at), 0);
      c.origin.insert(c.origin.begin() + static_cast<std::ptrdiff_t>(at), -1);
      ++p.N;
    }
    return c;
  });
}

// Inserting padding rows anywhere — holding garbage logits (inf, NaN, 1e30)
// and garbage targets — must change neither the loss nor the real rows'
// gradients, and the padding rows' gradients must be 0.
RC_GTEST_PROP(Property, PaddingDoesNotChangeTheLoss, ()) {
  const PaddedPair c = *gen_padded_pair().as("batches");
  const Batch &b = c.b, &p = c.p;
  const auto& origin = c.origin;
  const int64_t extra = p.N - b.N;
  const float base =
      guarded("cross_entropy_forward(" + describe(b) + ")", [&] { return b.loss(); });
  const std::string call = "cross_entropy_forward(" + describe(p) + ")";
  const float padded = guarded(call, [&] { return p.loss(); });
  if (!(std::abs(padded - base) <= loss_tol(b, base)))
    counterexample(call + " = " + std::to_string(padded) + ", but without the " +
                   std::to_string(extra) + " padding rows (mask 0) the loss is " +
                   std::to_string(base) + ": padding must neither add to the sum nor to the count");
  const Vec gb = guarded("cross_entropy_backward(" + describe(b) + ")", [&] { return b.grad(); });
  const Vec gp = guarded("cross_entropy_backward(" + describe(p) + ")", [&] { return p.grad(); });
  if (gp.size() != p.logits.size())
    counterexample("cross_entropy_backward(" + describe(p) + ") returned " +
                   std::to_string(gp.size()) + " values");
  std::vector<double> expected;
  for (int64_t r = 0; r < p.N; ++r)
    for (int64_t c = 0; c < p.C; ++c)
      expected.push_back(
          origin[static_cast<std::size_t>(r)] < 0
              ? 0.0
              : gb.at(static_cast<std::size_t>(origin[static_cast<std::size_t>(r)] * p.C + c)));
  check(
      grad_problem("cross_entropy_backward(" + describe(p) + ") vs the same batch without padding",
                   p, gp, expected));
}

// Adding a constant to a whole row changes no probability.
struct ShiftedPair {
  Batch b, s;  // s: each row of b plus its own integer constant
};
std::ostream& operator<<(std::ostream& os, const ShiftedPair& c) {
  return os << "batch:   " << describe(c.b) << "\n  shifted: " << describe(c.s);
}

RC_GTEST_PROP(Property, ShiftInvariance, ()) {
  const ShiftedPair c = *rc::gen::exec([] {
                           ShiftedPair r;
                           r.b = *gen_batch();
                           r.s = r.b;
                           for (int64_t n = 0; n < r.b.N; ++n) {
                             const int shift = *small_int(100);
                             for (int64_t k = 0; k < r.b.C; ++k)
                               r.s.logits[static_cast<std::size_t>(n * r.b.C + k)] +=
                                   static_cast<float>(shift);
                           }
                           return r;
                         }).as("batches");
  const Batch &b = c.b, &s = c.s;
  const float l0 = guarded("cross_entropy_forward(" + describe(b) + ")", [&] { return b.loss(); });
  const float l1 = guarded("cross_entropy_forward(" + describe(s) + ")", [&] { return s.loss(); });
  if (!(std::abs(l1 - l0) <= loss_tol(s, l0)))
    counterexample("cross_entropy_forward(" + describe(s) + ") = " + std::to_string(l1) +
                   ", but before shifting each row by a constant it was " + std::to_string(l0) +
                   " (softmax is shift-invariant)");
}

// The gradient against central differences of the long-double definition.
RC_GTEST_PROP(Property, GradientMatchesFiniteDifferences, ()) {
  const Batch b = *gen_batch(4).as("batch");
  const float g = *rc::gen::element(1.0f, 0.5f, 2.0f, -1.0f).as("grad_loss");
  const std::string call =
      "cross_entropy_backward(" + describe(b) + ", grad_loss=" + std::to_string(g) + ")";
  const Vec got = guarded(call, [&] { return b.grad(g); });
  std::vector<double> fd(b.logits.size());
  const Real h = 1e-4L;
  for (std::size_t i = 0; i < fd.size(); ++i) {
    std::vector<Real> xp = widen(b.logits), xm = xp;
    xp[i] += h;
    xm[i] -= h;
    fd[i] = static_cast<double>(g * (oracle_loss(b, xp) - oracle_loss(b, xm)) / (2 * h));
  }
  check(grad_problem(call + " vs finite differences of the loss", b, got, fd));
}

// Each valid row of the gradient sums to 0 (softmax sums to 1, onehot too);
// padded/ignored rows are exactly 0; grad_loss scales everything.
RC_GTEST_PROP(Property, GradientRowsSumToZero, ()) {
  const Batch b = *gen_batch().as("batch");
  const std::string call = "cross_entropy_backward(" + describe(b) + ")";
  const Vec g1 = guarded(call, [&] { return b.grad(1.0f); });
  const Vec g3 = guarded(call, [&] { return b.grad(3.0f); });
  if (g1.size() != b.logits.size())
    counterexample(call + " returned " + std::to_string(g1.size()) + " values, expected N * C");
  for (int64_t n = 0; n < b.N; ++n) {
    double s = 0;
    for (int64_t c = 0; c < b.C; ++c) {
      const auto i = static_cast<std::size_t>(n * b.C + c);
      s += g1[i];
      if (!b.valid(n) && g1[i] != 0.0f)
        counterexample(call + ": row " + std::to_string(n) +
                       " is padding or ignored, but its gradient is " + std::to_string(g1[i]) +
                       " at class " + std::to_string(c));
      if (!(std::abs(g3[i] - 3.0 * g1[i]) <= 1e-6 + 1e-5 * std::abs(3.0 * g1[i])))
        counterexample(call + ": with grad_loss = 3 entry [" + std::to_string(n) + "][" +
                       std::to_string(c) + "] is " + std::to_string(g3[i]) + ", expected 3 x " +
                       std::to_string(g1[i]));
    }
    if (!(std::abs(s) <= 1e-6 * static_cast<double>(b.C)))
      counterexample(call + ": row " + std::to_string(n) + " of the gradient sums to " +
                     std::to_string(s) + ", expected 0 (softmax - onehot)");
  }
}

// =============================================================================
// Reference tests (PyTorch, float64)
// =============================================================================

TEST(Reference, LossAndGradientMatchPyTorch) {
  const auto& cases = golden().at("cases");
  ASSERT_GT(cases.size(), 10u);
  for (const auto& c : cases) {
    Batch b;
    b.N = c["N"];
    b.C = c["C"];
    for (const auto& v : c["logits"]) b.logits.push_back(static_cast<float>(v.get<double>()));
    b.target = c["target"].get<Targets>();
    b.mask = c["mask"].get<Mask>();
    b.ignore_index = c["ignore_index"];
    const float g = c["grad_loss"].get<float>();
    const double loss = c["loss"].get<double>();
    const std::string name = c["name"].get<std::string>();
    const float got = b.loss();
    EXPECT_NEAR(got, loss, loss_tol(b, loss)) << name << ": cross_entropy_forward(" << describe(b)
                                              << ") vs torch.nn.functional.cross_entropy (float64)";
    const Vec grad = b.grad(g);
    const auto expected = c["grad"].get<std::vector<double>>();
    EXPECT_EQ(grad_problem(name + ", grad_loss " + std::to_string(g), b, grad, expected), "")
        << "expected values: torch autograd, float64";
  }
}

// =============================================================================
// Stress tests
// =============================================================================

TEST(Stress, LargeLogits) {
  const std::vector<std::pair<Vec, int64_t>> rows = {
      {{1000, 1001, 1002}, 0}, {{-1000, -999, -998}, 2},  {{0, -200, 5}, 1},
      {{10000, -10000, 0}, 1}, {{88.75f, 0, -88.75f}, 2}, {{-1e4f, -1e4f}, 0}};
  for (const auto& [row, t] : rows) {
    Batch b{row, {t}, {}, 1, static_cast<int64_t>(row.size()), -100};
    const double expected = static_cast<double>(oracle_loss(b));
    const float got = b.loss();
    EXPECT_TRUE(std::isfinite(got)) << "cross_entropy_forward(" << describe(b) << ") = " << got
                                    << ": shift by the row max, stay in log space";
    EXPECT_NEAR(got, expected, loss_tol(b, expected))
        << "cross_entropy_forward(" << describe(b) << ")";
    const Vec g = b.grad();
    std::vector<double> exp_g;
    const auto x = widen(b.logits);
    const Real lse = row_lse(x, 0, b.C);
    for (int64_t c = 0; c < b.C; ++c)
      exp_g.push_back(
          static_cast<double>(std::exp(x[static_cast<std::size_t>(c)] - lse) - (c == t)));
    EXPECT_EQ(grad_problem("cross_entropy_backward(" + describe(b) + ")", b, g, exp_g), "");
  }
}

TEST(Stress, AllPaddingGivesZeroNotNaN) {
  const Vec logits = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<Batch> batches = {
      {logits, {0, 1, 2, 3}, {0, 0, 0, 0}, 4, 2, -100},     // every row padding
      {logits, {-100, -100, -100, -100}, {}, 4, 2, -100},   // every target ignored
      {logits, {0, 1, -100, 0}, {0, 0, 1, 0}, 4, 2, -100},  // the one real row is ignored
      {{}, {}, {}, 0, 5, -100}};                            // an empty batch
  for (const Batch& b : batches) {
    const float loss = b.loss();
    EXPECT_EQ(loss, 0.0f) << "cross_entropy_forward(" << describe(b)
                          << ") has no valid row: the mean must be 0, not 0/0 = NaN";
    const Vec g = b.grad();
    ASSERT_EQ(g.size(), b.logits.size());
    for (float v : g)
      EXPECT_EQ(v, 0.0f) << "cross_entropy_backward(" << describe(b) << ") must be all zeros";
  }
}

TEST(Stress, PaddingWithGarbage) {
  const float inf = std::numeric_limits<float>::infinity(),
              nan = std::numeric_limits<float>::quiet_NaN();
  Batch b{{0.5f, -1.0f, 2.0f, /* padding: */ nan, 1.0f, 2.0f, /* padding: */ inf, -inf, 3e38f, 1.0f,
           1.0f, 1.0f},
          {2, 999, -5, 0},
          {1, 0, 0, 1},
          4,
          3,
          -100};
  const double expected = static_cast<double>(oracle_loss(b));
  const float got = b.loss();
  EXPECT_NEAR(got, expected, loss_tol(b, expected))
      << "cross_entropy_forward(" << describe(b)
      << "): rows 1 and 2 are padding holding NaN/inf logits and targets 999, -5; "
      << "skip them, never multiply their loss by 0 (0 * NaN = NaN)";
  const Vec g = b.grad();
  ASSERT_EQ(g.size(), b.logits.size());
  for (std::size_t i = 3; i < 9; ++i)
    EXPECT_EQ(g[i], 0.0f) << "gradient of padded row " << i / 3 << " must be exactly 0";
  for (float v : g)
    EXPECT_TRUE(std::isfinite(v)) << "cross_entropy_backward(" << describe(b)
                                  << ") produced a non-finite gradient";
}

// A 10^6-class row whose logits repeat 0, -0.25, ..., -1.5: summing a million
// exponentials in float32 loses ~4 digits; in double the loss is exact to
// float32 precision.
TEST(Stress, HugeVocabulary) {
  const int64_t C = 1'000'000;
  Batch b;
  b.N = 2;
  b.C = C;
  b.logits.resize(static_cast<std::size_t>(2 * C));
  for (int64_t i = 0; i < 2 * C; ++i)
    b.logits[static_cast<std::size_t>(i)] = -0.25f * static_cast<float>((i % C) % 7);
  b.target = {123456, 999999};
  const double expected = static_cast<double>(oracle_loss(b));
  const float got = b.loss();
  EXPECT_NEAR(got, expected, 2e-6 * std::abs(expected))
      << "cross_entropy_forward over 2 rows of 10^6 classes: expected " << expected << ", got "
      << got << " (accumulate the sum of exponentials in double)";
  const Vec g = b.grad();
  ASSERT_EQ(g.size(), b.logits.size());
  const auto x = widen(b.logits);
  for (int64_t n = 0; n < 2; ++n) {
    double s = 0;
    for (int64_t c = 0; c < C; ++c) s += g[static_cast<std::size_t>(n * C + c)];
    EXPECT_NEAR(s, 0.0, 1e-5) << "row " << n << " of the 10^6-class gradient must sum to 0";
    const auto t = b.target[static_cast<std::size_t>(n)];
    const double pt =
        static_cast<double>(std::exp(x[static_cast<std::size_t>(n * C + t)] - row_lse(x, n, C)));
    EXPECT_NEAR(g[static_cast<std::size_t>(n * C + t)], (pt - 1) / 2, 1e-6)
        << "gradient at the target of row " << n;
  }
}

// 200000 tokens (a quarter of them padding): the mean of 150000 per-token
// losses must be accumulated in double too.
TEST(Stress, ManyTokens) {
  const int64_t N = 200'000, C = 4;
  gradlab::Generator gen(5);
  Batch b;
  b.N = N;
  b.C = C;
  for (int64_t i = 0; i < N * C; ++i)
    b.logits.push_back(static_cast<float>(static_cast<int>(gen.below(65)) - 32) / 4.0f);
  for (int64_t n = 0; n < N; ++n) {
    b.target.push_back(static_cast<int64_t>(gen.below(C)));
    b.mask.push_back(gen.below(4) != 0);
  }
  const double expected = static_cast<double>(oracle_loss(b));
  const float got = b.loss();
  EXPECT_NEAR(got, expected, 2e-6 * std::abs(expected))
      << "cross_entropy_forward over 200000 tokens (C=4, 1/4 padding): expected " << expected
      << ", got " << got << " (accumulate the loss in double)";
}

TEST(Stress, BadArgumentsThrow) {
  const Vec logits = {1, 2, 3, 4, 5, 6};
  EXPECT_THROW(lab05::cross_entropy_forward(logits, {0, 3}, {}, 2, 3, -100), std::invalid_argument)
      << "target 3 with C = 3 classes is out of range";
  EXPECT_THROW(lab05::cross_entropy_forward(logits, {-1, 0}, {}, 2, 3, -100), std::invalid_argument)
      << "target -1 (ignore_index is -100) is out of range";
  EXPECT_THROW(lab05::cross_entropy_backward(logits, {0, 7}, {}, 2, 3, -100, 1.0f),
               std::invalid_argument)
      << "cross_entropy_backward: target 7 with C = 3 is out of range";
  EXPECT_THROW(lab05::cross_entropy_forward(logits, {0, 1}, {}, 2, 4, -100), std::invalid_argument)
      << "6 logits for N = 2, C = 4";
  EXPECT_THROW(lab05::cross_entropy_forward(logits, {0, 1, 2}, {}, 2, 3, -100),
               std::invalid_argument)
      << "3 targets for N = 2";
  EXPECT_THROW(lab05::cross_entropy_forward(logits, {0, 1}, {1, 1, 1}, 2, 3, -100),
               std::invalid_argument)
      << "mask of 3 for N = 2";
  EXPECT_THROW(lab05::cross_entropy_forward({}, {}, {}, 0, 0, -100), std::invalid_argument)
      << "C = 0 classes";
  EXPECT_NO_THROW(lab05::cross_entropy_forward(logits, {0, 999}, {1, 0}, 2, 3, -100))
      << "target 999 is on a padded row: it must not be read or checked";
}
