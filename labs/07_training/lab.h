// labs/07_training/lab.h — phase 07: the data loader, the training loop and
// evaluation.
//
// The interface the phase-07 suite (tests/labs/test_training.cpp) calls. You
// implement these four functions in starter/training.cpp, using the
// framework's building blocks: models (gradlab::nn), optimizers
// (gradlab::optim), the loss (gradlab::cross_entropy), and tensor ops such as
// gradlab::data::gather_rows or gradlab::argmax. What you write is the part
// every training script gets wrong at least once: which examples go in which
// batch, when gradients are reset, which mode the model is in, and how the
// numbers you report are averaged.
//
// Data: a gradlab::data::Dataset holds features (N, ...) Float32 and labels
// (N) Int64 class ids. Models map a batch (B, ...) to logits (B, C).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "datasets/dataset.h"
#include "layers/module.h"
#include "optim/optimizer.h"

namespace lab07 {

// ---- 1. batches ------------------------------------------------------------------
// The example indices of every mini-batch of one epoch over n examples.
//   shuffle = false: the examples in order 0..n-1.
//   shuffle = true:  a random permutation of 0..n-1 that is a pure function of
//                    (seed, epoch): the same arguments give the same batches,
//                    and different epochs (or seeds) give different orders.
//                    Draw it from a gradlab::Generator (core/random.h), never
//                    from <random> or rand().
// The order is cut into batches of batch_size; the last batch holds the
// remaining n % batch_size examples, unless drop_last, which drops it (a
// full last batch is never dropped).
// -> ceil(n / batch_size) batches (floor with drop_last); n = 0 gives none.
// Errors (std::invalid_argument naming the value): n < 0, batch_size < 1,
// epoch < 0.
std::vector<std::vector<int64_t>> make_batches(int64_t n, int64_t batch_size, bool shuffle,
                                               bool drop_last, uint64_t seed, int64_t epoch);

// ---- 2. one epoch of training --------------------------------------------------
// Puts the model in training mode, then for each batch in `batches`, in
// order: x = the batch's rows of data.features, y = the SAME rows of
// data.labels; logits = model(x); loss = cross_entropy(logits, y) (the mean
// over the batch); backward; opt.step(). The step of each batch must use that
// batch's gradient only: nothing left over from an earlier batch or from
// before the call.
// -> the mean training loss over the epoch's EXAMPLES: sum over batches of
//    (batch loss * batch size) / total examples in the batches, each batch's
//    loss taken before its own step. 0 when there are no batches.
// batches: index lists as make_batches returns (every index in [0, N)).
double train_epoch(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                   const gradlab::data::Dataset& data,
                   const std::vector<std::vector<int64_t>>& batches);

// ---- 3. evaluation ---------------------------------------------------------------
struct EvalResult {
  double loss = 0.0;      // mean cross-entropy per example
  double accuracy = 0.0;  // correct / count (0 when count is 0)
  int64_t correct = 0;    // examples whose argmax logit (first max on ties) is the label
  int64_t count = 0;      // examples evaluated: every example, exactly once
};

// Every example of `data` exactly once, in order, in batches of batch_size
// (the last one may be smaller), with the model in evaluation mode (dropout
// off) and gradient tracking off (gradlab::NoGradGuard). The model's previous
// mode (training or eval) is restored before returning.
// Errors (std::invalid_argument): batch_size < 1.
EvalResult evaluate(gradlab::nn::Module& model, const gradlab::data::Dataset& data,
                    int64_t batch_size);

// ---- 4. the loop -----------------------------------------------------------------
struct FitOptions {
  int64_t epochs = 10;
  int64_t batch_size = 32;
  bool drop_last = false;
  uint64_t seed = 0;
  // The learning rate of each epoch, given its 0-based index, set on the
  // optimizer (opt.set_lr) before the epoch runs. Empty: keep the
  // optimizer's learning rate.
  std::function<double(int64_t epoch)> lr_schedule = nullptr;
  int64_t eval_batch_size = 256;
};

struct EpochLog {
  int64_t epoch = 0;        // 0-based
  double lr = 0.0;          // the optimizer's learning rate during this epoch
  double train_loss = 0.0;  // what train_epoch returned
  EvalResult val;           // evaluate(model, val, eval_batch_size) after the epoch
};

// For epoch = 0 .. epochs-1: set the learning rate (lr_schedule), train one
// epoch on make_batches(train.size(), batch_size, /*shuffle=*/true, drop_last,
// seed, epoch), then evaluate on `val`. -> one EpochLog per epoch.
std::vector<EpochLog> fit(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                          const gradlab::data::Dataset& train, const gradlab::data::Dataset& val,
                          const FitOptions& options);

}  // namespace lab07
