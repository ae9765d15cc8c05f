// tests/tools/train/utf8_test.cpp — UTF-8 checks before text goes into JSON.
#include "tools/train/utf8.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gradlab::cli {
namespace {

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(invalid_utf8_at("plain/path.csv"), std::nullopt);
  EXPECT_EQ(invalid_utf8_at("caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80"), std::nullopt);
  EXPECT_EQ(invalid_utf8_at("ab\xff"), 2u);
  EXPECT_EQ(invalid_utf8_at("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(invalid_utf8_at("x\xed\xa0\x80"), 1u);     // a surrogate
  EXPECT_EQ(invalid_utf8_at("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(invalid_utf8_at("\xe2\x82"), 0u);          // cut short
}

TEST(Utf8, MessagesShowThePathEscaped) {
  EXPECT_EQ(printable("a\xff"
                      "b\n"),
            "a\\xffb\\x0a");
  try {
    require_utf8("/tmp/\xfe.csv", "--dataset", "why");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(),
                ::testing::HasSubstr(
                    "--dataset '/tmp/\\xfe.csv' is not valid UTF-8 (byte 0xfe at offset 5): why"));
  }
}

}  // namespace
}  // namespace gradlab::cli
