// losses/kernels/row_kernels_f64.cpp — the float64 row kernels: the same
// algorithms as the float32 SIMD ones (row_kernels_algo.h) on scalar doubles,
// with the C library's exp. Float64 is the reference / gradcheck dtype, so
// accuracy matters more than speed here.
#include <cmath>
#include <cstdint>

#include "losses/kernels/row_kernels.h"

namespace gradlab::kernels {
namespace {

struct MathF64 {
  using V = double;
  using D = double;
  using U = double;
  static constexpr int W = 1;
  static double splat(double v) { return v; }
  static double vmax(double x, double m) { return x > m ? x : m; }  // NaN x keeps m
  static double vexp(double x) { return std::exp(x); }
  static double hmax(double v) { return v; }
  static double hsum(double v) { return v; }
  static double hsum_d(double v) { return v; }
  static void dot_add(double& acc, double x) { acc += x; }
  static void dot_add(double& acc, double u, double x) { acc += u * x; }
  static double load_u(const double* p) { return *p; }
  static void store_fence() {}
};

struct SF64 {
  using T = double;
  static double load(const double* p) { return *p; }
  static void store(double* p, double v) { *p = v; }
  static void store_stream(double* p, double v) { *p = v; }
  static double neg_inf() { return -HUGE_VAL; }
  static double zero() { return 0.0; }
};

#include "losses/kernels/row_kernels_algo.h"

}  // namespace

RowKernels<double, double> kernels_f64() { return RowAlgo<MathF64, SF64>::table(); }

}  // namespace gradlab::kernels
