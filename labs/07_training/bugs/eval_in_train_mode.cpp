// labs/07_training/bugs/eval_in_train_mode.cpp — BUG ZOO.
//
// The mistake: evaluate never switches the model to eval mode, so Dropout
// keeps zeroing activations: the reported accuracy is noisy, lower than
// the model's real accuracy, and differs between two calls on the same data.
// Caught by: EvaluateProperty.EveryExampleOnceInEvalMode and
// TrainingReference.EvaluateMatchesPyTorch (a model with Dropout(0.5)).
#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/ops.h"
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
  return adapter::train_epoch(model, opt, data, batches);
}

EvalResult evaluate(gradlab::nn::Module& model, const gradlab::data::Dataset& data,
                    int64_t batch_size) {
  if (batch_size < 1)
    throw std::invalid_argument("lab07::evaluate: batch_size " + std::to_string(batch_size));
  // BUG: no model.eval() (and so nothing to restore)
  gradlab::NoGradGuard no_grad;
  EvalResult r;
  double loss_sum = 0.0;
  const int64_t n = data.size();
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t len = std::min(batch_size, n - start);
    std::vector<int64_t> idx(static_cast<std::size_t>(len));
    std::iota(idx.begin(), idx.end(), start);
    const gradlab::Tensor y = gradlab::data::gather_rows(data.labels, idx);
    const gradlab::Tensor logits = model(gradlab::data::gather_rows(data.features, idx));
    loss_sum += gradlab::cross_entropy(logits, y, {.reduction = gradlab::Reduction::Sum}).item();
    const auto pred = gradlab::argmax(logits, 1).to_vector<int64_t>();
    const auto label = y.to_vector<int64_t>();
    for (std::size_t i = 0; i < pred.size(); ++i) r.correct += pred[i] == label[i] ? 1 : 0;
    r.count += len;
  }
  if (r.count > 0) {
    r.loss = loss_sum / static_cast<double>(r.count);
    r.accuracy = static_cast<double>(r.correct) / static_cast<double>(r.count);
  }
  return r;
}

std::vector<EpochLog> fit(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                          const gradlab::data::Dataset& train, const gradlab::data::Dataset& val,
                          const FitOptions& options) {
  return adapter::fit(model, opt, train, val, options);
}

}  // namespace lab07
