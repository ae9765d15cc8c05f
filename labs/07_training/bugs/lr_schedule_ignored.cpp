// labs/07_training/bugs/lr_schedule_ignored.cpp — BUG ZOO.
//
// The mistake: fit never consults options.lr_schedule, so every epoch runs at
// the optimizer's initial learning rate. A schedule that decays the rate is
// what lets the last epochs settle; silently ignoring it is easy to miss
// because training still "works".
// Caught by: TrainingStress.LearningRateScheduleIsApplied.
#include "labs/07_training/adapter.h"
#include "labs/07_training/lab.h"

namespace lab07 {

std::vector<std::vector<int64_t>> make_batches(int64_t n, int64_t batch_size, bool shuffle,
                                               bool drop_last, uint64_t seed, int64_t epoch) {
  return adapter::make_batches(n, batch_size, shuffle, drop_last, seed, epoch);
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
  std::vector<EpochLog> logs;
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    // BUG: options.lr_schedule is never applied
    EpochLog log;
    log.epoch = epoch;
    log.lr = opt.lr();
    log.train_loss = train_epoch(model, opt, train,
                                 make_batches(train.size(), options.batch_size, true,
                                              options.drop_last, options.seed, epoch));
    log.val = evaluate(model, val, options.eval_batch_size);
    logs.push_back(log);
  }
  return logs;
}

}  // namespace lab07
