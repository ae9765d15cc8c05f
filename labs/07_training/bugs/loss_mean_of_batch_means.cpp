// labs/07_training/bugs/loss_mean_of_batch_means.cpp — BUG ZOO.
//
// The mistake: the reported epoch loss is the mean of the batch means. When
// the last batch is smaller, its few examples weigh as much as a full batch,
// so the number drifts from the per-example mean that evaluate() reports on
// the same data (and from what PyTorch scripts log with loss * batch size).
// Caught by: TrainProperty.ZeroLrLossIsThePerExampleMean,
// TrainProperty.MatchesAHandWrittenLoop and
// TrainingReference.OneEpochMatchesPyTorch (50 examples, batches of 8).
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
  for (const std::vector<int64_t>& idx : batches) {
    const gradlab::Tensor x = gradlab::data::gather_rows(data.features, idx);
    const gradlab::Tensor y = gradlab::data::gather_rows(data.labels, idx);
    opt.zero_grad();
    const gradlab::Tensor loss = gradlab::cross_entropy(model(x), y);
    loss.backward();
    opt.step();
    total += loss.item();  // BUG: should be weighted by the batch size
  }
  return batches.empty() ? 0.0 : total / static_cast<double>(batches.size());
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
