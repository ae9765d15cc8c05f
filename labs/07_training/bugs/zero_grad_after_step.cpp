// labs/07_training/bugs/zero_grad_after_step.cpp — BUG ZOO.
//
// The mistake: zero_grad() is called AFTER step(), the "tidy up afterwards"
// habit. Inside the loop that works, but the first step of the epoch uses
// whatever gradient was already in .grad when train_epoch was called (from a
// gradient check, an evaluation without NoGradGuard, a last backward without
// a step...). Reset gradients right before backward, where they are
// produced and consumed.
// Caught by: TrainProperty.MatchesAHandWrittenLoop (it leaves stale
// gradients on the parameters before the call).
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
    const gradlab::Tensor loss = gradlab::cross_entropy(model(x), y);
    loss.backward();
    opt.step();
    opt.zero_grad();  // BUG: too late for the first batch (stale gradients from before the call)
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
