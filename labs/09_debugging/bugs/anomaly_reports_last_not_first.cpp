// labs/09_debugging/bugs/anomaly_reports_last_not_first.cpp — BUG ZOO.
//
// The mistake: no anomaly mode. The step runs normally and, if the loss comes
// out NaN/inf, the report names the op that produced the LOSS
// (loss.grad_fn_name()). But NaN propagates: by the time it reaches the loss,
// every op downstream of the real culprit is "non-finite" too. The report
// points at the end of the graph (usually "sum" or "mean"), not at the
// log(0) or exp overflow that started it, and misses runs where a later op
// (tanh, relu) turned the inf back into a finite value.
// Caught by: AnomalyProperty.NamesTheFirstForwardOp and
// BrokenSetups.AnomalyNamesTheOverflowInTheFp16Loss.
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
  Anomaly a;
  const gradlab::Tensor loss = step();
  if (!std::isfinite(loss.item())) {  // BUG: looks only at the end of the graph
    a.found = true;
    a.op = loss.grad_fn_name();
    a.message = "the loss is " + std::to_string(loss.item());
    return a;
  }
  loss.backward();
  return a;
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
  return adapter::fixed::fp16_loss(logits16, target);
}

}  // namespace fixed
}  // namespace lab09
