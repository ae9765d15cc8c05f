// core/detail/half_convert.h — bulk conversions between float32 and the two
// 16-bit storage formats (private; not installed).
//
// Each function converts n contiguous values and gives exactly the results of
// the scalar conversions in core/dtype.h (round to nearest even, overflow to
// inf, NaN kept NaN, subnormals kept): the scalar ones are the reference
// (tests/core/detail/half_convert_test.cpp), these are the fast versions the
// matmul back end and the autocast casts run on.
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace gradlab::detail {

// dst[i] = float(src[i]), i in [0, n).
void widen(const BFloat16* src, float* dst, int64_t n);
void widen(const Half* src, float* dst, int64_t n);
// dst[i] = round_to_nearest_even(src[i]), i in [0, n).
void narrow(const float* src, BFloat16* dst, int64_t n);
void narrow(const float* src, Half* dst, int64_t n);

}  // namespace gradlab::detail
