// tests/tools/train/checkpoint_test.cpp — the checkpoint file: round trips,
// every corruption named, and only regular files read.
#include "tools/train/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/tools/train/train_test_util.h"

namespace gradlab::cli::test {
namespace {

using ::testing::HasSubstr;

TEST(Checkpoint, RoundTripAndEveryCorruptionIsNamed) {
  Checkpoint c;
  c.meta = {{"hello", 1}};
  c.tensors.insert("w", from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  c.tensors.insert("n", from_vector<int64_t>({7}, {1}));
  const std::vector<uint8_t> bytes = encode_checkpoint(c);
  Checkpoint d = decode_checkpoint(bytes, "mem");
  EXPECT_EQ(d.meta["hello"], 1);
  EXPECT_EQ(d.tensors.at("w").to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(d.tensors.at("n").to_vector<int64_t>(), (std::vector<int64_t>{7}));
  // Every truncation and every single-byte flip is detected, never a crash.
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::vector<uint8_t> t(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_THROW(decode_checkpoint(t, "mem"), std::runtime_error) << "truncated to " << len;
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> t = bytes;
    t[i] ^= 0x40;
    EXPECT_THROW(decode_checkpoint(t, "mem"), std::runtime_error) << "flipped byte " << i;
  }
}

TEST(Checkpoint, NewerVersionIsRefusedWithItsNumber) {
  Checkpoint c;
  c.tensors.insert("w", from_vector<float>({1}, {1}));
  std::vector<uint8_t> bytes = encode_checkpoint(c);
  bytes[8] = 9;  // version field
  try {
    decode_checkpoint(bytes, "x.ckpt");
    FAIL() << "accepted version 9";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("format version 9"));
    EXPECT_THAT(e.what(), HasSubstr("x.ckpt"));
  }
}

// A FIFO used to hang the reader and /dev/zero to eat all memory.
TEST(Checkpoint, OnlyRegularFilesAreRead) {
  const fs::path dir = fresh_dir("nonregular");
  const std::string fifo = (dir / "fifo.ckpt").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  for (const std::string& path : {fifo, std::string("/dev/zero"), dir.string()}) {
    try {
      load_checkpoint(path);
      ADD_FAILURE() << "read " << path;
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr(path));
      EXPECT_THAT(e.what(), HasSubstr("not a regular file"));
    }
  }
}

TEST(Checkpoint, AtomicWritesNeverTouchAnotherFile) {
  const fs::path dir = fresh_dir("atomic");
  write(dir / ".out.txt.tmp-123", "someone's file");
  write_file_atomic((dir / "out.txt").string(), "one");
  write_file_atomic((dir / "out.txt").string(), "two");
  EXPECT_EQ(read(dir / "out.txt"), "two");
  EXPECT_EQ(read(dir / ".out.txt.tmp-123"), "someone's file");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
}

}  // namespace
}  // namespace gradlab::cli::test
