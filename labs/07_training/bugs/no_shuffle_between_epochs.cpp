// labs/07_training/bugs/no_shuffle_between_epochs.cpp — BUG ZOO.
//
// The mistake: the permutation is drawn from a generator seeded with `seed`
// alone, so every epoch sees the examples in the same shuffled order. The
// model then sees the same sequence of batches every epoch: their order
// becomes a systematic bias, and two "different" epochs are the same.
// Caught by: BatchesProperty.ShuffleIsSeededAndChangesEveryEpoch.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/random.h"
#include "labs/07_training/adapter.h"
#include "labs/07_training/lab.h"

namespace lab07 {

std::vector<std::vector<int64_t>> make_batches(int64_t n, int64_t batch_size, bool shuffle,
                                               bool drop_last, uint64_t seed, int64_t epoch) {
  if (n < 0 || batch_size < 1 || epoch < 0) {
    throw std::invalid_argument("lab07::make_batches: bad argument (n " + std::to_string(n) +
                                ", batch_size " + std::to_string(batch_size) + ", epoch " +
                                std::to_string(epoch) + ")");
  }
  std::vector<int64_t> order(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  if (shuffle) {
    gradlab::Generator gen(seed);  // BUG: the epoch is not part of the seed
    for (int64_t i = n - 1; i > 0; --i) {
      const auto j = static_cast<int64_t>(gen.below(static_cast<uint64_t>(i + 1)));
      std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    }
  }
  std::vector<std::vector<int64_t>> batches;
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t stop = std::min(n, start + batch_size);
    if (drop_last && stop - start < batch_size) break;
    batches.emplace_back(order.begin() + start, order.begin() + stop);
  }
  return batches;
}

double train_epoch(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                   const gradlab::data::Dataset& data,
                   const std::vector<std::vector<int64_t>>& batches) {
  return adapter::train_epoch(model, opt, data, batches);
}

EvalResult evaluate(gradlab::nn::Module& model, const gradlab::data::Dataset& data,
                    int64_t batch_size) {
  return adapter::evaluate(model, data, batch_size);
}

std::vector<EpochLog> fit(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                          const gradlab::data::Dataset& train, const gradlab::data::Dataset& val,
                          const FitOptions& options) {
  return adapter::fit(model, opt, train, val, options);
}

}  // namespace lab07
