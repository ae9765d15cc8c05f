// datasets/transforms.cpp — see transforms.h.
#include "datasets/transforms.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/random.h"
#include "datasets/io.h"

namespace gradlab::data {

// ---- split ---------------------------------------------------------------------------

SplitIndices split_indices(const Dataset& d, const SplitOptions& opts) {
  if (!(opts.val_fraction >= 0.0 && opts.val_fraction < 1.0)) {
    throw std::invalid_argument("train_val_split: val_fraction must be in [0, 1), got " +
                                std::to_string(opts.val_fraction));
  }
  const int64_t n = d.size();
  const auto n_val = static_cast<int64_t>(std::llround(opts.val_fraction * static_cast<double>(n)));
  Generator gen(opts.seed);
  const std::vector<int64_t> perm = random_permutation(n, gen);
  std::vector<char> is_val(static_cast<std::size_t>(n), 0);

  if (!opts.stratified) {
    for (int64_t i = 0; i < n_val; ++i) is_val[perm[i]] = 1;
  } else {
    // Per-class quotas by the largest-remainder method: floor(f * n_c) each,
    // then one more for the classes with the largest remainders until the
    // total is n_val. Each quota is within 1 of f * n_c.
    const std::vector<int64_t> counts = class_counts(d);
    const std::size_t k = counts.size();
    std::vector<int64_t> quota(k);
    std::vector<double> remainder(k);
    int64_t assigned = 0;
    for (std::size_t c = 0; c < k; ++c) {
      const double exact = opts.val_fraction * static_cast<double>(counts[c]);
      quota[c] = static_cast<int64_t>(std::floor(exact));
      remainder[c] = exact - static_cast<double>(quota[c]);
      assigned += quota[c];
    }
    std::vector<std::size_t> order;
    for (std::size_t c = 0; c < k; ++c) {
      if (quota[c] < counts[c]) order.push_back(c);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t i = 0; i < order.size() && assigned < n_val; ++i, ++assigned)
      ++quota[order[i]];
    // Walk the permutation: the first quota[c] examples of class c seen go to validation.
    Tensor labels = d.labels.contiguous();
    const int64_t* y = labels.data_ptr<int64_t>();
    std::vector<int64_t> taken(k, 0);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t idx = perm[i];
      const int64_t c = y[idx];
      if (taken[c] < quota[c]) {
        ++taken[c];
        is_val[idx] = 1;
      }
    }
  }
  SplitIndices out;
  for (int64_t i = 0; i < n; ++i) (is_val[i] ? out.val : out.train).push_back(i);
  return out;
}

TrainValSplit train_val_split(const Dataset& d, const SplitOptions& opts) {
  const SplitIndices idx = split_indices(d, opts);
  return {subset(d, idx.train), subset(d, idx.val)};
}

// ---- normalisation -------------------------------------------------------------------

Normalizer fit_normalizer(const Dataset& train, NormMode mode) {
  const int64_t n = train.size();
  if (n == 0) throw std::invalid_argument("fit_normalizer: empty dataset");
  if (!is_floating(train.features.dtype())) {
    throw std::invalid_argument(std::string("fit_normalizer: features must be floating, got ") +
                                dtype_name(train.features.dtype()));
  }
  if (train.example_numel() == 0) {
    throw std::invalid_argument("fit_normalizer: examples have no features (shape " +
                                shape_str(train.features.shape()) + ")");
  }
  const Tensor x = train.features.to(DType::Float32).contiguous();
  const float* v = x.data_ptr<float>();
  // Per feature: `rows` rows of `f` statistics. Global: every value is a row of one.
  const auto f = static_cast<std::size_t>(mode == NormMode::PerFeature ? train.example_numel() : 1);
  const auto rows = static_cast<std::size_t>(x.numel()) / f;

  // Two passes in double (mean, then squared deviations): accurate even when
  // |mean| >> std. A feature whose min equals its max is constant: std 1.
  std::vector<double> mean(f, 0.0), sq(f, 0.0);
  std::vector<float> lo(f, std::numeric_limits<float>::infinity());
  std::vector<float> hi(f, -std::numeric_limits<float>::infinity());
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = v + r * f;
    for (std::size_t j = 0; j < f; ++j) {
      mean[j] += row[j];
      lo[j] = std::min(lo[j], row[j]);
      hi[j] = std::max(hi[j], row[j]);
    }
  }
  for (double& m : mean) m /= static_cast<double>(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = v + r * f;
    for (std::size_t j = 0; j < f; ++j) sq[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
  }
  Normalizer norm;
  for (std::size_t j = 0; j < f; ++j) {
    const double sd = std::sqrt(sq[j] / static_cast<double>(rows));
    if (!std::isfinite(mean[j]) || !std::isfinite(sd)) {
      throw std::invalid_argument("fit_normalizer: feature " + std::to_string(j) +
                                  " has non-finite values (mean " + std::to_string(mean[j]) + ")");
    }
    const bool constant = !(lo[j] < hi[j]) || !(sd > 0.0);
    norm.mean.push_back(static_cast<float>(mean[j]));
    norm.stddev.push_back(constant ? 1.0f : static_cast<float>(sd));
  }
  return norm;
}

Tensor Normalizer::apply(const Tensor& x) const {
  if (mean.empty() || mean.size() != stddev.size()) {
    throw std::invalid_argument("Normalizer::apply: not fitted (mean has " +
                                std::to_string(mean.size()) + " entries, stddev " +
                                std::to_string(stddev.size()) + ")");
  }
  if (!x.defined() || x.dim() < 1 || !is_floating(x.dtype())) {
    throw std::invalid_argument("Normalizer::apply: x must be a floating tensor of rank >= 1");
  }
  const int64_t n = x.shape()[0];
  // From the shape, not numel / n: an empty batch (0, F) still has F features.
  const int64_t per_example =
      shape_numel(Shape(x.shape().begin() + 1, x.shape().end()), "Normalizer::apply");
  const auto f = static_cast<int64_t>(mean.size());
  if (f != 1 && per_example != f) {
    throw std::invalid_argument("Normalizer::apply: x " + shape_str(x.shape()) + " has " +
                                std::to_string(per_example) + " features per example, the " +
                                "normalizer was fitted on " + std::to_string(f));
  }
  const Tensor src = x.to(DType::Float32).contiguous();
  Tensor out = empty(x.shape(), DType::Float32);
  const float* in = src.data_ptr<float>();
  float* o = out.data_ptr<float>();
  const int64_t total = x.numel();
  if (f == 1) {
    const float m = mean[0], s = stddev[0];
    for (int64_t i = 0; i < total; ++i) o[i] = (in[i] - m) / s;
  } else {
    for (int64_t r = 0; r < n; ++r) {
      for (int64_t j = 0; j < f; ++j) {
        const auto u = static_cast<std::size_t>(j);
        o[r * f + j] = (in[r * f + j] - mean[u]) / stddev[u];
      }
    }
  }
  return out;
}

Dataset normalize(const Dataset& d, const Normalizer& norm) {
  Dataset out = d;
  out.features = norm.apply(d.features);
  return out;
}

}  // namespace gradlab::data
