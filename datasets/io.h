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
// "<who>: cannot open <path>: <reason>" if it is missing, unreadable or a
// directory.
std::vector<uint8_t> read_file_bytes(const std::string& path, const char* who);

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
