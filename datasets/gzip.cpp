// datasets/gzip.cpp — see gzip.h. A thin loop around zlib's inflate().
#include "datasets/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace gradlab::data {

struct GzipReader::Stream {
  z_stream z{};
  bool initialised = false;
  ~Stream() {
    if (initialised) inflateEnd(&z);
  }
};

bool is_gzip(const uint8_t* data, std::size_t size) {
  return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

GzipReader::GzipReader(const uint8_t* data, std::size_t size, std::string name)
    : stream_(std::make_unique<Stream>()), data_(data), size_(size), name_(std::move(name)) {
  if (!is_gzip(data, size)) {
    throw std::runtime_error("gzip: " + name_ + ": not a gzip stream (no 1f 8b magic at offset 0)");
  }
  // 16 + MAX_WBITS: expect a gzip header and trailer (CRC-32, length) and check them.
  if (inflateInit2(&stream_->z, 16 + MAX_WBITS) != Z_OK) {
    throw std::runtime_error("gzip: " + name_ + ": zlib initialisation failed");
  }
  stream_->initialised = true;
}

GzipReader::~GzipReader() = default;

std::size_t GzipReader::read(uint8_t* dst, std::size_t want) {
  z_stream& z = stream_->z;
  std::size_t written = 0;
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("gzip: " + name_ + ": " + what + " at compressed offset " +
                             std::to_string(consumed_ - z.avail_in));
  };
  while (written < want && !finished_) {
    if (z.avail_in == 0 && consumed_ < size_) {  // feed at most UINT_MAX bytes at a time
      std::size_t chunk = std::min<std::size_t>(size_ - consumed_, UINT_MAX);
      z.next_in = const_cast<Bytef*>(data_ + consumed_);
      z.avail_in = static_cast<uInt>(chunk);
      consumed_ += chunk;
    }
    std::size_t out_chunk = std::min<std::size_t>(want - written, UINT_MAX);
    z.next_out = dst + written;
    z.avail_out = static_cast<uInt>(out_chunk);
    int ret = inflate(&z, Z_NO_FLUSH);
    written += out_chunk - z.avail_out;
    if (ret == Z_STREAM_END) {
      std::size_t next = consumed_ - z.avail_in;  // first byte after this member
      if (next == size_) {
        finished_ = true;
      } else if (is_gzip(data_ + next, size_ - next)) {
        inflateReset(&z);  // another gzip member follows (as `cat a.gz b.gz`)
      } else {
        fail(std::to_string(size_ - next) + " trailing bytes after the gzip stream");
      }
    } else if (ret == Z_BUF_ERROR) {
      // avail_out > 0 here, so "no progress possible" means the input ran out.
      fail("truncated stream (input ends mid-stream)");
    } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT) {
      fail(std::string("corrupt data (") + (z.msg ? z.msg : "invalid deflate data") + ")");
    } else if (ret == Z_MEM_ERROR) {
      fail("out of memory in zlib");
    } else if (ret != Z_OK) {
      fail("zlib error " + std::to_string(ret));
    }
  }
  produced_ += written;
  return written;
}

std::vector<uint8_t> gunzip(const uint8_t* data, std::size_t size, const std::string& name,
                            std::size_t max_bytes) {
  GzipReader reader(data, size, name);
  std::vector<uint8_t> out;
  const std::size_t chunk = 1 << 16;
  for (;;) {
    std::size_t old = out.size();
    if (old > max_bytes) {
      throw std::runtime_error("gzip: " + name + ": decompressed size exceeds the limit of " +
                               std::to_string(max_bytes) + " bytes");
    }
    out.resize(old + chunk);
    std::size_t n = reader.read(out.data() + old, chunk);
    out.resize(old + n);
    if (n < chunk) break;
  }
  if (out.size() > max_bytes) {
    throw std::runtime_error("gzip: " + name + ": decompressed size exceeds the limit of " +
                             std::to_string(max_bytes) + " bytes");
  }
  return out;
}

}  // namespace gradlab::data
