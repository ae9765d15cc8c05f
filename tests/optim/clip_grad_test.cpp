// tests/optim/clip_grad_test.cpp — clip_grad_norm_ against PyTorch's values
// (tests/data/optim_clip_grad.json) for the 1-, 2-, 3- and inf-norms, with
// and without clipping, plus edge cases.
#include "optim/clip_grad.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "tests/optim/golden.h"

namespace gradlab::optim {
namespace {

using test::json;

std::vector<Tensor> params_with_grads(const json& j, DType dtype) {
  std::vector<Tensor> ps;
  const auto shapes = j.at("shapes").get<std::vector<Shape>>();
  const auto grads = j.at("grads").get<std::vector<std::vector<double>>>();
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    Tensor p = zeros(shapes[i], dtype);
    p.requires_grad_(true);
    p.set_grad(from_vector(grads[i], shapes[i]).to(dtype));
    ps.push_back(p);
  }
  return ps;
}

TEST(ClipGradNorm, MatchesPyTorch) {
  const json j = test::load_json("optim_clip_grad.json");
  EXPECT_EQ(j.at("provenance").at("torch").get<std::string>().rfind("1.13", 0), 0u);
  ASSERT_EQ(j.at("cases").size(), 8u);
  int clipped_cases = 0;
  for (const json& c : j.at("cases")) {
    const double max_norm = c.at("max_norm").get<double>();
    const double norm_type =
        c.at("norm_type").is_string() ? INFINITY : c.at("norm_type").get<double>();
    std::vector<Tensor> ps = params_with_grads(j, DType::Float64);
    const double total = clip_grad_norm_(ps, max_norm, norm_type);
    const std::string what =
        "max_norm " + std::to_string(max_norm) + ", norm_type " + std::to_string(norm_type);
    EXPECT_NEAR(total, c.at("total_norm").get<double>(), 1e-12) << what;
    clipped_cases += total > max_norm;
    const auto want = c.at("clipped").get<std::vector<std::vector<double>>>();
    for (std::size_t i = 0; i < ps.size(); ++i) {
      const std::vector<double> got = ps[i].grad().to_vector<double>();
      for (std::size_t k = 0; k < got.size(); ++k) {
        EXPECT_NEAR(got[k], want[i][k], 1e-12) << what << ", grad " << i << "[" << k << "]";
      }
    }
  }
  EXPECT_EQ(clipped_cases, 4);  // the max_norm = 0.5 cases clip, the 1000 ones do not
}

TEST(ClipGradNorm, ClippedNormIsMaxNormInFloat32) {
  const json j = test::load_json("optim_clip_grad.json");
  std::vector<Tensor> ps = params_with_grads(j, DType::Float32);
  const double total = clip_grad_norm_(ps, 0.5);
  EXPECT_GT(total, 0.5);
  double sq = 0;
  for (const Tensor& p : ps) {
    EXPECT_EQ(p.grad().dtype(), DType::Float32);
    for (double x : p.grad().to_vector<double>()) sq += x * x;
  }
  EXPECT_NEAR(std::sqrt(sq), 0.5, 1e-6);
}

TEST(ClipGradNorm, EdgeCases) {
  Tensor p = zeros({3}, DType::Float64);
  p.requires_grad_(true);
  EXPECT_EQ(clip_grad_norm_({p}, 1.0), 0.0);  // no gradients at all
  p.set_grad(from_vector<double>({3, 4, 0}, {3}));
  EXPECT_THROW(clip_grad_norm_({p}, -1.0), std::invalid_argument);
  EXPECT_THROW(clip_grad_norm_({p}, 1.0, 0.0), std::invalid_argument);
  // Exactly at the limit (5 < 5 + 1e-6): the coefficient is just below 1.
  EXPECT_DOUBLE_EQ(clip_grad_norm_({p}, 5.0), 5.0);
  EXPECT_NEAR(p.grad().to_vector<double>()[0], 3.0 * 5.0 / (5.0 + 1e-6), 1e-15);
  p.set_grad(from_vector<double>({1, NAN, 0}, {3}));
  EXPECT_THROW(clip_grad_norm_({p}, 1.0, 2.0, /*error_if_nonfinite=*/true), std::runtime_error);
  EXPECT_TRUE(std::isnan(clip_grad_norm_({p}, 1.0)));
  p.set_grad(from_vector<double>({1, INFINITY, 0}, {3}));
  EXPECT_THROW(clip_grad_norm_({p}, 1.0, INFINITY, true), std::runtime_error);
}

TEST(ClipGradNorm, StridedGradients) {
  Tensor p = zeros({2, 2}, DType::Float64);
  p.requires_grad_(true);
  p.set_grad(from_vector<double>({3, 0, 4, 0}, {2, 2}).t());  // a transposed view
  EXPECT_NEAR(clip_grad_norm_({p}, 1.0), 5.0, 1e-15);
  std::vector<double> g = p.grad().to_vector<double>();  // rows of the transpose: [3,4],[0,0]
  EXPECT_NEAR(g[0], 3.0 / (5.0 + 1e-6), 1e-15);
  EXPECT_NEAR(g[1], 4.0 / (5.0 + 1e-6), 1e-15);
}

}  // namespace
}  // namespace gradlab::optim
