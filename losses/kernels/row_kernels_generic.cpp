// losses/kernels/row_kernels_generic.cpp — the portable build of the float32
// row kernels (SSE2 on x86-64, the compiler's generic vectors elsewhere).
#define GRADLAB_KERNEL_ENTRY kernels_generic
#define GRADLAB_KERNEL_ISA "generic"
#include "losses/kernels/row_kernels_simd.h"
