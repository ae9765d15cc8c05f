// tools/train/checkpoint.cpp — checkpoint encoding, verification and atomic writes.
#include "tools/train/checkpoint.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "datasets/io.h"
#include "tools/train/memory.h"

namespace gradlab::cli {

namespace {

constexpr char kMagic[8] = {'G', 'L', 'C', 'K', 'P', 'T', '\r', '\n'};
constexpr size_t kPrefix = 20;  // magic + version + header length

template <class T> void put(std::vector<uint8_t>& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
}
template <class T> T get(const std::vector<uint8_t>& in, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(in[at + i]) << (8 * i);
  return static_cast<T>(v);
}

uint32_t crc32_of(const uint8_t* p, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (n > 0) {  // zlib takes uInt lengths
    const uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = crc32(crc, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

[[noreturn]] void corrupt(const std::string& name, const std::string& what, size_t offset) {
  std::ostringstream os;  // (not operator+: GCC 12 -O3 warns falsely on it, -Wrestrict)
  os << "checkpoint " << name << ": " << what << " at offset " << offset;
  throw std::runtime_error(os.str());
}

DType dtype_from_name(const std::string& s, const std::string& name, size_t offset) {
  for (DType d : {DType::Bool, DType::Int64, DType::Float16, DType::BFloat16, DType::Float32, DType::Float64})
    if (s == dtype_name(d)) return d;
  corrupt(name, "unknown dtype '" + s + "'", offset);
}

}  // namespace

std::vector<uint8_t> encode_checkpoint(const Checkpoint& ckpt) {
  nlohmann::json header = ckpt.meta;
  nlohmann::json table = nlohmann::json::array();
  uint64_t offset = 0;
  std::vector<Tensor> contiguous;
  for (const auto& [key, t] : ckpt.tensors) {
    Tensor c = t.detach().contiguous();
    const uint64_t nbytes = static_cast<uint64_t>(c.numel()) * itemsize(c.dtype());
    table.push_back({{"name", key}, {"dtype", dtype_name(c.dtype())}, {"shape", c.shape()},
                     {"offset", offset}, {"nbytes", nbytes}});
    offset += nbytes;
    contiguous.push_back(c);
  }
  header["tensors"] = table;
  std::string h;
  try {
    h = header.dump();
  } catch (const nlohmann::json::exception& e) {  // e.g. a string that is not UTF-8
    throw std::runtime_error(std::string("checkpoint: cannot encode the header: ") + e.what());
  }
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  put<uint32_t>(out, kCheckpointVersion);
  put<uint64_t>(out, h.size());
  out.insert(out.end(), h.begin(), h.end());
  for (const Tensor& c : contiguous) {
    const auto* p = reinterpret_cast<const uint8_t*>(c.impl()->storage->data) +
                    c.storage_offset() * static_cast<int64_t>(itemsize(c.dtype()));
    out.insert(out.end(), p, p + static_cast<size_t>(c.numel()) * itemsize(c.dtype()));
  }
  put<uint32_t>(out, crc32_of(out.data(), out.size()));
  return out;
}

Checkpoint decode_checkpoint(const std::vector<uint8_t>& bytes, const std::string& name) {
  if (bytes.size() < kPrefix + 4) corrupt(name, "file too short (" + std::to_string(bytes.size()) + " bytes)", 0);
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) corrupt(name, "not a gradlab checkpoint (bad magic)", 0);
  const uint32_t version = get<uint32_t>(bytes, 8);
  if (version != kCheckpointVersion)
    corrupt(name,
            "format version " + std::to_string(version) + " (this gradlab reads version " +
                std::to_string(kCheckpointVersion) + (version > kCheckpointVersion ? "; written by a newer gradlab)" : ")"),
            8);
  const size_t body = bytes.size() - 4;
  const uint32_t stored = get<uint32_t>(bytes, body);
  if (crc32_of(bytes.data(), body) != stored)
    corrupt(name, "checksum mismatch (the file is damaged or truncated)", body);
  const uint64_t hlen = get<uint64_t>(bytes, 12);
  if (hlen > body - kPrefix) corrupt(name, "header length " + std::to_string(hlen) + " exceeds the file", 12);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + kPrefix, bytes.begin() + static_cast<std::ptrdiff_t>(kPrefix + hlen));
  } catch (const nlohmann::json::exception& e) {
    corrupt(name, std::string("header is not valid JSON: ") + e.what(), kPrefix);
  }
  const size_t data0 = kPrefix + hlen;
  Checkpoint ckpt;
  try {
    if (!header.is_object() || !header.contains("tensors") || !header["tensors"].is_array())
      corrupt(name, "header has no tensor table", kPrefix);
    for (const auto& entry : header["tensors"]) {
      const std::string key = entry.at("name").get<std::string>();
      const DType dt = dtype_from_name(entry.at("dtype").get<std::string>(), name, kPrefix);
      // Integers only: nlohmann's get<int64_t>() of a float such as 1e300 is
      // undefined behaviour (and of 2.5 silently 2).
      const nlohmann::json &js = entry.at("shape"), &jo = entry.at("offset"), &jn = entry.at("nbytes");
      bool integers = js.is_array() && jo.is_number_integer() && jn.is_number_integer();
      for (const auto& d : js) integers = integers && d.is_number_integer();
      if (!integers) corrupt(name, "tensor '" + key + "': shape, offset and nbytes must be integers", kPrefix);
      const Shape shape = js.get<Shape>();
      const uint64_t off = jo.get<uint64_t>(), nbytes = jn.get<uint64_t>();
      int64_t numel = 0;
      try {
        numel = shape_numel(shape, "checkpoint");
      } catch (const std::invalid_argument& e) {
        corrupt(name, "tensor '" + key + "': " + e.what(), kPrefix);
      }
      if (static_cast<uint64_t>(numel) > body || static_cast<uint64_t>(numel) * itemsize(dt) != nbytes)
        corrupt(name, "tensor '" + key + "' size does not match its shape " + shape_str(shape), kPrefix);
      if (off > body - data0 || nbytes > body - data0 - off)
        corrupt(name, "tensor '" + key + "' data lies outside the file", data0 + off);
      Tensor t = empty(shape, dt);
      if (nbytes) std::memcpy(t.impl()->storage->data, bytes.data() + data0 + off, nbytes);
      ckpt.tensors.insert(key, t);
    }
  } catch (const nlohmann::json::exception& e) {
    corrupt(name, std::string("bad tensor table: ") + e.what(), kPrefix);
  } catch (const std::invalid_argument& e) {
    corrupt(name, e.what(), kPrefix);
  }
  header.erase("tensors");
  ckpt.meta = std::move(header);
  return ckpt;
}

void write_file_atomic(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // A fresh temporary (O_EXCL through mkostemp): never a file someone else made.
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot " + what + " " + tmp + ": " + err);
  };
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) fail("set the mode of");
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) fail("flush");
  if (::close(fd) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot flush " + tmp + ": " + err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + err);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // make the rename itself durable
    ::close(dfd);
  }
}

void save_checkpoint(const Checkpoint& ckpt, const std::string& path) {
  const std::vector<uint8_t> bytes = encode_checkpoint(ckpt);
  write_file_atomic(path, std::string(bytes.begin(), bytes.end()));
}

Checkpoint load_checkpoint(const std::string& path) {
  // A regular file only (a FIFO would hang the read, /dev/zero never ends),
  // and one whose bytes, plus the tensors made from them, fit in memory.
  const data::FileHead head = data::read_file_head(path, "checkpoint", 0);
  require_memory(sat_mul(head.size, 2), "checkpoint " + path);
  AllocationScope scope("reading checkpoint " + path + " (" + human_bytes(head.size) + ")");
  return decode_checkpoint(data::read_file_bytes(path, "checkpoint", head.size), path);
}

}  // namespace gradlab::cli
