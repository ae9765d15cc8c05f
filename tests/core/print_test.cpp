// tests/core/print_test.cpp — operator<< / to_string (core/print.cpp): values,
// shape and dtype in PyTorch's layout; tensors with more than 1000 elements
// show the first and last 3 entries of each dim with "..." between.
#include <algorithm>
#include <sstream>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n')) + 1;
}

TEST(Print, SmallTensorsLikePyTorch) {
  EXPECT_EQ(to_string(from_vector<float>({1, -2.5, 3, 4}, {2, 2})),
            "tensor([[ 1.0000, -2.5000],\n"
            "        [ 3.0000,  4.0000]], shape=(2,2), dtype=Float32)");
  EXPECT_EQ(to_string(i64({1, 2, 3}, {3})), "tensor([1, 2, 3], shape=(3), dtype=Int64)");
  EXPECT_EQ(to_string(i64({-10, 5}, {2})), "tensor([-10,   5], shape=(2), dtype=Int64)");
  EXPECT_EQ(to_string(from_vector<uint8_t>({1, 0}, {2})),
            "tensor([ True, False], shape=(2), dtype=Bool)");
  EXPECT_EQ(to_string(scalar_tensor(3.5)), "tensor(3.5000, shape=(), dtype=Float32)");
  EXPECT_EQ(to_string(full({}, 7, DType::Int64)), "tensor(7, shape=(), dtype=Int64)");
  EXPECT_EQ(to_string(zeros({0})), "tensor([], shape=(0), dtype=Float32)");
  EXPECT_EQ(to_string(zeros({2, 0})), "tensor([[],\n        []], shape=(2,0), dtype=Float32)");
  EXPECT_EQ(to_string(full({2}, 0.5, DType::Float16)),
            "tensor([0.5000, 0.5000], shape=(2), dtype=Float16)");
  EXPECT_EQ(to_string(full({1}, 0.5, DType::BFloat16)),
            "tensor([0.5000], shape=(1), dtype=BFloat16)");
  EXPECT_EQ(to_string(Tensor()), "tensor(undefined)");
}

TEST(Print, ThreeDimsSeparateBlocksWithABlankLine) {
  EXPECT_EQ(to_string(reshape(arange(0, 8, 1, DType::Float64), {2, 2, 2})),
            "tensor([[[0.0000, 1.0000],\n"
            "         [2.0000, 3.0000]],\n"
            "\n"
            "        [[4.0000, 5.0000],\n"
            "         [6.0000, 7.0000]]], shape=(2,2,2), dtype=Float64)");
}

TEST(Print, ScientificNotationForWideRanges) {
  EXPECT_EQ(to_string(f64({1e-5, 1}, {2})),
            "tensor([1.0000e-05, 1.0000e+00], shape=(2), dtype=Float64)");
  EXPECT_EQ(to_string(f64({1e9}, {1})), "tensor([1.0000e+09], shape=(1), dtype=Float64)");
  EXPECT_EQ(to_string(f64({0, 2}, {2})),
            "tensor([0.0000, 2.0000], shape=(2), dtype=Float64)");  // zeros don't force sci
}

TEST(Print, NonFiniteValues) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(to_string(f64({std::nan(""), inf, -inf, 1.5}, {4})),
            "tensor([   nan,    inf,   -inf, 1.5000], shape=(4), dtype=Float64)");
}

TEST(Print, AutogradInformation) {
  Tensor x = ones({1});
  x.requires_grad_();
  EXPECT_EQ(to_string(x), "tensor([1.0000], shape=(1), dtype=Float32, requires_grad=true)");
  EXPECT_EQ(to_string(x * 2.0), "tensor([2.0000], shape=(1), dtype=Float32, grad_fn=mul)");
  EXPECT_EQ(to_string(x.detach()), "tensor([1.0000], shape=(1), dtype=Float32)");
}

TEST(Print, NonContiguousPrintsLogicalOrder) {
  EXPECT_EQ(to_string(reshape(arange(6), {2, 3}).t()),
            "tensor([[0, 3],\n"
            "        [1, 4],\n"
            "        [2, 5]], shape=(3,2), dtype=Int64)");
  EXPECT_EQ(to_string(expand(i64({7}, {1}), {3})), "tensor([7, 7, 7], shape=(3), dtype=Int64)");
}

TEST(Print, OperatorMatchesToString) {
  Tensor x = f64({1, 2}, {2});
  std::ostringstream os;
  os << x;
  EXPECT_EQ(os.str(), to_string(x));
}

TEST(Print, LargeTensorsAreSummarised) {
  EXPECT_EQ(to_string(arange(2000)),
            "tensor([   0,    1,    2, ..., 1997, 1998, 1999], shape=(2000), dtype=Int64)");
  EXPECT_EQ(to_string(reshape(arange(2000), {40, 50})),
            "tensor([[   0,    1,    2, ...,   47,   48,   49],\n"
            "        [  50,   51,   52, ...,   97,   98,   99],\n"
            "        [ 100,  101,  102, ...,  147,  148,  149],\n"
            "        ...,\n"
            "        [1850, 1851, 1852, ..., 1897, 1898, 1899],\n"
            "        [1900, 1901, 1902, ..., 1947, 1948, 1949],\n"
            "        [1950, 1951, 1952, ..., 1997, 1998, 1999]], shape=(40,50), dtype=Int64)");
  // The threshold: 1000 elements print in full, 1001 are summarised.
  EXPECT_EQ(to_string(arange(1000)).find("..."), std::string::npos);
  EXPECT_NE(to_string(arange(1001)).find("..."), std::string::npos);
  // Summaries stay small whatever the size: 3 leading and 3 trailing blocks per dim.
  std::string big = to_string(zeros({100, 100, 100}));
  EXPECT_LT(big.size(), 4000u);  // in full it would be ~8 MB
  EXPECT_EQ(count_lines(big),
            6 * 7 + 5 + 1);  // 6 blocks of 7 lines (6 rows + "..."), separators, the middle "..."
  EXPECT_NE(big.find("shape=(100,100,100), dtype=Float32)"), std::string::npos);
}

}  // namespace
}  // namespace gradlab
