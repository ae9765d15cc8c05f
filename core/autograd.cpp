// core/autograd.cpp — the engine: record a node per op, walk them backwards.
//
// The whole backward pass is run_backward() below: starting from the root,
// run nodes in reverse creation order (every node after all nodes that
// consume its output: a topological order, with no recursion, so graphs can
// be 100,000 ops deep), calling each node's backward and accumulating the
// returned gradients into its inputs with `+=`.
#include "core/autograd.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <sstream>

#include "core/internal.h"
#include "core/ops.h"

namespace gradlab {

namespace {
thread_local bool g_grad_enabled = true;
thread_local bool g_anomaly = false;
thread_local bool g_in_backward = false;  // ops run by a backward pass are checked by the engine

// Throws if t holds NaN or inf (anomaly mode).
void check_finite(const Tensor& t, const char* what, const char* op, std::span<const Tensor> inputs) {
  if (!is_floating(t.dtype())) return;
  for (double v : t.to_vector<double>()) {
    if (std::isfinite(v)) continue;
    std::ostringstream os;
    os << "anomaly: " << what << " of '" << op << "' holds " << (std::isnan(v) ? "NaN" : "inf")
       << " (output shape " << shape_str(t.shape()) << "; input shapes";
    for (const Tensor& x : inputs) os << " " << (x.defined() ? shape_str(x.shape()) : "undefined");
    os << ")";
    throw std::runtime_error(os.str());
  }
}
}  // namespace

Node::~Node() { detail::InputsStash::give(std::move(inputs)); }

bool grad_mode_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : prev_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = prev_; }

AnomalyMode::AnomalyMode() : prev_(g_anomaly) { g_anomaly = true; }
AnomalyMode::~AnomalyMode() { g_anomaly = prev_; }
bool AnomalyMode::enabled() { return g_anomaly; }

bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (g_anomaly && !g_in_backward) return true;  // every op goes through record(), which checks its output
  if (!g_grad_enabled) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

namespace detail {
bool should_record(const char* name, const Tensor& out, std::span<const Tensor> inputs) {
  if (g_anomaly && !g_in_backward) check_finite(out, "output", name, inputs);
  if (!g_grad_enabled) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Tensor attach(const char* name, Tensor out, std::vector<Tensor> inputs, std::shared_ptr<Node> node) {
  // One counter for all threads: a node made from another thread's tensor
  // still gets a larger number than that tensor's node.
  static std::atomic<uint64_t> created{0};
  node->seq = created.fetch_add(1, std::memory_order_relaxed) + 1;
  node->name = name;
  node->inputs = std::move(inputs);
  node->out_dtype = out.dtype();
  TensorImpl& impl = *out.impl();
  if (impl.grad_fn || impl.requires_grad) {
    // `out` aliases a tracked tensor (a no-op view returned as-is): give the
    // result its own identity so the graph stays a DAG.
    out = out.detach();
  }
  out.impl()->grad_fn = std::move(node);
  out.impl()->requires_grad = true;
  return out;
}
}  // namespace detail

Tensor reduce_to_shape(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < grad.dim(); ++d)
    if (d < lead || (shape[static_cast<size_t>(d - lead)] == 1 && grad.shape()[static_cast<size_t>(d)] != 1))
      dims.push_back(d);
  Tensor r = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return reshape(r, shape);
}

// slot += g. A leaf's .grad is given its own copy (the caller may modify it
// in place, e.g. gradient clipping), and a buffer nobody else holds is
// updated in place instead of reallocated: a weight used 30,000 times in a
// chain accumulates into one tensor.
static void accumulate(Tensor& slot, const Tensor& g, bool owned) {
  if (!slot.defined()) {
    if (!owned) {
      slot = g;
      return;
    }
    // A leaf gets memory nobody else can see: a fresh contiguous result that
    // no other tensor or view references is taken as is, anything else copied.
    Tensor c = g.contiguous();
    const bool exclusive = c.impl() != g.impl() ||
                           (c.impl().use_count() == 2 && c.impl()->storage.use_count() == 1);
    slot = exclusive ? c : c.clone();
    return;
  }
  if (owned && slot.impl().use_count() == 1 && slot.is_contiguous()) {
    add_(slot, g);
    return;
  }
  slot = add(slot, g);
}
static void accumulate(std::shared_ptr<TensorImpl>& slot, const Tensor& g, bool owned) {
  Tensor t(std::move(slot));
  accumulate(t, g, owned);
  slot = t.impl();
}

void run_backward(const Tensor& root, const Tensor& grad_output, bool retain_graph) {
  if (!root.requires_grad())
    throw std::invalid_argument(
        "backward: tensor does not require grad (no input had requires_grad_(), or it was "
        "computed under NoGradGuard)");
  const std::shared_ptr<Node>& root_node = root.impl()->grad_fn;
  if (!root_node) {  // a leaf: its gradient is the seed
    Tensor g = grad_output.to(root.dtype());
    Tensor cur = root.grad();
    root.set_grad(cur.defined() ? add(cur, g) : g.clone());
    return;
  }
  NoGradGuard no_grad;
  struct InBackward {  // restores the flag however backward ends
    bool prev = g_in_backward;
    InBackward() { g_in_backward = true; }
    ~InBackward() { g_in_backward = prev; }
  } in_backward;

  // Nodes run in decreasing creation number (Node::seq), which is a
  // topological order: an op's node is always created after the nodes of
  // its inputs, so every consumer of a tensor runs before its producer. A
  // max-heap of the nodes that have received a gradient gives that order
  // without first walking the whole graph (no separate sort pass over cold
  // memory: each node is touched once, when it runs). On a chain the heap
  // holds one or two nodes.
  static std::atomic<uint64_t> traversal{0};
  const uint64_t mark = ++traversal;
  auto runs_before = [](const Node* a, const Node* b) { return a->seq < b->seq; };
  std::vector<Node*> ready{root_node.get()};
  root_node->visit = mark;
  root_node->pending = grad_output.to(root_node->out_dtype);
  struct DropPending {  // if an error stops the walk, no gradient is left behind in a node
    std::vector<Node*>& nodes;
    ~DropPending() {
      for (Node* n : nodes) n->pending = Tensor();
    }
  } drop_pending{ready};
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), runs_before);
    Node* node = ready.back();
    ready.pop_back();
    Tensor g = std::move(node->pending);
    node->pending = Tensor();
    if (node->freed)
      throw std::runtime_error(std::string("backward: the graph through '") + node->name +
                               "' was already freed by an earlier backward(); pass "
                               "retain_graph=true to the first call to backward twice");
    std::vector<Tensor> grads = node->backward(g);
    g = Tensor();  // so a gradient nobody else holds can be handed over without a copy
    GRADLAB_CHECK(grads.size() == node->inputs.size(),
                  "op '" << node->name << "' returned " << grads.size() << " gradients for "
                         << node->inputs.size() << " inputs");
    for (size_t i = 0; i < grads.size(); ++i) {
      const Tensor& in = node->inputs[i];
      Tensor gi = std::move(grads[i]);
      if (!gi.defined() || !in.defined() || !in.requires_grad()) continue;
      GRADLAB_CHECK(gi.shape() == in.shape(), "op '" << node->name << "' gave gradient "
                                                     << shape_str(gi.shape()) << " for input "
                                                     << shape_str(in.shape()));
      if (g_anomaly) check_finite(gi, "gradient", node->name, node->inputs);
      if (gi.dtype() != in.dtype()) gi = gi.to(in.dtype());
      if (Node* child = in.impl()->grad_fn.get()) {
        accumulate(child->pending, gi, /*owned=*/false);
        if (child->visit != mark) {
          child->visit = mark;
          ready.push_back(child);
          std::push_heap(ready.begin(), ready.end(), runs_before);
        }
      } else {
        accumulate(in.impl()->grad, gi, /*owned=*/true);
      }
    }
    if (!retain_graph) {
      node->release();  // frees saved tensors
      node->freed = true;
    }
  }
}

// Tearing down a long chain must not recurse once per node (a 100,000-op
// chain would overflow the stack): nodes are queued and released in a loop.
TensorImpl::~TensorImpl() {
  detail::recycle_shape(std::move(shape));
  detail::recycle_shape(std::move(strides));
  if (!grad_fn) return;
  thread_local bool draining = false;
  thread_local std::vector<std::shared_ptr<Node>> queue;
  if (grad_fn.use_count() == 1) queue.push_back(std::move(grad_fn));
  if (draining) return;
  draining = true;
  while (!queue.empty()) {
    std::shared_ptr<Node> n = std::move(queue.back());
    queue.pop_back();
    n.reset();  // may push more nodes onto the queue
  }
  draining = false;
}

}  // namespace gradlab
