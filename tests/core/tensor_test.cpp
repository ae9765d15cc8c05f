// tests/core/tensor_test.cpp — the Tensor handle and factories
// (core/tensor.cpp): shapes and strides, factories, conversions, in-place
// helpers, autograd members, and their error messages.
#include <cmath>
#include <limits>

#include "tests/core/generators.h"

namespace gradlab {
namespace {

using namespace gradlab::testing;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- factories ------------------------------------------------------------------------------
TEST(Tensor, UndefinedTensor) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_THROWS_WITH(t.shape(), std::invalid_argument, "undefined");
  EXPECT_THROWS_WITH(t.numel(), std::invalid_argument, "undefined");
  EXPECT_THROWS_WITH(t.dtype(), std::invalid_argument, "undefined");
}

TEST(Tensor, ZerosOnesFull) {
  for (DType dt : {DType::Bool, DType::Int64, DType::Float16, DType::BFloat16, DType::Float32,
                   DType::Float64}) {
    Tensor z = zeros({2, 3}, dt), o = ones({2, 3}, dt);
    EXPECT_EQ(z.dtype(), dt);
    EXPECT_EQ(z.shape(), (Shape{2, 3}));
    EXPECT_TRUE(tensorIs(z, {2, 3}, std::vector<double>(6, 0))) << dtype_name(dt);
    EXPECT_TRUE(tensorIs(o, {2, 3}, std::vector<double>(6, 1))) << dtype_name(dt);
    EXPECT_TRUE(z.is_contiguous());
    EXPECT_EQ(z.storage_offset(), 0);
  }
  EXPECT_EQ(zeros({2}).dtype(), DType::Float32);  // default dtype
  EXPECT_TRUE(tensorIs(full({2}, 2.5, DType::Float64), {2}, {2.5, 2.5}));
  EXPECT_TRUE(tensorIs(full({2}, 2.7, DType::Int64), {2}, {2, 2}));  // truncates
  EXPECT_TRUE(tensorIs(full({1}, -kInf, DType::Float16), {1}, {-kInf}));
  EXPECT_TRUE(tensorIs(full({1}, kNaN, DType::Int64), {1}, {0}));  // no UB on NaN
  EXPECT_TRUE(tensorIs(zeros_like(ones({3}, DType::Int64)), {3}, {0, 0, 0}));
  EXPECT_EQ(ones_like(zeros({1, 2}, DType::BFloat16)).dtype(), DType::BFloat16);
  Tensor s = scalar_tensor(4.5);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.item(), 4.5);
  EXPECT_EQ(empty({0, 3}).numel(), 0);
  EXPECT_EQ(empty({4, 5}, DType::Int64).dtype(), DType::Int64);
}

TEST(Tensor, Arange) {
  EXPECT_TRUE(tensorIs(arange(5), {5}, {0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(5).dtype(), DType::Int64);
  EXPECT_TRUE(tensorIs(arange(1, 2, 0.25, DType::Float64), {4}, {1, 1.25, 1.5, 1.75}));
  EXPECT_TRUE(tensorIs(arange(5, 0, -2), {3}, {5, 3, 1}));
  EXPECT_EQ(arange(0, 1, 0.1, DType::Float64).numel(), 10);
  EXPECT_EQ(arange(3, 3).numel(), 0);
  EXPECT_EQ(arange(3, 0).numel(), 0);
  EXPECT_EQ(arange(0).numel(), 0);
  EXPECT_THROWS_WITH(arange(0, 1, 0), std::invalid_argument, "arange", "step");
  EXPECT_THROWS_WITH(arange(0, kInf, 1), std::invalid_argument, "arange");
}

TEST(Tensor, FromVector) {
  EXPECT_TRUE(tensorIs(from_vector<double>({1.5, 2.5}, {2}), {2}, {1.5, 2.5}));
  EXPECT_EQ(from_vector<float>({1, 2, 3, 4}, {2, 2}).dtype(), DType::Float32);
  EXPECT_EQ(from_vector<int64_t>({1}, {}).dtype(), DType::Int64);
  EXPECT_EQ(from_vector<uint8_t>({1, 0}, {2}).dtype(), DType::Bool);
  Tensor b = from_vector<bool>({true, false, true}, {3});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_TRUE(tensorIs(b, {3}, {1, 0, 1}));
  EXPECT_EQ(from_vector<double>({}, {0, 4}).shape(), (Shape{0, 4}));
  EXPECT_THROWS_WITH(from_vector<double>({1, 2, 3}, {2, 2}), std::invalid_argument, "from_vector",
                     "3 values", "(2,2)");
  EXPECT_THROWS_WITH(from_vector<double>({1}, {-1}), std::invalid_argument, "from_vector",
                     "negative", "(-1)");
}

TEST(Tensor, ShapeErrors) {
  EXPECT_THROWS_WITH(zeros({2, -1}), std::invalid_argument, "negative size -1", "(2,-1)");
  EXPECT_THROWS_WITH(shape_numel({1 << 30, 1 << 30, 1 << 30}, "myop"), std::invalid_argument,
                     "myop", "(1073741824,1073741824,1073741824)");
  EXPECT_THROWS_WITH(empty({int64_t{1} << 40, 4}, DType::Float64), std::invalid_argument, "empty",
                     "(1099511627776,4)");
  EXPECT_EQ(shape_numel({}), 1);
  EXPECT_EQ(shape_numel({3, 0, 4}), 0);
  EXPECT_EQ(contiguous_strides({2, 3, 4}), (Shape{12, 4, 1}));
  EXPECT_EQ(contiguous_strides({}), (Shape{}));
}

// ---- shape, strides, size ------------------------------------------------------------------
TEST(Tensor, ShapeStridesSize) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_EQ(x.dim(), 3);
  EXPECT_EQ(x.numel(), 24);
  EXPECT_EQ(x.strides(), (Shape{12, 4, 1}));
  EXPECT_EQ(x.size(0), 2);
  EXPECT_EQ(x.size(-1), 4);
  EXPECT_EQ(x.size(-3), 2);
  EXPECT_THROWS_WITH(x.size(3), std::invalid_argument, "dim 3", "rank 3");
  EXPECT_THROWS_WITH(x.size(-4), std::invalid_argument, "dim -4", "rank 3");
  EXPECT_TRUE(x.is_contiguous());
  EXPECT_FALSE(transpose(x, 0, 2).is_contiguous());
  EXPECT_TRUE(narrow(x, 0, 1, 1).is_contiguous());  // one row of a contiguous tensor
  EXPECT_FALSE(narrow(x, 2, 1, 2).is_contiguous());
  EXPECT_TRUE(zeros({1, 3, 1}).is_contiguous());
}

// A 0-d tensor has no dims: size(0) is a bad argument (an exception, as
// PyTorch's IndexError), never a crash. Run in a child process so that a crash
// fails this test only.
TEST(Tensor, SizeOfZeroDimTensorIsAnError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        try {
          (void)scalar_tensor(1.0).size(0);
        } catch (const std::invalid_argument& e) {
          std::exit(std::string(e.what()).find("rank 0") != std::string::npos ? 0 : 2);
        }
        std::exit(1);
      },
      ::testing::ExitedWithCode(0), "");
}

// A freshly allocated tensor is contiguous whatever its sizes, zero included
// (as PyTorch: every zero-element tensor is contiguous).
TEST(Tensor, ZeroSizeTensorsAreContiguous) {
  EXPECT_TRUE(zeros({0}).is_contiguous());
  EXPECT_TRUE(zeros({0, 3}).is_contiguous());
  EXPECT_TRUE(zeros({2, 0}).is_contiguous());
  EXPECT_TRUE(zeros({2, 3, 0}).is_contiguous());
  EXPECT_TRUE(contiguous(transpose(zeros({2, 0}), 0, 1)).is_contiguous());
}

// ---- conversion -------------------------------------------------------------------------------
TEST(Tensor, ToVectorConverts) {
  Tensor f = f64({1.9, -1.9, 0, 0.5}, {4});
  EXPECT_EQ(f.to_vector<int64_t>(), (std::vector<int64_t>{1, -1, 0, 0}));  // truncation toward zero
  EXPECT_EQ(f.to_vector<uint8_t>(), (std::vector<uint8_t>{1, 1, 0, 1}));   // nonzero -> true
  EXPECT_EQ(f.to_vector<float>(), (std::vector<float>{1.9f, -1.9f, 0.f, 0.5f}));
  EXPECT_EQ(i64({3, -4}, {2}).to_vector<double>(), (std::vector<double>{3, -4}));
  EXPECT_EQ(reshape(arange(6), {2, 3}).t().to_vector<int64_t>(),
            (std::vector<int64_t>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(f64({kNaN, kInf}, {2}).to_vector<int64_t>(), (std::vector<int64_t>{0, 0}));
  EXPECT_TRUE(zeros({0, 2}).to_vector<double>().empty());
}

TEST(Tensor, ItemNeedsExactlyOneElement) {
  EXPECT_EQ(f64({7}, {1, 1}).item(), 7);
  EXPECT_EQ(full({}, 3, DType::Int64).item(), 3);
  EXPECT_EQ(ones({1}, DType::Bool).item(), 1);
  EXPECT_EQ(full({1}, 0.5, DType::Float16).item(), 0.5);
  EXPECT_EQ(select(f64({1, 2, 3}, {3}), 0, 2).item(), 3);  // with a storage offset
  EXPECT_THROWS_WITH(zeros({2, 3}).item(), std::invalid_argument, "item", "(2,3)", "6 elements");
  EXPECT_THROWS_WITH(zeros({0}).item(), std::invalid_argument, "item", "(0)");
}

TEST(Tensor, ToChangesDtype) {
  Tensor x = f64({1.5, -2.5, 0, 1e6}, {4});
  EXPECT_TRUE(tensorIs(x.to(DType::Int64), {4}, {1, -2, 0, 1e6}));
  EXPECT_TRUE(tensorIs(x.to(DType::Bool), {4}, {1, 1, 0, 1}));
  EXPECT_TRUE(tensorIs(x.to(DType::Float16), {4}, {1.5, -2.5, 0, kInf}));  // 1e6 > 65504
  EXPECT_TRUE(tensorIs(x.to(DType::BFloat16), {4}, {1.5, -2.5, 0, 999424}));
  EXPECT_TRUE(tensorIs(x.to(DType::Float32).to(DType::Float64), {4}, {1.5, -2.5, 0, 1e6}));
  EXPECT_TRUE(tensorIs(x.to(DType::Float64), {4}, {1.5, -2.5, 0, 1e6}));
  EXPECT_TRUE(x.to(DType::Float64).impl() == x.impl());  // same dtype: the same tensor
  // Non-contiguous source keeps its logical order.
  EXPECT_TRUE(tensorIs(reshape(arange(4), {2, 2}).t().to(DType::Float32), {2, 2}, {0, 2, 1, 3}));
}

TEST(Tensor, ToIsDifferentiableBetweenFloatingDtypes) {
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  Tensor y = x.to(DType::Float32);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_EQ(y.grad_fn_name(), "to");
  mul(y, from_vector<float>({3, 4}, {2})).sum().backward();
  EXPECT_EQ(x.grad().dtype(), DType::Float64);  // gradient in the leaf's dtype
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {3, 4}));
  EXPECT_FALSE(x.to(DType::Int64).requires_grad());
}

TEST(Tensor, CloneAndContiguousOwnTheirStorage) {
  Tensor x = f64({1, 2, 3, 4}, {2, 2});
  Tensor c = x.clone();
  EXPECT_NE(c.impl()->storage, x.impl()->storage);
  c.fill_(0);
  EXPECT_TRUE(tensorIs(x, {2, 2}, {1, 2, 3, 4}));
  EXPECT_EQ(x.contiguous().impl(), x.impl());
  Tensor t = x.t().contiguous();
  EXPECT_TRUE(tensorIs(t, {2, 2}, {1, 3, 2, 4}));
  EXPECT_EQ(t.strides(), (Shape{2, 1}));
  x.requires_grad_();
  EXPECT_FALSE(x.clone().requires_grad());  // clone carries no graph
}

TEST(Tensor, DataPtrChecksTheType) {
  Tensor x = f64({1, 2, 3}, {3});
  EXPECT_EQ(x.data_ptr<double>()[1], 2);
  EXPECT_EQ(select(x, 0, 2).data_ptr<double>()[0], 3);  // offset applied
  EXPECT_THROWS_WITH(x.data_ptr<float>(), std::invalid_argument, "data_ptr", "Float64", "Float32");
  EXPECT_THROWS_WITH(ones({1}, DType::Float16).data_ptr<BFloat16>(), std::invalid_argument,
                     "Float16", "BFloat16");
  x.data_ptr<double>()[0] = 9;
  EXPECT_TRUE(tensorIs(x, {3}, {9, 2, 3}));
}

TEST(Tensor, FillAndCopy) {
  Tensor x = zeros({2, 3}, DType::Int64);
  x.fill_(3.9);
  EXPECT_TRUE(tensorIs(x, {2, 3}, {3, 3, 3, 3, 3, 3}));
  Tensor y = zeros({2, 3}, DType::Float32);
  y.copy_(f64({1, 2, 3}, {3}));  // broadcast + convert
  EXPECT_TRUE(tensorIs(y, {2, 3}, {1, 2, 3, 1, 2, 3}));
  y.copy_(reshape(arange(6), {3, 2}).t());  // from a strided source
  EXPECT_TRUE(tensorIs(y, {2, 3}, {0, 2, 4, 1, 3, 5}));
  Tensor h = zeros({2}, DType::Float16);
  h.copy_(f64({65519, 65520}, {2}));
  EXPECT_TRUE(tensorIs(h, {2}, {65504, kInf}));
  EXPECT_THROWS_WITH(y.copy_(zeros({4})), std::invalid_argument, "copy_", "(4)", "(2,3)");
  EXPECT_THROWS_WITH(y.copy_(zeros({3, 3})), std::invalid_argument, "copy_", "(3,3)", "(2,3)");
}

// ---- autograd members -------------------------------------------------------------------------
TEST(Tensor, CopiesShareIdentity) {
  Tensor a = f64({1}, {1});
  Tensor b = a;
  b.requires_grad_();
  EXPECT_TRUE(a.requires_grad());
  mul(b, f64({2}, {1})).sum().backward();
  EXPECT_TRUE(tensorIs(a.grad(), {1}, {2}));
}

TEST(Tensor, RequiresGradRules) {
  Tensor x = ones({2});
  EXPECT_FALSE(x.requires_grad());
  EXPECT_TRUE(x.is_leaf());
  EXPECT_TRUE(x.requires_grad_().requires_grad());
  x.requires_grad_(false);
  EXPECT_FALSE(x.requires_grad());
  EXPECT_THROWS_WITH(arange(3).requires_grad_(), std::invalid_argument, "requires_grad_", "Int64");
  EXPECT_THROWS_WITH(ones({2}, DType::Bool).requires_grad_(), std::invalid_argument,
                     "requires_grad_", "Bool");
  arange(3).requires_grad_(false);  // turning it off is always fine
  x.requires_grad_();
  Tensor y = x * 2.0;
  EXPECT_FALSE(y.is_leaf());
  EXPECT_EQ(y.grad_fn_name(), "mul");
  EXPECT_EQ(x.grad_fn_name(), "");
  EXPECT_THROWS_WITH(y.requires_grad_(), std::invalid_argument, "requires_grad_", "mul", "detach");
  ones({2}, DType::Float16).requires_grad_();
  ones({2}, DType::BFloat16).requires_grad_();
}

TEST(Tensor, DetachSharesDataNotGraph) {
  Tensor x = f64({1, 2}, {2});
  x.requires_grad_();
  Tensor y = x * 3.0;
  Tensor d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  EXPECT_EQ(d.impl()->storage, y.impl()->storage);
  EXPECT_TRUE(tensorIs(d, {2}, {3, 6}));
  d.fill_(0);
  EXPECT_TRUE(tensorIs(y, {2}, {0, 0}));  // same memory
  // Gradient does not flow through a detached path.
  Tensor z = add(mul(x, x), mul(x.detach(), x.detach())).sum();
  z.backward();
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {2, 4}));
}

TEST(Tensor, SetGradAndZeroGrad) {
  Tensor x = f64({1, 2}, {2});
  EXPECT_FALSE(x.grad().defined());
  x.set_grad(f64({5, 6}, {2}));
  EXPECT_TRUE(tensorIs(x.grad(), {2}, {5, 6}));
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
  EXPECT_THROWS_WITH(x.set_grad(zeros({3})), std::invalid_argument, "set_grad", "(3)", "(2)");
}

TEST(Tensor, MemberShorthands) {
  Tensor x = reshape(arange(6, DType::Float64), {2, 3});
  EXPECT_EQ(x.reshape({3, 2}).shape(), (Shape{3, 2}));
  EXPECT_EQ(x.view({6}).shape(), (Shape{6}));
  EXPECT_EQ(x.transpose(0, 1).shape(), (Shape{3, 2}));
  EXPECT_EQ(x.permute({1, 0}).shape(), (Shape{3, 2}));
  EXPECT_EQ(x.t().shape(), (Shape{3, 2}));
  EXPECT_EQ(x.sum().item(), 15);
  EXPECT_EQ(x.mean().item(), 2.5);
  EXPECT_THROWS_WITH(zeros({3}).t(), std::invalid_argument, "t", "2-D", "(3)");
}

}  // namespace
}  // namespace gradlab
