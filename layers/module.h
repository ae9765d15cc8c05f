// layers/module.h — the base class of every layer and model.
//
// A Module owns named parameters (leaf Tensors with requires_grad) and named
// child modules. From those two registries it derives everything else:
// parameters() for the optimizer, dotted names ("0.weight", "fc1.bias") for
// checkpoints, train()/eval() switching, state_dict()/load_state_dict(), and
// zero_grad(). Layers implement forward() by composing core ops; autograd
// does the backward pass, so no layer ever writes backward code.
//
// Modules are held by std::shared_ptr (a Sequential holds
// std::shared_ptr<Module>) and are neither copyable nor movable: a module's
// parameter registry refers to its own data members.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "layers/state_dict.h"

namespace gradlab::nn {

class Module {
 public:
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  Module(Module&&) = delete;
  Module& operator=(Module&&) = delete;

  // The layer's computation; shapes are documented on each layer.
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }

  // Class name for printing, e.g. "Linear".
  virtual std::string name() const = 0;
  // Constructor arguments for printing, e.g. "in_features=3, out_features=2, bias=true".
  virtual std::string extra_repr() const { return ""; }
  // PyTorch-style description of the module tree:
  //   Sequential(
  //     (0): Linear(in_features=2, out_features=3, bias=true)
  //     (1): ReLU()
  //   )
  std::string repr() const;

  // Every parameter of this module and its descendants: own parameters first
  // (in registration order), then each child's, depth first. A tensor
  // registered twice (shared weights) is listed once, under its first name.
  std::vector<Tensor> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  // Direct children in registration order.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  // Total number of parameter elements.
  int64_t num_parameters() const;

  // Training mode (the default) or evaluation mode, for this module and every
  // descendant. Only layers like Dropout behave differently.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // name -> parameter, for every parameter under its dotted name, in the order
  // of named_parameters() (shared tensors appear under each name). The values
  // are detached handles sharing storage with the parameters: clone() them to
  // keep a snapshot that later training does not change.
  StateDict state_dict() const;
  // Copies values from `state` into the parameters (converting dtype if
  // needed). Strict: every parameter name must be present with exactly the
  // parameter's shape, and no other key may be present. Everything is checked
  // before anything is copied, so a failed load leaves the module untouched.
  // Error: std::invalid_argument listing each problem, e.g.
  //   load_state_dict: 2 problems: shape mismatch for key "0.weight": checkpoint
  //   has (3,4), module has (4,3); unexpected key "9.bias" with shape (4) (the
  //   module has no such parameter)
  // (a missing key reads: missing key "2.bias" (module expects shape (10))).
  void load_state_dict(const StateDict& state);

  // Drops every parameter's gradient (as PyTorch's zero_grad(set_to_none=True)).
  void zero_grad();
  // Converts every parameter to a floating dtype (e.g. Float64 for gradcheck).
  // Gradients are dropped; requires_grad and weight sharing are kept. The
  // parameters become new tensors: create optimizers after converting.
  Module& to(DType dtype);

 protected:
  Module() = default;

  // Registers the data member `slot` as the parameter `name` and marks it
  // requires_grad. The module keeps a pointer to the member, so assigning a
  // new tensor to it later (lin.weight = w) is seen by parameters().
  // Error on an empty, dotted or duplicate name or an undefined tensor.
  void register_parameter(const std::string& name, Tensor& slot);
  // Registers a child module under `name` and returns it, so a model can write
  //   fc1 = register_module("fc1", std::make_shared<Linear>(784, 256, gen));
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
    return children_;
  }

 private:
  // Visits (dotted name, slot) for every registered parameter, depth first.
  void visit_slots(const std::string& prefix,
                   const std::function<void(const std::string&, Tensor&)>& fn) const;

  std::vector<std::pair<std::string, Tensor*>> params_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace gradlab::nn
