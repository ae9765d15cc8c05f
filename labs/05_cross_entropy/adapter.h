// labs/05_cross_entropy/adapter.h — the reference for phase 05: lab.h
// answered by gradlab::cross_entropy (losses/cross_entropy.h) with
// Reduction::Mean, the ignore_index and the padding mask, and its gradient
// from Tensor::backward. reference.cpp forwards every function here; each
// bug-zoo file forwards all but its buggy one.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/tensor.h"
#include "labs/05_cross_entropy/lab.h"
#include "losses/cross_entropy.h"

namespace lab05::adapter {

// The argument checks of lab.h (the row-level target check is the
// framework's: "target 7 out of range for 5 classes at index 3").
inline void check_args(const char* fn, const std::vector<float>& logits,
                       const std::vector<int64_t>& target, const std::vector<uint8_t>& mask,
                       int64_t N, int64_t C) {
  auto bad = [&](const std::string& what) {
    throw std::invalid_argument(std::string(fn) + ": " + what);
  };
  if (C < 1) bad("need at least one class, got C = " + std::to_string(C));
  if (N < 0) bad("N = " + std::to_string(N) + " is negative");
  if (static_cast<int64_t>(logits.size()) != N * C)
    bad("logits has " + std::to_string(logits.size()) +
        " values, expected N * C = " + std::to_string(N * C));
  if (static_cast<int64_t>(target.size()) != N)
    bad("target has " + std::to_string(target.size()) +
        " values, expected N = " + std::to_string(N));
  if (!mask.empty() && static_cast<int64_t>(mask.size()) != N)
    bad("mask has " + std::to_string(mask.size()) + " values, expected N = " + std::to_string(N) +
        " (or empty)");
}

// The framework's loss on these arrays; `logits_leaf` receives the logits tensor.
inline gradlab::Tensor loss_tensor(const std::vector<float>& logits,
                                   const std::vector<int64_t>& target,
                                   const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                                   int64_t ignore_index, gradlab::Tensor& logits_leaf) {
  logits_leaf = gradlab::from_vector<float>(logits, {N, C});
  logits_leaf.requires_grad_();
  gradlab::CrossEntropyOptions opts;
  opts.reduction = gradlab::Reduction::Mean;
  opts.ignore_index = ignore_index;
  if (!mask.empty()) {
    std::vector<uint8_t> flags(mask.size());
    for (std::size_t i = 0; i < mask.size(); ++i) flags[i] = mask[i] != 0;
    opts.mask = gradlab::from_vector<uint8_t>(flags, {N});
  }
  return gradlab::cross_entropy(logits_leaf, gradlab::from_vector<int64_t>(target, {N}), opts);
}

inline float cross_entropy_forward(const std::vector<float>& logits,
                                   const std::vector<int64_t>& target,
                                   const std::vector<uint8_t>& mask, int64_t N, int64_t C,
                                   int64_t ignore_index) {
  check_args("cross_entropy_forward", logits, target, mask, N, C);
  gradlab::Tensor leaf;
  return static_cast<float>(loss_tensor(logits, target, mask, N, C, ignore_index, leaf).item());
}

inline std::vector<float> cross_entropy_backward(const std::vector<float>& logits,
                                                 const std::vector<int64_t>& target,
                                                 const std::vector<uint8_t>& mask, int64_t N,
                                                 int64_t C, int64_t ignore_index, float grad_loss) {
  check_args("cross_entropy_backward", logits, target, mask, N, C);
  gradlab::Tensor leaf;
  gradlab::Tensor loss = loss_tensor(logits, target, mask, N, C, ignore_index, leaf);
  loss.backward(gradlab::full(loss.shape(), grad_loss, loss.dtype()));
  gradlab::Tensor g = leaf.grad();
  return g.defined() ? g.to_vector<float>() : std::vector<float>(logits.size(), 0.0f);
}

}  // namespace lab05::adapter
