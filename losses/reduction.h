// losses/reduction.h — how a loss turns per-element values into its result.
#pragma once

namespace gradlab {

// None: one value per element / row, the shape of the target.
// Mean: their (weighted) mean, a 0-d tensor.  Sum: their sum, a 0-d tensor.
enum class Reduction { None, Mean, Sum };

}  // namespace gradlab
