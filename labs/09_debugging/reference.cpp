// labs/09_debugging/reference.cpp — the reference implementation of phase
// 09: the diagnostics through gradlab::AnomalyMode and clip_grad_norm_, the
// fixed set-ups through the framework's fused cross_entropy (adapter.h).
#include "labs/09_debugging/adapter.h"
#include "labs/09_debugging/lab.h"

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
  return adapter::fixed::fp16_loss(logits16, target);
}

}  // namespace fixed
}  // namespace lab09
