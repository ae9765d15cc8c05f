// labs/07_training/starter/training.cpp — YOUR implementation of phase 07.
//
// Replace each NOT_IMPLEMENTED() with your code; the contracts are in
// ../lab.h and the handout is ../README.md. Check your work with:
//   gradlab lab check 07
// (the suite trains two real models: allow about 10-30 seconds).
//
// Rules: use the framework's building blocks — gradlab::Generator for the
// shuffle, gradlab::data::gather_rows to pick rows, model(x), the optimizer's
// zero_grad()/step(), gradlab::cross_entropy, gradlab::argmax,
// gradlab::NoGradGuard — but not gradlab::data::DataLoader: the batching is
// what you are writing (the grader flags submissions that use it).
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "datasets/dataset.h"
#include "labs/07_training/lab.h"
#include "labs/common/lab_support.h"
#include "losses/cross_entropy.h"

namespace lab07 {

// Hint: fill order = 0..n-1; if shuffling, run Fisher-Yates with a
// gradlab::Generator whose seed mixes `seed` and `epoch` (for example
// seed * 1000003 + epoch, or hash them); gen.below(k) gives an unbiased
// integer in [0, k). Then cut `order` into slices of batch_size.
std::vector<std::vector<int64_t>> make_batches(int64_t n, int64_t batch_size, bool shuffle,
                                               bool drop_last, uint64_t seed, int64_t epoch) {
  (void)n;
  (void)batch_size;
  (void)shuffle;
  (void)drop_last;
  (void)seed;
  (void)epoch;
  NOT_IMPLEMENTED("lab07::make_batches");
}

// Hint: model.train(), then per batch the anatomy of a step from the handout
// (gather x AND y with the same indices; where do the gradients get reset?).
// Report a per-EXAMPLE mean: weigh each batch's loss by its size.
double train_epoch(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                   const gradlab::data::Dataset& data,
                   const std::vector<std::vector<int64_t>>& batches) {
  (void)model;
  (void)opt;
  (void)data;
  (void)batches;
  NOT_IMPLEMENTED("lab07::train_epoch");
}

// Hint: remember model.is_training() and restore it at the end; switch to
// eval mode and hold a gradlab::NoGradGuard while scoring. The last slice
// may be short — it still counts. cross_entropy's {.reduction =
// gradlab::Reduction::Sum} and gradlab::argmax(logits, 1) help.
EvalResult evaluate(gradlab::nn::Module& model, const gradlab::data::Dataset& data,
                    int64_t batch_size) {
  (void)model;
  (void)data;
  (void)batch_size;
  NOT_IMPLEMENTED("lab07::evaluate");
}

// Hint: for each epoch: if (options.lr_schedule) opt.set_lr(options.lr_schedule(epoch));
// then make_batches(..., /*shuffle=*/true, ..., epoch), train_epoch, evaluate.
std::vector<EpochLog> fit(gradlab::nn::Module& model, gradlab::optim::Optimizer& opt,
                          const gradlab::data::Dataset& train, const gradlab::data::Dataset& val,
                          const FitOptions& options) {
  (void)model;
  (void)opt;
  (void)train;
  (void)val;
  (void)options;
  NOT_IMPLEMENTED("lab07::fit");
}

}  // namespace lab07
