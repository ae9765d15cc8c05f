// losses/kernels/row_kernels.cpp — picks the kernel set for this CPU.
#include "losses/kernels/row_kernels.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace gradlab::kernels {
namespace {

bool cpu_supports(const char* isa) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (std::strcmp(isa, "avx512") == 0)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
           __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
  if (std::strcmp(isa, "avx2") == 0)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("f16c");
#endif
  return std::strcmp(isa, "generic") == 0;
}

}  // namespace

const KernelSet* kernels_for(const char* isa) {
  if (isa == nullptr || !cpu_supports(isa)) return nullptr;
  if (std::strcmp(isa, "avx512") == 0) return kernels_avx512();
  if (std::strcmp(isa, "avx2") == 0) return kernels_avx2();
  if (std::strcmp(isa, "generic") == 0) return kernels_generic();
  return nullptr;
}

const KernelSet& kernels() {
  static const KernelSet* chosen = [] {
    if (const char* forced = std::getenv("GRADLAB_KERNELS")) {
      if (const KernelSet* k = kernels_for(forced)) return k;
    }
    for (const char* isa : {"avx512", "avx2"}) {
      if (const KernelSet* k = kernels_for(isa)) return k;
    }
    return kernels_generic();
  }();
  return *chosen;
}

}  // namespace gradlab::kernels
