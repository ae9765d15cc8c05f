// fuzz/fuzz_main.cpp — the libFuzzer entry point. Compiled once per target
// with GRADLAB_FUZZ_TARGET set to one of the functions in fuzz/targets.h
// (see fuzz/CMakeLists.txt); libFuzzer (-fsanitize=fuzzer) supplies main().
#include <cstddef>
#include <cstdint>

#include "fuzz/targets.h"

#ifndef GRADLAB_FUZZ_TARGET
#error "define GRADLAB_FUZZ_TARGET, e.g. -DGRADLAB_FUZZ_TARGET=npy"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gradlab::fuzz::GRADLAB_FUZZ_TARGET(data, size);
}
