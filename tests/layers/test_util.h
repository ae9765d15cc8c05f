// tests/layers/test_util.h — small helpers shared by the layer suites.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/tensor.h"

namespace gradlab::test {

// Every element of t within tol of expected (row-major), with the position
// of the first mismatch in the failure message.
inline ::testing::AssertionResult values_near(const Tensor& t, const std::vector<double>& expected,
                                              double tol) {
  std::vector<double> got = t.to_vector<double>();
  if (got.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "size " << got.size() << " vs expected " << expected.size();
  }
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!(std::abs(got[i] - expected[i]) <= tol)) {
      return ::testing::AssertionFailure() << "element " << i << ": got " << got[i] << ", expected "
                                           << expected[i] << " (tol " << tol << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

inline Tensor f64(const std::vector<double>& v, const Shape& shape) {
  return from_vector(v, shape);
}

}  // namespace gradlab::test
