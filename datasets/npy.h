// datasets/npy.h — NumPy's .npy format, for exchanging arrays with Python.
//
// A .npy file is: the magic "\x93NUMPY", a version byte pair (1.0, 2.0 or
// 3.0), the header length (uint16 for 1.0, uint32 after), a header that is a
// Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw elements in C order.
//
// Supported dtypes (little-endian, C order):
//   '<f4' Float32   '<f8' Float64   '<i8' Int64   '<f2' Float16   '|b1' Bool
// and, on load only, the smaller integers '|i1' '<i2' '<i4' '|u1' '<u2' '<u4',
// widened to Int64. Big-endian data, fortran_order True, other dtypes, a
// malformed header or too few data bytes give a std::runtime_error
// "npy: <name>: <what> at offset <k>". Saving writes exactly the bytes
// numpy 1.24's np.save writes for the same array.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace gradlab::data {

// bytes: a whole .npy file -> a contiguous tensor of the header's shape.
// `name` (usually the path) is used in error messages.
Tensor parse_npy(const std::vector<uint8_t>& bytes, const std::string& name);
Tensor load_npy(const std::string& path);

// x: any shape, dtype Float32/Float64/Int64/Float16/Bool -> .npy bytes
// (version 1.0, or 2.0 if the header needs more than 65535 bytes).
// BFloat16 has no NumPy dtype: std::invalid_argument (convert with .to()).
std::vector<uint8_t> serialize_npy(const Tensor& x);
// Writes serialize_npy(x) to `path` atomically (temporary file + rename).
void save_npy(const std::string& path, const Tensor& x);

}  // namespace gradlab::data
