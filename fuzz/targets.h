// fuzz/targets.h — the fuzz targets as plain functions, one per reader of
// outside bytes.
//
// Each function feeds arbitrary bytes to one reader (or command line) and checks what comes
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
// `gradlab train ARGS --dry-run`: the bytes split at NUL and newline are the
// arguments (without --dataset, moons is added; inputs naming fashion-mnist
// are skipped: loading it takes a second). Every flag, spec and file is
// checked and nothing trained. A bad command may fail only with exit code 2
// (or a CLI11 parse error), and a dry run must create nothing.
int train_flags(const uint8_t* data, std::size_t size);
// The resume path: the bytes (after a mode byte) are run/checkpoint.ckpt,
// next to a config.json of the run it names, and `gradlab train --resume`
// plans its continuation (dry run) with a flag chosen by the mode byte: none,
// --epochs, --threads, --lr or --seed (which must be refused), --out, or the
// run directory instead of the file. Mode bit 0 recomputes the CRC first.
// Only documented failures; an accepted plan must stand inside its run.
int resume(const uint8_t* data, std::size_t size);

struct Target {
  const char* name;  // also the corpus folder: fuzz/corpus/<name>/
  int (*run)(const uint8_t* data, std::size_t size);
};
// Every target above, in this order.
const std::vector<Target>& all_targets();

}  // namespace gradlab::fuzz
