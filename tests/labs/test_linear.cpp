// tests/labs/test_linear.cpp — the phase-04 suite: Linear forward/backward,
// PyTorch-style initialisation, ReLU, and an MLP trained with them
// (labs/04_linear/lab.h).
//
// Compiled once and linked against each implementation of lab.h (reference,
// starter, every bug-zoo entry, students' submissions). Four kinds of test:
//   Property.*   RapidCheck: the definitions, finite differences, the exact
//                generator stream; failures shrink to the smallest input
//   Reference.*  torch F.linear / relu gradients in float64 and gradlab's
//                Linear init re-derived in Python
//                (tests/data/labs/lab04_linear.json, made by
//                tests/data/labs/gen_labs_reference.py)
//   Stress.*     a 256x512 -> 128 layer, init statistics over a million
//                weights, special float values, bad sizes
//   Training.*   a 2-32-32-3 MLP built only from your functions must learn
//                the spirals problem
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/random.h"
#include "datasets/synthetic.h"
#include "labs/04_linear/lab.h"

namespace {

using json = nlohmann::json;
using Vec = std::vector<float>;

// ---- printing and comparing ---------------------------------------------------

template <class T>
std::string str(const std::vector<T>& v, std::size_t limit = 8) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size() && i < limit; ++i) os << (i ? ", " : "") << v[i];
  if (v.size() > limit) os << ", ... (" << v.size() << " values)";
  os << "]";
  return os.str();
}

std::string dims(int64_t N, int64_t in, int64_t out) {
  return "N=" + std::to_string(N) + ", in=" + std::to_string(in) + ", out=" + std::to_string(out);
}

// "" when got matches expected within atol + rtol * |expected|, else a sentence.
std::string mismatch(const std::string& what, const Vec& got, const std::vector<double>& expected,
                     double atol, double rtol = 0.0) {
  if (got.size() != expected.size())
    return what + " has " + std::to_string(got.size()) + " values, expected " +
           std::to_string(expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != expected[i] &&
        !(std::abs(got[i] - expected[i]) <= atol + rtol * std::abs(expected[i]))) {
      std::ostringstream os;
      os << what << "[" << i << "] = " << got[i] << ", expected " << expected[i] << " (got "
         << str(got) << ", expected " << str(expected) << ")";
      return os.str();
    }
  }
  return "";
}

// The test's own float64 definitions.
std::vector<double> linear_def(const Vec& x, const Vec& W, const Vec& b, int64_t N, int64_t in,
                               int64_t out) {
  std::vector<double> y(static_cast<std::size_t>(N * out));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < out; ++o) {
      double acc = b[static_cast<std::size_t>(o)];
      for (int64_t i = 0; i < in; ++i)
        acc += static_cast<double>(x[static_cast<std::size_t>(n * in + i)]) *
               W[static_cast<std::size_t>(o * in + i)];
      y[static_cast<std::size_t>(n * out + o)] = acc;
    }
  return y;
}

double dot(const std::vector<double>& a, const Vec& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// d/dv of sum(dy * f(v)) by central differences. f is linear in v here, so
// with quarter-valued inputs and h = 0.5 the quotient is exact.
std::vector<double> numeric_grad(const std::function<std::vector<double>(const Vec&)>& f,
                                 const Vec& v, const std::vector<double>& dy) {
  std::vector<double> g(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    Vec p = v, m = v;
    p[i] += 0.5f;
    m[i] -= 0.5f;
    const std::vector<double> fp = f(p), fm = f(m);
    double s = 0.0;
    for (std::size_t k = 0; k < dy.size(); ++k) s += dy[k] * (fp[k] - fm[k]);
    g[i] = s;  // divided by 2h = 1
  }
  return g;
}

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

// Integers in [-hi, hi] shrinking toward 0, as quarters.
Vec gen_quarters(std::size_t n, int hi, const std::string& name) {
  const auto ints = *rc::gen::container<std::vector<int>>(
                         n, rc::gen::map(rc::gen::inRange(0, 2 * hi + 1),
                                         [](int v) { return v % 2 ? -(v + 1) / 2 : v / 2; }))
                         .as(name + " (in quarters)");
  Vec out;
  for (int v : ints) out.push_back(static_cast<float>(v) / 4.0f);
  return out;
}

std::vector<double> to_double(const Vec& v) { return std::vector<double>(v.begin(), v.end()); }

// ---- golden data ------------------------------------------------------------------

const json& golden() {
  static const json data = [] {
    const std::string path = std::string(GRADLAB_TEST_DATA_DIR) + "/labs/lab04_linear.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open golden file " + path);
    return json::parse(in);
  }();
  return data;
}

Vec fvec(const json& j) {
  Vec v;
  for (const auto& x : j) v.push_back(static_cast<float>(x.get<double>()));
  return v;
}
std::vector<double> dvec(const json& j) { return j.get<std::vector<double>>(); }

}  // namespace

// =============================================================================
// Property tests
// =============================================================================

// A small layer: sizes in [1, 3], values in quarters. `v` is b for the
// forward and dy for the backward.
struct LayerCase {
  int64_t N = 1, in = 1, out = 1;
  Vec x, W, v;
};
std::ostream& operator<<(std::ostream& os, const LayerCase& c) {
  return os << dims(c.N, c.in, c.out) << ", x=" << str(c.x) << ", W=" << str(c.W)
            << ", b or dy=" << str(c.v);
}
rc::Gen<LayerCase> gen_layer(bool backward) {
  return rc::gen::exec([backward] {
    LayerCase c;
    c.N = *rc::gen::inRange<int64_t>(1, 4);
    c.in = *rc::gen::inRange<int64_t>(1, 4);
    c.out = *rc::gen::inRange<int64_t>(1, 4);
    c.x = gen_quarters(static_cast<std::size_t>(c.N * c.in), 8, "x");
    c.W = gen_quarters(static_cast<std::size_t>(c.out * c.in), 8, "W");
    c.v = gen_quarters(static_cast<std::size_t>(backward ? c.N * c.out : c.out), 8, "b or dy");
    return c;
  });
}

RC_GTEST_PROP(Property, LinearForwardMatchesDefinition, ()) {
  const LayerCase c = *gen_layer(false).as("layer");
  const int64_t N = c.N, in = c.in, out = c.out;
  const Vec &x = c.x, &W = c.W, &b = c.v;
  const std::string call = "linear_forward(x=" + str(x) + ", W=" + str(W) + ", b=" + str(b) + ", " +
                           dims(N, in, out) + ")";
  const Vec y = guarded(call, [&] { return lab04::linear_forward(x, W, b, N, in, out); });
  check(mismatch(call + ": y = x W^T + b", y, linear_def(x, W, b, N, in, out), 1e-6));
}

RC_GTEST_PROP(Property, LinearBackwardMatchesFiniteDifferences, ()) {
  const LayerCase c = *gen_layer(true).as("layer");
  const int64_t N = c.N, in = c.in, out = c.out;
  const Vec &x = c.x, &W = c.W, &dy = c.v;
  const Vec b(static_cast<std::size_t>(out), 0.0f);
  const std::string call = "linear_backward(x=" + str(x) + ", W=" + str(W) + ", dy=" + str(dy) +
                           ", " + dims(N, in, out) + ")";
  const lab04::LinearGrads g =
      guarded(call, [&] { return lab04::linear_backward(x, W, dy, N, in, out); });
  const auto d = to_double(dy);
  check(mismatch(call + ": dx", g.dx,
                 numeric_grad([&](const Vec& v) { return linear_def(v, W, b, N, in, out); }, x, d),
                 1e-6));
  check(mismatch(call + ": dW", g.dW,
                 numeric_grad([&](const Vec& v) { return linear_def(x, v, b, N, in, out); }, W, d),
                 1e-6));
  check(mismatch(call + ": db (the bias is shared by the whole batch)", g.db,
                 numeric_grad([&](const Vec& v) { return linear_def(x, W, v, N, in, out); }, b, d),
                 1e-6));
}

RC_GTEST_PROP(Property, ReluMatchesDefinition, ()) {
  const auto n = static_cast<std::size_t>(*rc::gen::inRange(1, 7).as("n"));
  const Vec x = gen_quarters(n, 12, "x"), dy = gen_quarters(n, 8, "dy");
  std::vector<double> y, dx;
  for (std::size_t i = 0; i < n; ++i) {
    y.push_back(std::max(0.0f, x[i]));
    dx.push_back(x[i] > 0 ? dy[i] : 0.0);
  }
  const std::string fcall = "relu_forward(" + str(x) + ")";
  check(mismatch(fcall, guarded(fcall, [&] { return lab04::relu_forward(x); }), y, 0.0));
  const std::string bcall = "relu_backward(x=" + str(x) + ", dy=" + str(dy) + ")";
  check(mismatch(bcall + " (dy where x > 0, else 0)",
                 guarded(bcall, [&] { return lab04::relu_backward(x, dy); }), dx, 0.0));
}

// The weights must be exactly the generator's stream, scaled by the fan-in bound.
RC_GTEST_PROP(Property, InitMatchesTheGeneratorStream, ()) {
  const int64_t in = *rc::gen::inRange<int64_t>(1, 41).as("in"),
                out = *rc::gen::inRange<int64_t>(1, 41).as("out");
  const auto seed = *rc::gen::inRange<uint64_t>(0, 1000).as("seed");
  gradlab::Generator gen(seed), stream(seed);
  const std::string call = "linear_init(in=" + std::to_string(in) + ", out=" + std::to_string(out) +
                           ", Generator(" + std::to_string(seed) + "))";
  const lab04::LinearParams p = guarded(call, [&] { return lab04::linear_init(in, out, gen); });
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  std::vector<double> W, b;
  for (int64_t i = 0; i < out * in; ++i)
    W.push_back(static_cast<float>(-bound + 2 * bound * stream.uniform_double()));
  for (int64_t i = 0; i < out; ++i)
    b.push_back(static_cast<float>(-bound + 2 * bound * stream.uniform_double()));
  const std::string why =
      " (bound 1/sqrt(in) = " + std::to_string(bound) + "; W drawn first, then b)";
  check(mismatch(call + ": W" + why, p.W, W, 1e-6));
  check(mismatch(call + ": b" + why, p.b, b, 1e-6));
}

// =============================================================================
// Reference tests
// =============================================================================

TEST(Reference, LinearForward) {
  for (const auto& c : golden().at("linear")) {
    const int64_t N = c["N"], in = c["in"], out = c["out"];
    const Vec x = fvec(c["x"]), W = fvec(c["W"]), b = fvec(c["b"]);
    EXPECT_EQ(mismatch("linear_forward(" + dims(N, in, out) + "): y",
                       lab04::linear_forward(x, W, b, N, in, out), dvec(c["y"]), 1e-5, 1e-5),
              "")
        << "expected values: torch.nn.functional.linear in float64";
  }
}

TEST(Reference, LinearBackward) {
  for (const auto& c : golden().at("linear")) {
    const int64_t N = c["N"], in = c["in"], out = c["out"];
    const auto g = lab04::linear_backward(fvec(c["x"]), fvec(c["W"]), fvec(c["dy"]), N, in, out);
    const std::string call = "linear_backward(" + dims(N, in, out) + ")";
    EXPECT_EQ(mismatch(call + ": dx", g.dx, dvec(c["dx"]), 1e-5, 1e-5), "")
        << "expected values: torch autograd, float64";
    EXPECT_EQ(mismatch(call + ": dW", g.dW, dvec(c["dW"]), 1e-5, 1e-5), "")
        << "expected values: torch autograd, float64";
    EXPECT_EQ(mismatch(call + ": db", g.db, dvec(c["db"]), 1e-5, 1e-5), "")
        << "expected values: torch autograd, float64";
  }
}

TEST(Reference, Relu) {
  for (const auto& c : golden().at("relu")) {
    const Vec x = fvec(c["x"]), dy = fvec(c["dy"]);
    EXPECT_EQ(mismatch("relu_forward(" + str(x) + ")", lab04::relu_forward(x), dvec(c["y"]), 0.0),
              "");
    EXPECT_EQ(mismatch("relu_backward(x=" + str(x) + ")", lab04::relu_backward(x, dy),
                       dvec(c["dx"]), 0.0),
              "")
        << "expected values: torch.relu backward (0 at x == 0)";
  }
}

TEST(Reference, LinearInit) {
  for (const auto& c : golden().at("init")) {
    const int64_t in = c["in"], out = c["out"];
    const auto seed = c["seed"].get<uint64_t>();
    gradlab::Generator gen(seed);
    const auto p = lab04::linear_init(in, out, gen);
    const std::string call = "linear_init(in=" + std::to_string(in) +
                             ", out=" + std::to_string(out) + ", Generator(" +
                             std::to_string(seed) + "))";
    EXPECT_EQ(mismatch(call + ": W", p.W, dvec(c["W"]), 1e-6), "")
        << "expected values: Philox4x32-10 re-derived in Python";
    EXPECT_EQ(mismatch(call + ": b", p.b, dvec(c["b"]), 1e-6), "")
        << "expected values: Philox4x32-10 re-derived in Python";
  }
}

// =============================================================================
// Stress tests
// =============================================================================

TEST(Stress, LargeLayer) {
  const int64_t N = 256, in = 512, out = 128;
  gradlab::Generator gen(11);
  auto rnd = [&](int64_t n) {
    Vec v(static_cast<std::size_t>(n));
    for (auto& e : v) e = static_cast<float>(gen.normal());
    return v;
  };
  const Vec x = rnd(N * in), W = rnd(out * in), b = rnd(out), dy = rnd(N * out);
  EXPECT_EQ(mismatch("linear_forward(" + dims(N, in, out) + "): y",
                     lab04::linear_forward(x, W, b, N, in, out), linear_def(x, W, b, N, in, out),
                     1e-3, 1e-4),
            "");
  // The gradients are the adjoint of the forward: for random directions
  // (vx, vW, vb), <dx, vx> + <dW, vW> + <db, vb> = <dy, d/dt y(x + t vx, ...)>.
  const auto g = lab04::linear_backward(x, W, dy, N, in, out);
  ASSERT_EQ(g.dx.size(), x.size()) << "dx must be (N, in)";
  ASSERT_EQ(g.dW.size(), W.size()) << "dW must be (out, in)";
  ASSERT_EQ(g.db.size(), b.size()) << "db must be (out)";
  const Vec vx = rnd(N * in), vW = rnd(out * in), vb = rnd(out);
  const Vec zero_b(static_cast<std::size_t>(out), 0.0f);
  const double lhs = dot(to_double(g.dx), vx) + dot(to_double(g.dW), vW) + dot(to_double(g.db), vb);
  const double rhs = dot(linear_def(vx, W, zero_b, N, in, out), dy) +
                     dot(linear_def(x, vW, zero_b, N, in, out), dy) +
                     dot(linear_def(Vec(x.size(), 0.0f), W, vb, N, in, out), dy);
  EXPECT_NEAR(lhs, rhs, 1e-3 * (1 + std::abs(rhs)))
      << "linear_backward(" << dims(N, in, out)
      << "): the gradients are not the adjoint of the forward";
}

// Over ~a million weights the empirical variance of U(-bound, bound) must be
// bound^2 / 3 within 2%, with bound = 1/sqrt(in) — for wide and narrow layers.
TEST(Stress, InitStatisticsAtScale) {
  for (auto [in, out] : {std::pair<int64_t, int64_t>{4096, 256}, {1, 4096}, {1000, 10}}) {
    gradlab::Generator gen(99);
    const auto p = lab04::linear_init(in, out, gen);
    ASSERT_EQ(p.W.size(), static_cast<std::size_t>(in * out));
    ASSERT_EQ(p.b.size(), static_cast<std::size_t>(out));
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    double sum = 0, sq = 0, worst = 0;
    for (float w : p.W) {
      sum += w;
      sq += static_cast<double>(w) * w;
      worst = std::max(worst, static_cast<double>(std::abs(w)));
    }
    const double n = static_cast<double>(p.W.size()), mean = sum / n, var = sq / n - mean * mean;
    const std::string call =
        "linear_init(in=" + std::to_string(in) + ", out=" + std::to_string(out) + ")";
    EXPECT_LE(worst, bound * (1 + 1e-6))
        << call << ": a weight of size " << worst << " exceeds the bound 1/sqrt(in) = " << bound;
    EXPECT_NEAR(var, bound * bound / 3, 0.02 * bound * bound / 3 + 1e-12)
        << call
        << ": the weights' variance should be bound^2/3 with bound = 1/sqrt(in) = " << bound;
  }
}

TEST(Stress, ReluSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity(),
              tiny = std::numeric_limits<float>::denorm_min();
  const Vec x = {inf, -inf, tiny, -tiny, 3e38f, -3e38f, 0.0f};
  const Vec y = lab04::relu_forward(x);
  EXPECT_EQ(mismatch("relu_forward([inf, -inf, denorm_min, -denorm_min, 3e38, -3e38, 0])", y,
                     {inf, 0, tiny, 0, 3e38f, 0, 0}, 0.0),
            "");
  const Vec dy(x.size(), 2.0f);
  EXPECT_EQ(mismatch("relu_backward([inf, -inf, denorm_min, -denorm_min, 3e38, -3e38, 0], dy = 2)",
                     lab04::relu_backward(x, dy), {2, 0, 2, 0, 2, 0, 0}, 0.0),
            "");
}

TEST(Stress, BadSizesThrow) {
  EXPECT_THROW(lab04::linear_forward(Vec(5), Vec(6), Vec(2), 2, 3, 2), std::invalid_argument)
      << "linear_forward with x of 5 values for N=2, in=3";
  EXPECT_THROW(lab04::linear_forward(Vec(6), Vec(5), Vec(2), 2, 3, 2), std::invalid_argument)
      << "linear_forward with W of 5 values for out=2, in=3";
  EXPECT_THROW(lab04::linear_forward(Vec(6), Vec(6), Vec(3), 2, 3, 2), std::invalid_argument)
      << "linear_forward with b of 3 values for out=2";
  EXPECT_THROW(lab04::linear_backward(Vec(6), Vec(6), Vec(5), 2, 3, 2), std::invalid_argument)
      << "linear_backward with dy of 5 values for N=2, out=2";
  EXPECT_THROW(lab04::relu_backward(Vec(3), Vec(4)), std::invalid_argument)
      << "relu_backward with 3 x and 4 dy";
  gradlab::Generator gen(0);
  EXPECT_THROW(lab04::linear_init(0, 3, gen), std::invalid_argument) << "linear_init with in = 0";
}

// =============================================================================
// Training: an MLP made of your functions learns the spirals
// =============================================================================

// 3 interleaved spiral arms, 100 points each (datasets/synthetic.h). A
// 2 -> 32 -> 32 -> 3 ReLU MLP, initialised by linear_init, trained by
// full-batch SGD with momentum on the softmax cross-entropy; it must classify
// at least 95% of the training points correctly.
TEST(Training, MlpLearnsSpirals) {
  const gradlab::data::Dataset ds =
      gradlab::data::make_spirals({.n_per_class = 100, .num_classes = 3, .noise = 0.2, .seed = 0});
  const Vec x = ds.features.to_vector<float>();
  const std::vector<int64_t> y = ds.labels.to_vector<int64_t>();
  const int64_t N = ds.size(), H = 32, C = 3;
  const int steps = 600;
  const double lr = 0.1, momentum = 0.9;
  gradlab::Generator gen(2024);
  lab04::LinearParams L1 = lab04::linear_init(2, H, gen), L2 = lab04::linear_init(H, H, gen),
                      L3 = lab04::linear_init(H, C, gen);
  std::vector<Vec*> params = {&L1.W, &L1.b, &L2.W, &L2.b, &L3.W, &L3.b};
  std::vector<Vec> velocity;
  for (Vec* p : params) velocity.emplace_back(p->size(), 0.0f);

  double accuracy = 0, loss = 0;
  for (int step = 0; step <= steps; ++step) {
    const Vec z1 = lab04::linear_forward(x, L1.W, L1.b, N, 2, H), h1 = lab04::relu_forward(z1);
    const Vec z2 = lab04::linear_forward(h1, L2.W, L2.b, N, H, H), h2 = lab04::relu_forward(z2);
    const Vec logits = lab04::linear_forward(h2, L3.W, L3.b, N, H, C);
    // Softmax cross-entropy, mean over the batch, and its gradient.
    Vec dlogits(logits.size());
    int correct = 0;
    loss = 0;
    for (int64_t n = 0; n < N; ++n) {
      const float* row = &logits[static_cast<std::size_t>(n * C)];
      const float m = *std::max_element(row, row + C);
      double s = 0;
      for (int64_t c = 0; c < C; ++c) s += std::exp(static_cast<double>(row[c] - m));
      const auto target = y[static_cast<std::size_t>(n)];
      loss += (std::log(s) + m - row[target]) / static_cast<double>(N);
      correct += (std::max_element(row, row + C) - row) == target;
      for (int64_t c = 0; c < C; ++c)
        dlogits[static_cast<std::size_t>(n * C + c)] =
            static_cast<float>((std::exp(static_cast<double>(row[c] - m)) / s - (c == target)) /
                               static_cast<double>(N));
    }
    accuracy = static_cast<double>(correct) / static_cast<double>(N);
    if (step == steps) break;
    const auto g3 = lab04::linear_backward(h2, L3.W, dlogits, N, H, C);
    const auto g2 = lab04::linear_backward(h1, L2.W, lab04::relu_backward(z2, g3.dx), N, H, H);
    const auto g1 = lab04::linear_backward(x, L1.W, lab04::relu_backward(z1, g2.dx), N, 2, H);
    const std::vector<const Vec*> grads = {&g1.dW, &g1.db, &g2.dW, &g2.db, &g3.dW, &g3.db};
    for (std::size_t k = 0; k < params.size(); ++k) {
      ASSERT_EQ(grads[k]->size(), params[k]->size()) << "gradient " << k << " has the wrong size";
      for (std::size_t i = 0; i < params[k]->size(); ++i) {
        velocity[k][i] = static_cast<float>(momentum * velocity[k][i] + (*grads[k])[i]);
        (*params[k])[i] -= static_cast<float>(lr * velocity[k][i]);
      }
    }
  }
  EXPECT_GE(accuracy, 0.95)
      << "after " << steps << " steps of SGD (lr " << lr << ", momentum " << momentum
      << ") the MLP classifies " << 100 * accuracy << "% of the spirals (loss " << loss
      << "); expected at least 95%. Check linear_backward and relu_backward first.";
}
