// tools/train/utf8.cpp — see utf8.h.
#include "tools/train/utf8.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace gradlab::cli {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if none is.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  uint32_t cp = 0, min = 0;
  if ((c & 0xE0) == 0xC0)
    n = 2, cp = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0)
    n = 3, cp = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0)
    n = 4, cp = c & 0x07, min = 0x10000;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string hex_byte(uint8_t c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  return buf;
}

}  // namespace

std::optional<std::size_t> invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = sequence_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

std::string printable(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = sequence_length(s, i);
    const auto c = static_cast<uint8_t>(s[i]);
    if (n == 0 || c < 0x20 || c == 0x7F) {
      out += hex_byte(c);
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

void require_utf8(std::string_view s, const std::string& what, const std::string& why) {
  const std::optional<std::size_t> at = invalid_utf8_at(s);
  if (!at) return;
  throw std::invalid_argument(what + " '" + printable(s) + "' is not valid UTF-8 (byte " +
                              hex_byte(static_cast<uint8_t>(s[*at])).replace(0, 2, "0x") +
                              " at offset " + std::to_string(*at) + "): " + why);
}

}  // namespace gradlab::cli
