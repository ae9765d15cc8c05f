// datasets/npy.cpp — see npy.h. The header dict is read by a tiny parser
// that accepts exactly the three keys NumPy writes (as numpy's own reader
// does), never by anything like eval.
#include "datasets/npy.h"

#include <bit>
#include <cstring>
#include <stdexcept>

#include "core/dtype.h"
#include "datasets/io.h"

namespace gradlab::data {

static_assert(std::endian::native == std::endian::little,
              "the .npy reader assumes a little-endian host");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLen = 6;
constexpr std::size_t kMaxHeader = 1 << 20;  // numpy refuses > 10000 by default
constexpr std::size_t kMaxDims = 64;

// A NumPy element type we can read: its size, whether it is a (signed)
// integer to widen to Int64, and the dtype it loads as.
struct NpyType {
  DType dtype = DType::Float32;
  std::size_t size = 4;
  bool widen = false;  // small integer -> Int64
  bool is_signed = true;
};

struct Header {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
  std::size_t data_offset = 0;
};

// Parses the dict literal of a .npy header. `base` is the file offset of
// text[0], for error messages.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, std::size_t base, const std::string& name)
      : t_(text), base_(base), name_(name) {}

  Header parse() {
    Header h;
    bool have_descr = false, have_fortran = false, have_shape = false;
    ws();
    expect('{');
    for (;;) {
      ws();
      if (peek() == '}') {
        ++p_;
        break;
      }
      const std::size_t key_at = p_;
      std::string key = string_literal();
      ws();
      expect(':');
      ws();
      if (key == "descr") {
        if (have_descr) fail(key_at, "duplicate key 'descr'");
        have_descr = true;
        if (peek() != '\'' && peek() != '"') {
          fail(p_,
               "unsupported dtype: 'descr' is not a simple type string (structured arrays are not "
               "supported)");
        }
        h.descr = string_literal();
      } else if (key == "fortran_order") {
        if (have_fortran) fail(key_at, "duplicate key 'fortran_order'");
        have_fortran = true;
        if (word("True")) {
          h.fortran_order = true;
        } else if (word("False")) {
          h.fortran_order = false;
        } else {
          fail(p_, "fortran_order must be True or False");
        }
      } else if (key == "shape") {
        if (have_shape) fail(key_at, "duplicate key 'shape'");
        have_shape = true;
        h.shape = shape_tuple();
      } else {
        fail(key_at, "unexpected key '" + key + "' in header");
      }
      ws();
      if (peek() == ',') {
        ++p_;
      } else if (peek() != '}') {
        fail(p_, "expected ',' or '}' in header dict");
      }
    }
    ws();
    if (p_ != t_.size()) fail(p_, "unexpected text after the header dict");
    if (!have_descr || !have_fortran || !have_shape) {
      fail(0, std::string("header lacks key '") +
                  (!have_descr     ? "descr"
                   : !have_fortran ? "fortran_order"
                                   : "shape") +
                  "'");
    }
    return h;
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& what) const {
    throw std::runtime_error("npy: " + name_ + ": bad header: " + what + " at offset " +
                             std::to_string(base_ + at));
  }
  char peek() const { return p_ < t_.size() ? t_[p_] : '\0'; }
  void ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\t')) ++p_;
  }
  void expect(char c) {
    if (peek() != c) fail(p_, std::string("expected '") + c + "'");
    ++p_;
  }
  bool word(const char* w) {
    const std::size_t n = std::strlen(w);
    if (t_.compare(p_, n, w) != 0) return false;
    p_ += n;
    return true;
  }
  std::string string_literal() {
    const char q = peek();
    if (q != '\'' && q != '"') fail(p_, "expected a quoted string");
    const std::size_t start = ++p_;
    while (p_ < t_.size() && t_[p_] != q) {
      if (t_[p_] == '\\') fail(p_, "escapes in strings are not supported");
      ++p_;
    }
    if (p_ >= t_.size()) fail(start - 1, "unterminated string");
    return t_.substr(start, p_++ - start);
  }
  Shape shape_tuple() {
    Shape shape;
    expect('(');
    for (;;) {
      ws();
      if (peek() == ')') {
        ++p_;
        return shape;
      }
      const std::size_t at = p_;
      if (peek() < '0' || peek() > '9') fail(at, "shape must be a tuple of non-negative integers");
      int64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (__builtin_mul_overflow(v, int64_t{10}, &v) ||
            __builtin_add_overflow(v, int64_t{peek() - '0'}, &v)) {
          fail(at, "shape entry does not fit in 64 bits");
        }
        ++p_;
      }
      if (peek() == 'L') ++p_;  // Python 2 long literal
      shape.push_back(v);
      if (shape.size() > kMaxDims)
        fail(at, "more than " + std::to_string(kMaxDims) + " dimensions");
      ws();
      if (peek() == ',') {
        ++p_;
      } else if (peek() != ')') {
        fail(p_, "expected ',' or ')' in shape");
      }
    }
  }

  const std::string& t_;
  std::size_t base_;
  const std::string& name_;
  std::size_t p_ = 0;
};

NpyType lookup_descr(const std::string& descr, const std::string& name, std::size_t at) {
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("npy: " + name + ": " + what + " at offset " + std::to_string(at));
  };
  if (descr.size() != 3) {
    fail("unsupported dtype '" + descr +
         "' (supported: <f4 <f8 <i8 <f2 |b1, and <i1..<i4 |u1..<u4)");
  }
  const char order = descr[0];
  const std::string code = descr.substr(1);
  const bool one_byte = code == "b1" || code == "u1" || code == "i1";
  if (order == '>' && !one_byte) {
    fail("big-endian dtype '" + descr + "' is not supported (save with arr.astype('<" + code +
         "'))");
  }
  if (order != '<' && order != '|' && order != '=' && !(order == '>' && one_byte)) {
    fail("bad byte-order character in dtype '" + descr + "'");
  }
  if (code == "f4") return {DType::Float32, 4, false, true};
  if (code == "f8") return {DType::Float64, 8, false, true};
  if (code == "i8") return {DType::Int64, 8, false, true};
  if (code == "f2") return {DType::Float16, 2, false, true};
  if (code == "b1") return {DType::Bool, 1, false, false};
  if (code == "i1") return {DType::Int64, 1, true, true};
  if (code == "i2") return {DType::Int64, 2, true, true};
  if (code == "i4") return {DType::Int64, 4, true, true};
  if (code == "u1") return {DType::Int64, 1, true, false};
  if (code == "u2") return {DType::Int64, 2, true, false};
  if (code == "u4") return {DType::Int64, 4, true, false};
  fail("unsupported dtype '" + descr + "' (supported: <f4 <f8 <i8 <f2 |b1, and <i1..<i4 |u1..<u4)");
  return {};
}

template <class T>
void widen(const uint8_t* src, int64_t n, int64_t* dst) {
  for (int64_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, src + static_cast<std::size_t>(i) * sizeof(T), sizeof(T));
    dst[i] = static_cast<int64_t>(v);
  }
}

const char* descr_for(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return "<f4";
    case DType::Float64:
      return "<f8";
    case DType::Int64:
      return "<i8";
    case DType::Float16:
      return "<f2";
    case DType::Bool:
      return "|b1";
    case DType::BFloat16:
      break;
  }
  throw std::invalid_argument(
      "save_npy: BFloat16 has no NumPy dtype; convert first, e.g. x.to(DType::Float32)");
}

}  // namespace

Tensor parse_npy(const std::vector<uint8_t>& bytes, const std::string& name) {
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("npy: " + name + ": " + what);
  };
  const std::size_t size = bytes.size();
  if (size < kMagicLen + 2 || std::memcmp(bytes.data(), kMagic, kMagicLen) != 0) {
    fail("bad magic at offset 0 (expected \\x93NUMPY; file has " + std::to_string(size) +
         " bytes)");
  }
  const uint8_t major = bytes[6], minor = bytes[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    fail("unsupported format version " + std::to_string(major) + "." + std::to_string(minor) +
         " at offset 6 (supported: 1.0, 2.0, 3.0)");
  }
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  if (size < 8 + len_bytes) fail("truncated: header length field at offset 8 runs past the end");
  std::size_t header_len = 0;
  for (std::size_t i = 0; i < len_bytes; ++i) header_len |= std::size_t{bytes[8 + i]} << (8 * i);
  const std::size_t header_start = 8 + len_bytes;
  if (header_len > kMaxHeader) {
    fail("header length " + std::to_string(header_len) + " at offset 8 exceeds the limit of " +
         std::to_string(kMaxHeader));
  }
  if (header_len > size - header_start) {
    fail("truncated: header of " + std::to_string(header_len) + " bytes from offset " +
         std::to_string(header_start) + " runs past the end of the file (" + std::to_string(size) +
         " bytes)");
  }
  const std::string text(reinterpret_cast<const char*>(bytes.data()) + header_start, header_len);
  Header h = HeaderParser(text, header_start, name).parse();
  h.data_offset = header_start + header_len;
  const NpyType type = lookup_descr(h.descr, name, header_start);
  if (h.fortran_order) {
    fail("fortran_order True is not supported at offset " + std::to_string(header_start) +
         " (save a C-ordered array: np.save(path, np.ascontiguousarray(a)))");
  }

  // ---- element count, checked against the bytes actually present ----
  // The product of the non-zero sizes must fit too: a (0, 2^40, 2^40) array
  // has no elements but its strides would still overflow.
  uint64_t count = 1, span = 1;
  bool overflow = false;
  for (int64_t d : h.shape) {
    overflow = overflow || __builtin_mul_overflow(count, static_cast<uint64_t>(d), &count);
    overflow =
        overflow || __builtin_mul_overflow(span, static_cast<uint64_t>(d > 0 ? d : 1), &span);
  }
  uint64_t need = 0;
  overflow = overflow || __builtin_mul_overflow(count, uint64_t{8}, &need) ||
             span > static_cast<uint64_t>(INT64_MAX) / 8;
  if (overflow) {
    fail("absurd shape " + shape_str(h.shape) + " at offset " + std::to_string(header_start) +
         ": element count overflows 64 bits");
  }
  need = count * type.size;
  const uint64_t have = size - h.data_offset;
  if (have < need) {
    fail("truncated data: shape " + shape_str(h.shape) + " of '" + h.descr + "' needs " +
         std::to_string(need) + " bytes from offset " + std::to_string(h.data_offset) +
         ", the file has " + std::to_string(have));
  }
  if (have > need) {
    fail(std::to_string(have - need) + " unexpected bytes after the data at offset " +
         std::to_string(h.data_offset + need));
  }

  Tensor out = empty(h.shape, type.dtype);
  const uint8_t* src = bytes.data() + h.data_offset;
  const int64_t n = static_cast<int64_t>(count);
  if (n == 0) return out;
  if (type.dtype == DType::Bool) {
    uint8_t* dst = out.data_ptr<uint8_t>();
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i] != 0;  // keep Bool's 0/1 invariant
  } else if (type.widen) {
    int64_t* dst = out.data_ptr<int64_t>();
    if (type.is_signed) {
      if (type.size == 1) widen<int8_t>(src, n, dst);
      if (type.size == 2) widen<int16_t>(src, n, dst);
      if (type.size == 4) widen<int32_t>(src, n, dst);
    } else {
      if (type.size == 1) widen<uint8_t>(src, n, dst);
      if (type.size == 2) widen<uint16_t>(src, n, dst);
      if (type.size == 4) widen<uint32_t>(src, n, dst);
    }
  } else {
    std::memcpy(tensor_bytes(out), src, static_cast<std::size_t>(need));
  }
  return out;
}

Tensor load_npy(const std::string& path) { return parse_npy(read_file_bytes(path, "npy"), path); }

std::vector<uint8_t> serialize_npy(const Tensor& x) {
  if (!x.defined()) throw std::invalid_argument("save_npy: undefined tensor");
  const char* descr = descr_for(x.dtype());
  const Shape& shape = x.shape();
  // Exactly numpy 1.24's format._write_array_header: sorted keys, Python
  // reprs, spare spaces for growing the first axis, then padding to 64.
  std::string shape_repr = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    shape_repr += (i ? ", " : "") + std::to_string(shape[i]);
  }
  shape_repr += shape.size() == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape_repr + ", }";
  if (!shape.empty()) {
    const std::size_t digits = std::to_string(shape[0]).size();
    header.append(digits < 21 ? 21 - digits : 0, ' ');
  }
  const std::size_t hlen = header.size() + 1;  // + '\n'
  uint8_t major = 1;
  std::size_t len_bytes = 2;
  std::size_t pad = 64 - ((kMagicLen + 2 + len_bytes + hlen) % 64);
  if (hlen + pad > 65535) {
    major = 2;
    len_bytes = 4;
    pad = 64 - ((kMagicLen + 2 + len_bytes + hlen) % 64);
  }
  const std::size_t total_header = hlen + pad;
  const Tensor c = x.contiguous();
  const std::size_t data_bytes = static_cast<std::size_t>(c.numel()) * itemsize(c.dtype());

  // Built with memcpy into a presized buffer (vector::insert of a char range
  // trips a GCC 12 -Wstringop-overflow false positive).
  const std::size_t prefix = kMagicLen + 2 + len_bytes;
  std::vector<uint8_t> out(prefix + total_header + data_bytes, uint8_t{' '});
  std::memcpy(out.data(), kMagic, kMagicLen);
  out[kMagicLen] = major;
  out[kMagicLen + 1] = 0;
  for (std::size_t i = 0; i < len_bytes; ++i) {
    out[kMagicLen + 2 + i] = static_cast<uint8_t>(total_header >> (8 * i));
  }
  std::memcpy(out.data() + prefix, header.data(), header.size());
  out[prefix + total_header - 1] = '\n';  // the padding in between stays ' '
  if (data_bytes > 0) {
    std::memcpy(out.data() + prefix + total_header, tensor_bytes(c), data_bytes);
  }
  return out;
}

void save_npy(const std::string& path, const Tensor& x) {
  const std::vector<uint8_t> bytes = serialize_npy(x);
  write_file_atomic(path, bytes.data(), bytes.size(), "save_npy");
}

}  // namespace gradlab::data
