// layers/module.cpp — parameter and child registries, and everything derived
// from them: names, modes, state dicts, dtype conversion, printing.
#include "layers/module.h"

#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "core/autograd.h"

namespace gradlab::nn {

namespace {

void check_name(const std::string& what, const std::string& name) {
  if (name.empty() || name.find('.') != std::string::npos) {
    throw std::invalid_argument(what + ": name \"" + name +
                                "\" must be non-empty and contain no '.'");
  }
}

}  // namespace

// ---- registration ------------------------------------------------------------

void Module::register_parameter(const std::string& name, Tensor& slot) {
  check_name("register_parameter", name);
  if (!slot.defined()) {
    throw std::invalid_argument("register_parameter: tensor for \"" + name + "\" is undefined");
  }
  for (const auto& [existing, ptr] : params_) {
    if (existing == name) {
      throw std::invalid_argument("register_parameter: duplicate parameter \"" + name + "\"");
    }
  }
  slot.requires_grad_(true);
  params_.emplace_back(name, &slot);
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_name("register_module", name);
  if (!module) throw std::invalid_argument("register_module: module \"" + name + "\" is null");
  for (const auto& [existing, child] : children_) {
    if (existing == name) {
      throw std::invalid_argument("register_module: duplicate child \"" + name + "\"");
    }
  }
  children_.emplace_back(name, std::move(module));
}

void Module::visit_slots(const std::string& prefix,
                         const std::function<void(const std::string&, Tensor&)>& fn) const {
  for (const auto& [name, slot] : params_) {
    if (slot->defined()) fn(prefix + name, *slot);
  }
  for (const auto& [name, child] : children_) child->visit_slots(prefix + name + ".", fn);
}

// ---- queries -----------------------------------------------------------------

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> out;
  std::unordered_set<const TensorImpl*> seen;
  visit_slots("", [&](const std::string& name, Tensor& t) {
    if (seen.insert(t.impl().get()).second) out.emplace_back(name, t);
  });
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const {
  return children_;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const Tensor& t : parameters()) n += t.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  visit_slots("", [](const std::string&, Tensor& t) { t.zero_grad(); });
}

// ---- state dicts -------------------------------------------------------------

StateDict Module::state_dict() const {
  StateDict out;
  visit_slots("", [&](const std::string& name, Tensor& t) { out.insert(name, t.detach()); });
  return out;
}

void Module::load_state_dict(const StateDict& state) {
  // Pass 1: check everything, collecting every problem.
  std::vector<std::pair<std::string, Tensor*>> targets;
  std::vector<std::string> problems;
  std::unordered_set<std::string> expected;
  visit_slots("", [&](const std::string& name, Tensor& slot) {
    expected.insert(name);
    const Tensor* value = state.find(name);
    if (value == nullptr) {
      problems.push_back("missing key \"" + name + "\" (module expects shape " +
                         shape_str(slot.shape()) + ")");
    } else if (value->shape() != slot.shape()) {
      problems.push_back("shape mismatch for key \"" + name + "\": checkpoint has " +
                         shape_str(value->shape()) + ", module has " + shape_str(slot.shape()));
    } else {
      targets.emplace_back(name, &slot);
    }
  });
  for (const auto& [name, value] : state) {
    if (expected.count(name) == 0) {
      problems.push_back("unexpected key \"" + name + "\" with shape " + shape_str(value.shape()) +
                         " (the module has no such parameter)");
    }
  }
  if (!problems.empty()) {
    std::string msg = "load_state_dict: " + std::to_string(problems.size()) +
                      (problems.size() == 1 ? " problem: " : " problems: ");
    for (std::size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    throw std::invalid_argument(msg);
  }
  // Pass 2: copy (no autograd: this is initialisation, not computation).
  NoGradGuard no_grad;
  for (auto& [name, slot] : targets) slot->copy_(state.at(name));
}

// ---- dtype -------------------------------------------------------------------

Module& Module::to(DType dtype) {
  if (!is_floating(dtype)) {
    throw std::invalid_argument(std::string("Module::to: parameters must be floating, got ") +
                                dtype_name(dtype));
  }
  // Converted tensors by original identity, so tied weights stay tied.
  std::unordered_map<const TensorImpl*, Tensor> converted;
  visit_slots("", [&](const std::string&, Tensor& slot) {
    if (slot.dtype() == dtype) return;
    auto it = converted.find(slot.impl().get());
    if (it == converted.end()) {
      Tensor fresh = slot.detach().to(dtype);
      if (slot.requires_grad()) fresh.requires_grad_(true);
      it = converted.emplace(slot.impl().get(), fresh).first;
    }
    slot = it->second;
  });
  return *this;
}

// ---- printing ----------------------------------------------------------------

std::string Module::repr() const {
  std::string head = name() + "(" + extra_repr();
  if (children_.empty()) return head + ")";
  std::ostringstream os;
  os << head << "\n";
  for (const auto& [child_name, child] : children_) {
    std::string body = child->repr();
    // Indent the child's continuation lines by two spaces.
    std::string indented;
    for (char c : body) {
      indented += c;
      if (c == '\n') indented += "  ";
    }
    os << "  (" << child_name << "): " << indented << "\n";
  }
  os << ")";
  return os.str();
}

}  // namespace gradlab::nn
