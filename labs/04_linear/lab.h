// labs/04_linear/lab.h — phase 04: a fully connected layer and ReLU by hand,
// then an MLP trained with them.
//
// The interface the phase-04 suite (tests/labs/test_linear.cpp) calls. You
// implement it in starter/linear.cpp, on plain float32 arrays, row-major:
//   linear_forward / linear_backward   y = x W^T + b and its three gradients
//   linear_init                        PyTorch's default initialisation
//   relu_forward / relu_backward       max(x, 0) and its gradient
// The suite then trains a 2 -> 32 -> 32 -> 3 MLP on the spirals toy problem
// using ONLY these functions, and expects it to learn.
//
// Layouts follow PyTorch's nn.Linear: W is (out, in), one ROW per output
// unit, so y = x @ W^T. Shapes are written (N, in): N rows of `in` values.
#pragma once

#include <cstdint>
#include <vector>

#include "core/random.h"

namespace lab04 {

// ---- Linear --------------------------------------------------------------------
// y[n][o] = b[o] + sum_i x[n][i] * W[o][i]
//   x: (N, in), W: (out, in), b: (out) -> y: (N, out)
// Throws std::invalid_argument if a vector's size does not match its shape.
std::vector<float> linear_forward(const std::vector<float>& x, const std::vector<float>& W,
                                  const std::vector<float>& b, int64_t N, int64_t in, int64_t out);

// Gradients of a scalar loss L, given dy = dL/dy: (N, out):
//   dx = dy @ W        : (N, in)
//   dW = dy^T @ x      : (out, in)   (summed over the batch)
//   db = sum_n dy[n]   : (out)       (summed over the batch)
struct LinearGrads {
  std::vector<float> dx, dW, db;
};
LinearGrads linear_backward(const std::vector<float>& x, const std::vector<float>& W,
                            const std::vector<float>& dy, int64_t N, int64_t in, int64_t out);

// PyTorch's default nn.Linear(in, out) initialisation (Kaiming-uniform with
// a = sqrt(5)): bound = 1 / sqrt(in) (the FAN-IN), and
//   W: (out, in), every value uniform on [-bound, bound)
//   b: (out),     every value uniform on [-bound, bound)
// drawn from `gen` in exactly this order: W row-major first, then b; each
// value is  float(-bound + 2 * bound * gen.uniform_double())  (compute in
// double, round once to float). Same generator state -> same weights.
// Throws std::invalid_argument unless in >= 1 and out >= 1.
struct LinearParams {
  std::vector<float> W, b;
};
LinearParams linear_init(int64_t in, int64_t out, gradlab::Generator& gen);

// ---- ReLU ------------------------------------------------------------------------
// y = max(x, 0), elementwise.   x: (n) -> (n)
std::vector<float> relu_forward(const std::vector<float>& x);

// dL/dx = dy where x > 0, else 0 (at exactly x == 0 the gradient is 0, as in
// PyTorch).   x: (n), dy: (n) -> (n). Throws std::invalid_argument if sizes differ.
std::vector<float> relu_backward(const std::vector<float>& x, const std::vector<float>& dy);

}  // namespace lab04
