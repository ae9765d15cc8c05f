// tests/labs/precision_support.h — helpers of the phase-08 suite
// (tests/labs/test_precision_smoothing.cpp): the label-smoothed
// cross-entropy of lab.h written out in float64 as the oracle, comparison
// and printing helpers, RapidCheck generators and the golden data. Test code
// only; it knows nothing about any implementation of lab.h.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "labs/08_precision_smoothing/lab.h"

namespace precision_test {

using gradlab::Half;
using gradlab::half_to_float;
using lab08::LossOptions;
using lab08::ScalerOptions;
using lab08::ScalerState;

// ---- the float64 oracle ------------------------------------------------------------
// Label-smoothed cross-entropy as lab.h defines it, in double, with a stable
// log-softmax. Returns the loss; fills grad (N*C).
inline double oracle(const std::vector<double>& x, const std::vector<int64_t>& y, int64_t C,
                     double eps, int64_t ignore_index, std::vector<double>* grad = nullptr) {
  const auto n = static_cast<int64_t>(y.size());
  int64_t valid = 0;
  for (int64_t t : y) valid += t != ignore_index ? 1 : 0;
  if (grad) grad->assign(x.size(), 0.0);
  if (valid == 0) return 0.0;
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    if (y[i] == ignore_index) continue;
    const double* row = x.data() + i * C;
    const double m = *std::max_element(row, row + C);
    double s = 0.0;
    for (int64_t c = 0; c < C; ++c) s += std::exp(row[c] - m);
    const double lse = m + std::log(s);
    for (int64_t c = 0; c < C; ++c) {
      const double q = (c == y[i] ? 1.0 - eps : 0.0) + eps / static_cast<double>(C);
      const double logp = row[c] - lse;
      total -= q * logp;
      if (grad) (*grad)[i * C + c] = (std::exp(logp) - q) / static_cast<double>(valid);
    }
  }
  return total / static_cast<double>(valid);
}

inline std::vector<double> widen(const std::vector<float>& v) { return {v.begin(), v.end()}; }
inline std::vector<double> widen(const std::vector<Half>& v) {
  std::vector<double> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = half_to_float(v[i]);
  return out;
}

inline std::string show(const std::vector<double>& v) {
  std::ostringstream os;
  os.precision(9);
  os << "[";
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}
inline std::string show(const std::vector<int64_t>& v) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

// "" when |got - want| <= atol + rtol * |want| everywhere, else the first miss.
template <class G>
inline std::string mismatch(const std::vector<G>& got, const std::vector<double>& want, double rtol,
                            double atol) {
  if (got.size() != want.size())
    return "size " + std::to_string(got.size()) + " vs " + std::to_string(want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    double g;
    if constexpr (std::is_same_v<G, Half>) {
      g = half_to_float(got[i]);
    } else {
      g = static_cast<double>(got[i]);
    }
    if (!(std::abs(g - want[i]) <= atol + rtol * std::abs(want[i]))) {
      std::ostringstream os;
      os.precision(9);
      os << "element " << i << ": expected " << want[i] << ", got " << g;
      return os.str();
    }
  }
  return "";
}

#define CHECK_CLOSE(got, want, rtol, atol, what)                      \
  do {                                                                \
    const std::string bad_ = mismatch((got), (want), (rtol), (atol)); \
    if (!bad_.empty()) RC_FAIL(std::string(what) + ": " + bad_);      \
  } while (false)

// ---- generators ------------------------------------------------------------------
inline rc::Gen<double> real_sym(double mag) {
  return rc::gen::map(
      rc::gen::pair(rc::gen::arbitrary<bool>(), rc::gen::inRange<int64_t>(0, 100001)),
      [mag](const std::pair<bool, int64_t>& p) {
        const double v = mag * static_cast<double>(p.second) / 1e5;
        return p.first ? -v : v;
      });
}
inline rc::Gen<double> real_in(double lo, double hi) {
  return rc::gen::map(rc::gen::inRange<int64_t>(0, 100001), [lo, hi](int64_t k) {
    return lo + (hi - lo) * static_cast<double>(k) / 1e5;
  });
}
inline std::vector<float> gen_logits(std::size_t count, double mag) {
  const auto d = *rc::gen::container<std::vector<double>>(count, real_sym(mag));
  return {d.begin(), d.end()};
}
inline std::vector<int64_t> gen_targets(std::size_t n, int64_t C) {
  return *rc::gen::container<std::vector<int64_t>>(n, rc::gen::inRange<int64_t>(0, C));
}

// ---- golden data -----------------------------------------------------------------
inline const nlohmann::json& golden() {
  static const nlohmann::json j = [] {
    const std::string path =
        std::string(GRADLAB_TEST_DATA_DIR) + "/labs/precision_smoothing_reference.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open golden file " + path);
    return nlohmann::json::parse(in);
  }();
  return j;
}

inline std::vector<Half> to_half(const std::vector<double>& v) {
  std::vector<Half> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    out[i] = gradlab::float_to_half(static_cast<float>(v[i]));
  return out;
}

}  // namespace precision_test
