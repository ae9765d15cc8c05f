// optim/schedule.h — learning-rate schedules.
//
// A schedule is a pure function from a counter t to a learning rate: it keeps
// no state, so resuming from a checkpoint needs only t. Use
//   schedule.apply(optimizer, t);   // optimizer.set_lr(schedule.lr_at(t))
// before the update it should govern. Each schedule documents what t counts.
#pragma once

#include <cstdint>

#include "optim/optimizer.h"

namespace gradlab::optim {

class LRSchedule {
 public:
  virtual ~LRSchedule() = default;
  // The learning rate for counter value t >= 0.
  virtual double lr_at(int64_t t) const = 0;
  void apply(Optimizer& optimizer, int64_t t) const { optimizer.set_lr(lr_at(t)); }
};

// torch.optim.lr_scheduler.StepLR. t counts EPOCHS (0-based: the epoch about
// to run): lr = base_lr * gamma^floor(t / step_size).
// Error unless step_size >= 1, base_lr >= 0 and gamma >= 0.
class StepLR : public LRSchedule {
 public:
  StepLR(double base_lr, int64_t step_size, double gamma = 0.1);
  double lr_at(int64_t epoch) const override;

 private:
  double base_lr_;
  int64_t step_size_;
  double gamma_;
};

// Linear warm-up, then cosine decay. t counts OPTIMIZER STEPS (0-based: the
// index of the update about to happen):
//   t <  warmup_steps:          base_lr * t / warmup_steps     (0 at t = 0)
//   warmup_steps <= t < total:  min_lr + (base_lr - min_lr) * (1 + cos(pi * s)) / 2,
//                               s = (t - warmup_steps) / (total_steps - warmup_steps)
//   t >= total_steps:           min_lr
// With warmup_steps = 0 this is torch's CosineAnnealingLR(T_max = total_steps,
// eta_min = min_lr). Error unless 0 <= warmup_steps <= total_steps,
// total_steps >= 1, base_lr >= 0, min_lr >= 0.
class CosineWithWarmup : public LRSchedule {
 public:
  CosineWithWarmup(double base_lr, int64_t warmup_steps, int64_t total_steps, double min_lr = 0.0);
  double lr_at(int64_t step) const override;

 private:
  double base_lr_;
  int64_t warmup_steps_;
  int64_t total_steps_;
  double min_lr_;
};

}  // namespace gradlab::optim
