// layers/sequential.cpp — a chain of modules named by position.
#include "layers/sequential.h"

namespace gradlab::nn {

Sequential::Sequential(const std::vector<std::shared_ptr<Module>>& modules) {
  for (const auto& m : modules) push_back(m);
}

void Sequential::push_back(std::shared_ptr<Module> module) {
  if (!module) {
    throw std::invalid_argument("Sequential::push_back: module " + std::to_string(size()) +
                                " is null");
  }
  add_child(std::to_string(size()), std::move(module));
}

Sequential& Sequential::add(std::shared_ptr<Module> module) {
  push_back(std::move(module));
  return *this;
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (const auto& [name, module] : children()) h = module->forward(h);
  return h;
}

const std::shared_ptr<Module>& Sequential::operator[](std::size_t i) const {
  if (i >= size()) {
    throw std::out_of_range("Sequential: index " + std::to_string(i) + " out of range for " +
                            std::to_string(size()) + " modules");
  }
  return children()[i].second;
}

}  // namespace gradlab::nn
