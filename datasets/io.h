// datasets/io.h — whole-file reads and atomic writes shared by the readers,
// plus raw byte access to a tensor's elements (for memcpy-based gathers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace gradlab::data {

// The bytes of a regular file. Throws std::runtime_error
// "<who>: cannot open <path>: <reason>" if it is missing, unreadable or not a
// regular file (a directory, a FIFO, a device such as /dev/zero: refused
// without blocking or reading), and "<who>: <path> is N bytes, more than the
// limit of M" when it is larger than max_bytes (checked before reading).
std::vector<uint8_t> read_file_bytes(const std::string& path, const char* who,
                                     uint64_t max_bytes = UINT64_MAX);

// The first max_bytes bytes of a regular file (all of it if shorter) and the
// file's size, for reading a header before deciding to read the rest. Same
// errors as read_file_bytes.
struct FileHead {
  std::vector<uint8_t> bytes;
  uint64_t size = 0;  // of the whole file
};
FileHead read_file_head(const std::string& path, const char* who, std::size_t max_bytes);

// Writes `bytes` to `path` atomically: a temporary file in the same
// directory, fsync, then rename. On any failure the temporary is removed,
// `path` is untouched, and std::runtime_error names the path.
void write_file_atomic(const std::string& path, const void* bytes, std::size_t size,
                       const char* who);

// True if the file exists and is a regular file.
bool is_regular_file(const std::string& path);

// The first element's bytes of a contiguous tensor of any dtype
// (storage offset applied); nullptr when numel() == 0. Throws
// std::invalid_argument if not contiguous.
std::byte* tensor_bytes(Tensor& t);
const std::byte* tensor_bytes(const Tensor& t);

}  // namespace gradlab::data
