// labs/07_training/bugs/loss_summed_not_averaged.cpp — BUG ZOO.
//
// The mistake: the batch loss uses Reduction::Sum instead of the mean. The
// gradient is then batch_size times larger, so the effective learning rate
// depends on the batch size (and the last, smaller batch gets a smaller
// step): "loss scales with batch size; LR-coupled" in the course's pitfalls
// table. Average per example.
// Caught by: TrainProperty.MatchesAHandWrittenLoop and
// TrainingReference.OneEpochMatchesPyTorch.
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
  for (const std::vector<int64_t>& idx : batches) {
    const gradlab::Tensor x = gradlab::data::gather_rows(data.features, idx);
    const gradlab::Tensor y = gradlab::data::gather_rows(data.labels, idx);
    opt.zero_grad();
    const gradlab::Tensor loss =  // BUG: Sum, not Mean
        gradlab::cross_entropy(model(x), y, {.reduction = gradlab::Reduction::Sum});
    loss.backward();
    opt.step();
    total += loss.item();
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
