// layers/state_dict.h — an ordered name -> Tensor map: what a module's
// state_dict() returns, what load_state_dict() takes, and what an optimizer's
// state is saved as. Insertion order is kept (as PyTorch's OrderedDict), so a
// checkpoint lists parameters in the order the model declares them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace gradlab::nn {

class StateDict {
 public:
  using Item = std::pair<std::string, Tensor>;
  using const_iterator = std::vector<Item>::const_iterator;

  StateDict() = default;
  StateDict(std::initializer_list<Item> items);

  // Appends (name, value). Error (std::invalid_argument naming the key) if the
  // name is already present or the tensor is undefined.
  void insert(std::string name, Tensor value);
  bool contains(std::string_view name) const;
  // nullptr when absent.
  const Tensor* find(std::string_view name) const;
  // std::out_of_range naming the key when absent.
  const Tensor& at(std::string_view name) const;

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  const std::vector<Item>& items() const { return items_; }
  // Names in insertion order.
  std::vector<std::string> keys() const;

 private:
  std::vector<Item> items_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace gradlab::nn
