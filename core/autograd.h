// core/autograd.h — reverse-mode autodiff on a dynamic graph.
//
// Every differentiable op computes its output and then calls `record(...)`
// with a lambda that maps the gradient of the output to the gradients of its
// inputs. That lambda is the op's backward; it sits right next to the forward
// (see core/ops_*.cpp). `Tensor::backward()` walks the recorded nodes in
// reverse topological order and accumulates gradients with `+=`.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/pool.h"
#include "core/tensor.h"

namespace gradlab {

// grad_output -> one gradient per input (undefined Tensor = no gradient).
// Each returned gradient must have its input's shape (reduce_to_shape helps
// undo broadcasting).
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

// One recorded op application.
struct Node {
  virtual ~Node();
  // The op's backward: grad_output -> one gradient per input.
  virtual std::vector<Tensor> backward(const Tensor& grad_output) = 0;
  // Drops what backward saved (called once the graph is freed).
  virtual void release() = 0;

  const char* name = "";              // op name, for errors and anomaly mode
  std::vector<Tensor> inputs;         // the op's inputs (autograd identity)
  DType out_dtype = DType::Float32;   // dtype of the output
  uint64_t seq = 0;                   // creation number: backward runs nodes in decreasing seq
  uint64_t visit = 0;                 // traversal mark, used by run_backward
  Tensor pending;                     // gradient accumulated during backward
  bool freed = false;
};

// A node whose backward is the lambda given to record(): the closure lives
// inside the node (one allocation for both).
template <class F> struct LambdaNode final : Node {
  explicit LambdaNode(F f) : fn(std::move(f)) {}
  std::vector<Tensor> backward(const Tensor& g) override { return (*fn)(g); }
  void release() override { fn.reset(); }
  std::optional<F> fn;
};

namespace detail {
// True (after the anomaly check of `out`) when a node must be recorded.
bool should_record(const char* name, const Tensor& out, std::span<const Tensor> inputs);
// Nodes' input lists reuse the buffers of released nodes (core/pool.h).
using InputsStash = VectorStash<std::vector<Tensor>>;
// Attaches `node` as out's grad_fn and returns out.
Tensor attach(const char* name, Tensor out, std::vector<Tensor> inputs, std::shared_ptr<Node> node);
}  // namespace detail

// Attaches a node to `out` if grad mode is on and any input requires grad.
// Returns `out`. `backward` is a callable grad_output -> std::vector<Tensor>
// (one gradient per input); it runs with grad mode off.
namespace detail {
// The node for `backward` (from the block pool), attached to out. Callers
// have already asked should_record().
template <class F>
Tensor attach_lambda(const char* name, Tensor out, std::vector<Tensor> inputs, F&& backward) {
  using N = LambdaNode<std::decay_t<F>>;
  auto node = std::allocate_shared<N>(PoolAllocator<N>(), std::forward<F>(backward));
  return attach(name, std::move(out), std::move(inputs), std::move(node));
}
}  // namespace detail

template <class F>
Tensor record(const char* name, Tensor out, std::vector<Tensor> inputs, F&& backward) {
  if (!detail::should_record(name, out, inputs)) return out;
  return detail::attach_lambda(name, std::move(out), std::move(inputs), std::forward<F>(backward));
}
// The same for a braced list of inputs (`record("mul", out, {a, b}, ...)`,
// what ops write): the list is copied into a recycled buffer, not a new one.
template <class F>
Tensor record(const char* name, Tensor out, std::initializer_list<Tensor> inputs, F&& backward) {
  if (!detail::should_record(name, out, std::span<const Tensor>(inputs.begin(), inputs.size()))) return out;
  std::vector<Tensor> in = detail::InputsStash::take();
  in.assign(inputs.begin(), inputs.end());
  return detail::attach_lambda(name, std::move(out), std::move(in), std::forward<F>(backward));
}

// True when any of the tensors requires grad and grad mode is on (or
// anomaly mode is on, so that record() sees every output): lets an op skip
// saving values for backward when nobody will call it.
bool any_requires_grad(std::initializer_list<const Tensor*> inputs);

// Global (thread-local) switch, as torch.no_grad().
bool grad_mode_enabled();
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

// While alive, every recorded op's output, and every gradient computed in
// backward, is checked for NaN/inf; the first offender throws
// std::runtime_error naming the op and its inputs' shapes (as PyTorch's
// detect_anomaly). Slow: for debugging only.
class AnomalyMode {
 public:
  AnomalyMode();
  ~AnomalyMode();
  AnomalyMode(const AnomalyMode&) = delete;
  AnomalyMode& operator=(const AnomalyMode&) = delete;
  static bool enabled();

 private:
  bool prev_;
};

// Sum `grad` down to `shape` (undoing NumPy broadcasting): the backward of
// expand. grad: broadcast(shape, ...) -> shape.
Tensor reduce_to_shape(const Tensor& grad, const Shape& shape);

// Runs backward from `root` seeded with `grad_output`.
void run_backward(const Tensor& root, const Tensor& grad_output, bool retain_graph);

}  // namespace gradlab
