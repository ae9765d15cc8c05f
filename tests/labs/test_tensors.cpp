// tests/labs/test_tensors.cpp — the phase-01 suite: shapes, strides,
// broadcasting and a strided reduction (labs/01_tensors/lab.h).
//
// Compiled once and linked against each implementation of lab.h: the
// reference (must pass), the starter, every bug-zoo entry (each must fail at
// least one test) and students' submissions. Three kinds of test:
//   Property.*   RapidCheck properties; a failure is shrunk to the smallest
//                input that still fails and printed with expected vs got
//   Reference.*  golden answers from NumPy/PyTorch
//                (tests/data/labs/lab01_tensors.json, made by
//                tests/data/labs/gen_labs_reference.py)
//   Stress.*     extreme inputs: offsets past 2^31, rank 8, million-element
//                reductions, size-0 dims, bad arguments
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "labs/01_tensors/lab.h"

namespace {

using lab01::Shape;
using json = nlohmann::json;

// ---- printing and oracles -----------------------------------------------------

std::string str(const Shape& s) {
  std::ostringstream os;
  os << "(";
  for (std::size_t i = 0; i < s.size(); ++i) os << (i ? "," : "") << s[i];
  os << ")";
  return os.str();
}

std::string str(const std::vector<double>& v, std::size_t limit = 12) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size() && i < limit; ++i) os << (i ? ", " : "") << v[i];
  if (v.size() > limit) os << ", ... (" << v.size() << " values)";
  os << "]";
  return os.str();
}

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// Advances a row-major multi-index; false after the last one.
bool next_index(Shape& idx, const Shape& shape) {
  for (auto k = static_cast<int64_t>(idx.size()) - 1; k >= 0; --k) {
    if (++idx[k] < shape[k]) return true;
    idx[k] = 0;
  }
  return false;
}

// The test's own (slow, obvious) sum over one dim of a strided view.
std::vector<double> naive_sum_dim(const std::vector<double>& storage, const Shape& shape,
                                  const Shape& strides, int64_t offset, int64_t dim) {
  const auto rank = static_cast<int64_t>(shape.size());
  const int64_t d = dim < 0 ? dim + rank : dim;
  Shape out_shape;
  for (int64_t k = 0; k < rank; ++k)
    if (k != d) out_shape.push_back(shape[k]);
  std::vector<double> out(static_cast<std::size_t>(numel(out_shape)), 0.0);
  if (numel(shape) == 0) return out;
  Shape idx(shape.size(), 0);
  do {
    int64_t pos = offset, o = 0;
    for (int64_t k = 0; k < rank; ++k) {
      pos += idx[k] * strides[k];
      if (k != d) o = o * shape[k] + idx[k];
    }
    out[static_cast<std::size_t>(o)] += storage[static_cast<std::size_t>(pos)];
  } while (next_index(idx, shape));
  return out;
}

std::string describe_view(const std::vector<double>& storage, const Shape& shape,
                          const Shape& strides, int64_t offset, int64_t dim) {
  return "sum_dim(storage=" + str(storage) + ", shape=" + str(shape) + ", strides=" + str(strides) +
         ", storage_offset=" + std::to_string(offset) + ", dim=" + std::to_string(dim) + ")";
}

bool close(const std::vector<double>& a, const std::vector<double>& b, double tol = 1e-12) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(std::abs(a[i] - b[i]) <= tol * (1.0 + std::abs(b[i])))) return false;
  return true;
}

// Fails the current property with a sentence naming the input and expected
// vs got (RapidCheck prints it under the shrunk counterexample).
[[noreturn]] void counterexample(const std::string& what_went_wrong) { RC_FAIL(what_went_wrong); }

// Calls f(); if it throws, rethrows with the call spelled out, so the report
// says which input made the student's function throw.
template <class F>
auto guarded(const std::string& call, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw std::runtime_error(call + " threw: " + e.what());
  }
}

// ---- golden data --------------------------------------------------------------

json load_golden() {
  const std::string path = std::string(GRADLAB_TEST_DATA_DIR) + "/labs/lab01_tensors.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open golden file " + path);
  return json::parse(in);
}

const json& golden() {
  static const json data = load_golden();
  return data;
}

double num(const json& v) {
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    return s == "inf" ? std::numeric_limits<double>::infinity()
                      : -std::numeric_limits<double>::infinity();
  }
  return v.get<double>();
}

std::vector<double> nums(const json& arr) {
  std::vector<double> out;
  for (const auto& v : arr) out.push_back(num(v));
  return out;
}

// ---- generators ---------------------------------------------------------------

// Rank in [min_rank, max_rank], sizes in [lo, hi].
rc::Gen<Shape> gen_shape(int max_rank, int64_t lo, int64_t hi, int min_rank = 0) {
  return rc::gen::mapcat(rc::gen::inRange(min_rank, max_rank + 1), [=](int rank) {
    return rc::gen::container<Shape>(static_cast<std::size_t>(rank),
                                     rc::gen::inRange<int64_t>(lo, hi + 1));
  });
}

}  // namespace

// Two shapes, printed by RapidCheck on one line.
struct ShapePair {
  Shape a, b;
  int64_t clash_dim = 0;  // BroadcastRejectsMismatchedSizes: where they clash
};
std::ostream& operator<<(std::ostream& os, const ShapePair& p) {
  return os << "a = " << str(p.a) << ", b = " << str(p.b);
}

// A strided view over a storage, printed as the call sum_dim(...).
struct View {
  std::vector<double> storage;
  Shape shape, strides;
  int64_t offset = 0, dim = 0;
};
std::ostream& operator<<(std::ostream& os, const View& v) {
  return os << describe_view(v.storage, v.shape, v.strides, v.offset, v.dim);
}

// =============================================================================
// Property tests
// =============================================================================

// Build a and b from a common output shape: a has its full rank, b is a
// right-aligned suffix of it (often shorter), and in both some sizes were
// replaced by 1. The broadcast must give back, in each position, the size
// that survived (or 1 if both were replaced). Both argument orders are checked.
RC_GTEST_PROP(Property, BroadcastMatchesRightAlignedRule, ()) {
  const ShapePair shapes =
      *rc::gen::exec([] {
         const Shape out = *gen_shape(4, 2, 4, 1);
         const auto rb =
             static_cast<std::size_t>(*rc::gen::inRange<int>(0, static_cast<int>(out.size()) + 1));
         ShapePair p{out, Shape(out.end() - static_cast<std::ptrdiff_t>(rb), out.end())};
         for (auto& s : p.a)
           if (*rc::gen::arbitrary<bool>()) s = 1;
         for (auto& s : p.b)
           if (*rc::gen::arbitrary<bool>()) s = 1;
         return p;
       }).as("shapes");
  const Shape &a = shapes.a, &b = shapes.b;
  Shape expected(std::max(a.size(), b.size()), 1);
  for (std::size_t p = 1; p <= expected.size(); ++p) {  // p-th dim from the right
    const int64_t sa = p <= a.size() ? a[a.size() - p] : 1;
    const int64_t sb = p <= b.size() ? b[b.size() - p] : 1;
    expected[expected.size() - p] = std::max(sa, sb);
  }
  const std::string call_ab = "broadcast_shape(" + str(a) + ", " + str(b) + ")";
  const Shape got_ab = guarded(call_ab, [&] { return lab01::broadcast_shape(a, b); });
  if (got_ab != expected)
    counterexample("broadcast_shape(" + str(a) + ", " + str(b) + "): expected " + str(expected) +
                   ", got " + str(got_ab) + " (align the shapes on the RIGHT)");
  const std::string call_ba = "broadcast_shape(" + str(b) + ", " + str(a) + ")";
  const Shape got_ba = guarded(call_ba, [&] { return lab01::broadcast_shape(b, a); });
  if (got_ba != expected)
    counterexample("broadcast_shape(" + str(b) + ", " + str(a) + "): expected " + str(expected) +
                   ", got " + str(got_ba) + " (broadcasting is symmetric)");
}

// Two sizes that differ and are both >= 2 must be rejected, whatever the
// other dims are.
RC_GTEST_PROP(Property, BroadcastRejectsMismatchedSizes, ()) {
  const ShapePair shapes =
      *rc::gen::exec([] {
         ShapePair p{*gen_shape(3, 1, 4), *gen_shape(3, 1, 4)};
         const int64_t sa = *rc::gen::inRange<int64_t>(2, 6);
         const int64_t sb = *rc::gen::suchThat(rc::gen::inRange<int64_t>(2, 6),
                                               [=](int64_t s) { return s != sa; });
         const auto k = static_cast<std::size_t>(*rc::gen::inRange<int>(0, 3));  // from the right
         while (p.a.size() <= k) p.a.insert(p.a.begin(), 1);
         while (p.b.size() <= k) p.b.insert(p.b.begin(), 1);
         p.a[p.a.size() - 1 - k] = sa;
         p.b[p.b.size() - 1 - k] = sb;
         p.clash_dim = -1 - static_cast<int64_t>(k);
         return p;
       }).as("shapes");
  const Shape &a = shapes.a, &b = shapes.b;
  const auto k = static_cast<std::size_t>(-1 - shapes.clash_dim);
  const int64_t sa = a[a.size() - 1 - k], sb = b[b.size() - 1 - k];
  for (int order = 0; order < 2; ++order) {
    const Shape& x = order == 0 ? a : b;
    const Shape& y = order == 0 ? b : a;
    try {
      const Shape got = lab01::broadcast_shape(x, y);
      counterexample("broadcast_shape(" + str(x) + ", " + str(y) + ") returned " + str(got) +
                     "; expected std::invalid_argument: sizes " + std::to_string(sa) + " and " +
                     std::to_string(sb) + " meet in dim " +
                     std::to_string(-1 - static_cast<int64_t>(k)) + " and neither is 1");
    } catch (const std::invalid_argument&) {
      // expected
    }
  }
}

// Walking the elements in row-major order with contiguous strides must visit
// storage positions 0, 1, 2, ... in turn.
RC_GTEST_PROP(Property, ContiguousStridesWalkRowMajor, ()) {
  const Shape shape = *gen_shape(5, 1, 4).as("shape");
  const Shape strides = guarded("contiguous_strides(" + str(shape) + ")",
                                [&] { return lab01::contiguous_strides(shape); });
  if (strides.size() != shape.size())
    counterexample("contiguous_strides(" + str(shape) + ") = " + str(strides) + ": expected " +
                   std::to_string(shape.size()) + " strides, one per dim");
  Shape idx(shape.size(), 0);
  int64_t expected = 0;
  do {
    int64_t got = 0;
    for (std::size_t d = 0; d < idx.size(); ++d) got += idx[d] * strides[d];
    if (got != expected)
      counterexample("contiguous_strides(" + str(shape) + ") = " + str(strides) + ": element " +
                     str(idx) + " lands at position " + std::to_string(got) +
                     ", but in row-major order it is element number " + std::to_string(expected) +
                     " (the LAST dim must have stride 1)");
    ++expected;
  } while (next_index(idx, shape));
}

RC_GTEST_PROP(Property, ElementOffsetIsStorageOffsetPlusDot, ()) {
  const Shape index = *gen_shape(5, 0, 50).as("index");
  const Shape strides =
      *rc::gen::container<Shape>(index.size(), rc::gen::inRange<int64_t>(0, 1000)).as("strides");
  const int64_t storage_offset = *rc::gen::inRange<int64_t>(0, 1000).as("storage_offset");
  int64_t expected = storage_offset;
  for (std::size_t d = 0; d < index.size(); ++d) expected += index[d] * strides[d];
  const int64_t got = guarded(
      "element_offset(...)", [&] { return lab01::element_offset(index, strides, storage_offset); });
  if (got != expected)
    counterexample("element_offset(index=" + str(index) + ", strides=" + str(strides) +
                   ", storage_offset=" + std::to_string(storage_offset) + "): expected " +
                   std::to_string(expected) + ", got " + std::to_string(got));
}

// Any memory layout: dims laid out in a random order, some with gaps between
// them, a storage offset, a random (possibly negative) dim to reduce.
RC_GTEST_PROP(Property, SumDimMatchesNaiveSumOnAnyLayout, ()) {
  const View v =
      *rc::gen::exec([] {
         View v;
         v.shape = *gen_shape(4, 1, 4, 1);
         const auto rank = static_cast<int64_t>(v.shape.size());
         // order[0] is the innermost dim in memory: dims sorted by a
         // random key, ties broken so that equal keys give row-major.
         std::vector<int64_t> order(v.shape.size());
         std::iota(order.begin(), order.end(), 0);
         const auto keys =
             *rc::gen::container<std::vector<int>>(v.shape.size(), rc::gen::inRange(0, 100));
         std::sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
           const int kx = keys[static_cast<std::size_t>(x)], ky = keys[static_cast<std::size_t>(y)];
           return kx != ky ? kx < ky : x > y;
         });
         v.strides.resize(v.shape.size());
         int64_t acc = 1;
         for (int64_t d : order) {
           v.strides[static_cast<std::size_t>(d)] = acc;
           acc *= v.shape[static_cast<std::size_t>(d)] +
                  *rc::gen::inRange<int64_t>(0, 2);  // a gap after this dim?
         }
         v.offset = *rc::gen::inRange<int64_t>(0, 3);
         v.dim = *rc::gen::inRange<int64_t>(-rank, rank);
         int64_t need = v.offset + 1;
         for (std::size_t d = 0; d < v.shape.size(); ++d) need += (v.shape[d] - 1) * v.strides[d];
         for (int x : *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(need),
                                                            rc::gen::inRange(0, 10)))
           v.storage.push_back(x);
         return v;
       }).as("view");
  const auto& [storage, shape, strides, offset, dim] = v;
  const auto expected = naive_sum_dim(storage, shape, strides, offset, dim);
  const auto got = guarded(describe_view(storage, shape, strides, offset, dim),
                           [&] { return lab01::sum_dim(storage, shape, strides, offset, dim); });
  if (got != expected)  // small integers: the sums are exact
    counterexample(describe_view(storage, shape, strides, offset, dim) + ": expected " +
                   str(expected) + ", got " + str(got));
}

// An expanded dim (stride 0) repeats the same elements: summing over it
// multiplies them by its size.
RC_GTEST_PROP(Property, SumOverExpandedDimMultiplies, ()) {
  const auto n = *rc::gen::inRange<int64_t>(1, 6).as("n");
  const auto m = *rc::gen::inRange<int64_t>(2, 6).as("m (expanded size)");
  const auto ints =
      *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(n), rc::gen::inRange(0, 10))
           .as("values");
  const std::vector<double> v(ints.begin(), ints.end());
  std::vector<double> expected(v);
  for (auto& x : expected) x *= static_cast<double>(m);
  // (m, n) with strides (0, 1), summed over dim 0; and (n, m) with (1, 0) over dim 1.
  const auto rows = guarded(describe_view(v, {m, n}, {0, 1}, 0, 0), [&] {
    return lab01::sum_dim(v, {m, n}, {0, 1}, 0, 0);
  });
  if (rows != expected)
    counterexample(describe_view(v, {m, n}, {0, 1}, 0, 0) + " (dim 0 expanded): expected " +
                   str(expected) + ", got " + str(rows));
  const auto cols = guarded(describe_view(v, {n, m}, {1, 0}, 0, -1), [&] {
    return lab01::sum_dim(v, {n, m}, {1, 0}, 0, -1);
  });
  if (cols != expected)
    counterexample(describe_view(v, {n, m}, {1, 0}, 0, -1) + " (dim 1 expanded): expected " +
                   str(expected) + ", got " + str(cols));
}

// =============================================================================
// Reference tests (golden data from NumPy / PyTorch)
// =============================================================================

TEST(Reference, BroadcastShapes) {
  const auto& cases = golden().at("broadcast");
  ASSERT_GT(cases.size(), 20u);
  for (const auto& c : cases) {
    const auto a = c.at("a").get<Shape>();
    const auto b = c.at("b").get<Shape>();
    const std::string call = "broadcast_shape(" + str(a) + ", " + str(b) + ")";
    if (c.contains("error")) {
      EXPECT_THROW(lab01::broadcast_shape(a, b), std::invalid_argument)
          << call << ": NumPy refuses these shapes, expected std::invalid_argument";
    } else {
      const auto expected = c.at("out").get<Shape>();
      const Shape got = lab01::broadcast_shape(a, b);
      EXPECT_EQ(got, expected) << call << ": expected " << str(expected)
                               << " (np.broadcast_shapes), got " << str(got);
    }
  }
}

TEST(Reference, ContiguousStrides) {
  for (const auto& c : golden().at("contiguous_strides")) {
    const auto shape = c.at("shape").get<Shape>();
    const auto expected = c.at("strides").get<Shape>();
    const Shape got = lab01::contiguous_strides(shape);
    EXPECT_EQ(got, expected) << "contiguous_strides(" << str(shape) << "): expected "
                             << str(expected) << " (torch.empty(shape).stride()), got " << str(got);
  }
}

TEST(Reference, ElementOffset) {
  for (const auto& c : golden().at("element_offset")) {
    const auto index = c.at("index").get<Shape>();
    const auto strides = c.at("strides").get<Shape>();
    const auto so = c.at("storage_offset").get<int64_t>();
    const auto expected = c.at("offset").get<int64_t>();
    const int64_t got = lab01::element_offset(index, strides, so);
    EXPECT_EQ(got, expected) << "element_offset(index=" << str(index)
                             << ", strides=" << str(strides) << ", storage_offset=" << so
                             << "): expected " << expected << " (torch as_strided view), got "
                             << got;
  }
}

TEST(Reference, SumDim) {
  for (const auto& c : golden().at("sum_dim")) {
    const auto storage = nums(c.at("storage"));
    const auto shape = c.at("shape").get<Shape>();
    const auto strides = c.at("strides").get<Shape>();
    const auto so = c.at("storage_offset").get<int64_t>();
    const auto dim = c.at("dim").get<int64_t>();
    const auto expected = nums(c.at("expected"));
    const auto got = lab01::sum_dim(storage, shape, strides, so, dim);
    EXPECT_TRUE(close(got, expected))
        << describe_view(storage, shape, strides, so, dim) << ": expected " << str(expected)
        << " (NumPy as_strided(...).sum(axis=" << dim << ")), got " << str(got);
  }
}

// =============================================================================
// Stress tests
// =============================================================================

TEST(Stress, OffsetsBeyond32Bits) {
  // A view deep inside a 2^40-element storage: every product overflows int32.
  const Shape strides = {int64_t{1} << 33, int64_t{1} << 20, 1};
  const Shape index = {100, 3000, 5};
  const int64_t so = int64_t{1} << 34;
  const int64_t expected = so + 100 * strides[0] + 3000 * strides[1] + 5;
  EXPECT_EQ(lab01::element_offset(index, strides, so), expected)
      << "element_offset(index=" << str(index) << ", strides=" << str(strides)
      << ", storage_offset=2^34): offsets this large need int64 arithmetic";
  const Shape big = {1 << 20, 1 << 12, 1 << 10};  // 2^42 elements
  const Shape expected_strides = {int64_t{1} << 22, int64_t{1} << 10, 1};
  EXPECT_EQ(lab01::contiguous_strides(big), expected_strides)
      << "contiguous_strides(" << str(big) << "): expected " << str(expected_strides);
}

TEST(Stress, RankZeroAndRankEight) {
  EXPECT_EQ(lab01::broadcast_shape({}, {}), Shape{}) << "broadcast_shape((), ()) must be ()";
  EXPECT_EQ(lab01::contiguous_strides({}), Shape{}) << "contiguous_strides(()) must be ()";
  EXPECT_EQ(lab01::element_offset({}, {}, 7), 7)
      << "element_offset((), (), 7): a 0-d tensor's only element is at its storage offset";

  const Shape a = {2, 1, 3, 1, 2, 1, 2, 1};
  const Shape b = {1, 4, 1, 5, 2, 1, 1, 3};
  const Shape expected = {2, 4, 3, 5, 2, 1, 2, 3};
  EXPECT_EQ(lab01::broadcast_shape(a, b), expected)
      << "broadcast_shape(" << str(a) << ", " << str(b) << "): expected " << str(expected);
  const Shape twos(8, 2);
  const Shape expected_strides = {128, 64, 32, 16, 8, 4, 2, 1};
  EXPECT_EQ(lab01::contiguous_strides(twos), expected_strides)
      << "contiguous_strides(" << str(twos) << ")";
  // Sum a rank-8 (2,...,2) transposed view (strides reversed) over each dim.
  std::vector<double> storage(256);
  for (std::size_t i = 0; i < storage.size(); ++i) storage[i] = static_cast<double>(i % 17) - 8;
  const Shape rev = {1, 2, 4, 8, 16, 32, 64, 128};
  for (int64_t dim = -8; dim < 8; ++dim) {
    const auto expected_sum = naive_sum_dim(storage, twos, rev, 0, dim);
    const auto got = lab01::sum_dim(storage, twos, rev, 0, dim);
    EXPECT_EQ(got, expected_sum) << describe_view(storage, twos, rev, 0, dim) << ": expected "
                                 << str(expected_sum) << ", got " << str(got);
  }
}

TEST(Stress, MillionElementReductions) {
  const int64_t n = 1'000'000;
  std::vector<double> storage(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    storage[static_cast<std::size_t>(i)] = static_cast<double>(i % 7) - 3;
  // One long row, one long column (stride 1 along dim 0 of (n, 1)).
  const double total = std::accumulate(storage.begin(), storage.end(), 0.0);
  auto got = lab01::sum_dim(storage, {1, n}, {n, 1}, 0, 1);
  EXPECT_EQ(got, std::vector<double>{total}) << "sum over dim 1 of a (1, 1000000) row";
  got = lab01::sum_dim(storage, {n, 1}, {1, 1}, 0, 0);
  EXPECT_EQ(got, std::vector<double>{total}) << "sum over dim 0 of a (1000000, 1) column";
  // A (1000, 1000) transpose, over each dim; and an every-other-element slice.
  const Shape sq = {1000, 1000}, tr = {1, 1000};
  for (int64_t dim = 0; dim < 2; ++dim) {
    const auto expected = naive_sum_dim(storage, sq, tr, 0, dim);
    got = lab01::sum_dim(storage, sq, tr, 0, dim);
    EXPECT_TRUE(close(got, expected))
        << "sum over dim " << dim
        << " of a (1000,1000) transposed view (strides (1,1000)): expected " << str(expected)
        << ", got " << str(got);
  }
  const auto expected_slice = naive_sum_dim(storage, {1000, 499}, {1000, 2}, 1, 1);
  got = lab01::sum_dim(storage, {1000, 499}, {1000, 2}, 1, 1);
  EXPECT_TRUE(close(got, expected_slice))
      << "sum over dim 1 of x[:, 1::2] of a (1000,1000) matrix (shape (1000,499), strides "
         "(1000,2), storage_offset 1): expected "
      << str(expected_slice) << ", got " << str(got);
}

TEST(Stress, SizeZeroDims) {
  EXPECT_EQ(lab01::broadcast_shape({0}, {1}), Shape{0}) << "broadcast_shape((0), (1)) must be (0)";
  EXPECT_EQ(lab01::broadcast_shape({2, 0}, {2, 1}), (Shape{2, 0}))
      << "broadcast_shape((2,0), (2,1)) must be (2,0)";
  EXPECT_THROW(lab01::broadcast_shape({0}, {2}), std::invalid_argument)
      << "broadcast_shape((0), (2)): 0 vs 2 do not broadcast";
  EXPECT_EQ(lab01::contiguous_strides({2, 0, 3}), (Shape{3, 3, 1}))
      << "contiguous_strides((2,0,3)): a size-0 dim counts as 1";
  const std::vector<double> storage = {1, 2, 3};
  EXPECT_EQ(lab01::sum_dim(storage, {3, 0}, {1, 1}, 0, 1), (std::vector<double>{0, 0, 0}))
      << "sum over the size-0 dim 1 of a (3,0) tensor gives three zeros";
  EXPECT_TRUE(lab01::sum_dim(storage, {0, 3}, {3, 1}, 0, 1).empty())
      << "sum over dim 1 of a (0,3) tensor has shape (0): an empty result";
}

TEST(Stress, BadArgumentsThrow) {
  const std::vector<double> storage(12, 1.0);
  EXPECT_THROW(lab01::element_offset({1, 2}, {3}, 0), std::invalid_argument)
      << "element_offset(index=(1,2), strides=(3)): lengths differ";
  EXPECT_THROW(lab01::sum_dim(storage, {3, 4}, {4, 1}, 0, 2), std::invalid_argument)
      << "sum_dim with dim 2 on a rank-2 tensor";
  EXPECT_THROW(lab01::sum_dim(storage, {3, 4}, {4, 1}, 0, -3), std::invalid_argument)
      << "sum_dim with dim -3 on a rank-2 tensor";
  EXPECT_THROW(lab01::sum_dim(storage, {3, 4}, {1}, 0, 0), std::invalid_argument)
      << "sum_dim with shape (3,4) but strides (1)";
  EXPECT_THROW(lab01::sum_dim(storage, {}, {}, 0, 0), std::invalid_argument)
      << "sum_dim on a rank-0 tensor: there is no dim to reduce";
}
