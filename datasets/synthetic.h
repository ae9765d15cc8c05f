// datasets/synthetic.h — small 2-D (or D-dim) classification problems that
// need no files: spirals, moons, blobs. Deterministic for a seed on every
// platform (they draw from gradlab::Generator, never from <random>).
//
// Examples are grouped by class (all of class 0, then class 1, ...); use a
// shuffling DataLoader or train_val_split to mix them.
#pragma once

#include <cstdint>

#include "datasets/dataset.h"

namespace gradlab::data {

// K interleaved spiral arms (the CS231n "spiral" toy problem): for arm k
// and t in [0, 1], radius t, angle 4(k + t) + noise * N(0, 1).
// -> features (K * n_per_class, 2) Float32, labels (K * n_per_class).
struct SpiralsOptions {
  int64_t n_per_class = 100;
  int64_t num_classes = 3;
  double noise = 0.2;  // std of the angle noise, in radians
  uint64_t seed = 0;
};
Dataset make_spirals(const SpiralsOptions& opts = {});

// Two interleaving half circles (as scikit-learn's make_moons): class 0 on
// (cos a, sin a), class 1 on (1 - cos a, 0.5 - sin a), a in [0, pi], plus
// noise * N(0, 1) on each coordinate.
// -> features (n_samples, 2), labels (n_samples); class 0 gets the extra
// point when n_samples is odd.
struct MoonsOptions {
  int64_t n_samples = 200;
  double noise = 0.1;
  uint64_t seed = 0;
};
Dataset make_moons(const MoonsOptions& opts = {});

// Gaussian blobs (as scikit-learn's make_blobs): num_classes centres drawn
// uniformly from [-center_box, center_box]^dim, then n_per_class points
// around each with per-coordinate std cluster_std.
// -> features (num_classes * n_per_class, dim), labels.
struct BlobsOptions {
  int64_t n_per_class = 100;
  int64_t num_classes = 3;
  int64_t dim = 2;
  double cluster_std = 1.0;
  double center_box = 10.0;
  uint64_t seed = 0;
};
Dataset make_blobs(const BlobsOptions& opts = {});

}  // namespace gradlab::data
