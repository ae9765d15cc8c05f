// optim/grad_scaler.h — dynamic loss scaling for float16 training, as
// PyTorch 1.13's torch.cuda.amp.GradScaler.
//
// Float16's smallest subnormal is 2^-24 ~ 6e-8: gradients below it, common
// in the backward pass of a deep net, round to zero in half storage. The
// scaler multiplies the loss by a large factor S before backward (so every
// gradient on the way back is S times larger and stays representable), then
// divides the float32 gradients of the parameters by S before the optimizer
// sees them. If S was so large that a gradient overflowed to inf (or a NaN
// appeared), that step is skipped and S is halved; after `growth_interval`
// consecutive good steps S is doubled again. bf16 has float32's exponent
// range and needs none of this (construct with enabled = false, or skip it).
//
// The loop (one optimizer; with several, unscale_/step each, update once):
//   optim::GradScaler scaler;                       // S = 2^16
//   for (...) {
//     opt.zero_grad();
//     Tensor loss = ...;                            // forward (e.g. under AutocastGuard)
//     scaler.scale(loss).backward();                // gradients are S times too large
//     scaler.unscale_(opt);                         // optional: true gradients now, e.g.
//     optim::clip_grad_norm_(opt.params(), 1.0);    //   for clipping
//     scaler.step(opt);                             // unscale_ if not done; skip on inf/NaN
//     scaler.update();                              // backoff or growth of S
//   }
//
// The rule, exactly as PyTorch's _amp_update_scale_ (S is a float32):
//   inf/NaN found:  S = float(S * backoff_factor), growth_tracker = 0
//   otherwise:      growth_tracker += 1; when it reaches growth_interval:
//                   S = float(S * growth_factor) unless that is inf, and
//                   growth_tracker = 0
// unscale_ multiplies each gradient by float(1 / double(S)).
//
// Checkpoints: state() / load_state(), and their JSON form (the keys of
// PyTorch's state_dict()), so that a resumed run continues bit-identically.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/tensor.h"
#include "optim/optimizer.h"

namespace gradlab::optim {

struct GradScalerOptions {
  double init_scale = 65536.0;     // 2^16, > 0 and finite as a float32
  double growth_factor = 2.0;      // > 1
  double backoff_factor = 0.5;     // in (0, 1)
  int64_t growth_interval = 2000;  // >= 1 consecutive good steps before growing
  bool enabled = true;             // false: scale() returns the loss, step() just steps
};

// What a checkpoint holds (PyTorch's state_dict(): "scale", "growth_factor",
// "backoff_factor", "growth_interval", "_growth_tracker").
struct GradScalerState {
  bool enabled = true;
  double scale = 65536.0;  // a float32 value
  double growth_factor = 2.0;
  double backoff_factor = 0.5;
  int64_t growth_interval = 2000;
  int64_t growth_tracker = 0;  // consecutive good steps so far, in [0, growth_interval)
};

class GradScaler {
 public:
  // Error (std::invalid_argument naming the option and its value) for an
  // init_scale that is not a positive finite float32, growth_factor <= 1,
  // backoff_factor outside (0, 1), growth_interval < 1.
  explicit GradScaler(const GradScalerOptions& options = {});

  // loss * S, differentiable (16-bit losses are computed in float32, as
  // PyTorch's float32 scale promotes them). Disabled: loss itself.
  // loss: any shape (normally a scalar) -> same shape.
  Tensor scale(const Tensor& loss);

  // Divides the gradient of every parameter of `opt` that has one by S, in
  // place, and records whether any of them holds an inf or NaN. At most once
  // per optimizer between update()s, and not after step(); error
  // (std::logic_error) otherwise, or if scale() was never called. Float16 or
  // BFloat16 gradients are an error (std::invalid_argument): unscaling in
  // half precision would lose what scaling saved; keep parameters (the
  // master weights) in float32.
  void unscale_(Optimizer& opt);

  // unscale_(opt) unless already done, then opt.step() unless an inf/NaN was
  // found. Returns whether the optimizer stepped. Once per optimizer between
  // update()s (std::logic_error otherwise). Disabled: opt.step(), true.
  bool step(Optimizer& opt);

  // Backoff or growth of S from the inf/NaN checks of every optimizer since
  // the last update() (the rule above); error (std::logic_error) if none
  // was made. update(new_scale) sets S instead (a positive finite float32;
  // the growth tracker is kept, as PyTorch). Disabled: nothing.
  void update();
  void update(double new_scale);

  // S (1.0 when disabled, as PyTorch's get_scale()).
  double get_scale() const;
  int64_t growth_tracker() const { return growth_tracker_; }
  bool is_enabled() const { return options_.enabled; }
  const GradScalerOptions& options() const { return options_; }

  GradScalerState state() const;
  // Restores S, the factors, the interval and the tracker. Every field is
  // checked as the constructor checks the options (std::invalid_argument
  // naming the field); loading the state of a disabled scaler into an enabled
  // one is an error, as in PyTorch. Disabled scaler: nothing happens.
  void load_state(const GradScalerState& state);

 private:
  enum class Stage { Ready, Unscaled, Stepped };
  struct PerOptimizer {
    Stage stage = Stage::Ready;
    bool checked = false;  // unscale_ ran (found_inf is meaningful)
    bool found_inf = false;
  };
  void require_scale_called(const char* op) const;

  GradScalerOptions options_;
  float scale_;
  int64_t growth_tracker_ = 0;
  bool scale_called_ = false;
  std::map<const Optimizer*, PerOptimizer> per_optimizer_;
};

// The JSON form of a GradScalerState: one object with PyTorch's state_dict
// keys plus "enabled", e.g.
//   {"enabled":true,"scale":65536.0,"growth_factor":2.0,"backoff_factor":0.5,
//    "growth_interval":2000,"_growth_tracker":0}
// Parsing checks every key's presence, type and range (std::invalid_argument
// naming the key and the offending value; unknown keys are an error too).
std::string grad_scaler_state_to_json(const GradScalerState& state);
GradScalerState grad_scaler_state_from_json(const std::string& json);

}  // namespace gradlab::optim
