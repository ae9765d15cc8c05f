// labs/07_training/reference.cpp — the reference implementation of phase 07:
// every function of lab.h answered by the framework (adapter.h: the batch
// order of gradlab::data::DataLoader, gradlab::cross_entropy, the optimizer).
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
  return adapter::fit(model, opt, train, val, options);
}

}  // namespace lab07
