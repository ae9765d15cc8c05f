// core/gradcheck.h — compare autograd against central finite differences.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace gradlab {

struct GradcheckOptions {
  double eps = 1e-6;   // finite-difference step
  double atol = 1e-5;  // pass when |analytic - numeric| <= atol + rtol*|numeric|
  double rtol = 1e-3;
};

struct GradcheckResult {
  bool ok = true;
  // On failure: which input, the worst element's flat index, both values and
  // the errors, as a readable sentence.
  std::string message;
  explicit operator bool() const { return ok; }
};

// fn maps the inputs to one tensor. Every floating input is converted to a
// float64 leaf requiring grad; the output is reduced against a fixed random
// projection (so every output element is checked) and each input element is
// perturbed by ±eps. Returns ok, or the worst element of the worst input:
// "gradcheck: input 1 element 3 (index (1,0)): analytic 0.5 vs numeric 0.25,
// abs err 0.25, rel err 1".
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& opts = {});

}  // namespace gradlab
