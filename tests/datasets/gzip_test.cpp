// tests/datasets/gzip_test.cpp — streaming gzip decompression
// (datasets/gzip.cpp): round trips, concatenated members, and corrupt,
// truncated or oversized input giving errors rather than crashes.
#include "datasets/gzip.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/datasets/test_util.h"

namespace gradlab::data {
namespace {

using testing::expect_throw;
using testing::gzip_bytes;

std::vector<uint8_t> pattern(std::size_t n) {
  std::vector<uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i * 7919) >> 3);
  return v;
}

TEST(Gzip, DetectsTheMagicBytes) {
  const std::vector<uint8_t> gz = gzip_bytes(pattern(10));
  EXPECT_TRUE(is_gzip(gz.data(), gz.size()));
  const std::vector<uint8_t> raw = {0x00, 0x00, 0x08, 0x03};
  EXPECT_FALSE(is_gzip(raw.data(), raw.size()));
  EXPECT_FALSE(is_gzip(gz.data(), 1));
}

RC_GTEST_PROP(Gzip, RoundTripsAnyBytes, (const std::vector<uint8_t>& data)) {
  const std::vector<uint8_t> gz = gzip_bytes(data);
  RC_ASSERT(gunzip(gz.data(), gz.size(), "x.gz", data.size()) == data);
}

TEST(Gzip, ReaderHandsOutBytesInPiecesOfAnySize) {
  const std::vector<uint8_t> data = pattern(100000);
  const std::vector<uint8_t> gz = gzip_bytes(data);
  GzipReader r(gz.data(), gz.size(), "x.gz");
  std::vector<uint8_t> out(data.size() + 10);
  std::size_t pos = 0, step = 1;
  while (true) {
    const std::size_t n = r.read(out.data() + pos, step);
    pos += n;
    if (n < step) break;
    step = step * 3 % 9973 + 1;
  }
  out.resize(pos);
  EXPECT_EQ(out, data);
  EXPECT_EQ(r.position(), data.size());
  EXPECT_EQ(r.read(out.data(), 1), 0u);  // stays at the end
}

TEST(Gzip, ConcatenatedMembersReadAsOneStream) {
  std::vector<uint8_t> a = pattern(300), b = pattern(500);
  std::vector<uint8_t> gz = gzip_bytes(a), gz_b = gzip_bytes(b);
  gz.insert(gz.end(), gz_b.begin(), gz_b.end());
  std::vector<uint8_t> both = a;
  both.insert(both.end(), b.begin(), b.end());
  EXPECT_EQ(gunzip(gz.data(), gz.size(), "ab.gz", 1 << 20), both);
}

TEST(Gzip, TruncatedStreamIsAnError) {
  const std::vector<uint8_t> gz = gzip_bytes(pattern(5000));
  for (std::size_t cut : {std::size_t{2}, std::size_t{10}, gz.size() / 2, gz.size() - 1}) {
    expect_throw<std::runtime_error>([&] { gunzip(gz.data(), cut, "/d/t.gz", 1 << 20); },
                                     {"gzip: /d/t.gz: ", "compressed offset"});
  }
}

TEST(Gzip, TrailingGarbageIsAnError) {
  std::vector<uint8_t> gz = gzip_bytes(pattern(100));
  gz.push_back(0x42);
  gz.push_back(0x43);
  expect_throw<std::runtime_error>([&] { gunzip(gz.data(), gz.size(), "g.gz", 1 << 20); },
                                   {"2 trailing bytes after the gzip stream"});
}

TEST(Gzip, CorruptChecksumIsAnError) {
  std::vector<uint8_t> gz = gzip_bytes(pattern(1000));
  gz[gz.size() - 6] ^= 0xFF;  // inside the CRC-32 of the trailer
  expect_throw<std::runtime_error>([&] { gunzip(gz.data(), gz.size(), "c.gz", 1 << 20); },
                                   {"corrupt data"});
}

TEST(Gzip, SizeLimitStopsADecompressionBomb) {
  const std::vector<uint8_t> zeros(10 << 20, 0);  // 10 MiB of zeros, ~10 KiB compressed
  const std::vector<uint8_t> gz = gzip_bytes(zeros, 9);
  ASSERT_LT(gz.size(), 20000u);
  expect_throw<std::runtime_error>([&] { gunzip(gz.data(), gz.size(), "bomb.gz", 1 << 20); },
                                   {"bomb.gz", "exceeds the limit of 1048576 bytes"});
}

TEST(Gzip, NotGzipIsRefusedByTheReader) {
  const std::vector<uint8_t> raw = {1, 2, 3};
  expect_throw<std::runtime_error>([&] { GzipReader r(raw.data(), raw.size(), "r"); },
                                   {"not a gzip stream"});
}

// Any single corrupted byte: the data comes back intact (e.g. the byte was
// in the header's timestamp) or we get a runtime_error, never anything else.
RC_GTEST_PROP(Gzip, CorruptByteGivesTheDataOrAnError, ()) {
  const std::vector<uint8_t> data = pattern(*rc::gen::inRange<std::size_t>(0, 3000));
  std::vector<uint8_t> gz = gzip_bytes(data);
  const auto at = *rc::gen::inRange<std::size_t>(0, gz.size());
  const auto flip = *rc::gen::inRange<int>(1, 256);
  gz[at] = static_cast<uint8_t>(gz[at] ^ flip);
  bool rejected = false;
  std::vector<uint8_t> out;
  try {
    out = gunzip(gz.data(), gz.size(), "f.gz", 1 << 20);
  } catch (const std::runtime_error&) {
    rejected = true;
  }
  RC_ASSERT(rejected || out == data);
}

}  // namespace
}  // namespace gradlab::data
