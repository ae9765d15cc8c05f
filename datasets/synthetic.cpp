// datasets/synthetic.cpp — see synthetic.h.
#include "datasets/synthetic.h"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "core/random.h"

namespace gradlab::data {

namespace {

// Refuse requests beyond this many feature values (1 GiB of float32): a typo
// in a --dataset spec must not take the machine down.
constexpr int64_t kMaxValues = int64_t{1} << 28;
constexpr int64_t kMaxClasses = 65536;

void check_count(const char* op, const char* what, int64_t v, int64_t lo) {
  if (v < lo) {
    throw std::invalid_argument(std::string(op) + ": " + what +
                                " must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
  }
}

void check_classes(const char* op, int64_t k) {
  check_count(op, "num_classes", k, 1);
  if (k > kMaxClasses) {
    throw std::invalid_argument(std::string(op) + ": num_classes " + std::to_string(k) +
                                " is larger than the limit " + std::to_string(kMaxClasses));
  }
}

void check_real(const char* op, const char* what, double v) {
  if (!std::isfinite(v) || v < 0) {
    throw std::invalid_argument(std::string(op) + ": " + what + " must be finite and >= 0, got " +
                                std::to_string(v));
  }
}

// The total example count, checked against kMaxValues for `dim` features each.
int64_t checked_total(const char* op, int64_t a, int64_t b, int64_t dim) {
  int64_t n = 0, values = 0;
  if (__builtin_mul_overflow(a, b, &n) || __builtin_mul_overflow(n, dim, &values) ||
      values > kMaxValues) {
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(a) + " x " +
                                std::to_string(b) + " examples of " + std::to_string(dim) +
                                " features is too large (limit " + std::to_string(kMaxValues) +
                                " values)");
  }
  return n;
}

// features (n, dim) Float32 and labels (n) Int64, uninitialised.
Dataset allocate(int64_t n, int64_t dim, int64_t num_classes) {
  Dataset d;
  d.features = empty({n, dim}, DType::Float32);
  d.labels = empty({n}, DType::Int64);
  d.num_classes = num_classes;
  for (int64_t k = 0; k < num_classes; ++k) d.class_names.push_back(std::to_string(k));
  return d;
}

// t-th of `count` evenly spaced points on [lo, hi] (numpy.linspace).
double linspace(double lo, double hi, int64_t t, int64_t count) {
  if (count == 1) return lo;
  return lo + (hi - lo) * static_cast<double>(t) / static_cast<double>(count - 1);
}

}  // namespace

Dataset make_spirals(const SpiralsOptions& o) {
  const char* op = "make_spirals";
  check_count(op, "n_per_class", o.n_per_class, 1);
  check_classes(op, o.num_classes);
  check_real(op, "noise", o.noise);
  const int64_t n = checked_total(op, o.n_per_class, o.num_classes, 2);
  Dataset d = allocate(n, 2, o.num_classes);
  float* x = d.features.data_ptr<float>();
  int64_t* y = d.labels.data_ptr<int64_t>();
  Generator gen(o.seed);
  int64_t i = 0;
  for (int64_t k = 0; k < o.num_classes; ++k) {
    for (int64_t t = 0; t < o.n_per_class; ++t, ++i) {
      const double r = linspace(0.0, 1.0, t, o.n_per_class);
      const double angle = linspace(4.0 * static_cast<double>(k), 4.0 * static_cast<double>(k + 1),
                                    t, o.n_per_class) +
                           o.noise * gen.normal();
      x[2 * i] = static_cast<float>(r * std::sin(angle));
      x[2 * i + 1] = static_cast<float>(r * std::cos(angle));
      y[i] = k;
    }
  }
  return d;
}

Dataset make_moons(const MoonsOptions& o) {
  const char* op = "make_moons";
  check_count(op, "n_samples", o.n_samples, 2);
  check_real(op, "noise", o.noise);
  checked_total(op, o.n_samples, 1, 2);
  const int64_t n_outer = (o.n_samples + 1) / 2, n_inner = o.n_samples / 2;
  Dataset d = allocate(o.n_samples, 2, 2);
  float* x = d.features.data_ptr<float>();
  int64_t* y = d.labels.data_ptr<int64_t>();
  Generator gen(o.seed);
  const double pi = std::numbers::pi;
  int64_t i = 0;
  for (int64_t t = 0; t < n_outer; ++t, ++i) {
    const double a = linspace(0.0, pi, t, n_outer);
    x[2 * i] = static_cast<float>(std::cos(a) + o.noise * gen.normal());
    x[2 * i + 1] = static_cast<float>(std::sin(a) + o.noise * gen.normal());
    y[i] = 0;
  }
  for (int64_t t = 0; t < n_inner; ++t, ++i) {
    const double a = linspace(0.0, pi, t, n_inner);
    x[2 * i] = static_cast<float>(1.0 - std::cos(a) + o.noise * gen.normal());
    x[2 * i + 1] = static_cast<float>(0.5 - std::sin(a) + o.noise * gen.normal());
    y[i] = 1;
  }
  return d;
}

Dataset make_blobs(const BlobsOptions& o) {
  const char* op = "make_blobs";
  check_count(op, "n_per_class", o.n_per_class, 1);
  check_classes(op, o.num_classes);
  check_count(op, "dim", o.dim, 1);
  check_real(op, "cluster_std", o.cluster_std);
  check_real(op, "center_box", o.center_box);
  const int64_t n = checked_total(op, o.n_per_class, o.num_classes, o.dim);
  Dataset d = allocate(n, o.dim, o.num_classes);
  float* x = d.features.data_ptr<float>();
  int64_t* y = d.labels.data_ptr<int64_t>();
  Generator gen(o.seed);
  std::vector<double> centre(static_cast<std::size_t>(o.dim));
  int64_t i = 0;
  for (int64_t k = 0; k < o.num_classes; ++k) {
    for (auto& c : centre) c = -o.center_box + 2.0 * o.center_box * gen.uniform_double();
    for (int64_t t = 0; t < o.n_per_class; ++t, ++i) {
      for (int64_t j = 0; j < o.dim; ++j) {
        x[i * o.dim + j] =
            static_cast<float>(centre[static_cast<std::size_t>(j)] + o.cluster_std * gen.normal());
      }
      y[i] = k;
    }
  }
  return d;
}

}  // namespace gradlab::data
