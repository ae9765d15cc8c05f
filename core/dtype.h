// core/dtype.h — element types and the two 16-bit float storage formats.
//
// Float16 (IEEE binary16) and BFloat16 are *storage* types: tensors of these
// dtypes hold 2-byte values, and every op converts them to float32, computes,
// and (where the result is floating) converts back. Conversion rounds to
// nearest-even, so float32 -> half -> float32 is the exact round-trip the
// hardware would do.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace gradlab {

enum class DType { Bool, Int64, Float16, BFloat16, Float32, Float64 };
using Shape = std::vector<int64_t>;

// Bytes per element: 1, 8, 2, 2, 4, 8.
std::size_t itemsize(DType dtype);
// "Bool", "Int64", "Float16", "BFloat16", "Float32", "Float64".
const char* dtype_name(DType dtype);
bool is_floating(DType dtype);
// Type promotion for binary ops, as PyTorch: Bool < Int64 < floating;
// Float16 with BFloat16 gives Float32; otherwise the wider float wins.
DType promote(DType a, DType b);
// "(2,3)", "()" for a 0-d shape.
std::string shape_str(const Shape& shape);

// ---- 16-bit floats ---------------------------------------------------------
struct Half {
  uint16_t bits = 0;
};
struct BFloat16 {
  uint16_t bits = 0;
};

inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// float32 -> binary16, round to nearest even; overflow gives ±inf, NaN stays NaN.
inline Half float_to_half(float f) {
  uint32_t x = float_bits(f);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t absx = x & 0x7fffffffu;
  Half h;
  if (absx >= 0x7f800000u) {  // inf or NaN
    h.bits = static_cast<uint16_t>(sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u : 0u));
    return h;
  }
  if (absx >= 0x477ff000u) {  // rounds to >= 65520: overflow to inf
    h.bits = static_cast<uint16_t>(sign | 0x7c00u);
    return h;
  }
  if (absx < 0x38800000u) {  // below the smallest normal half: subnormal or zero
    // Let the FPU round: add 0.5 (2^-1) so the subnormal half bits land in the mantissa.
    float v = bits_float(absx) + 0.5f;
    h.bits = static_cast<uint16_t>(sign | (float_bits(v) - 0x3f000000u));
    return h;
  }
  uint32_t mant_odd = (absx >> 13) & 1u;
  absx += 0xc8000fffu + mant_odd;  // rebias exponent (-112 << 23) and round half to even
  h.bits = static_cast<uint16_t>(sign | (absx >> 13));
  return h;
}

inline float half_to_float(Half h) {
  uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000u) << 16;
  uint32_t exp = (h.bits >> 10) & 0x1fu;
  uint32_t mant = h.bits & 0x3ffu;
  if (exp == 0x1f) return bits_float(sign | 0x7f800000u | (mant << 13));  // inf/NaN
  if (exp == 0) {                                                           // zero/subnormal
    float v = static_cast<float>(mant) * 5.9604644775390625e-8f;            // 2^-24
    return sign ? -v : v;
  }
  return bits_float(sign | ((exp + 112u) << 23) | (mant << 13));
}

inline BFloat16 float_to_bfloat16(float f) {
  uint32_t x = float_bits(f);
  BFloat16 b;
  if ((x & 0x7fffffffu) > 0x7f800000u) {  // NaN: keep it quiet NaN
    b.bits = static_cast<uint16_t>((x >> 16) | 0x40u);
    return b;
  }
  x += 0x7fffu + ((x >> 16) & 1u);  // round to nearest even
  b.bits = static_cast<uint16_t>(x >> 16);
  return b;
}
inline float bfloat16_to_float(BFloat16 b) { return bits_float(static_cast<uint32_t>(b.bits) << 16); }

// The C++ type stored for a dtype (Bool is uint8_t holding 0 or 1).
template <DType D> struct dtype_traits;
template <> struct dtype_traits<DType::Bool> { using type = uint8_t; };
template <> struct dtype_traits<DType::Int64> { using type = int64_t; };
template <> struct dtype_traits<DType::Float16> { using type = Half; };
template <> struct dtype_traits<DType::BFloat16> { using type = BFloat16; };
template <> struct dtype_traits<DType::Float32> { using type = float; };
template <> struct dtype_traits<DType::Float64> { using type = double; };

// The dtype whose storage type is T (for from_vector / to_vector / data_ptr).
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<uint8_t>() { return DType::Bool; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<Half>() { return DType::Float16; }
template <> constexpr DType dtype_of<BFloat16>() { return DType::BFloat16; }
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }

}  // namespace gradlab
