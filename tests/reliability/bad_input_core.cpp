// tests/reliability/bad_input_core.cpp — catalogue rows for core/: tensors
// and factories, every op family, autograd misuse, random numbers; plus the
// rows whose NaN/inf must show in the result (propagate_rows).
#include <cmath>
#include <limits>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "losses/cross_entropy.h"
#include "losses/logsumexp.h"
#include "losses/mse.h"
#include "losses/softmax.h"
#include "tests/reliability/bad_input.h"

namespace gradlab::rely {

namespace {

BadInput ia(std::string name, std::function<void()> f, std::vector<std::string> frags) {
  return {std::move(name), std::move(f), Throws::InvalidArgument, std::move(frags)};
}
BadInput re(std::string name, std::function<void()> f, std::vector<std::string> frags) {
  return {std::move(name), std::move(f), Throws::RuntimeError, std::move(frags)};
}

Tensor T(const Shape& s) { return ones(s); }
Tensor I64(std::vector<int64_t> v, Shape s) { return from_vector<int64_t>(v, std::move(s)); }
Tensor F(std::vector<float> v, Shape s) { return from_vector<float>(v, std::move(s)); }
constexpr int64_t kHuge = int64_t{1} << 40;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

std::vector<BadInput> core_rows() {
  return {
      // ---- factories and shapes ----
      ia("zeros_negative_size", [] { zeros({2, -3}); }, {"-3"}),
      ia("zeros_numel_overflows_int64", [] { zeros({kHuge, kHuge}); }, {"(1099511627776,1099511627776)", "int64"}),
      ia("empty_numel_overflows_int64", [] { empty({4, kHuge, kHuge}, DType::Float64); }, {"(4,1099511627776,1099511627776)", "int64"}),
      ia("shape_numel_overflow", [] { shape_numel({kHuge, kHuge}, "myop"); }, {"myop", "int64"}),
      ia("full_negative_size", [] { full({-1}, 1.0); }, {"-1"}),
      ia("from_vector_count_mismatch", [] { from_vector<float>({1, 2, 3, 4, 5}, {2, 3}); },
         {"from_vector", "5", "(2,3)"}),
      ia("arange_zero_step", [] { arange(0, 10, 0); }, {"arange", "step"}),
      ia("undefined_tensor_shape", [] { Tensor().shape(); }, {"undefined"}),
      ia("item_of_many", [] { T({2, 3}).item(); }, {"item", "6"}),
      ia("item_of_empty", [] { T({0}).item(); }, {"item", "0"}),
      ia("size_dim_out_of_range", [] { T({2, 3}).size(2); }, {"2"}),
      ia("data_ptr_wrong_type", [] { T({2}).data_ptr<double>(); }, {"data_ptr", "Float32"}),
      ia("requires_grad_on_int64", [] { I64({1, 2}, {2}).requires_grad_(); }, {"requires_grad", "Int64"}),
      ia("copy_shape_mismatch", [] { T({2, 3}).copy_(T({4})); }, {"(2,3)", "(4)"}),
      // ---- elementwise ----
      ia("add_shapes", [] { add(T({2, 3}), T({4, 5})); }, {"add", "(2,3)", "(4,5)"}),
      ia("mul_shapes", [] { mul(T({3}), T({4})); }, {"mul", "(3)", "(4)"}),
      ia("div_shapes", [] { (void)(T({2, 2}) / T({3})); }, {"div", "(2,2)", "(3)"}),
      ia("where_cond_not_bool", [] { where(T({2}), T({2}), T({2})); }, {"where", "Bool", "Float32"}),
      ia("where_shapes", [] { where(gt(T({2}), T({2})), T({3}), T({2})); }, {"where", "(3)"}),
      ia("masked_fill_mask_not_bool", [] { masked_fill(T({2}), T({2}), 0.0); }, {"masked_fill", "Bool"}),
      ia("masked_fill_shapes", [] { masked_fill(T({2, 3}), gt(T({4}), T({4})), 0.0); },
         {"masked_fill", "(4)", "(2,3)"}),
      ia("add_inplace_not_broadcastable", [] {
           Tensor x = T({2, 3});
           add_(x, T({2}));
         },
         {"add_", "(2)", "(2,3)"}),
      // ---- unary ----
      ia("exp_int64", [] { exp(I64({1, 2}, {2})); }, {"exp", "Int64"}),
      ia("log_bool", [] { log(gt(T({2}), T({2}))); }, {"log", "Bool"}),
      ia("sigmoid_int64", [] { sigmoid(I64({1}, {1})); }, {"sigmoid", "Int64"}),
      ia("sqrt_undefined", [] { sqrt(Tensor()); }, {"undefined"}),
      // ---- reductions ----
      ia("sum_dim_out_of_range", [] { sum(T({2, 3}), {2}); }, {"sum", "2"}),
      ia("sum_repeated_dim", [] { sum(T({2, 3}), {1, -1}); }, {"sum", "1"}),
      ia("mean_int64", [] { mean(I64({1, 2}, {2})); }, {"mean", "Int64"}),
      ia("max_of_empty", [] { max(T({0, 3})); }, {"max", "empty"}),
      ia("amax_over_empty_dim", [] { amax(T({2, 0}), {1}); }, {"amax", "(2,0)"}),
      ia("argmax_dim_out_of_range", [] { argmax(T({2, 3}), 5); }, {"argmax", "5"}),
      ia("argmax_over_empty_dim", [] { argmax(T({3, 0}), 1); }, {"argmax", "(3,0)"}),
      // ---- shape and views ----
      ia("reshape_wrong_count", [] { reshape(T({2, 3}), {4}); }, {"reshape", "(2,3)", "(4)"}),
      ia("reshape_two_wildcards", [] { reshape(T({2, 3}), {-1, -1}); }, {"reshape", "-1"}),
      ia("reshape_negative", [] { reshape(T({2, 3}), {-2, -3}); }, {"reshape", "-2"}),
      ia("reshape_numel_overflows", [] { reshape(T({0}), {kHuge, kHuge, 1}); }, {"reshape"}),
      ia("view_not_viewable", [] { view(transpose(T({2, 3}), 0, 1), {6}); }, {"view", "(3,2)"}),
      ia("transpose_dim_out_of_range", [] { transpose(T({2, 3}), 0, 2); }, {"transpose", "2"}),
      ia("permute_repeated", [] { permute(T({2, 3}), {0, 0}); }, {"permute"}),
      ia("permute_wrong_length", [] { permute(T({2, 3}), {0}); }, {"permute"}),
      ia("narrow_past_end", [] { narrow(T({2, 3}), 1, 2, 5); }, {"narrow", "2", "5", "3"}),
      ia("narrow_negative_length", [] { narrow(T({2, 3}), 1, 0, -1); }, {"narrow", "-1"}),
      ia("select_index_out_of_range", [] { select(T({2, 3}), 1, 3); }, {"select", "3"}),
      ia("select_on_0d", [] { select(T({}), 0, 0); }, {"select"}),
      ia("slice_zero_step", [] { slice(T({4}), 0, 0, 4, 0); }, {"slice", "step"}),
      ia("expand_incompatible", [] { expand(T({2, 3}), {4, 3}); }, {"expand", "(2,3)", "(4,3)"}),
      ia("squeeze_dim_out_of_range", [] { squeeze(T({2, 1}), 4); }, {"squeeze", "4"}),
      ia("unsqueeze_dim_out_of_range", [] { unsqueeze(T({2, 3}), 5); }, {"unsqueeze", "5"}),
      ia("flatten_bad_range", [] { flatten(T({2, 3, 4}), 2, 1); }, {"flatten"}),
      // ---- linear algebra ----
      ia("matmul_inner_mismatch", [] { matmul(T({2, 3}), T({4, 5})); }, {"matmul", "(2,3)", "(4,5)"}),
      ia("matmul_0d", [] { matmul(T({}), T({3})); }, {"matmul", "()"}),
      ia("matmul_batch_mismatch", [] { matmul(T({2, 2, 3}), T({3, 3, 4})); }, {"matmul", "(2,2,3)", "(3,3,4)"}),
      // ---- indexing ----
      ia("gather_index_out_of_range", [] { gather(T({2, 3}), 1, I64({0, 7}, {2, 1})); },
         {"gather", "7", "3"}),
      ia("gather_negative_index", [] { gather(T({2, 3}), 1, I64({0, -1}, {2, 1})); }, {"gather", "-1"}),
      ia("gather_index_float", [] { gather(T({2, 3}), 1, T({2, 1})); }, {"gather", "Int64", "Float32"}),
      ia("gather_rank_mismatch", [] { gather(T({2, 3}), 1, I64({0}, {1})); }, {"gather", "(1)", "(2,3)"}),
      ia("index_select_out_of_range", [] { index_select(T({4, 2}), 0, I64({1, 4}, {2})); },
         {"index_select", "4"}),
      ia("one_hot_class_out_of_range", [] { one_hot(I64({0, 5}, {2}), 3); }, {"one_hot", "5", "3"}),
      ia("one_hot_negative_class", [] { one_hot(I64({-2}, {1}), 3); }, {"one_hot", "-2"}),
      ia("one_hot_zero_classes", [] { one_hot(I64({0}, {1}), 0); }, {"one_hot", "0"}),
      ia("cat_empty_list", [] { cat({}); }, {"cat"}),
      ia("cat_shape_mismatch", [] { cat({T({2, 3}), T({2, 4})}, 0); }, {"cat", "(2,3)", "(2,4)"}),
      ia("cat_dim_out_of_range", [] { cat({T({2}), T({2})}, 3); }, {"cat", "3"}),
      ia("stack_shape_mismatch", [] { stack({T({2}), T({3})}); }, {"stack", "(2)", "(3)"}),
      // ---- autograd ----
      ia("backward_non_scalar", [] {
           Tensor x = T({3}).requires_grad_();
           (x * 2.0).backward();
         },
         {"backward", "(3)"}),
      ia("backward_grad_shape_mismatch", [] {
           Tensor x = T({3}).requires_grad_();
           (x * 2.0).backward(T({4}));
         },
         {"backward", "(4)", "(3)"}),
      re("backward_through_freed_graph", [] {
           Tensor x = T({3}).requires_grad_();
           Tensor y = sum(x * x);
           y.backward();
           y.backward();
         },
         {"backward", "freed"}),
      // ---- random ----
      ia("randn_negative_size", [] {
           Generator g(0);
           randn({-4}, g);
         },
         {"-4"}),
      ia("randn_int64", [] {
           Generator g(0);
           randn({2}, g, DType::Int64);
         },
         {"randn", "Int64"}),
      ia("randint_empty_range", [] {
           Generator g(0);
           randint(5, 5, {2}, g);
         },
         {"randint", "5"}),
      ia("uniform_inverted_bounds", [] {
           Generator g(0);
           uniform({2}, 1.0, 0.0, g);
         },
         {"uniform"}),
      ia("randperm_negative", [] {
           Generator g(0);
           randperm(-1, g);
         },
         {"randperm", "-1"}),
      ia("generator_bad_state", [] {
           Generator g(0);
           g.set_state({.seed = 1, .counter = 0, .index = 9});
         },
         {"set_state", "9"}),
      ia("generator_below_zero", [] {
           Generator g(0);
           g.below(0);
         },
         {"below", ">= 1"}),
  };
}

std::vector<MustPropagate> propagate_rows() {
  return {
      {"sum_with_nan", [] { return sum(F({1, NAN, 2}, {3})); }, "nan"},
      {"mean_with_inf", [] { return mean(F({1, INFINITY}, {2})); }, "inf"},
      {"mean_of_empty", [] { return mean(T({0})); }, "nan"},
      {"matmul_with_nan", [] { return narrow(matmul(F({NAN, 1, 1, 1}, {2, 2}), T({2, 2})), 0, 0, 1); }, "nan"},
      {"max_with_nan", [] { return max(F({1, NAN, 3}, {3})); }, "nan"},
      {"amax_with_nan", [] { return narrow(amax(F({1, NAN, 3, 4}, {2, 2}), {1}), 0, 0, 1); }, "nan"},
      {"relu_of_nan", [] { return relu(F({NAN}, {1})); }, "nan"},
      {"clamp_of_nan", [] { return clamp(F({NAN}, {1}), 0.0, 1.0); }, "nan"},
      {"log_of_negative", [] { return log(F({-1}, {1})); }, "nan"},
      {"log_of_zero", [] { return log(F({0}, {1})); }, "-inf"},
      {"float16_overflow", [] { return F({70000}, {1}).to(DType::Float16); }, "inf"},
      {"softmax_with_nan", [] { return softmax(F({1, NAN, 2}, {3})); }, "nan"},
      {"log_softmax_with_nan", [] { return log_softmax(F({1, NAN, 2}, {3})); }, "nan"},
      {"logsumexp_with_nan", [] { return logsumexp(F({1, NAN}, {2})); }, "nan"},
      {"logsumexp_with_inf", [] { return logsumexp(F({1, INFINITY}, {2})); }, "inf"},
      {"cross_entropy_nan_logit", [] { return cross_entropy(F({0, NAN, 1, 1}, {2, 2}), I64({0, 1}, {2})); }, "nan"},
      {"cross_entropy_inf_logit_none",
       [] { return cross_entropy(F({-INFINITY, 0}, {1, 2}), I64({0}, {1}), {.reduction = Reduction::None}); },
       "inf"},
      {"mse_with_nan", [] { return mse_loss(F({NAN, 1}, {2}), T({2})); }, "nan"},
      {"to_vector_roundtrip_nan", [] { return narrow(from_vector<double>({kNaN, kInf}, {2}).to(DType::Float32), 0, 0, 1); },
       "nan"},
  };
}

}  // namespace gradlab::rely
