// core/tensor.cpp — storage, the Tensor handle, dtype conversion, factories.
#include "core/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <new>

#include "core/autograd.h"
#include "core/internal.h"
#include "core/ops.h"

namespace gradlab {

using detail::fail;

// ---- dtypes -------------------------------------------------------------------
std::size_t itemsize(DType d) {
  switch (d) {
    case DType::Bool: return 1;
    case DType::Int64: return 8;
    case DType::Float16: return 2;
    case DType::BFloat16: return 2;
    case DType::Float32: return 4;
    case DType::Float64: return 8;
  }
  return 0;
}

const char* dtype_name(DType d) {
  switch (d) {
    case DType::Bool: return "Bool";
    case DType::Int64: return "Int64";
    case DType::Float16: return "Float16";
    case DType::BFloat16: return "BFloat16";
    case DType::Float32: return "Float32";
    case DType::Float64: return "Float64";
  }
  return "?";
}

bool is_floating(DType d) {
  return d == DType::Float16 || d == DType::BFloat16 || d == DType::Float32 ||
         d == DType::Float64;
}

DType promote(DType a, DType b) {
  if (a == b) return a;
  auto rank = [](DType d) {
    switch (d) {
      case DType::Bool: return 0;
      case DType::Int64: return 1;
      case DType::Float16: return 2;
      case DType::BFloat16: return 2;
      case DType::Float32: return 3;
      case DType::Float64: return 4;
    }
    return 0;
  };
  if (rank(a) == 2 && rank(b) == 2) return DType::Float32;  // Float16 with BFloat16
  return rank(a) >= rank(b) ? a : b;
}

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + ")";
}

// ---- storage ------------------------------------------------------------------
// 64-byte alignment so vectorised kernels (AVX-512 included) load aligned rows.
Storage::Storage(std::size_t n) : nbytes(n) {
  if (n <= kInline) {
    data = inline_buf;
    return;
  }
  std::size_t rounded = (n + 63) / 64 * 64;
  data = static_cast<std::byte*>(std::aligned_alloc(64, rounded));
  if (!data) throw std::bad_alloc();
}
Storage::~Storage() {
  if (data != inline_buf) std::free(data);
}

// ---- shapes -------------------------------------------------------------------
Shape contiguous_strides(const Shape& shape) {
  Shape st = detail::take_shape();
  st.resize(shape.size());
  int64_t acc = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    st[i] = acc;
    acc *= std::max<int64_t>(shape[i], 1);
  }
  return st;
}

int64_t shape_numel(const Shape& shape, const char* op) {
  int64_t n = 1;
  for (int64_t s : shape) {
    if (s < 0) fail(op, ": negative size ", s, " in shape ", shape_str(shape));
    if (s != 0 && n > std::numeric_limits<int64_t>::max() / s)
      fail(op, ": shape ", shape_str(shape), " has more elements than int64 can count");
    n *= s;
  }
  for (int64_t s : shape)
    if (s == 0) return 0;
  return n;
}

// ---- Tensor ---------------------------------------------------------------------
void Tensor::throw_undefined() { throw std::invalid_argument("tensor: operation on an undefined Tensor"); }

int64_t Tensor::size(int64_t d) const {
  if (dim() == 0) fail("size: dim ", d, " out of range for a tensor of rank 0 (it has no dims)");
  return checked().shape[static_cast<size_t>(wrap_dim(d, dim(), "size"))];
}
int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t s : checked().shape) n *= s;
  return n;
}

bool Tensor::is_contiguous() const {
  const TensorImpl& t = checked();
  for (int64_t s : t.shape)
    if (s == 0) return true;  // no elements: any strides will do (as PyTorch)
  int64_t expected = 1;
  for (size_t i = t.shape.size(); i-- > 0;) {
    if (t.shape[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

template <class T> T* Tensor::data_ptr() {
  const TensorImpl& t = checked();
  if (dtype_of<T>() != t.dtype)
    fail("data_ptr: tensor is ", dtype_name(t.dtype), ", asked for ", dtype_name(dtype_of<T>()));
  return reinterpret_cast<T*>(t.storage->data) + t.offset;
}
template <class T> const T* Tensor::data_ptr() const {
  return const_cast<Tensor*>(this)->data_ptr<T>();
}
template uint8_t* Tensor::data_ptr<uint8_t>();
template int64_t* Tensor::data_ptr<int64_t>();
template Half* Tensor::data_ptr<Half>();
template BFloat16* Tensor::data_ptr<BFloat16>();
template float* Tensor::data_ptr<float>();
template double* Tensor::data_ptr<double>();
template const uint8_t* Tensor::data_ptr<uint8_t>() const;
template const int64_t* Tensor::data_ptr<int64_t>() const;
template const Half* Tensor::data_ptr<Half>() const;
template const BFloat16* Tensor::data_ptr<BFloat16>() const;
template const float* Tensor::data_ptr<float>() const;
template const double* Tensor::data_ptr<double>() const;

// Copies src (any dtype, any strides, broadcast to dst's shape) into dst.
static void copy_into(Tensor& dst, const Tensor& src) {
  Shape st_src = detail::broadcast_strides(src, dst.shape());
  detail::dispatch(dst.dtype(), [&]<class D>() {
    D* pd = reinterpret_cast<D*>(dst.impl()->storage->data);
    detail::dispatch(src.dtype(), [&]<class S>() {
      const S* ps = reinterpret_cast<const S*>(src.impl()->storage->data);
      detail::nd_loop<2>(dst.shape(), {dst.strides(), st_src},
                         {dst.storage_offset(), src.storage_offset()},
                         [&](std::array<int64_t, 2> o, int64_t n, std::array<int64_t, 2> s) {
                           if (s[0] == 1 && s[1] == 1) {
                             for (int64_t i = 0; i < n; ++i)
                               pd[o[0] + i] = detail::convert<D>(ps[o[1] + i]);
                           } else {
                             for (int64_t i = 0; i < n; ++i)
                               pd[o[0] + i * s[0]] = detail::convert<D>(ps[o[1] + i * s[1]]);
                           }
                         });
    });
  });
}

template <class T> std::vector<T> Tensor::to_vector() const {
  Tensor out = empty(shape(), dtype_of<T>());
  copy_into(out, *this);
  const T* p = out.data_ptr<T>();
  return std::vector<T>(p, p + out.numel());
}
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;

double Tensor::item() const {
  if (numel() != 1)
    fail("item: tensor of shape ", shape_str(shape()), " has ", numel(),
         " elements, item() needs exactly one");
  return detail::dispatch(dtype(), [&]<class T>() {
    const T* p = reinterpret_cast<const T*>(impl_->storage->data) + impl_->offset;
    return detail::to_double(*p);
  });
}

Tensor Tensor::to(DType target) const {
  if (dtype() == target) return *this;
  Tensor out = empty(shape(), target);
  copy_into(out, *this);
  // Recorded only when someone needs its gradient: internal conversions
  // (16-bit inputs computed in float32) then stay invisible, and anomaly
  // mode names the op that overflowed, not the conversion after it.
  if (is_floating(dtype()) && is_floating(target) && requires_grad() && grad_mode_enabled()) {
    const DType from = dtype();
    return record("to", out, {*this}, [from](const Tensor& g) {
      return std::vector<Tensor>{g.to(from)};
    });
  }
  return out;
}

Tensor Tensor::contiguous() const { return gradlab::contiguous(*this); }

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), dtype());
  copy_into(out, *this);
  return out;
}

Tensor& Tensor::fill_(double value) {
  copy_into(*this, scalar_tensor(value, DType::Float64));
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  if (broadcast_shapes(src.shape(), shape(), "copy_") != shape())
    fail("copy_: source ", shape_str(src.shape()), " does not broadcast to ", shape_str(shape()));
  copy_into(*this, src);
  return *this;
}

// ---- autograd members -----------------------------------------------------------

Tensor& Tensor::requires_grad_(bool on) {
  checked();
  TensorImpl& t = *impl_;
  if (on && !is_floating(t.dtype))
    fail("requires_grad_: only floating tensors can require gradients, got ",
         dtype_name(t.dtype));
  if (t.grad_fn)
    fail("requires_grad_: tensor is the output of '", t.grad_fn->name,
         "'; only leaves can be marked (use detach() first)");
  t.requires_grad = on;
  return *this;
}

bool Tensor::is_leaf() const { return checked().grad_fn == nullptr; }

void Tensor::backward(bool retain_graph) const {
  if (numel() != 1)
    fail("backward: output has shape ", shape_str(shape()),
         "; backward() without an argument needs a one-element output (pass grad_output)");
  run_backward(*this, ones(shape(), dtype()), retain_graph);
}

void Tensor::backward(const Tensor& grad_output, bool retain_graph) const {
  if (grad_output.shape() != shape())
    fail("backward: grad_output ", shape_str(grad_output.shape()), " vs output ",
         shape_str(shape()));
  run_backward(*this, grad_output, retain_graph);
}

Tensor Tensor::grad() const {
  const TensorImpl& t = checked();
  return t.grad ? Tensor(t.grad) : Tensor();
}

void Tensor::set_grad(const Tensor& g) const {
  checked();
  if (g.defined() && g.shape() != shape())
    fail("set_grad: gradient ", shape_str(g.shape()), " vs tensor ", shape_str(shape()));
  impl_->grad = g.impl();
}

void Tensor::zero_grad() const {
  checked();
  impl_->grad.reset();
}

Tensor Tensor::detach() const {
  const TensorImpl& t = checked();
  auto impl = detail::make_impl();
  impl->storage = t.storage;
  impl->offset = t.offset;
  impl->shape = detail::copy_shape(t.shape);
  impl->strides = detail::copy_shape(t.strides);
  impl->dtype = t.dtype;
  return Tensor(std::move(impl));
}

std::string Tensor::grad_fn_name() const {
  const TensorImpl& t = checked();
  return t.grad_fn ? t.grad_fn->name : "";
}

Tensor Tensor::reshape(const Shape& s) const { return gradlab::reshape(*this, s); }
Tensor Tensor::view(const Shape& s) const { return gradlab::view(*this, s); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return gradlab::transpose(*this, a, b); }
Tensor Tensor::permute(const std::vector<int64_t>& d) const { return gradlab::permute(*this, d); }
Tensor Tensor::sum() const { return gradlab::sum(*this); }
Tensor Tensor::mean() const { return gradlab::mean(*this); }
Tensor Tensor::t() const {
  if (dim() != 2) fail("t: expects a 2-D tensor, got ", shape_str(shape()));
  return gradlab::transpose(*this, 0, 1);
}

// ---- factories ------------------------------------------------------------------
Tensor empty(const Shape& shape, DType dtype) {
  int64_t n = shape_numel(shape, "empty");
  if (static_cast<uint64_t>(n) > (uint64_t{1} << 40) / itemsize(dtype))
    fail("empty: shape ", shape_str(shape), " needs ", n, " elements of ", dtype_name(dtype),
         ", more than gradlab allocates (1 TiB)");
  auto impl = detail::make_impl();
  impl->storage = detail::make_storage(static_cast<std::size_t>(n) * itemsize(dtype));
  impl->shape = detail::copy_shape(shape);
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  detail::dispatch(dtype, [&]<class T>() {
    T v = detail::from_double<T>(value);
    std::fill_n(t.data_ptr<T>(), t.numel(), v);
  });
  return t;
}
Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor zeros_like(const Tensor& x) { return zeros(x.shape(), x.dtype()); }
Tensor ones_like(const Tensor& x) { return ones(x.shape(), x.dtype()); }
Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

Tensor arange(double start, double end, double step, DType dtype) {
  if (step == 0 || !std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step))
    fail("arange: start ", start, ", end ", end, ", step ", step, " (step must be non-zero, all finite)");
  double count = std::ceil((end - start) / step);
  int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  Tensor t = empty({n}, dtype);
  detail::dispatch(dtype, [&]<class T>() {
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = detail::from_double<T>(start + step * static_cast<double>(i));
  });
  return t;
}
Tensor arange(int64_t end, DType dtype) { return arange(0.0, static_cast<double>(end), 1.0, dtype); }

template <class T> Tensor from_vector(const std::vector<T>& values, Shape shape) {
  int64_t n = shape_numel(shape, "from_vector");
  if (n != static_cast<int64_t>(values.size()))
    fail("from_vector: ", values.size(), " values for shape ", shape_str(shape), " (", n,
         " elements)");
  Tensor t = empty(shape, dtype_of<T>());
  if constexpr (std::is_same_v<T, bool>) {
    uint8_t* p = t.data_ptr<uint8_t>();
    for (int64_t i = 0; i < n; ++i) p[i] = values[static_cast<size_t>(i)] ? 1 : 0;
  } else {
    std::copy(values.begin(), values.end(), t.data_ptr<T>());
  }
  return t;
}
template Tensor from_vector<uint8_t>(const std::vector<uint8_t>&, Shape);
template Tensor from_vector<bool>(const std::vector<bool>&, Shape);
template Tensor from_vector<int64_t>(const std::vector<int64_t>&, Shape);
template Tensor from_vector<float>(const std::vector<float>&, Shape);
template Tensor from_vector<double>(const std::vector<double>&, Shape);

// ---- detail helpers -------------------------------------------------------------
namespace detail {
Shape broadcast_strides(const Tensor& x, const Shape& out) {
  const Shape& s = x.shape();
  const Shape& st = x.strides();
  Shape r(out.size(), 0);
  size_t off = out.size() - s.size();
  for (size_t i = 0; i < s.size(); ++i) r[off + i] = (s[i] == 1 && out[off + i] != 1) ? 0 : st[i];
  return r;
}
void require_defined(const Tensor& x, const char* op) {
  if (!x.defined()) fail(op, ": got an undefined Tensor");
}
void require_floating(const Tensor& x, const char* op) {
  require_defined(x, op);
  if (!is_floating(x.dtype()))
    fail(op, ": expects a floating tensor (Float16, BFloat16, Float32, Float64), got ",
         dtype_name(x.dtype()), " of shape ", shape_str(x.shape()));
}
}  // namespace detail

}  // namespace gradlab
