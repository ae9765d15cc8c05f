// layers/state_dict.cpp — the ordered name -> Tensor map.
#include "layers/state_dict.h"

#include <stdexcept>

namespace gradlab::nn {

StateDict::StateDict(std::initializer_list<Item> items) {
  for (const auto& [name, value] : items) insert(name, value);
}

void StateDict::insert(std::string name, Tensor value) {
  if (!value.defined()) {
    throw std::invalid_argument("StateDict::insert: tensor for key \"" + name + "\" is undefined");
  }
  if (index_.count(name) != 0) {
    throw std::invalid_argument("StateDict::insert: duplicate key \"" + name + "\"");
  }
  index_.emplace(name, items_.size());
  items_.emplace_back(std::move(name), std::move(value));
}

bool StateDict::contains(std::string_view name) const { return find(name) != nullptr; }

const Tensor* StateDict::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &items_[it->second].second;
}

const Tensor& StateDict::at(std::string_view name) const {
  const Tensor* t = find(name);
  if (t == nullptr) throw std::out_of_range("StateDict::at: no key \"" + std::string(name) + "\"");
  return *t;
}

std::vector<std::string> StateDict::keys() const {
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& item : items_) out.push_back(item.first);
  return out;
}

}  // namespace gradlab::nn
