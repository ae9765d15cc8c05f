// losses/kernels/row_kernels_avx512.cpp — the float32 row kernels built with
// -mavx512f -mavx2 -mfma -mf16c (set in losses/CMakeLists.txt); used only when
// the CPU has AVX-512F. On other targets it returns nullptr.
#include "losses/kernels/row_kernels.h"

#if defined(__AVX512F__) && defined(__FMA__) && defined(__F16C__)
// GCC 12's avx512fintrin.h trips its own -Wmaybe-uninitialized (GCC bug
// 105593, the `__m512 __Y = __Y;` idiom of _mm512_undefined_ps).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define GRADLAB_KERNEL_ENTRY kernels_avx512
#define GRADLAB_KERNEL_ISA "avx512"
#include "losses/kernels/row_kernels_simd.h"
#else
namespace gradlab::kernels {
const KernelSet* kernels_avx512() { return nullptr; }
}  // namespace gradlab::kernels
#endif
