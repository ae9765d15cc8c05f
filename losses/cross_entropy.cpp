// losses/cross_entropy.cpp — the fused softmax cross-entropy (see
// cross_entropy.h for the formula and the differences from PyTorch).
//
// Shape of the code: `setup` validates the arguments and gathers what both
// passes need into a CeState (O(rows + C) memory); `forward_rows` runs one
// streaming pass per row (row kernels in losses/kernels/); the reduction is a
// serial sum in index order; `backward_rows` writes the gradient in one pass
// per row, recomputing softmax from the logits and the saved logsumexp.
#include "losses/cross_entropy.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "core/autograd.h"
#include "core/ops.h"
#include "losses/loss_util.h"

namespace gradlab {
namespace {
using namespace losses_detail;
constexpr const char* kOp = "cross_entropy";
constexpr int64_t kStreamBytes = int64_t{64} << 20;  // 64 MiB: well beyond L2 + L3

// Everything the forward decides and the backward needs.
struct CeState {
  Tensor logits;  // contiguous, no graph
  Tensor probs;   // probability targets: contiguous, in the compute dtype
  bool soft = false;
  bool target_grad = false;  // probability targets that require grad
  DType target_dtype = DType::Int64;
  int64_t rows = 0, C = 0;
  Shape lead;  // logits' shape without the class dim
  Reduction reduction = Reduction::Mean;
  double eps = 0.0;
  std::vector<int64_t> target;    // class targets (rows)
  std::vector<uint8_t> valid;     // 1 = counts, 0 = masked / ignored (rows)
  std::vector<double> weight;     // (C) or empty
  std::vector<float> weight_f32;  // the same, for the float32 kernels
  double weight_sum = 0.0;        // sum_c w_c (C without weights)
  std::vector<double> shift, logsum;  // per row: logsumexp = shift + logsum
  int64_t n_valid = 0;
  double denom = 0.0;  // Mean's divisor
};

template <class U> const U* weights_as(const CeState& s) {
  if (s.weight.empty()) return nullptr;
  if constexpr (std::is_same_v<U, float>) return s.weight_f32.data();
  else return s.weight.data();
}

void setup(CeState& s, const Tensor& logits, const Tensor& target, const CrossEntropyOptions& o) {
  if (!logits.defined() || !target.defined()) fail(kOp, ": logits and target must be defined");
  if (!is_floating(logits.dtype()))
    fail(kOp, ": logits must be floating, got ", dtype_name(logits.dtype()));
  if (logits.dim() < 1) fail(kOp, ": logits must have a class dim, got a 0-d tensor");
  s.C = logits.shape().back();
  if (s.C < 1) fail(kOp, ": logits ", shape_str(logits.shape()), " have no classes");
  s.lead = Shape(logits.shape().begin(), logits.shape().end() - 1);
  s.rows = logits.numel() / s.C;
  if (!(o.label_smoothing >= 0.0 && o.label_smoothing <= 1.0))
    fail(kOp, ": label_smoothing must be in [0, 1], got ", o.label_smoothing);
  s.eps = o.label_smoothing;
  s.reduction = o.reduction;
  s.logits = logits.detach().contiguous();

  // weight: (C), constants
  if (o.weight.defined()) {
    if (o.weight.shape() != Shape{s.C})
      fail(kOp, ": weight ", shape_str(o.weight.shape()), " must have shape (", s.C,
           ") for logits ", shape_str(logits.shape()));
    s.weight = o.weight.to_vector<double>();
    s.weight_f32.assign(s.weight.begin(), s.weight.end());
    for (double w : s.weight) s.weight_sum += w;
  } else {
    s.weight_sum = static_cast<double>(s.C);
  }

  // target: class indices (lead shape) or probabilities (logits' shape)
  s.soft = target.shape() == logits.shape();
  s.target_dtype = target.dtype();
  if (s.soft) {
    if (!is_floating(target.dtype()))
      fail(kOp, ": target ", shape_str(target.shape()), " has the logits' shape, so it holds ",
           "class probabilities and must be floating, got ", dtype_name(target.dtype()));
    if (o.ignore_index >= 0)
      fail(kOp, ": ignore_index (", o.ignore_index, ") is not supported with probability ",
           "targets (as in PyTorch); use mask to leave rows out");
    s.probs = target.detach().to(compute_dtype(logits.dtype())).contiguous();
    s.target_grad = target.requires_grad();
  } else if (target.shape() != s.lead || target.dtype() != DType::Int64) {
    fail(kOp, ": target ", shape_str(target.shape()), " ", dtype_name(target.dtype()),
         " does not fit logits ", shape_str(logits.shape()), ": expected Int64 class indices of ",
         "shape ", shape_str(s.lead), " or floating probabilities of shape ",
         shape_str(logits.shape()));
  }

  // mask: one flag per row
  std::vector<uint8_t> mask;
  if (o.mask.defined()) {
    if (o.mask.dtype() != DType::Bool || o.mask.shape() != s.lead)
      fail(kOp, ": mask ", shape_str(o.mask.shape()), " ", dtype_name(o.mask.dtype()),
           " must be Bool with the target's shape ", shape_str(s.lead), " (target ",
           shape_str(target.shape()), ")");
    mask = o.mask.to_vector<uint8_t>();
  }

  // validity, range checks (only rows that count are read), Mean's divisor
  if (!s.soft) s.target = target.to_vector<int64_t>();
  s.valid.assign(static_cast<size_t>(s.rows), 1);
  for (int64_t r = 0; r < s.rows; ++r) {
    if (!mask.empty() && !mask[r]) {
      s.valid[r] = 0;
      continue;
    }
    if (s.soft) {
      ++s.n_valid;
      s.denom += 1.0;
      continue;
    }
    const int64_t y = s.target[r];
    if (y == o.ignore_index) {
      s.valid[r] = 0;
      continue;
    }
    if (y < 0 || y >= s.C)
      fail(kOp, ": target ", y, " out of range for ", s.C, " classes at index ",
           index_str(r, s.lead));
    ++s.n_valid;
    s.denom += s.weight.empty() ? 1.0 : s.weight[y];
  }
}

// Probability targets: u_c = w_c * ((1 - eps) t_c + eps / C) for one row into
// buf; returns sum_c u_c.
template <class U> double soft_row(const CeState& s, const U* t, U* buf) {
  double total = 0.0;
  for (int64_t c = 0; c < s.C; ++c) {
    double tc = static_cast<double>(t[c]);
    if (s.eps > 0.0) tc = (1.0 - s.eps) * tc + s.eps / static_cast<double>(s.C);
    const U u = static_cast<U>(s.weight.empty() ? tc : s.weight[c] * tc);
    buf[c] = u;
    total += static_cast<double>(u);
  }
  return total;
}

// One streaming pass per valid row: the row's logsumexp and loss.
std::vector<double> forward_rows(CeState& s) {
  std::vector<double> loss(static_cast<size_t>(s.rows), 0.0);
  s.shift.assign(static_cast<size_t>(s.rows), 0.0);
  s.logsum.assign(static_cast<size_t>(s.rows), 0.0);
  const int64_t C = s.C;
  const double eps = s.eps, W = s.weight_sum;
  with_row_kernels(s.logits.dtype(), [&](const auto& k, auto tag) {
    using S = decltype(tag);
    using U = typename std::decay_t<decltype(k)>::Compute;
    const S* xp = raw<S>(s.logits);
    const U* w = weights_as<U>(s);
    const U* tp = s.soft ? s.probs.template data_ptr<U>() : nullptr;
    parallel_rows_with_buffer<U>(s.rows, C, s.soft ? C : 0, [&](int64_t r, U* buf) {
      if (!s.valid[r]) return;  // never read: padding may hold anything
      const S* xr = xp + r * C;
      double l, logsum;
      kernels::RowStats st;
      if (s.soft) {
        const double usum = soft_row<U>(s, tp + r * C, buf);
        st = k.stats(xr, C, buf, true);
        logsum = std::log(st.sum);
        l = usum * logsum - (st.dot - usum * st.shift);  // -sum_c u_c lsm_c
      } else {
        const int64_t y = s.target[r];
        const bool smooth = eps > 0.0;
        st = k.stats(xr, C, smooth ? w : nullptr, smooth);
        logsum = std::log(st.sum);
        const double nll = logsum - (load_value(xr + y, s.logits.dtype()) - st.shift);
        const double wy = s.weight.empty() ? 1.0 : s.weight[y];
        l = (1.0 - eps) * wy * nll;
        // sum_c w_c (-lsm_c) = W * logsum - (sum_c w_c x_c - W * shift)
        if (smooth) l += eps / static_cast<double>(C) * (W * logsum - (st.dot - W * st.shift));
      }
      s.shift[r] = st.shift;
      s.logsum[r] = logsum;
      loss[r] = l;
    });
  });
  return loss;
}

// d loss / d logits (and / d probability targets), one pass per row.
std::vector<Tensor> backward_rows(const CeState& s, const Tensor& g) {
  std::vector<double> gv;
  double g0 = 0.0;
  if (s.reduction == Reduction::None) gv = g.to(DType::Float64).contiguous().to_vector<double>();
  else g0 = g.item();
  const double scale = (s.reduction == Reduction::Mean && s.n_valid > 0) ? 1.0 / s.denom : 1.0;
  const int64_t C = s.C;
  const double eps = s.eps, W = s.weight_sum;
  Tensor grad = empty(s.logits.shape(), s.logits.dtype());
  advise_huge_pages(grad);
  Tensor tgrad;
  std::vector<double> tg;
  if (s.target_grad) tg.assign(static_cast<size_t>(s.rows * C), 0.0);
  with_row_kernels(s.logits.dtype(), [&](const auto& k, auto tag) {
    using S = decltype(tag);
    using U = typename std::decay_t<decltype(k)>::Compute;
    const S* xp = raw<S>(s.logits);
    S* gp = raw<S>(grad);
    const U* w = weights_as<U>(s);
    const U* tp = s.soft ? s.probs.template data_ptr<U>() : nullptr;
    // A gradient far larger than the caches is written with non-temporal
    // stores: nobody reads it soon, and it saves reading every line first.
    const bool stream = s.rows * C * static_cast<int64_t>(sizeof(S)) >= kStreamBytes;
    parallel_rows_with_buffer<U>(s.rows, C, s.soft ? C : 0, [&](int64_t r, U* buf) {
      const S* xr = xp + r * C;
      S* out = gp + r * C;
      if (!s.valid[r]) {  // exact zeros, whatever the row holds
        std::memset(static_cast<void*>(out), 0, static_cast<size_t>(C) * sizeof(S));
        return;
      }
      const double gi = (s.reduction == Reduction::None ? gv[r] : g0) * scale;
      if (s.soft) {
        const double usum = soft_row<U>(s, tp + r * C, buf);
        k.ce_grad(xr, C, s.shift[r], s.logsum[r], gi * usum, gi, buf, -1, 0.0, out, stream);
        if (s.target_grad) {  // d/dt_c = -g (1 - eps) w_c lsm_c
          for (int64_t c = 0; c < C; ++c) {
            const double lsm = (load_value(xr + c, s.logits.dtype()) - s.shift[r]) - s.logsum[r];
            const double wc = s.weight.empty() ? 1.0 : s.weight[c];
            tg[r * C + c] = -gi * (1.0 - eps) * wc * lsm;
          }
        }
      } else {
        const int64_t y = s.target[r];
        const double wy = s.weight.empty() ? 1.0 : s.weight[y];
        const bool smooth = eps > 0.0;
        const double a = gi * ((1.0 - eps) * wy + (smooth ? eps / C * W : 0.0));
        const double b = smooth ? gi * eps / C : 0.0;
        k.ce_grad(xr, C, s.shift[r], s.logsum[r], a, b, smooth ? w : nullptr, y,
                  gi * (1.0 - eps) * wy, out, stream);
      }
    });
  });
  if (!s.soft) return {grad};
  if (s.target_grad) tgrad = from_vector<double>(tg, s.logits.shape()).to(s.target_dtype);
  return {grad, tgrad};
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& opts) {
  auto s = std::make_shared<CeState>();
  setup(*s, logits, target, opts);
  const std::vector<double> loss = forward_rows(*s);
  const DType out_dtype = compute_dtype(logits.dtype());
  Tensor out;
  if (s->reduction == Reduction::None) {
    out = from_vector<double>(loss, s->lead).to(out_dtype);
  } else {
    double total = 0.0;  // fixed order: the same result for any thread count
    for (double l : loss) total += l;
    if (s->reduction == Reduction::Mean) total = s->n_valid > 0 ? total / s->denom : 0.0;
    out = scalar_tensor(total, out_dtype);
  }
  std::vector<Tensor> inputs{logits};
  if (s->soft) inputs.push_back(target);
  if (!any_requires_grad({&logits, &target})) return out;
  return record(kOp, out, inputs, [s](const Tensor& g) { return backward_rows(*s, g); });
}

}  // namespace gradlab
