// tests/datasets/io_test.cpp — whole-file reads (datasets/io.cpp): only
// regular files, refused without blocking (a FIFO) or reading forever
// (/dev/zero), a size limit checked before reading, and a file's head.
#include "datasets/io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/datasets/test_util.h"

namespace gradlab::data {
namespace {

using testing::expect_throw;
using testing::TempDir;
using testing::write_text;

TEST(Io, OnlyRegularFilesAreRead) {
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  for (const std::string& path : {fifo, std::string("/dev/zero"), dir.path()}) {
    expect_throw<std::runtime_error>([&] { read_file_bytes(path, "reader"); },
                                     {"reader: cannot open " + path + ": not a regular file"});
    expect_throw<std::runtime_error>([&] { read_file_head(path, "reader", 16); },
                                     {"not a regular file"});
  }
}

TEST(Io, TheSizeLimitIsCheckedBeforeReading) {
  TempDir dir;
  write_text(dir.file("f"), "0123456789");
  EXPECT_EQ(read_file_bytes(dir.file("f"), "r", 10).size(), 10u);
  expect_throw<std::runtime_error>(
      [&] { read_file_bytes(dir.file("f"), "r", 9); },
      {"r: " + dir.file("f") + " is 10 bytes, more than the limit of 9"});
}

TEST(Io, TheHeadOfAFile) {
  TempDir dir;
  write_text(dir.file("f"), "0123456789");
  const FileHead h = read_file_head(dir.file("f"), "r", 4);
  EXPECT_EQ(h.size, 10u);
  EXPECT_EQ(std::string(h.bytes.begin(), h.bytes.end()), "0123");
  EXPECT_EQ(read_file_head(dir.file("f"), "r", 100).bytes.size(), 10u);
}

}  // namespace
}  // namespace gradlab::data
