// labs/04_linear/adapter.h — the reference for phase 04: lab.h answered by
// gradlab's own layers and autograd. reference.cpp forwards every function
// here; each bug-zoo file forwards all but its buggy one.
//
//   linear_forward/backward  gradlab::nn::Linear with the given W and b copied
//                            in; gradients from Tensor::backward
//   linear_init              the weights of a fresh gradlab::nn::Linear
//   relu_forward/backward    gradlab::relu + Tensor::backward
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "core/tensor.h"
#include "labs/04_linear/lab.h"
#include "layers/linear.h"

namespace lab04::adapter {

inline void check_size(const char* fn, const char* what, const std::vector<float>& v,
                       int64_t expected) {
  if (static_cast<int64_t>(v.size()) != expected) {
    throw std::invalid_argument(std::string(fn) + ": " + what + " has " + std::to_string(v.size()) +
                                " values, expected " + std::to_string(expected));
  }
}

// Overwrites a Linear layer's initial draw with W and b.
inline void load(gradlab::nn::Linear& lin, const std::vector<float>& W,
                 const std::vector<float>& b) {
  lin.weight.copy_(gradlab::from_vector<float>(W, lin.weight.shape()));
  lin.bias.copy_(gradlab::from_vector<float>(b, lin.bias.shape()));
}

inline std::vector<float> linear_forward(const std::vector<float>& x, const std::vector<float>& W,
                                         const std::vector<float>& b, int64_t N, int64_t in,
                                         int64_t out) {
  check_size("linear_forward", "x", x, N * in);
  check_size("linear_forward", "W", W, out * in);
  check_size("linear_forward", "b", b, out);
  gradlab::Generator unused(0);
  gradlab::nn::Linear lin(in, out, unused);
  load(lin, W, b);
  gradlab::NoGradGuard no_grad;
  return lin.forward(gradlab::from_vector<float>(x, {N, in})).to_vector<float>();
}

inline LinearGrads linear_backward(const std::vector<float>& x, const std::vector<float>& W,
                                   const std::vector<float>& dy, int64_t N, int64_t in,
                                   int64_t out) {
  check_size("linear_backward", "x", x, N * in);
  check_size("linear_backward", "W", W, out * in);
  check_size("linear_backward", "dy", dy, N * out);
  gradlab::Generator unused(0);
  gradlab::nn::Linear lin(in, out, unused);
  load(lin, W, std::vector<float>(static_cast<std::size_t>(out), 0.0f));
  gradlab::Tensor tx = gradlab::from_vector<float>(x, {N, in});
  tx.requires_grad_();
  lin.forward(tx).backward(gradlab::from_vector<float>(dy, {N, out}));
  auto grad = [](const gradlab::Tensor& t) {
    return t.grad().defined() ? t.grad().to_vector<float>()
                              : std::vector<float>(static_cast<std::size_t>(t.numel()), 0.0f);
  };
  return LinearGrads{grad(tx), grad(lin.weight), grad(lin.bias)};
}

inline LinearParams linear_init(int64_t in, int64_t out, gradlab::Generator& gen) {
  gradlab::nn::Linear lin(in, out, gen);
  return LinearParams{lin.weight.to_vector<float>(), lin.bias.to_vector<float>()};
}

inline std::vector<float> relu_forward(const std::vector<float>& x) {
  return gradlab::relu(gradlab::from_vector<float>(x, {static_cast<int64_t>(x.size())}))
      .to_vector<float>();
}

inline std::vector<float> relu_backward(const std::vector<float>& x, const std::vector<float>& dy) {
  if (x.size() != dy.size()) {
    throw std::invalid_argument("relu_backward: x has " + std::to_string(x.size()) +
                                " values, dy has " + std::to_string(dy.size()));
  }
  const int64_t n = static_cast<int64_t>(x.size());
  gradlab::Tensor tx = gradlab::from_vector<float>(x, {n});
  tx.requires_grad_();
  gradlab::relu(tx).backward(gradlab::from_vector<float>(dy, {n}));
  return tx.grad().defined() ? tx.grad().to_vector<float>() : std::vector<float>(x.size(), 0.0f);
}

}  // namespace lab04::adapter
