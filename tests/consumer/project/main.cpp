// tests/consumer/project/main.cpp — a program outside the gradlab tree,
// compiled against the installed headers and libraries. It fits nothing; it
// checks that the umbrella header compiles, the libraries link (OpenBLAS GEMM,
// OpenMP, the RNG) and autograd gives the right numbers. Exit 0 = all right.
#include <gradlab.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <vector>

namespace {

int failures = 0;

void expect_near(const char* what, double got, double want) {
  const double tol = 1e-5 * (1.0 + std::fabs(want));
  if (!(std::fabs(got - want) <= tol)) {
    std::fprintf(stderr, "MISMATCH %s: got %.9g, want %.9g\n", what, got, want);
    ++failures;
  }
}

}  // namespace

int main() {
  using gradlab::Tensor;

  // loss = sum(tanh(W x + b)^2) for W: (2, 3), x: (3, 1), b: (2, 1).
  Tensor w = gradlab::from_vector<float>({0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f}, {2, 3});
  Tensor x = gradlab::from_vector<float>({1.0f, 2.0f, 3.0f}, {3, 1});
  Tensor b = gradlab::from_vector<float>({0.05f, -0.05f}, {2, 1});
  w.requires_grad_();
  b.requires_grad_();
  Tensor z = gradlab::matmul(w, x) + b;  // (2, 1)
  Tensor h = gradlab::tanh(z);
  Tensor loss = gradlab::sum(h * h);
  loss.backward();
  std::cout << "z = " << z << "\n";

  // The same numbers by hand, in double.
  const std::vector<double> wv = {0.1, -0.2, 0.3, 0.4, 0.5, -0.6};
  const std::vector<double> xv = {1.0, 2.0, 3.0};
  const std::vector<double> bv = {0.05, -0.05};
  double want_loss = 0;
  std::vector<double> want_dw(6), want_db(2);
  for (int i = 0; i < 2; ++i) {
    double zi = bv[i];
    for (int k = 0; k < 3; ++k) zi += wv[i * 3 + k] * xv[k];
    const double hi = std::tanh(zi);
    want_loss += hi * hi;
    const double dz = 2 * hi * (1 - hi * hi);  // d(h^2)/dz
    want_db[i] = dz;
    for (int k = 0; k < 3; ++k) want_dw[i * 3 + k] = dz * xv[k];
  }

  expect_near("loss", loss.item(), want_loss);
  const std::vector<float> dw = w.grad().to_vector<float>();
  const std::vector<float> db = b.grad().to_vector<float>();
  if (dw.size() != 6 || db.size() != 2) {
    std::fprintf(stderr, "MISMATCH gradient sizes: dW %zu, db %zu\n", dw.size(), db.size());
    return 1;
  }
  for (int i = 0; i < 6; ++i) expect_near("dL/dW", dw[i], want_dw[i]);
  for (int i = 0; i < 2; ++i) expect_near("dL/db", db[i], want_db[i]);

  // The generator is deterministic: the same seed gives the same numbers.
  gradlab::Generator g1(42), g2(42);
  Tensor r1 = gradlab::randn({4, 4}, g1);
  Tensor r2 = gradlab::randn({4, 4}, g2);
  if (!gradlab::equal(r1, r2)) {
    std::fprintf(stderr, "MISMATCH randn: same seed gave different tensors\n");
    ++failures;
  }

  std::cout << "loss = " << loss.item() << " (want " << want_loss << ")\n";
  std::cout << "dL/dW = " << w.grad() << "\n";
  if (failures != 0) {
    std::fprintf(stderr, "gradlab consumer: %d mismatch(es)\n", failures);
    return 1;
  }
  std::cout << "gradlab consumer: OK\n";
  return 0;
}
