// datasets/io.cpp — see io.h.
#include "datasets/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/dtype.h"

namespace gradlab::data {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

namespace {

// Opens `path` for reading if it is a regular file (without blocking on a
// FIFO), filling `st`. Errors as documented for read_file_bytes.
void open_regular(Fd& f, const std::string& path, const char* who, struct stat& st) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (f.fd < 0) {
    throw std::runtime_error(std::string(who) + ": cannot open " + path + ": " + errno_text(errno));
  }
  if (::fstat(f.fd, &st) != 0) {
    throw std::runtime_error(std::string(who) + ": cannot stat " + path + ": " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw std::runtime_error(std::string(who) + ": cannot open " + path + ": not a regular file");
  }
  const int flags = ::fcntl(f.fd, F_GETFL);
  if (flags < 0 || ::fcntl(f.fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string(who) + ": cannot read " + path + ": " + errno_text(errno));
  }
}

// Appends up to `limit` bytes read from f to `bytes`; true if the file ended.
bool read_into(const Fd& f, std::vector<uint8_t>& bytes, uint64_t limit, const std::string& path,
               const char* who) {
  uint8_t chunk[1 << 16];
  while (bytes.size() < limit) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<uint64_t>(sizeof chunk, limit - bytes.size()));
    const ssize_t n = ::read(f.fd, chunk, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string(who) + ": cannot read " + path + ": " +
                               errno_text(errno));
    }
    if (n == 0) return true;
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  return false;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path, const char* who, uint64_t max_bytes) {
  Fd f;
  struct stat st {};
  open_regular(f, path, who, st);
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    throw std::runtime_error(std::string(who) + ": " + path + " is " + std::to_string(st.st_size) +
                             " bytes, more than the limit of " + std::to_string(max_bytes));
  }
  std::vector<uint8_t> bytes;
  bytes.reserve(static_cast<std::size_t>(st.st_size));
  const uint64_t limit = max_bytes == UINT64_MAX ? max_bytes : max_bytes + 1;
  read_into(f, bytes, limit, path, who);
  if (bytes.size() > max_bytes) {  // the file grew while being read
    throw std::runtime_error(std::string(who) + ": " + path + " grew beyond the limit of " +
                             std::to_string(max_bytes) + " bytes while being read");
  }
  return bytes;
}

FileHead read_file_head(const std::string& path, const char* who, std::size_t max_bytes) {
  Fd f;
  struct stat st {};
  open_regular(f, path, who, st);
  FileHead head;
  head.size = static_cast<uint64_t>(st.st_size);
  read_into(f, head.bytes, max_bytes, path, who);
  return head;
}

void write_file_atomic(const std::string& path, const void* bytes, std::size_t size,
                       const char* who) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const char* what) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(std::string(who) + ": cannot " + what + " " + path + ": " +
                             errno_text(err));
  };
  {
    Fd f;
    f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f.fd < 0) {
      int err = errno;
      throw std::runtime_error(std::string(who) + ": cannot write " + path + ": " +
                               errno_text(err));
    }
    const auto* p = static_cast<const uint8_t*>(bytes);
    std::size_t left = size;
    while (left > 0) {
      ssize_t n = ::write(f.fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("write");
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    if (::fsync(f.fd) != 0) fail("fsync");
    int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0) fail("close");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename into");
}

const std::byte* tensor_bytes(const Tensor& t) {
  if (!t.defined()) throw std::invalid_argument("tensor_bytes: undefined tensor");
  if (t.numel() == 0) return nullptr;  // nothing to address (and any strides are fine)
  if (!t.is_contiguous()) {
    throw std::invalid_argument("tensor_bytes: tensor of shape " + shape_str(t.shape()) +
                                " is not contiguous");
  }
  const TensorImpl& impl = *t.impl();
  if (!impl.storage || impl.storage->data == nullptr) return nullptr;
  return impl.storage->data + static_cast<std::size_t>(impl.offset) * itemsize(impl.dtype);
}

std::byte* tensor_bytes(Tensor& t) {
  return const_cast<std::byte*>(tensor_bytes(static_cast<const Tensor&>(t)));
}

}  // namespace gradlab::data
