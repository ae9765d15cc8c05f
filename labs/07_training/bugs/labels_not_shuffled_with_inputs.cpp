// labs/07_training/bugs/labels_not_shuffled_with_inputs.cpp — BUG ZOO.
//
// The mistake: the inputs are gathered with the batch's (shuffled) indices,
// but the labels are taken from the batch's POSITION in the epoch (rows
// start .. start + size), as if the data were not shuffled. Inputs and
// labels no longer match: the model learns noise and validation accuracy
// stays near chance, while the loss still goes down a little.
// Caught by: TrainProperty.MatchesAHandWrittenLoop,
// TrainingReference.OneEpochMatchesPyTorch and the accuracy tests.
#include <numeric>

#include "core/autograd.h"
#include "datasets/dataset.h"
#include "labs/07_training/adapter.h"
#include "labs/07_training/lab.h"
#include "losses/cross_entropy.h"

namespace lab07 {

std::vector<std::vector<int64_t>> make_batches(int64_t n, int64_t batch_size, bool shuffle,
                                               bool drop_last, uint64_t seed, int64_t epoch) {
  return adapter::make_batches(n, batch_size, shuffle, drop_last, seed, epoch);
}

double train_epoch(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                   const gradlab::data::Dataset& data,
                   const std::vector<std::vector<int64_t>>& batches) {
  model.train();
  double total = 0.0;
  int64_t count = 0;
  const int64_t n = data.size();
  for (const std::vector<int64_t>& idx : batches) {
    const gradlab::Tensor x = gradlab::data::gather_rows(data.features, idx);
    std::vector<int64_t> rows(idx.size());
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = (count + static_cast<int64_t>(i)) % n;
    const gradlab::Tensor y = gradlab::data::gather_rows(data.labels, rows);  // BUG: not idx
    opt.zero_grad();
    const gradlab::Tensor loss = gradlab::cross_entropy(model(x), y);
    loss.backward();
    opt.step();
    total += loss.item() * static_cast<double>(idx.size());
    count += static_cast<int64_t>(idx.size());
  }
  return count == 0 ? 0.0 : total / static_cast<double>(count);
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
