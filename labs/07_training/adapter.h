// labs/07_training/adapter.h — the reference for phase 07: lab.h answered by
// the framework's own pieces (gradlab::data::DataLoader for the batch order,
// gradlab::cross_entropy, the optimizer's zero_grad/step). This is NOT a
// solution to copy. reference.cpp forwards every function here; each bug-zoo
// file forwards every function except the one it gets wrong.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "datasets/dataset.h"
#include "datasets/loader.h"
#include "labs/07_training/lab.h"
#include "losses/cross_entropy.h"

namespace lab07::adapter {

inline std::vector<std::vector<int64_t>> make_batches(int64_t n, int64_t batch_size, bool shuffle,
                                                      bool drop_last, uint64_t seed,
                                                      int64_t epoch) {
  if (n < 0) throw std::invalid_argument("lab07::make_batches: negative n " + std::to_string(n));
  if (batch_size < 1) {
    throw std::invalid_argument("lab07::make_batches: batch_size must be >= 1, got " +
                                std::to_string(batch_size));
  }
  if (epoch < 0)
    throw std::invalid_argument("lab07::make_batches: negative epoch " + std::to_string(epoch));
  if (n == 0) return {};
  // A DataLoader over a dummy dataset of n examples: only its order matters.
  gradlab::data::Dataset dummy;
  dummy.features = gradlab::zeros({n, 1});
  dummy.labels = gradlab::zeros({n}, gradlab::DType::Int64);
  dummy.num_classes = 1;
  const gradlab::data::DataLoader loader(
      dummy, {.batch_size = batch_size, .shuffle = shuffle, .drop_last = drop_last, .seed = seed});
  const std::vector<int64_t> order = loader.order(epoch);
  std::vector<std::vector<int64_t>> batches;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    const int64_t start = b * batch_size, stop = std::min(n, start + batch_size);
    batches.emplace_back(order.begin() + start, order.begin() + stop);
  }
  return batches;
}

inline double train_epoch(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                          const gradlab::data::Dataset& data,
                          const std::vector<std::vector<int64_t>>& batches) {
  model.train();
  double total = 0.0;
  int64_t count = 0;
  for (const std::vector<int64_t>& idx : batches) {
    if (idx.empty()) continue;
    const gradlab::Tensor x = gradlab::data::gather_rows(data.features, idx);
    const gradlab::Tensor y = gradlab::data::gather_rows(data.labels, idx);
    opt.zero_grad();
    const gradlab::Tensor loss = gradlab::cross_entropy(model(x), y);
    loss.backward();
    opt.step();
    const auto b = static_cast<int64_t>(idx.size());
    total += loss.item() * static_cast<double>(b);
    count += b;
  }
  return count == 0 ? 0.0 : total / static_cast<double>(count);
}

// Restores a module's training/eval mode when it goes out of scope.
class ModeGuard {
 public:
  explicit ModeGuard(gradlab::nn::Module& m) : m_(m), was_training_(m.is_training()) {}
  ~ModeGuard() { m_.train(was_training_); }
  ModeGuard(const ModeGuard&) = delete;
  ModeGuard& operator=(const ModeGuard&) = delete;

 private:
  gradlab::nn::Module& m_;
  bool was_training_;
};

inline EvalResult evaluate(gradlab::nn::Module& model, const gradlab::data::Dataset& data,
                           int64_t batch_size) {
  if (batch_size < 1) {
    throw std::invalid_argument("lab07::evaluate: batch_size must be >= 1, got " +
                                std::to_string(batch_size));
  }
  ModeGuard mode(model);
  model.eval();
  gradlab::NoGradGuard no_grad;
  EvalResult r;
  double loss_sum = 0.0;
  const int64_t n = data.size();
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t len = std::min(batch_size, n - start);
    std::vector<int64_t> idx(static_cast<std::size_t>(len));
    std::iota(idx.begin(), idx.end(), start);
    const gradlab::Tensor x = gradlab::data::gather_rows(data.features, idx);
    const gradlab::Tensor y = gradlab::data::gather_rows(data.labels, idx);
    const gradlab::Tensor logits = model(x);
    loss_sum += gradlab::cross_entropy(logits, y, {.reduction = gradlab::Reduction::Sum}).item();
    const std::vector<int64_t> pred = gradlab::argmax(logits, 1).to_vector<int64_t>();
    const std::vector<int64_t> label = y.to_vector<int64_t>();
    for (std::size_t i = 0; i < pred.size(); ++i) r.correct += pred[i] == label[i] ? 1 : 0;
    r.count += len;
  }
  if (r.count > 0) {
    r.loss = loss_sum / static_cast<double>(r.count);
    r.accuracy = static_cast<double>(r.correct) / static_cast<double>(r.count);
  }
  return r;
}

// The loop composes the implementation's OWN make_batches, train_epoch and
// evaluate (lab07::, not adapter::), as a student's fit does: a bug-zoo file
// that gets train_epoch wrong is then also wrong through fit.
inline std::vector<EpochLog> fit(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                                 const gradlab::data::Dataset& train,
                                 const gradlab::data::Dataset& val, const FitOptions& o) {
  std::vector<EpochLog> logs;
  for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
    if (o.lr_schedule) opt.set_lr(o.lr_schedule(epoch));
    EpochLog log;
    log.epoch = epoch;
    log.lr = opt.lr();
    log.train_loss = lab07::train_epoch(
        model, opt, train,
        lab07::make_batches(train.size(), o.batch_size, true, o.drop_last, o.seed, epoch));
    log.val = lab07::evaluate(model, val, o.eval_batch_size);
    logs.push_back(log);
  }
  return logs;
}

}  // namespace lab07::adapter
