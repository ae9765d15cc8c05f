// fuzz/targets.h — the fuzz targets as plain functions, one per reader of
// outside bytes.
//
// Each function feeds arbitrary bytes to one reader and checks what comes
// back. A reader may reject the bytes only with the exception its header
// documents (std::runtime_error for files, std::invalid_argument for CLI
// specs); what it accepts must satisfy the reader's invariants (shapes agree
// with the element count, labels in range, a save/load round trip gives the
// same values). Anything else -- another exception type escaping, a crash, a
// sanitizer report, a huge allocation -- is a finding. A broken invariant
// calls fail(), which aborts with a message.
//
// The same functions serve two callers:
//   fuzz/fuzz_main.cpp                      the libFuzzer entry point (clang only)
//   tests/reliability/fuzz_regression_test  replays the seed corpus and every
//                                           crash ever found (any compiler)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gradlab::fuzz {

// IDX images and labels, uncompressed (gzip-looking input is skipped: that is
// idx_gzip's job).
int idx_raw(const uint8_t* data, std::size_t size);
// IDX through the gzip reader. First byte even: the rest is gzip-compressed
// here first (so mutations explore the IDX header behind a valid stream);
// odd: the rest is handed over as it is (mutations explore the inflater and
// gunzip's size guard).
int idx_gzip(const uint8_t* data, std::size_t size);
// CSV with a header row; the label column is "label". The first byte picks
// the delimiter (',' ';' '\t' '|').
int csv(const uint8_t* data, std::size_t size);
// .npy: parse, and for anything accepted, serialise and parse again.
int npy(const uint8_t* data, std::size_t size);
// Checkpoints: decode_checkpoint, then (for anything accepted) re-encode and
// compare, and build the model the way `gradlab eval` does (load_model). First
// byte odd: the trailing CRC-32 is recomputed before decoding, so mutations get
// past the checksum into the header and tensor table.
int checkpoint(const uint8_t* data, std::size_t size);
// The CLI's spec strings: --dataset and --model, and the run config JSON
// (config_from_json) that a checkpoint carries. First byte picks which.
int specs(const uint8_t* data, std::size_t size);

struct Target {
  const char* name;  // also the corpus folder: fuzz/corpus/<name>/
  int (*run)(const uint8_t* data, std::size_t size);
};
// Every target above, in this order.
const std::vector<Target>& all_targets();

}  // namespace gradlab::fuzz
