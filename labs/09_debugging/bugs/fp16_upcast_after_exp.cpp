// labs/09_debugging/bugs/fp16_upcast_after_exp.cpp — BUG ZOO.
//
// The mistake: the fp16 loss is "fixed" by converting to float32 — but after
// the exp, which still runs in fp16: exp(12) = 162755 has already overflowed
// to inf when it reaches float32. Upcast the LOGITS first, then do the whole
// log-softmax in float32 (the course's "promote to FP32 for the log-softmax
// + loss").
// Caught by: DebuggingReference.Fp16LossMatchesPyTorch and
// SetupFixes.Fp16LossFixTrains.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "labs/09_debugging/adapter.h"
#include "labs/09_debugging/lab.h"
#include "losses/cross_entropy.h"
#include "losses/softmax.h"
#include "optim/sgd.h"

namespace lab09 {

Anomaly first_nonfinite_op(const std::function<gradlab::Tensor()>& step) {
  return adapter::first_nonfinite_op(step);
}

double global_grad_norm(const std::vector<gradlab::Tensor>& params) {
  return adapter::global_grad_norm(params);
}

int64_t detect_divergence(const std::vector<double>& losses, double factor) {
  return adapter::detect_divergence(losses, factor);
}

int64_t detect_plateau(const std::vector<double>& losses, int64_t window, double rel_tol) {
  return adapter::detect_plateau(losses, window, rel_tol);
}

namespace fixed {

std::vector<double> train_full_batch(gradlab::nn::Module& model, const gradlab::data::Dataset& data,
                                     int64_t steps, const StepObserver& observe) {
  return adapter::fixed::train_full_batch(model, data, steps, observe);
}

std::vector<double> train_accumulated(gradlab::nn::Module& model,
                                      const gradlab::data::Dataset& data, int64_t steps,
                                      int64_t accum, const StepObserver& observe) {
  return adapter::fixed::train_accumulated(model, data, steps, accum, observe);
}

gradlab::Tensor classification_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target) {
  return adapter::fixed::classification_loss(logits, target);
}

gradlab::Tensor sequence_loss(const gradlab::Tensor& logits, const gradlab::Tensor& target,
                              int64_t pad_id) {
  return adapter::fixed::sequence_loss(logits, target, pad_id);
}

gradlab::Tensor fp16_loss(const gradlab::Tensor& logits16, const gradlab::Tensor& target) {
  const gradlab::Tensor e = gradlab::exp(logits16).to(gradlab::DType::Float32);  // BUG: exp in fp16
  const gradlab::Tensor x = logits16.to(gradlab::DType::Float32);
  const gradlab::Tensor lse = gradlab::log(gradlab::sum(e, {1}));
  const gradlab::Tensor picked =
      gradlab::squeeze(gradlab::gather(x, 1, gradlab::unsqueeze(target, 1)), 1);
  return gradlab::mean(lse - picked);
}

}  // namespace fixed
}  // namespace lab09
