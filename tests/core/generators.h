// tests/core/generators.h — shared helpers for the core test suites.
//
// RapidCheck generators:
//   genShape()          small shapes: rank 0-4, dims 0-5 (optionally a minimum
//                       dim size and rank)
//   genGradShape()      shapes for gradcheck (rank 0-4, dims 0-4: <= 256 elements,
//                       because numerical differentiation costs two forward
//                       passes per element)
//   genBroadcastPair()  two shapes that broadcast, and the shape they broadcast to
//   genSeed()/randomTensor()  seeded random float64 tensors
//   genView()           a recipe for a non-contiguous view (transposed, sliced
//                       with a step, or expanded with stride 0) of a given shape
// Every generator shrinks towards rank 0 and size 0, so a failing property
// reports the smallest shape that still fails.
//
// Plus plain helpers: index arithmetic for reference implementations, tensor
// comparisons, and EXPECT_THROWS_WITH(statement, Exception, "fragment", ...),
// which checks the exception type and that the message contains every fragment.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <ostream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/autograd.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"

namespace gradlab::testing {

// ---- sizes ---------------------------------------------------------------------
// Uniform in [lo, hi), like rc::gen::inRange, but at full range on every test
// case. (inRange scales with RapidCheck's size, which starts at 0 and grows
// over the run: most shapes would be rank 0 or 1 with dims of 1, and most
// properties would check next to nothing.) Still shrinks towards lo.
template <class T>
rc::Gen<T> uniformInRange(T lo, T hi) {
  return rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(lo, hi));
}

// ---- shapes -------------------------------------------------------------------
// Zero-size dims are an edge case, not the common case: a dim is 0 in about
// one draw in 30 (with dims uniform in 0-5, a rank-4 shape would be empty
// half the time, and most properties would check nothing).
inline rc::Gen<int64_t> genDim(int max_dim = 5, int min_dim = 0) {
  const int64_t lo = std::max(min_dim, 1);
  return rc::gen::weightedOneOf<int64_t>({{1, uniformInRange<int64_t>(min_dim, max_dim + 1)},
                                          {4, uniformInRange<int64_t>(lo, max_dim + 1)}});
}

inline rc::Gen<Shape> genShape(int max_rank = 4, int max_dim = 5, int min_dim = 0,
                               int min_rank = 0) {
  return rc::gen::mapcat(uniformInRange<int>(min_rank, max_rank + 1), [=](int rank) {
    return rc::gen::container<Shape>(static_cast<std::size_t>(rank), genDim(max_dim, min_dim));
  });
}

inline rc::Gen<Shape> genGradShape(int min_dim = 0, int min_rank = 0) {
  return genShape(4, 4, min_dim, min_rank);
}

// Two shapes a and b whose NumPy broadcast is `out`. Each dim of `out` is kept
// by a, by b, or by both (the other holding 1), and one operand may drop some
// of its leading 1s, so every broadcasting rule (1 vs n, 1 vs 0, missing dims)
// appears.
struct BroadcastPair {
  Shape a, b, out;
};
inline std::ostream& operator<<(std::ostream& os, const BroadcastPair& p) {
  return os << "a " << shape_str(p.a) << ", b " << shape_str(p.b) << " -> " << shape_str(p.out);
}

inline rc::Gen<BroadcastPair> genBroadcastPair(int max_rank = 4, int max_dim = 5) {
  return rc::gen::mapcat(genShape(max_rank, max_dim), [](const Shape& out) {
    const std::size_t r = out.size();
    return rc::gen::map(
        rc::gen::tuple(rc::gen::container<std::vector<int>>(r, uniformInRange<int>(0, 3)),
                       uniformInRange<std::size_t>(0, r + 1), rc::gen::arbitrary<bool>()),
        [out](const std::tuple<std::vector<int>, std::size_t, bool>& t) {
          const auto& [mode, drop, drop_from_a] = t;
          BroadcastPair p{out, out, out};
          for (std::size_t i = 0; i < out.size(); ++i) {
            if (mode[i] == 1) p.b[i] = 1;  // a keeps dim i
            if (mode[i] == 2) p.a[i] = 1;  // b keeps dim i
          }
          Shape& s = drop_from_a ? p.a : p.b;
          std::size_t n = 0;
          while (n < drop && n < s.size() && s[n] == 1) ++n;
          s.erase(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
          return p;
        });
  });
}

// ---- random tensors -----------------------------------------------------------
inline rc::Gen<uint64_t> genSeed() { return rc::gen::arbitrary<uint64_t>(); }

// Standard normal values from gradlab's own Philox generator.
inline Tensor randomTensor(const Shape& shape, uint64_t seed, DType dtype = DType::Float64) {
  Generator gen(seed);
  return randn(shape, gen, dtype);
}
// Uniform on [0.5, 2): safe for log, sqrt, division.
inline Tensor positiveTensor(const Shape& shape, uint64_t seed, DType dtype = DType::Float64) {
  Generator gen(seed);
  return uniform(shape, 0.5, 2.0, gen, dtype);
}
// A random tensor of `shape`, drawn from a seed (shrinks with the seed).
inline rc::Gen<Tensor> genTensor(rc::Gen<Shape> shapes = genShape()) {
  return rc::gen::apply([](const Shape& s, uint64_t seed) { return randomTensor(s, seed); },
                        std::move(shapes), genSeed());
}

// ---- non-contiguous views -------------------------------------------------------
// A recipe for a view of `shape` that is not plain contiguous memory: build a
// contiguous tensor of `base_shape`, then apply(base). The recipe (not the
// tensor) is generated so that gradcheck, which makes its own leaves, can
// apply the same view inside the function it differentiates.
struct ViewCase {
  enum Kind { Transposed, Sliced, Expanded };
  Kind kind = Sliced;
  Shape shape;       // the view's shape
  Shape base_shape;  // the contiguous tensor it is cut from
  int64_t d0 = 0, d1 = 0;

  Tensor apply(const Tensor& base) const {
    switch (kind) {
      case Transposed:
        return transpose(base, d0, d1);
      case Sliced:
        if (shape.empty()) return select(base, 0, 1);  // 0-d at storage offset 1
        return slice(base, d0, 1, base_shape[static_cast<std::size_t>(d0)], 2);
      case Expanded:
        return expand(base, shape);
    }
    return base;
  }
  Tensor make(uint64_t seed, DType dtype = DType::Float64) const {
    return apply(randomTensor(base_shape, seed, dtype));
  }
};
inline std::ostream& operator<<(std::ostream& os, const ViewCase& v) {
  const char* names[] = {"transposed", "sliced", "expanded"};
  return os << names[v.kind] << " view " << shape_str(v.shape) << " of base "
            << shape_str(v.base_shape) << " (dims " << v.d0 << "," << v.d1 << ")";
}

inline rc::Gen<ViewCase> genView(const Shape& shape) {
  const int64_t r = static_cast<int64_t>(shape.size());
  return rc::gen::map(
      rc::gen::tuple(
          uniformInRange<int>(0, 3), uniformInRange<int64_t>(0, std::max<int64_t>(r, 1)),
          uniformInRange<int64_t>(0, std::max<int64_t>(r, 1)),
          rc::gen::container<std::vector<bool>>(shape.size(), rc::gen::arbitrary<bool>())),
      [shape, r](const std::tuple<int, int64_t, int64_t, std::vector<bool>>& t) {
        const auto& [kind, i, j, ones] = t;
        ViewCase v;
        v.shape = shape;
        v.base_shape = shape;
        v.kind = static_cast<ViewCase::Kind>(kind);
        if (v.kind == ViewCase::Transposed && r < 2) v.kind = ViewCase::Sliced;
        switch (v.kind) {
          case ViewCase::Transposed:
            v.d0 = i;
            v.d1 = i == j ? (j + 1) % r : j;
            std::swap(v.base_shape[static_cast<std::size_t>(v.d0)],
                      v.base_shape[static_cast<std::size_t>(v.d1)]);
            break;
          case ViewCase::Sliced:
            if (r == 0) {
              v.base_shape = {3};
            } else {
              v.d0 = i;
              v.base_shape[static_cast<std::size_t>(i)] =
                  2 * shape[static_cast<std::size_t>(i)] + 1;
            }
            break;
          case ViewCase::Expanded:
            for (std::size_t d = 0; d < shape.size(); ++d)
              if (ones[d]) v.base_shape[d] = 1;
            break;
        }
        return v;
      });
}
inline rc::Gen<ViewCase> genView(rc::Gen<Shape> shapes = genShape()) {
  return rc::gen::mapcat(std::move(shapes), [](const Shape& s) { return genView(s); });
}

// ---- index arithmetic for reference implementations ----------------------------
// Row-major multi-index of element `flat` of `shape`.
inline std::vector<int64_t> unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
    flat = shape[d] == 0 ? 0 : flat / shape[d];
  }
  return idx;
}
// Flat row-major position in a tensor of `shape` of the element that the
// broadcast index `idx` (of a possibly higher-rank shape) reads.
inline int64_t ravel_broadcast(const std::vector<int64_t>& idx, const Shape& shape) {
  const std::size_t lead = idx.size() - shape.size();
  int64_t flat = 0;
  for (std::size_t d = 0; d < shape.size(); ++d)
    flat = flat * shape[d] + (shape[d] == 1 ? 0 : idx[lead + d]);
  return flat;
}
inline int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t v : s) n *= v;
  return n;
}

// ---- comparisons ----------------------------------------------------------------
inline Tensor f64(const std::vector<double>& v, const Shape& s) {
  return from_vector<double>(v, s);
}
inline Tensor i64(const std::vector<int64_t>& v, const Shape& s) {
  return from_vector<int64_t>(v, s);
}
inline std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

// Same shape and |got - want| <= tol elementwise (NaN matches NaN, inf matches
// the same inf).
inline ::testing::AssertionResult tensorIs(const Tensor& got, const Shape& shape,
                                           const std::vector<double>& want, double tol = 0) {
  if (got.shape() != shape)
    return ::testing::AssertionFailure()
           << "shape " << shape_str(got.shape()) << ", expected " << shape_str(shape);
  std::vector<double> v = values(got);
  if (v.size() != want.size())
    return ::testing::AssertionFailure() << v.size() << " values, expected " << want.size();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const bool ok = (std::isnan(v[i]) && std::isnan(want[i])) || v[i] == want[i] ||
                    std::fabs(v[i] - want[i]) <= tol;
    if (!ok)
      return ::testing::AssertionFailure() << "element " << i << ": got " << v[i] << ", expected "
                                           << want[i] << " (tol " << tol << ")\n"
                                           << got;
  }
  return ::testing::AssertionSuccess();
}

// Same shape and values within tol (exactly equal when tol = 0).
inline bool sameValues(const Tensor& a, const Tensor& b, double tol = 0) {
  if (a.shape() != b.shape()) return false;
  std::vector<double> va = values(a), vb = values(b);
  for (std::size_t i = 0; i < va.size(); ++i) {
    if (std::isnan(va[i]) && std::isnan(vb[i])) continue;
    if (va[i] == vb[i]) continue;
    if (!(std::fabs(va[i] - vb[i]) <= tol * (1 + std::fabs(vb[i])))) return false;
  }
  return true;
}

// Inside a RapidCheck property: fail (and shrink) when gradcheck fails,
// reporting gradcheck's message (worst element, both values, errors).
inline void rcGradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                        const std::vector<Tensor>& inputs, const GradcheckOptions& opts = {}) {
  GradcheckResult r = gradcheck(fn, inputs, opts);
  if (!r.ok) RC_FAIL(r.message);
}

// ---- error messages -------------------------------------------------------------
inline ::testing::Matcher<std::string> hasAll(std::initializer_list<std::string> fragments) {
  std::vector<::testing::Matcher<std::string>> ms;
  for (const std::string& f : fragments) ms.push_back(::testing::HasSubstr(f));
  return ::testing::AllOfArray(ms);
}

}  // namespace gradlab::testing

// EXPECT_THROWS_WITH(stmt, std::invalid_argument, "matmul", "(2,3)"): stmt
// throws that exception type and its message contains every fragment.
#define EXPECT_THROWS_WITH(stmt, Exception, ...) \
  EXPECT_THAT([&] { (void)(stmt); },             \
              ::testing::ThrowsMessage<Exception>(::gradlab::testing::hasAll({__VA_ARGS__})))
