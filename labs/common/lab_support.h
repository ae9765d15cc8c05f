// labs/common/lab_support.h — small helpers shared by every lab phase.
//
// Starters use NOT_IMPLEMENTED() as the whole body of each function a student
// has to write. It throws std::logic_error("not implemented yet: labNN::name"),
// which the phase's suite reports as a failing test (never a crash), so a fresh
// starter compiles, runs and fails every test with a message saying what to do:
//
//   std::vector<double> lab02::log_softmax(const std::vector<double>& z) {
//     NOT_IMPLEMENTED();                      // name taken from the signature
//   }
//   double lab05::nll(...) { NOT_IMPLEMENTED("lab05::nll"); }  // or spelled out
//
// The function is [[noreturn]], so no dummy `return` is needed after it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace gradlab::labs {

// The qualified function name in a __PRETTY_FUNCTION__ string:
// "std::vector<double> lab02::log_softmax(const std::vector<double>&)" ->
// "lab02::log_softmax". Falls back to the whole string if it cannot tell.
inline std::string function_name_from_signature(std::string_view pretty) {
  const auto paren = pretty.find('(');
  if (paren == std::string_view::npos) return std::string(pretty);
  std::string_view head = pretty.substr(0, paren);
  // Skip template arguments of the return type: the name starts after the last
  // space that is not inside <...>.
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '<') ++depth;
    if (head[i] == '>') --depth;
    if (head[i] == ' ' && depth == 0) start = i + 1;
  }
  return std::string(head.substr(start));
}

// Throws std::logic_error("not implemented yet: <name>").
[[noreturn]] inline void not_implemented_named(std::string_view name) {
  throw std::logic_error("not implemented yet: " + std::string(name));
}

[[noreturn]] inline void not_implemented(std::string_view pretty_function) {
  not_implemented_named(function_name_from_signature(pretty_function));
}
[[noreturn]] inline void not_implemented(std::string_view /*pretty_function*/,
                                         std::string_view name) {
  not_implemented_named(name);
}

}  // namespace gradlab::labs

// NOT_IMPLEMENTED()            -> "not implemented yet: lab02::log_softmax"
// NOT_IMPLEMENTED("lab02::f")  -> "not implemented yet: lab02::f"
#ifndef NOT_IMPLEMENTED
#define NOT_IMPLEMENTED(...) \
  ::gradlab::labs::not_implemented(__PRETTY_FUNCTION__ __VA_OPT__(, ) __VA_ARGS__)
#endif
