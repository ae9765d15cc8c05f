// tests/losses/softmax_test.cpp — losses/softmax.cpp beyond the course suite
// (tests/test_logsoftmax.cpp): gradients, every dim, 16-bit dtypes,
// non-contiguous inputs, thread-count independence.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <vector>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "losses/softmax.h"
#include "tests/losses/golden.h"

namespace {

using gradlab::DType;
using gradlab::Tensor;

TEST(SoftmaxGrad, GradcheckEveryDim) {
  gradlab::Generator gen(1);
  const Tensor x = gradlab::randn({2, 3, 4}, gen, DType::Float64) * 3.0;
  for (int64_t dim : {0, 1, 2, -1}) {
    for (bool log : {true, false}) {
      const auto res = gradlab::gradcheck(
          [&](const std::vector<Tensor>& in) {
            return log ? gradlab::log_softmax(in[0], dim) : gradlab::softmax(in[0], dim);
          },
          {x});
      EXPECT_TRUE(res.ok) << res.message << " (dim " << dim << ", log " << log << ")";
    }
  }
}

TEST(SoftmaxGrad, LogSoftmaxBackwardIsGMinusSoftmaxTimesSumG) {
  const Tensor x = gradlab::from_vector<double>({1, 2, 3, 1000, 1, -5}, {2, 3});
  Tensor xl = x.detach().requires_grad_();
  const Tensor g = gradlab::from_vector<double>({0.5, -1, 2, 1, 1, 1}, {2, 3});
  gradlab::log_softmax(xl, 1).backward(g);
  const std::vector<double> p = gradlab::softmax(x, 1).to_vector<double>();
  const std::vector<double> gv = g.to_vector<double>();
  std::vector<double> expected(6);
  for (int i = 0; i < 2; ++i) {
    const double sg = gv[3 * i] + gv[3 * i + 1] + gv[3 * i + 2];
    for (int j = 0; j < 3; ++j) expected[3 * i + j] = gv[3 * i + j] - p[3 * i + j] * sg;
  }
  EXPECT_TRUE(losses_test::all_close(xl.grad(), expected, 1e-14, 1e-14));
}

TEST(SoftmaxDims, OtherDimsEqualTheTransposedLastDim) {
  gradlab::Generator gen(2);
  const Tensor x = gradlab::randn({3, 4, 5}, gen);
  for (int64_t dim : {0, 1}) {
    const Tensor a = gradlab::log_softmax(x, dim);
    const Tensor b = gradlab::transpose(gradlab::log_softmax(gradlab::transpose(x, dim, 2), 2), dim, 2);
    EXPECT_TRUE(a.is_contiguous());
    EXPECT_TRUE(losses_test::same_values(a, b.contiguous()));
  }
  EXPECT_THROW(gradlab::softmax(x, 3), std::invalid_argument);
  EXPECT_THROW(gradlab::softmax(x, -4), std::invalid_argument);
  // a 0-d tensor is one slice of length 1
  EXPECT_EQ(gradlab::log_softmax(gradlab::scalar_tensor(5.0)).item(), 0.0);
  EXPECT_EQ(gradlab::softmax(gradlab::scalar_tensor(5.0)).item(), 1.0);
  // an empty slice gives an empty result
  EXPECT_EQ(gradlab::softmax(gradlab::zeros({3, 0})).shape(), (gradlab::Shape{3, 0}));
}

TEST(SoftmaxDtypes, SixteenBitAndIntegerInputs) {
  gradlab::Generator gen(3);
  const Tensor x = gradlab::randn({4, 33}, gen) * 5.0;
  for (DType dt : {DType::Float16, DType::BFloat16}) {
    const Tensor xh = x.to(dt);
    const double ulp = dt == DType::Float16 ? 1.0 / 1024 : 1.0 / 128;
    for (bool log : {true, false}) {
      const Tensor out = log ? gradlab::log_softmax(xh) : gradlab::softmax(xh);
      EXPECT_EQ(out.dtype(), dt);
      const Tensor ref = log ? gradlab::log_softmax(xh.to(DType::Float32))
                             : gradlab::softmax(xh.to(DType::Float32));
      EXPECT_TRUE(losses_test::all_close(out, ref.to_vector<double>(), ulp, 1e-7));
    }
    Tensor xl = xh.detach().requires_grad_();
    gradlab::sum(gradlab::log_softmax(xl) * gradlab::randn({4, 33}, gen).to(dt)).backward();
    EXPECT_EQ(xl.grad().dtype(), dt);
  }
  const Tensor xi = gradlab::from_vector<int64_t>({1, 2, 3}, {3});
  EXPECT_EQ(gradlab::softmax(xi).dtype(), DType::Float32);
}

TEST(SoftmaxThreads, BitIdenticalForAnyThreadCount) {
  gradlab::Generator gen(4);
  const Tensor x = gradlab::randn({300, 257}, gen) * 10.0;
  const Tensor g = gradlab::randn({300, 257}, gen);
  std::vector<Tensor> outs, grads;
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    Tensor xl = x.detach().requires_grad_();
    Tensor y = gradlab::softmax(xl);
    y.backward(g);
    outs.push_back(y);
    grads.push_back(xl.grad());
  }
  omp_set_num_threads(saved);
  for (size_t i = 1; i < outs.size(); ++i) {
    EXPECT_TRUE(gradlab::equal(outs[0], outs[i]));
    EXPECT_TRUE(gradlab::equal(grads[0], grads[i]));
  }
}

}  // namespace
