// tools/train/checkpoint.h — the checkpoint file: everything needed to resume a run
// bit-identically or to evaluate its model.
//
// Layout (all integers little-endian):
//   offset 0   8 bytes   magic "GLCKPT\r\n" (the \r\n catches text-mode damage)
//   offset 8   u32       format version (kCheckpointVersion)
//   offset 12  u64       header length H
//   offset 20  H bytes   header: JSON (config, progress, metrics, normaliser,
//                        and a table of tensors: name, dtype, shape, offset, nbytes)
//   then                 the tensors' bytes, back to back
//   last 4     u32       CRC-32 (zlib) of every byte before it
// Writing is atomic: a temporary file in the same directory, fsync, rename,
// fsync of the directory. A crash leaves either the old file or the new one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/state_dict.h"

namespace gradlab::cli {

constexpr uint32_t kCheckpointVersion = 1;

struct Checkpoint {
  nlohmann::json meta;    // free-form: config, progress, metrics, normaliser...
  nn::StateDict tensors;  // e.g. "model.0.weight", "optim.0.exp_avg"
};

// Serialises to bytes (the file content) / parses bytes. Parse errors are
// std::runtime_error "checkpoint <name>: <what> at offset N"; a parse never
// returns a partial checkpoint.
std::vector<uint8_t> encode_checkpoint(const Checkpoint& ckpt);
Checkpoint decode_checkpoint(const std::vector<uint8_t>& bytes, const std::string& name);

// Atomic write (see above) and read + verify. Errors name the path. Only a
// regular file is read (a FIFO, a device or a directory is refused without
// reading), and only one that fits in memory (ExitError{2} naming its size).
void save_checkpoint(const Checkpoint& ckpt, const std::string& path);
Checkpoint load_checkpoint(const std::string& path);

// Writes `content` to `path` atomically: a fresh temporary next to it
// (created exclusively, so no other file is ever truncated), fsync, rename,
// fsync of the directory.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace gradlab::cli
