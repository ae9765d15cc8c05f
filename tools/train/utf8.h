// tools/train/utf8.h — checking that text is valid UTF-8 before it goes into
// JSON (config.json, checkpoints): nlohmann::json refuses invalid UTF-8 when
// it writes, which would be far too late (after the run directory exists, or
// after training). Paths on Linux are bytes, so a file name may not be text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gradlab::cli {

// The offset of the first byte that does not start or continue a valid
// UTF-8 sequence (overlong forms, surrogates and code points above U+10FFFF
// are invalid), or nullopt if all of `s` is valid.
std::optional<std::size_t> invalid_utf8_at(std::string_view s);

// `s` with every byte of an invalid sequence (and every control character)
// written as \xNN, so a message can show a path that is not text.
std::string printable(std::string_view s);

// Throws std::invalid_argument "<what> '<printable s>' is not valid UTF-8
// (byte 0xNN at offset K): <why>" unless `s` is valid UTF-8.
void require_utf8(std::string_view s, const std::string& what, const std::string& why);

}  // namespace gradlab::cli
