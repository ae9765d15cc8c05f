// core/tensor.h — the Tensor handle: a strided view onto shared storage, plus
// the autograd metadata (requires_grad, grad, the node that produced it).
//
// A Tensor is a cheap value-type handle (one shared_ptr). Copies share both
// storage and autograd identity, as in libtorch: `Tensor b = a;` is the same
// tensor. Views (reshape, transpose, narrow, expand, ...) share storage but are
// new tensors. Ops never modify their inputs; the few in-place helpers end in
// an underscore and are meant for optimizers and initialisers (no autograd).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace gradlab {

struct Node;  // core/autograd.h

// Owns one byte buffer (64-byte aligned when heap-allocated). Never resized.
// Buffers of up to
// kInline bytes live inside the Storage object itself (one allocation
// instead of two: small tensors dominate autograd-heavy code).
struct Storage {
  static constexpr std::size_t kInline = 64;
  explicit Storage(std::size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  std::byte* data = nullptr;
  std::size_t nbytes = 0;
  alignas(16) std::byte inline_buf[kInline];
};

// Everything a Tensor refers to. Internal: use the Tensor API.
struct TensorImpl {
  ~TensorImpl();
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  Shape strides;  // in elements
  DType dtype = DType::Float32;
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;  // accumulated gradient (leaves, or retain_grad)
  std::shared_ptr<Node> grad_fn;     // the op that produced this tensor, if tracked
};

class Tensor {
 public:
  Tensor() = default;  // undefined tensor
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return checked().shape; }
  const Shape& strides() const { return checked().strides; }
  int64_t dim() const { return static_cast<int64_t>(checked().shape.size()); }
  // Size of dimension d; negative d counts from the end.
  int64_t size(int64_t d) const;
  int64_t numel() const;
  DType dtype() const { return checked().dtype; }
  int64_t storage_offset() const { return checked().offset; }
  bool is_contiguous() const;

  // Copy out all elements in row-major order, converting to T
  // (T in uint8_t, int64_t, float, double).
  template <class T> std::vector<T> to_vector() const;
  // The value of a one-element tensor, as double. Error if numel() != 1.
  double item() const;
  // A converted copy (or *this if already `dtype`). Differentiable between
  // floating dtypes.
  Tensor to(DType dtype) const;
  // *this if contiguous, else a contiguous copy (differentiable).
  Tensor contiguous() const;
  // A new tensor with its own storage holding the same values; no graph.
  Tensor clone() const;

  // Raw element pointer (offset applied). Requires T to match dtype exactly
  // (Half/BFloat16 for the 16-bit floats, uint8_t for Bool). Strided tensors
  // are allowed: index with strides(). Writing through it bypasses autograd.
  template <class T> T* data_ptr();
  template <class T> const T* data_ptr() const;

  // ---- autograd ----
  bool requires_grad() const { return checked().requires_grad; }
  // Marks a leaf as needing a gradient. Error on Int64/Bool tensors and on
  // non-leaf tensors (they get requires_grad from their inputs).
  Tensor& requires_grad_(bool on = true);
  bool is_leaf() const;
  // Backpropagate from this scalar (numel() == 1): accumulates into .grad() of
  // every leaf that requires grad. The graph is freed afterwards unless
  // retain_graph; a second backward through a freed graph is an error.
  void backward(bool retain_graph = false) const;
  // Same, seeding with grad_output (same shape as *this).
  void backward(const Tensor& grad_output, bool retain_graph = false) const;
  Tensor grad() const;  // undefined if none
  void set_grad(const Tensor& g) const;
  // Drops the gradient (as PyTorch's set_to_none).
  void zero_grad() const;
  // Same data, no graph, requires_grad false.
  Tensor detach() const;
  // Name of the op that produced this tensor ("" for leaves).
  std::string grad_fn_name() const;

  // ---- in-place, no autograd (optimizers, initialisers) ----
  Tensor& fill_(double value);
  // Copies src's values (broadcast to this shape, converting dtype).
  Tensor& copy_(const Tensor& src);

  // ---- member shorthands for the free functions in core/ops.h ----
  Tensor reshape(const Shape& shape) const;
  Tensor view(const Shape& shape) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor sum() const;
  Tensor mean() const;
  Tensor t() const;  // 2-D transpose

  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }

 private:
  // The impl, or an std::invalid_argument for an undefined tensor. Inline:
  // ops call these accessors many times each.
  const TensorImpl& checked() const {
    if (!impl_) [[unlikely]]
      throw_undefined();
    return *impl_;
  }
  [[noreturn]] static void throw_undefined();
  std::shared_ptr<TensorImpl> impl_;
};

// ---- factories ---------------------------------------------------------------
// Contiguous, uninitialised.
Tensor empty(const Shape& shape, DType dtype = DType::Float32);
Tensor zeros(const Shape& shape, DType dtype = DType::Float32);
Tensor ones(const Shape& shape, DType dtype = DType::Float32);
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32);
Tensor zeros_like(const Tensor& x);
Tensor ones_like(const Tensor& x);
// A 0-d tensor.
Tensor scalar_tensor(double value, DType dtype = DType::Float32);
// [start, end) with step; Int64 unless dtype says otherwise.
Tensor arange(double start, double end, double step = 1, DType dtype = DType::Int64);
Tensor arange(int64_t end, DType dtype = DType::Int64);
// values.size() must equal the product of shape. T in uint8_t (Bool),
// int64_t, float, double; other dtypes via .to().
template <class T> Tensor from_vector(const std::vector<T>& values, Shape shape);

// Contiguous strides for a shape; numel of a shape (error on negative sizes
// or int64 overflow, naming `op`).
Shape contiguous_strides(const Shape& shape);
int64_t shape_numel(const Shape& shape, const char* op = "tensor");

// Prints values, shape and dtype like PyTorch; large tensors are summarised.
std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::string to_string(const Tensor& t);

}  // namespace gradlab
