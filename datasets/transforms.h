// datasets/transforms.h — the two things done to a dataset before training:
// a (seeded, optionally stratified) train/validation split, and feature
// normalisation whose statistics come from the training split only and are
// then applied unchanged to validation and test data (never refit on them:
// that would leak test information into the model).
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "datasets/dataset.h"

namespace gradlab::data {

// ---- train / validation split --------------------------------------------------
struct SplitOptions {
  double val_fraction = 0.1;  // in [0, 1)
  uint64_t seed = 0;
  // Stratified: every class is split in the same proportion (each class's
  // validation count is within 1 of val_fraction * its size).
  bool stratified = false;
};

struct SplitIndices {
  std::vector<int64_t> train;  // ascending
  std::vector<int64_t> val;    // ascending
};

// Which examples go where. Exactly round(val_fraction * N) examples (halves
// round away from zero) go to validation, chosen by a permutation from
// Generator(seed); train and val are disjoint and cover 0..N-1.
SplitIndices split_indices(const Dataset& d, const SplitOptions& opts = {});

struct TrainValSplit {
  Dataset train;
  Dataset val;
};
// The two subsets (copies) of split_indices(d, opts).
TrainValSplit train_val_split(const Dataset& d, const SplitOptions& opts = {});

// ---- normalisation -----------------------------------------------------------------
enum class NormMode {
  PerFeature,  // one mean/std per feature position (tabular data)
  Global,      // one mean/std over all values (images: a pixel that is
               // almost always 0 would otherwise get a tiny std and blow up)
};

// x -> (x - mean) / stddev, per feature or globally.
struct Normalizer {
  std::vector<float> mean;    // example_numel entries (PerFeature) or 1 (Global)
  std::vector<float> stddev;  // same size; constant features get 1, as scikit-learn

  // x: (N, ...) floating, mean.size() elements per example when per feature
  // (N may be 0) -> a new (N, ...) Float32 tensor. Not differentiable (a
  // data transform).
  Tensor apply(const Tensor& x) const;
};

// Statistics of train.features (population std, as NumPy's default ddof=0),
// accumulated in double. Throws std::invalid_argument on an empty dataset.
Normalizer fit_normalizer(const Dataset& train, NormMode mode = NormMode::PerFeature);

// A copy of d with features replaced by norm.apply(d.features).
Dataset normalize(const Dataset& d, const Normalizer& norm);

}  // namespace gradlab::data
