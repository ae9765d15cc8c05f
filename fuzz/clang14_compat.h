// fuzz/clang14_compat.h — force-included (-include) into the clang builds of
// scripts/fuzz.sh and scripts/tsan.sh.
//
// Clang 14 (Debian 12's clang) rejects __builtin_cpu_supports("f16c") ("invalid
// cpu feature string"), which losses/kernels/row_kernels.cpp uses to pick its
// AVX2/AVX-512 kernels; GCC and clang >= 15 accept it. Under clang 14 we make
// every CPU-feature query answer "no", so these instrumented builds use the
// generic row kernels (same threading, same results: the SIMD kernels are
// exercised by the GCC builds, scripts/sanitize.sh included).
#pragma once
#if defined(__clang__) && __clang_major__ < 15
#define __builtin_cpu_supports(feature) 0
#endif
