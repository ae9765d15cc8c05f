// datasets/idx.cpp — IDX (MNIST format) reader; see idx.h for the format.
//
// The bytes come either straight from memory or through a GzipReader. Both go
// through one ByteSource so the header checks are written once. Before any
// allocation the header's element count is checked: against the file length
// for raw files; for gzipped files (whose true length is unknown until
// inflated) the buffer only grows as decompressed bytes actually arrive.
#include "datasets/idx.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include "datasets/gzip.h"
#include "datasets/io.h"

namespace gradlab::data {

namespace {

constexpr uint8_t kUnsignedByte = 0x08;
// Refuse headers claiming more than 2^31 elements (2 GiB of bytes, 8 GiB
// as float32): far beyond any dataset this reader is for.
constexpr uint64_t kMaxElements = uint64_t{1} << 31;
constexpr uint8_t kMaxIdxDims = 8;

enum class Kind { Images, Labels };
const char* kind_name(Kind k) { return k == Kind::Images ? "images" : "labels"; }
uint8_t kind_ndim(Kind k) { return k == Kind::Images ? 3 : 1; }

std::string hex(uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llX", digits, static_cast<unsigned long long>(v));
  return buf;
}

// Raw bytes or a gzip stream, read front to back.
class ByteSource {
 public:
  ByteSource(const std::vector<uint8_t>& bytes, const std::string& name) : bytes_(bytes) {
    if (is_gzip(bytes.data(), bytes.size())) {
      gz_ = std::make_unique<GzipReader>(bytes.data(), bytes.size(), name);
    }
  }
  bool gzipped() const { return gz_ != nullptr; }
  uint64_t position() const { return pos_; }
  // Bytes left, known only for raw input.
  std::optional<uint64_t> remaining() const {
    if (gz_) return std::nullopt;
    return bytes_.size() - pos_;
  }
  // Raw input only: a pointer to the next n bytes (caller checked remaining()).
  const uint8_t* take(uint64_t n) {
    const uint8_t* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::size_t read(uint8_t* dst, std::size_t n) {
    std::size_t got;
    if (gz_) {
      got = gz_->read(dst, n);
    } else {
      got = std::min<std::size_t>(n, bytes_.size() - pos_);
      if (got > 0) std::memcpy(dst, bytes_.data() + pos_, got);
    }
    pos_ += got;
    return got;
  }

 private:
  const std::vector<uint8_t>& bytes_;
  std::unique_ptr<GzipReader> gz_;
  uint64_t pos_ = 0;
};

// The checked header and the element bytes of one IDX file.
struct IdxContent {
  Shape dims;
  const uint8_t* data = nullptr;  // dims' product bytes
  std::vector<uint8_t> inflated;  // owns the data for gzipped input
  uint64_t data_offset = 0;
};

// header_only: stop after the header (dims and data_offset filled, no data);
// for sizing a load from a file's first bytes.
IdxContent read_idx(const std::vector<uint8_t>& bytes, const std::string& name, Kind kind,
                    bool header_only = false) {
  ByteSource src(bytes, name);
  const std::string where = src.gzipped() ? " (decompressed)" : "";
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("idx: " + name + ": " + what);
  };
  const uint8_t want_ndim = kind_ndim(kind);
  const uint32_t want_magic = (uint32_t{kUnsignedByte} << 8) | want_ndim;

  // ---- magic: 00 00 <dtype> <ndim> ----
  std::array<uint8_t, 4> m{};
  std::size_t got = src.read(m.data(), 4);
  if (got < 4) {
    fail("truncated header: " + std::to_string(got) + " bytes" + where +
         ", expected a 4-byte magic number at offset 0 (expected " + hex(want_magic, 8) + " for " +
         kind_name(kind) + ")");
  }
  const uint32_t magic =
      (uint32_t{m[0]} << 24) | (uint32_t{m[1]} << 16) | (uint32_t{m[2]} << 8) | m[3];
  const bool known_dtype =
      m[2] == 0x08 || m[2] == 0x09 || m[2] == 0x0B || m[2] == 0x0C || m[2] == 0x0D || m[2] == 0x0E;
  // Not an IDX file at all (text, another format, a swapped byte order)
  // rather than an IDX file of the wrong kind.
  if (m[0] != 0 || m[1] != 0 || !known_dtype || m[3] == 0 || m[3] > kMaxIdxDims) {
    fail("bad magic " + hex(magic, 8) + " at offset 0" + where + " (expected " +
         hex(want_magic, 8) + " for " + kind_name(kind) + ")");
  }
  if (m[2] != kUnsignedByte) {
    fail("wrong dtype code " + hex(m[2], 2) + " at offset 2" + where + " (expected " +
         hex(kUnsignedByte, 2) + ", unsigned byte, for " + kind_name(kind) + ")");
  }
  if (m[3] != want_ndim) {
    std::string hint;
    if (kind == Kind::Images && m[3] == 1) hint = ": is this a labels file?";
    if (kind == Kind::Labels && m[3] == 3) hint = ": is this an images file?";
    fail("wrong number of dimensions " + std::to_string(m[3]) + " at offset 3" + where +
         " (expected " + std::to_string(want_ndim) + " for " + kind_name(kind) + hint + ")");
  }

  // ---- sizes: ndim big-endian uint32 ----
  IdxContent out;
  std::array<uint8_t, 12> d{};
  const std::size_t dim_bytes = 4u * want_ndim;
  got = src.read(d.data(), dim_bytes);
  if (got < dim_bytes) {
    fail("truncated header: ends at offset " + std::to_string(4 + got) + where + ", expected " +
         std::to_string(want_ndim) + " sizes up to offset " + std::to_string(4 + dim_bytes));
  }
  uint64_t count = 1, span = 1;  // span: product of max(size, 1), bounds the strides
  bool overflow = false;
  std::string dims_text;
  for (std::size_t i = 0; i < want_ndim; ++i) {
    const uint32_t v = (uint32_t{d[4 * i]} << 24) | (uint32_t{d[4 * i + 1]} << 16) |
                       (uint32_t{d[4 * i + 2]} << 8) | d[4 * i + 3];
    out.dims.push_back(static_cast<int64_t>(v));
    if (i > 0) dims_text += 'x';
    dims_text += std::to_string(v);
    overflow = overflow || __builtin_mul_overflow(count, uint64_t{v}, &count);
    overflow = overflow || __builtin_mul_overflow(span, uint64_t{v > 0 ? v : 1u}, &span);
  }
  if (overflow || span > kMaxElements) {
    fail("absurd dims " + dims_text + " at offset 4" + where + ": " +
         (overflow ? std::string("element count overflows 64 bits")
                   : std::to_string(span) + " elements exceeds the limit of " +
                         std::to_string(kMaxElements)));
  }
  if (kind == Kind::Images && (out.dims[1] == 0 || out.dims[2] == 0)) {
    fail("image size " + std::to_string(out.dims[1]) + "x" + std::to_string(out.dims[2]) +
         " at offset 8" + where + ": rows and cols must be positive");
  }

  // ---- data ----
  out.data_offset = src.position();
  if (header_only) return out;
  const std::string header_says = "header says " + dims_text + " = " + std::to_string(count) +
                                  " bytes of data from offset " + std::to_string(out.data_offset);
  if (auto left = src.remaining()) {
    if (*left < count) {
      fail("truncated: " + header_says + ", but the file has only " + std::to_string(*left) +
           " (ends at offset " + std::to_string(bytes.size()) + ")");
    }
    if (*left > count) {
      fail(std::to_string(*left - count) + " unexpected bytes after the data at offset " +
           std::to_string(out.data_offset + count) + " (" + header_says + ")");
    }
    out.data = src.take(count);
    return out;
  }
  // gzip: grow the buffer only as real bytes arrive.
  const uint64_t chunk = uint64_t{1} << 20;
  while (out.inflated.size() < count) {
    const std::size_t have = out.inflated.size();
    const std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(chunk, count - have));
    out.inflated.resize(have + want);
    const std::size_t n = src.read(out.inflated.data() + have, want);
    if (n < want) {
      fail("truncated: " + header_says + where + ", but the stream ends after " +
           std::to_string(have + n) + " (at offset " + std::to_string(src.position()) + ")");
    }
  }
  uint8_t extra = 0;
  if (src.read(&extra, 1) == 1) {
    fail("unexpected bytes after the data at offset " + std::to_string(src.position() - 1) + where +
         " (" + header_says + ")");
  }
  out.data = out.inflated.data();
  return out;
}

std::vector<std::string> numbered_names(int64_t n) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < n; ++i) names.push_back(std::to_string(i));
  return names;
}

}  // namespace

Tensor parse_idx_images(const std::vector<uint8_t>& bytes, const std::string& name, bool scale) {
  IdxContent c = read_idx(bytes, name, Kind::Images);
  Tensor out = empty(c.dims, DType::Float32);
  float table[256];
  for (int v = 0; v < 256; ++v) {
    table[v] = scale ? static_cast<float>(v) / 255.0f : static_cast<float>(v);
  }
  float* dst = out.data_ptr<float>();
  const int64_t n = out.numel();
  for (int64_t i = 0; i < n; ++i) dst[i] = table[c.data[i]];
  return out;
}

Tensor parse_idx_labels(const std::vector<uint8_t>& bytes, const std::string& name) {
  IdxContent c = read_idx(bytes, name, Kind::Labels);
  Tensor out = empty(c.dims, DType::Int64);
  int64_t* dst = out.data_ptr<int64_t>();
  const int64_t n = out.numel();
  for (int64_t i = 0; i < n; ++i) dst[i] = c.data[i];
  return out;
}

IdxHeader read_idx_header(const std::string& path, bool images) {
  // Enough compressed bytes for any real gzip header plus 16 inflated bytes.
  FileHead head = read_file_head(path, "idx", std::size_t{1} << 20);
  IdxHeader h;
  h.file_bytes = head.size;
  h.gzipped = is_gzip(head.bytes.data(), head.bytes.size());
  h.dims = read_idx(head.bytes, path, images ? Kind::Images : Kind::Labels, true).dims;
  return h;
}

Tensor load_idx_images(const std::string& path, bool scale) {
  return parse_idx_images(read_file_bytes(path, "idx"), path, scale);
}

Tensor load_idx_labels(const std::string& path) {
  return parse_idx_labels(read_file_bytes(path, "idx"), path);
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 const IdxOptions& opts) {
  if (opts.num_classes < 0 || opts.num_classes > 256) {
    throw std::invalid_argument("load_idx: num_classes " + std::to_string(opts.num_classes) +
                                " must be in [0, 256] (0 = from the labels)");
  }
  Dataset d;
  d.labels = load_idx_labels(labels_path);
  d.features = load_idx_images(images_path, opts.scale);
  const int64_t n_images = d.features.shape()[0], n_labels = d.labels.shape()[0];
  if (n_images != n_labels) {
    throw std::runtime_error("idx: image/label count mismatch: " + images_path + " has " +
                             std::to_string(n_images) + " images, " + labels_path + " has " +
                             std::to_string(n_labels) + " labels");
  }
  const int64_t* y = d.labels.data_ptr<int64_t>();
  int64_t max_label = -1;
  for (int64_t i = 0; i < n_labels; ++i) {
    if (opts.num_classes > 0 && y[i] >= opts.num_classes) {
      throw std::runtime_error("idx: " + labels_path + ": label " + std::to_string(y[i]) +
                               " at offset " + std::to_string(8 + i) + " is out of range for " +
                               std::to_string(opts.num_classes) + " classes");
    }
    max_label = std::max(max_label, y[i]);
  }
  d.num_classes = opts.num_classes > 0 ? opts.num_classes : max_label + 1;
  if (!opts.class_names.empty() && static_cast<int64_t>(opts.class_names.size()) != d.num_classes) {
    throw std::invalid_argument("load_idx: " + std::to_string(opts.class_names.size()) +
                                " class names for " + std::to_string(d.num_classes) + " classes");
  }
  d.class_names = opts.class_names.empty() ? numbered_names(d.num_classes) : opts.class_names;
  return d;
}

std::string find_mnist_file(const std::string& dir, Split split, const std::string& kind) {
  if (kind != "images" && kind != "labels") {
    throw std::invalid_argument("find_mnist_file: kind must be \"images\" or \"labels\", got \"" +
                                kind + "\"");
  }
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  const std::string stem = kind == "images" ? "idx3-ubyte" : "idx1-ubyte";
  const std::vector<std::string> names = {
      prefix + "-" + kind + "-" + stem + ".gz", prefix + "-" + kind + "-" + stem,
      prefix + "-" + kind + "." + stem + ".gz", prefix + "-" + kind + "." + stem};
  std::string base = dir.empty() ? "." : dir;
  if (base.back() != '/') base += '/';
  for (const auto& n : names) {
    if (is_regular_file(base + n)) return base + n;
  }
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
  throw std::runtime_error("idx: no " + prefix + " " + kind + " file in " + dir +
                           ": expected one of " + list);
}

Dataset load_mnist_dir(const std::string& dir, Split split, const IdxOptions& opts) {
  const std::string images = find_mnist_file(dir, split, "images");
  const std::string labels = find_mnist_file(dir, split, "labels");
  return load_idx(images, labels, opts);
}

Dataset load_fashion_mnist(const std::string& dir, Split split, bool scale) {
  IdxOptions opts;
  opts.scale = scale;
  opts.num_classes = 10;
  opts.class_names = fashion_mnist_class_names();
  try {
    return load_mnist_dir(dir, split, opts);
  } catch (const std::runtime_error& e) {
    if (dir == kFashionMnistDir && std::string(e.what()).find("idx: no ") == 0) {
      throw std::runtime_error(std::string(e.what()) +
                               " (install the Debian package dataset-fashion-mnist, e.g. with "
                               "scripts/install-deps.sh)");
    }
    throw;
  }
}

Dataset load_fashion_mnist(Split split, bool scale) {
  return load_fashion_mnist(kFashionMnistDir, split, scale);
}

}  // namespace gradlab::data
