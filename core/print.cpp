// core/print.cpp — operator<< for tensors, in PyTorch's layout:
//   tensor([[ 1.0000, -2.5000],
//           [ 3.0000,  4.0000]], shape=(2,2), dtype=Float32)
// Tensors with more than 1000 elements show the first and last 3 entries of
// each dim with "..." between.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "core/autograd.h"
#include "core/internal.h"
#include "core/ops.h"

namespace gradlab {

namespace {

constexpr int64_t kSummariseAbove = 1000;
constexpr int64_t kEdge = 3;

struct Formatter {
  enum Mode { Int, Bool, Fixed, Sci } mode = Fixed;
  int width = 1;
  std::string format(double v) const {
    char buf[64];
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    switch (mode) {
      case Bool: return v != 0 ? "True" : "False";
      case Int: std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v)); break;
      case Fixed: std::snprintf(buf, sizeof buf, "%.4f", v); break;
      case Sci: std::snprintf(buf, sizeof buf, "%.4e", v); break;
    }
    return buf;
  }
};

void print_rec(std::ostream& os, const Tensor& t, const Formatter& f, int indent, bool summarise) {
  if (t.dim() == 0) {
    std::string s = f.format(t.item());
    os << std::string(static_cast<size_t>(std::max<int>(0, f.width - static_cast<int>(s.size()))), ' ') << s;
    return;
  }
  const int64_t n = t.size(0);
  os << "[";
  bool cut = summarise && n > 2 * kEdge;
  for (int64_t i = 0; i < n; ++i) {
    if (cut && i == kEdge) {
      os << (t.dim() == 1 ? "..., " : "...,\n" + std::string(static_cast<size_t>(indent + 1), ' '));
      i = n - kEdge;
    }
    print_rec(os, select(t, 0, i), f, indent + 1, summarise);
    if (i + 1 < n) {
      if (t.dim() == 1) os << ", ";
      else os << "," << std::string(static_cast<size_t>(t.dim() - 1), '\n') << std::string(static_cast<size_t>(indent + 1), ' ');
    }
  }
  os << "]";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t0) {
  if (!t0.defined()) return os << "tensor(undefined)";
  NoGradGuard no_grad;
  Tensor t = t0.detach();
  const bool summarise = t.numel() > kSummariseAbove;
  Formatter f;
  std::vector<double> v = t.to_vector<double>();
  if (t.dtype() == DType::Bool) f.mode = Formatter::Bool;
  else if (t.dtype() == DType::Int64) f.mode = Formatter::Int;
  else {
    double amax = 0, amin_nz = INFINITY;
    for (double x : v)
      if (std::isfinite(x)) {
        amax = std::max(amax, std::fabs(x));
        if (x != 0) amin_nz = std::min(amin_nz, std::fabs(x));
      }
    f.mode = (amax >= 1e8 || amin_nz < 1e-4) ? Formatter::Sci : Formatter::Fixed;
  }
  for (double x : v) f.width = std::max(f.width, static_cast<int>(f.format(x).size()));
  os << "tensor(";
  print_rec(os, t, f, 7, summarise);
  os << ", shape=" << shape_str(t0.shape()) << ", dtype=" << dtype_name(t0.dtype());
  if (t0.requires_grad()) {
    if (t0.is_leaf()) os << ", requires_grad=true";
    else os << ", grad_fn=" << t0.grad_fn_name();
  }
  return os << ")";
}

std::string to_string(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

}  // namespace gradlab
