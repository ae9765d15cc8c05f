// optim/grad_scaler.cpp — PyTorch 1.13's GradScaler rule (see grad_scaler.h).
#include "optim/grad_scaler.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/autograd.h"
#include "core/ops.h"

namespace gradlab::optim {
namespace {

std::string num(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// A positive value that is finite as a float32 (S lives in a float32).
bool valid_scale(double s) {
  return s > 0 && std::isfinite(static_cast<float>(s)) && static_cast<float>(s) > 0;
}

// The constructor's and load_state's checks; `what` prefixes the message.
void check_settings(const std::string& what, double scale, const char* scale_name,
                    double growth_factor, double backoff_factor, int64_t growth_interval) {
  if (!valid_scale(scale))
    throw std::invalid_argument(what + ": " + scale_name +
                                " must be a positive finite float32, got " + num(scale));
  if (!(growth_factor > 1.0) || !std::isfinite(growth_factor))
    throw std::invalid_argument(what + ": growth_factor must be > 1, got " + num(growth_factor));
  if (!(backoff_factor > 0.0 && backoff_factor < 1.0))
    throw std::invalid_argument(what + ": backoff_factor must be in (0, 1), got " +
                                num(backoff_factor));
  if (growth_interval < 1)
    throw std::invalid_argument(what + ": growth_interval must be >= 1, got " +
                                std::to_string(growth_interval));
}

// A loaded or parsed state: the settings, and the tracker within its interval.
void check_state(const std::string& what, const GradScalerState& s) {
  check_settings(what, s.scale, "scale", s.growth_factor, s.backoff_factor, s.growth_interval);
  if (s.growth_tracker < 0 || s.growth_tracker >= s.growth_interval)
    throw std::invalid_argument(what + ": growth_tracker must be in [0, " +
                                std::to_string(s.growth_interval) + "), got " +
                                std::to_string(s.growth_tracker));
}

// Multiplies g (contiguous Float32/Float64) by inv in place; true if any
// element was inf or NaN (checked on the scaled input, as PyTorch's kernel).
template <class T>
bool unscale_in_place(T* p, int64_t n, float inv) {
  bool bad = false;
  for (int64_t i = 0; i < n; ++i) {
    bad |= !std::isfinite(p[i]);
    p[i] = static_cast<T>(p[i] * static_cast<T>(inv));
  }
  return bad;
}

}  // namespace

GradScaler::GradScaler(const GradScalerOptions& options)
    : options_(options), scale_(static_cast<float>(options.init_scale)) {
  if (options_.enabled)
    check_settings("GradScaler", options.init_scale, "init_scale", options.growth_factor,
                   options.backoff_factor, options.growth_interval);
}

Tensor GradScaler::scale(const Tensor& loss) {
  if (!options_.enabled) return loss;
  if (!loss.defined()) throw std::invalid_argument("GradScaler::scale: loss is undefined");
  if (!is_floating(loss.dtype()))
    throw std::invalid_argument(std::string("GradScaler::scale: loss must be floating, got ") +
                                dtype_name(loss.dtype()));
  scale_called_ = true;
  return mul(loss, scalar_tensor(scale_, DType::Float32));
}

void GradScaler::require_scale_called(const char* op) const {
  if (!scale_called_)
    throw std::logic_error(std::string("GradScaler::") + op +
                           ": scale() was never called; scale the loss first "
                           "(scaler.scale(loss).backward())");
}

void GradScaler::unscale_(Optimizer& opt) {
  if (!options_.enabled) return;
  require_scale_called("unscale_");
  PerOptimizer& st = per_optimizer_[&opt];
  if (st.stage == Stage::Unscaled)
    throw std::logic_error(
        "GradScaler::unscale_: already called on this optimizer since the last update()");
  if (st.stage == Stage::Stepped)
    throw std::logic_error("GradScaler::unscale_: called after step(); call update() first");
  // Checked before anything changes: a 16-bit gradient leaves every gradient as it was.
  const std::vector<Tensor>& params = opt.params();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Tensor g = params[i].grad();
    if (g.defined() && g.dtype() != DType::Float32 && g.dtype() != DType::Float64)
      throw std::invalid_argument("GradScaler::unscale_: parameter " + std::to_string(i) +
                                  " has a " + dtype_name(g.dtype()) +
                                  " gradient; unscaling in half precision would lose what "
                                  "scaling saved (keep parameters in float32)");
  }
  const float inv = static_cast<float>(1.0 / static_cast<double>(scale_));
  bool found = false;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (!g.is_contiguous()) {
      g = g.contiguous();
      p.set_grad(g);
    }
    if (g.dtype() == DType::Float32)
      found |= unscale_in_place(g.data_ptr<float>(), g.numel(), inv);
    else
      found |= unscale_in_place(g.data_ptr<double>(), g.numel(), inv);
  }
  st.found_inf = found;
  st.checked = true;
  st.stage = Stage::Unscaled;
}

bool GradScaler::step(Optimizer& opt) {
  if (!options_.enabled) {
    opt.step();
    return true;
  }
  require_scale_called("step");
  if (per_optimizer_[&opt].stage == Stage::Stepped)
    throw std::logic_error("GradScaler::step: already called since the last update()");
  if (per_optimizer_[&opt].stage == Stage::Ready) unscale_(opt);
  PerOptimizer& st = per_optimizer_[&opt];
  const bool stepped = !st.found_inf;
  if (stepped) opt.step();
  st.stage = Stage::Stepped;
  return stepped;
}

void GradScaler::update() {
  if (!options_.enabled) return;
  require_scale_called("update");
  bool any_checked = false, found = false;
  for (const auto& [opt, st] : per_optimizer_) {
    any_checked |= st.checked;
    found |= st.checked && st.found_inf;
  }
  if (!any_checked)
    throw std::logic_error(
        "GradScaler::update: no inf/NaN checks were recorded since the last update() "
        "(call step(optimizer) or unscale_(optimizer) first)");
  // PyTorch's _amp_update_scale_: the products are taken in double and stored in float.
  if (found) {
    scale_ = static_cast<float>(static_cast<double>(scale_) * options_.backoff_factor);
    growth_tracker_ = 0;
  } else if (growth_tracker_ + 1 == options_.growth_interval) {
    const float grown = static_cast<float>(static_cast<double>(scale_) * options_.growth_factor);
    if (std::isfinite(grown)) scale_ = grown;
    growth_tracker_ = 0;
  } else {
    ++growth_tracker_;
  }
  per_optimizer_.clear();
}

void GradScaler::update(double new_scale) {
  if (!options_.enabled) return;
  require_scale_called("update");
  if (!valid_scale(new_scale))
    throw std::invalid_argument(
        "GradScaler::update: new_scale must be a positive finite float32, got " + num(new_scale));
  scale_ = static_cast<float>(new_scale);
  per_optimizer_.clear();
}

double GradScaler::get_scale() const { return options_.enabled ? scale_ : 1.0; }

GradScalerState GradScaler::state() const {
  GradScalerState s;
  s.enabled = options_.enabled;
  s.scale = get_scale();
  s.growth_factor = options_.growth_factor;
  s.backoff_factor = options_.backoff_factor;
  s.growth_interval = options_.growth_interval;
  s.growth_tracker = options_.enabled ? growth_tracker_ : 0;
  return s;
}

void GradScaler::load_state(const GradScalerState& s) {
  if (!options_.enabled) return;
  if (!s.enabled)
    throw std::invalid_argument(
        "GradScaler::load_state: the state comes from a disabled scaler (it holds no scale)");
  check_state("GradScaler::load_state", s);
  options_.growth_factor = s.growth_factor;
  options_.backoff_factor = s.backoff_factor;
  options_.growth_interval = s.growth_interval;
  scale_ = static_cast<float>(s.scale);
  growth_tracker_ = s.growth_tracker;
}

// ---- JSON ------------------------------------------------------------------------

std::string grad_scaler_state_to_json(const GradScalerState& s) {
  nlohmann::ordered_json j;
  j["enabled"] = s.enabled;
  j["scale"] = s.scale;
  j["growth_factor"] = s.growth_factor;
  j["backoff_factor"] = s.backoff_factor;
  j["growth_interval"] = s.growth_interval;
  j["_growth_tracker"] = s.growth_tracker;
  return j.dump();
}

GradScalerState grad_scaler_state_from_json(const std::string& text) {
  const std::string what = "GradScaler state JSON";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(what + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw std::invalid_argument(what + ": expected an object, got " + j.dump());
  const std::set<std::string> keys = {"enabled",        "scale",           "growth_factor",
                                      "backoff_factor", "growth_interval", "_growth_tracker"};
  for (const auto& [k, v] : j.items())
    if (!keys.count(k)) throw std::invalid_argument(what + ": unknown key '" + k + "'");
  auto field = [&](const char* key) -> const nlohmann::json& {
    if (!j.contains(key)) throw std::invalid_argument(what + ": missing key '" + key + "'");
    return j.at(key);
  };
  auto number = [&](const char* key) {
    const nlohmann::json& v = field(key);
    if (!v.is_number())
      throw std::invalid_argument(what + ": '" + key + "' must be a number, got " + v.dump());
    return v.get<double>();
  };
  auto integer = [&](const char* key) {
    const nlohmann::json& v = field(key);
    if (!v.is_number_integer())
      throw std::invalid_argument(what + ": '" + key + "' must be an integer, got " + v.dump());
    return v.get<int64_t>();
  };
  GradScalerState s;
  const nlohmann::json& en = field("enabled");
  if (!en.is_boolean())
    throw std::invalid_argument(what + ": 'enabled' must be true or false, got " + en.dump());
  s.enabled = en.get<bool>();
  s.scale = number("scale");
  s.growth_factor = number("growth_factor");
  s.backoff_factor = number("backoff_factor");
  s.growth_interval = integer("growth_interval");
  s.growth_tracker = integer("_growth_tracker");
  if (s.enabled) check_state(what, s);
  return s;
}

}  // namespace gradlab::optim
