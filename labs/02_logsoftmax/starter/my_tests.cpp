// labs/02_logsoftmax/starter/my_tests.cpp — YOUR tests for phase 02.
//
// In this phase you also write tests, the way the course's suite is written
// (tests/test_logsoftmax.cpp). `gradlab lab check 02` compiles this file
// against lab.h and runs it
//   - against the reference implementation: every test must PASS there (a
//     test that fails on correct code is a wrong test), and
//   - against every entry of the bug zoo (../bugs/): a test that FAILS on a
//     bug has caught it. The report lists which bugs your tests catch; the
//     grader gives points for the share of the bug zoo you catch.
//
// Write at least the three tests the course asks for (README, "Your own
// tests"); the TODOs below say where. Each should be able to fail: assert
// values, not just "it ran". Do not read ../bugs/ to aim at them one by one;
// test the CONTRACT in lab.h and the bugs will fall.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <vector>

#include "core/ops.h"
#include "core/tensor.h"
#include "labs/02_logsoftmax/lab.h"

namespace {

using gradlab::DType;
using gradlab::Tensor;

// A 1-D Float64 tensor.
Tensor row(const std::vector<double>& v) {
  return gradlab::from_vector<double>(v, {static_cast<int64_t>(v.size())});
}

}  // namespace

// ---- an example: a property test ----------------------------------------------
// For ANY row z, softmax(z) must sum to 1. RapidCheck generates 100 random
// rows (values up to +-1000, so a naive exp overflows) and, if one fails,
// shrinks it to the smallest row that still fails and prints it.
RC_GTEST_PROP(MyTests, SoftmaxSumsToOne, (const std::vector<int>& ints)) {
  RC_PRE(!ints.empty());
  std::vector<double> z;
  for (int v : ints) z.push_back(v % 2001 - 1000.0);  // in [-3000, 1000]
  double total = 0.0;
  for (double p : lab02::softmax(row(z)).to_vector<double>()) total += p;
  RC_ASSERT(std::fabs(total - 1.0) <= 1e-12);
}

// ---- TODO 1: property — shift invariance ----------------------------------------
// log_softmax(z + c) == log_softmax(z) for every row z and constant c.
// Generate z and c with RapidCheck (as above); compare element by element
// with a tolerance that grows with |c| (z + c is rounded).
// RC_GTEST_PROP(MyTests, LogSoftmaxIsShiftInvariant, (...)) { ... }

// ---- TODO 2: reference — compare with SciPy -------------------------------------
// A battery of inputs (several rows, a matrix along each dim, keepdim true
// and false) whose expected values come from SciPy 1.10
// (scipy.special.logsumexp / log_softmax / softmax), computed in float64.
// Either
//   - run a few lines of Python once and paste the values here, with a
//     comment saying the exact command and SciPy version (provenance!), or
//   - read the course's golden file tests/data/losses_logsoftmax_reference.json
//     (std::string(GRADLAB_TEST_DATA_DIR) + "/losses_logsoftmax_reference.json",
//     nlohmann::json; its cases have "op", "x", "expected", "dims"/"dim").
// TEST(MyTests, MatchesScipy) { ... }

// ---- TODO 3: stress — extreme rows ------------------------------------------------
// z = [1000, 1001, 1002] and z = [-1000, -999, -998] must give FINITE, correct
// outputs for all three functions (what are the exact answers? shift the
// row by its max by hand). Also worth a test: log_softmax([1000, 1]), an
// all -inf row (logsumexp is -inf, not NaN), a Float16 row near 65504, and
// shapes with keepdim.
// TEST(MyTests, ExtremeRows) { ... }
