// datasets/gzip.h — streaming gzip decompression (zlib) of an in-memory
// buffer, for readers of .gz files. Readers pull as many bytes as their
// format header says they need, so a small corrupt file can never make us
// inflate (or allocate) gigabytes: there is no "decompress everything first".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gradlab::data {

// True if the buffer starts with the gzip magic bytes 0x1f 0x8b.
bool is_gzip(const uint8_t* data, std::size_t size);

// Decompresses a gzip buffer (one or more concatenated members) on demand.
// `data` must outlive the reader; `name` (usually the file path) is used in
// error messages. Corrupt or truncated input throws std::runtime_error
// "gzip: <name>: <what> at compressed offset <k>".
class GzipReader {
 public:
  GzipReader(const uint8_t* data, std::size_t size, std::string name);
  ~GzipReader();
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Decompresses up to `want` bytes into dst. Returns the number written:
  // fewer than `want` only when the compressed stream has ended cleanly.
  std::size_t read(uint8_t* dst, std::size_t want);
  // Decompressed bytes handed out so far.
  uint64_t position() const { return produced_; }

 private:
  struct Stream;  // wraps z_stream
  std::unique_ptr<Stream> stream_;
  const uint8_t* data_;
  std::size_t size_;
  std::size_t consumed_ = 0;  // compressed bytes given to zlib
  uint64_t produced_ = 0;
  bool finished_ = false;
  std::string name_;
};

// The whole decompressed content of a gzip buffer. Throws std::runtime_error
// if it is corrupt, truncated, or would exceed max_bytes (a decompression
// bomb guard).
std::vector<uint8_t> gunzip(const uint8_t* data, std::size_t size, const std::string& name,
                            std::size_t max_bytes);

}  // namespace gradlab::data
