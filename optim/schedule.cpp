// optim/schedule.cpp — StepLR and cosine-with-warm-up as closed-form functions.
#include "optim/schedule.h"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace gradlab::optim {

namespace {
void check_t(const char* name, int64_t t) {
  if (t < 0)
    throw std::invalid_argument(std::string(name) + ": negative counter " + std::to_string(t));
}
}  // namespace

StepLR::StepLR(double base_lr, int64_t step_size, double gamma)
    : base_lr_(base_lr), step_size_(step_size), gamma_(gamma) {
  if (step_size < 1 || !(base_lr >= 0.0) || !(gamma >= 0.0)) {
    throw std::invalid_argument(
        "StepLR: need step_size >= 1, base_lr >= 0, gamma >= 0; got step_size " +
        std::to_string(step_size) + ", base_lr " + std::to_string(base_lr) + ", gamma " +
        std::to_string(gamma));
  }
}

double StepLR::lr_at(int64_t epoch) const {
  check_t("StepLR", epoch);
  return base_lr_ * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

CosineWithWarmup::CosineWithWarmup(double base_lr, int64_t warmup_steps, int64_t total_steps,
                                   double min_lr)
    : base_lr_(base_lr), warmup_steps_(warmup_steps), total_steps_(total_steps), min_lr_(min_lr) {
  if (warmup_steps < 0 || total_steps < 1 || warmup_steps > total_steps || !(base_lr >= 0.0) ||
      !(min_lr >= 0.0)) {
    throw std::invalid_argument(
        "CosineWithWarmup: need 0 <= warmup_steps <= total_steps, total_steps >= 1, base_lr >= 0, "
        "min_lr >= 0; got warmup_steps " +
        std::to_string(warmup_steps) + ", total_steps " + std::to_string(total_steps) +
        ", base_lr " + std::to_string(base_lr) + ", min_lr " + std::to_string(min_lr));
  }
}

double CosineWithWarmup::lr_at(int64_t step) const {
  check_t("CosineWithWarmup", step);
  if (step < warmup_steps_) {
    return base_lr_ * static_cast<double>(step) / static_cast<double>(warmup_steps_);
  }
  if (step >= total_steps_) return min_lr_;
  const double s =
      static_cast<double>(step - warmup_steps_) / static_cast<double>(total_steps_ - warmup_steps_);
  return min_lr_ + (base_lr_ - min_lr_) * (1.0 + std::cos(std::numbers::pi * s)) / 2.0;
}

}  // namespace gradlab::optim
