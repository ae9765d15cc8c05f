// tests/losses/golden.h — helpers shared by the losses suites: reading the
// golden JSON files written by tests/data/gen_reference.py (non-finite
// numbers are stored as the strings "nan", "inf", "-inf"), and comparing
// values with NaN/inf-aware tolerances that name the first bad element.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace losses_test {

using json = nlohmann::json;

// Parses tests/data/<file>; throws std::runtime_error naming the path.
inline json load_golden(const std::string& file) {
  const std::string path = std::string(GRADLAB_TEST_DATA_DIR) + "/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open golden file " + path);
  return json::parse(in);
}

inline double number(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    throw std::runtime_error("golden: bad number string '" + s + "'");
  }
  return v.get<double>();
}

inline gradlab::Shape shape_of(const json& arr) { return arr.at("shape").get<gradlab::Shape>(); }

inline std::vector<double> values_of(const json& arr) {
  std::vector<double> out;
  for (const json& v : arr.at("values")) out.push_back(number(v));
  return out;
}

// {"shape": [...], "values": [...]} -> a tensor of dtype dt.
inline gradlab::Tensor tensor_of(const json& arr, gradlab::DType dt = gradlab::DType::Float64) {
  return gradlab::from_vector<double>(values_of(arr), shape_of(arr)).to(dt);
}

// Element-wise |a - e| <= atol + rtol * |e|; NaN must meet NaN, +-inf the
// same infinity. Names the first offending index and both values.
inline ::testing::AssertionResult all_close(const std::vector<double>& actual,
                                            const std::vector<double>& expected, double rtol,
                                            double atol) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << "size " << actual.size() << " vs expected " << expected.size();
  for (size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], e = expected[i];
    bool ok;
    if (std::isnan(e) || std::isnan(a)) ok = std::isnan(e) && std::isnan(a);
    else if (std::isinf(e) || std::isinf(a)) ok = a == e;
    else ok = std::fabs(a - e) <= atol + rtol * std::fabs(e);
    if (!ok) {
      std::ostringstream os;
      os.precision(17);
      os << "element " << i << ": got " << a << ", expected " << e << " (rtol " << rtol
         << ", atol " << atol << ")";
      return ::testing::AssertionFailure() << os.str();
    }
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult all_close(const gradlab::Tensor& actual,
                                            const std::vector<double>& expected, double rtol,
                                            double atol) {
  return all_close(actual.to_vector<double>(), expected, rtol, atol);
}

// Bitwise equality of two tensors' values (NaN payloads aside).
inline ::testing::AssertionResult same_values(const gradlab::Tensor& a, const gradlab::Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype())
    return ::testing::AssertionFailure() << "shape or dtype differ";
  return all_close(a.to_vector<double>(), b.to_vector<double>(), 0.0, 0.0);
}

}  // namespace losses_test
