// layers/sequential.h — a chain of modules applied in order. Children are
// named by position, so parameters are "0.weight", "0.bias", "2.weight", ...
// exactly as in a PyTorch nn.Sequential (state dicts line up key for key).
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "layers/module.h"

namespace gradlab::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  // Sequential(std::make_shared<Linear>(2, 3, gen), std::make_shared<ReLU>(), ...)
  template <class... Ms>
  explicit Sequential(std::shared_ptr<Ms>... modules) {
    (push_back(std::move(modules)), ...);
  }
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& modules);

  // Appends a module; it is named by its position ("0", "1", ...).
  // Error if null.
  void push_back(std::shared_ptr<Module> module);
  // Same as push_back, returning *this for chaining: seq.add(a).add(b).
  Sequential& add(std::shared_ptr<Module> module);

  // x -> modules[n-1](...modules[0](x)); the identity when empty.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sequential"; }

  std::size_t size() const { return children().size(); }
  bool empty() const { return children().empty(); }
  // The i-th module. std::out_of_range naming i and the size.
  const std::shared_ptr<Module>& operator[](std::size_t i) const;
  // The i-th module as type M; std::invalid_argument if it is not an M.
  template <class M>
  std::shared_ptr<M> at(std::size_t i) const {
    auto typed = std::dynamic_pointer_cast<M>((*this)[i]);
    if (!typed) {
      throw std::invalid_argument("Sequential::at: module " + std::to_string(i) + " is a " +
                                  (*this)[i]->name() + ", not the requested type");
    }
    return typed;
  }
};

}  // namespace gradlab::nn
