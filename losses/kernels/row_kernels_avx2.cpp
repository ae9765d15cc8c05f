// losses/kernels/row_kernels_avx2.cpp — the float32 row kernels built with
// -mavx2 -mfma -mf16c (set in losses/CMakeLists.txt); used only when the CPU
// has all three. On other targets it returns nullptr.
#include "losses/kernels/row_kernels.h"

#if defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
#define GRADLAB_KERNEL_ENTRY kernels_avx2
#define GRADLAB_KERNEL_ISA "avx2"
#include "losses/kernels/row_kernels_simd.h"
#else
namespace gradlab::kernels {
const KernelSet* kernels_avx2() { return nullptr; }
}  // namespace gradlab::kernels
#endif
