// tests/reliability/bad_input_nn.cpp — catalogue rows for losses/, layers/
// and optim/: out-of-range targets and options, shape mismatches between a
// layer and its input or its state dict, invalid hyper-parameters.
#include <cmath>

#include "core/ops.h"
#include "core/random.h"
#include "layers/dropout.h"
#include "layers/embedding.h"
#include "layers/flatten.h"
#include "layers/init.h"
#include "layers/layer_norm.h"
#include "layers/linear.h"
#include "layers/sequential.h"
#include "losses/cross_entropy.h"
#include "losses/logsumexp.h"
#include "losses/mse.h"
#include "losses/softmax.h"
#include "optim/adam.h"
#include "optim/clip_grad.h"
#include "optim/schedule.h"
#include "optim/sgd.h"
#include "tests/reliability/bad_input.h"

namespace gradlab::rely {

namespace {

BadInput ia(std::string name, std::function<void()> f, std::vector<std::string> frags) {
  return {std::move(name), std::move(f), Throws::InvalidArgument, std::move(frags)};
}
BadInput re(std::string name, std::function<void()> f, std::vector<std::string> frags) {
  return {std::move(name), std::move(f), Throws::RuntimeError, std::move(frags)};
}
BadInput oor(std::string name, std::function<void()> f, std::vector<std::string> frags) {
  return {std::move(name), std::move(f), Throws::OutOfRange, std::move(frags)};
}

Tensor T(const Shape& s) { return ones(s); }
Tensor I64(std::vector<int64_t> v, Shape s) { return from_vector<int64_t>(v, std::move(s)); }
Tensor B(std::vector<uint8_t> v, Shape s) { return from_vector<uint8_t>(v, std::move(s)); }
std::vector<Tensor> params(int n = 1) {
  std::vector<Tensor> ps;
  for (int i = 0; i < n; ++i) ps.push_back(zeros({3}).requires_grad_());
  return ps;
}

}  // namespace

std::vector<BadInput> loss_rows() {
  return {
      ia("ce_target_out_of_range", [] { cross_entropy(T({4, 10}), I64({0, 1, 2, 12}, {4})); },
         {"cross_entropy", "target 12", "10 classes", "index 3"}),
      ia("ce_target_negative", [] { cross_entropy(T({2, 3}), I64({-5, 0}, {2})); },
         {"cross_entropy", "-5", "3 classes", "index 0"}),
      ia("ce_target_shape", [] { cross_entropy(T({4, 3}), I64({0, 1, 2}, {3})); },
         {"cross_entropy", "(4,3)", "(3)"}),
      ia("ce_target_float_class_shape", [] { cross_entropy(T({4, 3}), T({4})); }, {"cross_entropy", "(4)"}),
      ia("ce_target_bool", [] { cross_entropy(T({2, 3}), B({1, 0}, {2})); }, {"cross_entropy", "Bool"}),
      ia("ce_logits_int64", [] { cross_entropy(I64({0, 1}, {1, 2}), I64({0}, {1})); },
         {"cross_entropy", "Int64"}),
      ia("ce_logits_0d", [] { cross_entropy(T({}), I64({0}, {})); }, {"cross_entropy", "0-d"}),
      ia("ce_zero_classes", [] { cross_entropy(T({2, 0}), I64({0, 0}, {2})); }, {"cross_entropy", "(2,0)", "no classes"}),
      ia("ce_smoothing_above_one", [] { cross_entropy(T({2, 3}), I64({0, 1}, {2}), {.label_smoothing = 1.5}); },
         {"cross_entropy", "label_smoothing", "1.5"}),
      ia("ce_smoothing_negative", [] { cross_entropy(T({2, 3}), I64({0, 1}, {2}), {.label_smoothing = -0.1}); },
         {"cross_entropy", "label_smoothing", "-0.1"}),
      ia("ce_smoothing_nan", [] { cross_entropy(T({2, 3}), I64({0, 1}, {2}), {.label_smoothing = NAN}); },
         {"cross_entropy", "label_smoothing", "nan"}),
      ia("ce_weight_shape", [] { cross_entropy(T({2, 3}), I64({0, 1}, {2}), {.weight = T({4})}); },
         {"cross_entropy", "weight", "(4)", "3"}),
      ia("ce_mask_shape", [] { cross_entropy(T({2, 3}), I64({0, 1}, {2}), {.mask = B({1, 1, 1}, {3})}); },
         {"cross_entropy", "mask", "(3)", "(2)"}),
      ia("ce_mask_not_bool", [] { cross_entropy(T({2, 3}), I64({0, 1}, {2}), {.mask = T({2})}); },
         {"cross_entropy", "mask", "Float32"}),
      ia("ce_prob_target_shape", [] { cross_entropy(T({2, 3}), T({2, 4})); }, {"cross_entropy", "(2,4)", "(2,3)"}),
      ia("ce_prob_target_with_ignore_index",
         [] { cross_entropy(T({2, 3}), T({2, 3}), {.ignore_index = 1}); }, {"cross_entropy", "ignore_index"}),
      ia("logsumexp_over_nothing", [] { logsumexp(T({2, 0}), {1}); }, {"logsumexp", "zero elements"}),
      ia("logsumexp_dim_out_of_range", [] { logsumexp(T({2, 3}), {3}); }, {"logsumexp", "3"}),
      ia("logsumexp_repeated_dim", [] { logsumexp(T({2, 3}), {0, -2}); }, {"logsumexp", "0"}),
      ia("logsumexp_b_not_broadcastable", [] { logsumexp(T({2, 3}), LogSumExpOptions{.b = T({4})}); },
         {"logsumexp", "(2,3)", "(4)"}),
      ia("logsumexp_signed_bad_b", [] { logsumexp_signed(T({3}), {.b = T({2})}); }, {"logsumexp", "(3)", "(2)"}),
      ia("softmax_dim_out_of_range", [] { softmax(T({2, 3}), 2); }, {"softmax", "2"}),
      ia("log_softmax_dim_out_of_range", [] { log_softmax(T({2, 3}), -3); }, {"log_softmax", "-3"}),
      ia("mse_shape_mismatch", [] { mse_loss(T({3, 1}), T({3})); }, {"mse_loss", "(3,1)", "(3)"}),
      ia("mse_int64", [] { mse_loss(I64({1}, {1}), I64({1}, {1})); }, {"floating", "Int64", "(1)"}),
  };
}

std::vector<BadInput> layer_rows() {
  return {
      ia("linear_zero_in", [] {
           Generator g(0);
           nn::Linear(0, 3, g);
         },
         {"Linear", "0"}),
      ia("linear_negative_out", [] {
           Generator g(0);
           nn::Linear(3, -2, g);
         },
         {"Linear", "-2"}),
      ia("linear_wrong_input_width", [] {
           Generator g(0);
           nn::Linear lin(4, 2, g);
           lin.forward(T({3, 5}));
         },
         {"Linear", "4", "(3,5)"}),
      ia("linear_0d_input", [] {
           Generator g(0);
           nn::Linear lin(4, 2, g);
           lin.forward(T({}));
         },
         {"Linear", "()"}),
      ia("embedding_index_out_of_range", [] {
           Generator g(0);
           nn::Embedding e(5, 3, g);
           e.forward(I64({0, 7, 1}, {3}));
         },
         {"Embedding", "7", "5"}),
      ia("embedding_negative_index", [] {
           Generator g(0);
           nn::Embedding e(5, 3, g);
           e.forward(I64({-1}, {1}));
         },
         {"Embedding", "-1"}),
      ia("embedding_float_indices", [] {
           Generator g(0);
           nn::Embedding e(5, 3, g);
           e.forward(T({2}));
         },
         {"Embedding", "Int64", "Float32"}),
      ia("embedding_padding_idx_out_of_range", [] {
           Generator g(0);
           nn::Embedding(5, 3, g, 9);
         },
         {"Embedding", "padding_idx", "9"}),
      ia("embedding_zero_rows", [] {
           Generator g(0);
           nn::Embedding(0, 3, g);
         },
         {"Embedding", "0"}),
      ia("layer_norm_wrong_trailing_shape", [] { nn::LayerNorm({4}).forward(T({2, 3})); },
         {"LayerNorm", "(4)", "(2,3)"}),
      ia("layer_norm_empty_shape", [] { nn::LayerNorm(Shape{}); }, {"LayerNorm"}),
      ia("layer_norm_negative_eps", [] { nn::LayerNorm({4}, -1.0); }, {"LayerNorm", "eps"}),
      ia("dropout_p_above_one", [] {
           Generator g(0);
           nn::Dropout(1.5, g);
         },
         {"Dropout", "1.5"}),
      ia("dropout_p_nan", [] {
           Generator g(0);
           nn::Dropout(NAN, g);
         },
         {"Dropout", "nan"}),
      ia("flatten_dims_out_of_range", [] { nn::Flatten(1, 5).forward(T({2, 3})); }, {"flatten", "5"}),
      ia("sequential_null_module", [] { nn::Sequential().push_back(nullptr); }, {"Sequential"}),
      oor("sequential_index_out_of_range", [] { nn::Sequential()[3]; }, {"Sequential", "3", "0"}),
      ia("load_state_dict_shape_mismatch", [] {
           Generator g(0);
           nn::Linear lin(4, 3, g);
           lin.load_state_dict({{"weight", T({4, 3})}, {"bias", T({3})}});
         },
         {"load_state_dict", "weight", "(4,3)", "(3,4)"}),
      ia("load_state_dict_missing_key", [] {
           Generator g(0);
           nn::Linear lin(4, 3, g);
           lin.load_state_dict({{"weight", T({3, 4})}});
         },
         {"load_state_dict", "missing", "bias", "(3)"}),
      ia("load_state_dict_unexpected_key", [] {
           Generator g(0);
           nn::Linear lin(4, 3, g);
           lin.load_state_dict({{"weight", T({3, 4})}, {"bias", T({3})}, {"9.bias", T({4})}});
         },
         {"load_state_dict", "unexpected", "9.bias"}),
      ia("state_dict_duplicate_key", [] { nn::StateDict({{"w", T({1})}, {"w", T({1})}}); }, {"w"}),
      oor("state_dict_missing_at", [] { nn::StateDict().at("nope"); }, {"nope"}),
      ia("init_fan_in_of_a_vector", [] { nn::init::fan_in({5}); }, {"fan_in", "(5)"}),
      ia("init_negative_bound", [] {
           Generator g(0);
           nn::init::uniform_symmetric({2, 2}, -1.0, g);
         },
         {"uniform_symmetric", "-1"}),
      ia("init_kaiming_zero_fan_in", [] {
           Generator g(0);
           nn::init::kaiming_uniform({3, 0}, 0.0, g);
         },
         {"kaiming_uniform", "(3,0)"}),
      ia("module_to_int64", [] {
           Generator g(0);
           nn::Linear(2, 2, g).to(DType::Int64);
         },
         {"Int64"}),
  };
}

std::vector<BadInput> optim_rows() {
  return {
      ia("sgd_negative_lr", [] { optim::SGD(params(), {.lr = -1}); }, {"SGD", "learning rate", "-1"}),
      ia("sgd_nan_lr", [] { optim::SGD(params(), {.lr = NAN}); }, {"SGD", "learning rate", "nan"}),
      ia("sgd_negative_momentum", [] { optim::SGD(params(), {.momentum = -0.5}); }, {"SGD", "momentum", "-0.5"}),
      ia("sgd_nesterov_without_momentum", [] { optim::SGD(params(), {.nesterov = true}); }, {"SGD", "nesterov"}),
      ia("sgd_negative_weight_decay", [] { optim::SGD(params(), {.weight_decay = -1}); }, {"SGD", "weight_decay"}),
      ia("sgd_empty_params", [] { optim::SGD({}); }, {"SGD", "empty"}),
      ia("sgd_int64_param", [] { optim::SGD({I64({1}, {1})}); }, {"SGD", "parameter 0", "Int64"}),
      ia("sgd_undefined_param", [] { optim::SGD({Tensor()}); }, {"SGD", "parameter 0", "undefined"}),
      ia("adam_beta1_one", [] { optim::Adam(params(), {.beta1 = 1.0}); }, {"Adam", "beta", "1"}),
      ia("adam_beta2_negative", [] { optim::Adam(params(), {.beta2 = -0.1}); }, {"Adam", "beta", "-0.1"}),
      ia("adam_negative_eps", [] { optim::Adam(params(), {.eps = -1e-8}); }, {"Adam", "eps"}),
      ia("adam_negative_lr", [] { optim::Adam(params(), {.lr = -0.001}); }, {"Adam", "learning rate", "-0.001"}),
      ia("adam_negative_weight_decay", [] { optim::Adam(params(), {.weight_decay = -1}); }, {"Adam", "weight_decay"}),
      ia("adamw_beta1_above_one", [] { optim::AdamW(params(), {.beta1 = 1.5}); }, {"AdamW", "beta", "1.5"}),
      ia("set_grad_shape_mismatch", [] { params()[0].set_grad(T({4})); }, {"set_grad", "(4)", "(3)"}),
      ia("step_gradient_shape_mismatch", [] {
           std::vector<Tensor> ps = params();
           optim::SGD opt(ps, {.lr = 0.1});
           ps[0].impl()->grad = T({4}).impl();  // bypasses set_grad's check
           opt.step();
         },
         {"SGD", "step", "(4)", "(3)"}),
      ia("set_lr_negative", [] {
           optim::SGD opt(params(), {.lr = 0.1});
           opt.set_lr(-2);
         },
         {"SGD", "set_lr", "-2"}),
      ia("load_state_shape_mismatch", [] {
           optim::Adam opt(params());
           optim::OptimizerState st{.step = 1, .lr = 1e-3, .tensors = {}};
           st.tensors.insert("0.step", I64({1}, {}));
           st.tensors.insert("0.exp_avg", T({5}));
           st.tensors.insert("0.exp_avg_sq", T({3}));
           opt.load_state(st);
         },
         {"load_state", "0.exp_avg", "(5)", "(3)"}),
      ia("load_state_unknown_parameter", [] {
           optim::SGD opt(params(), {.lr = 0.1, .momentum = 0.9});
           optim::OptimizerState st{.step = 1, .lr = 0.1, .tensors = {}};
           st.tensors.insert("7.momentum_buffer", T({3}));
           opt.load_state(st);
         },
         {"load_state", "7.momentum_buffer"}),
      ia("clip_negative_max_norm", [] { optim::clip_grad_norm_(params(), -1.0); }, {"clip_grad_norm_", "-1"}),
      ia("clip_zero_norm_type", [] { optim::clip_grad_norm_(params(), 1.0, 0.0); }, {"clip_grad_norm_", "norm_type"}),
      re("clip_nonfinite_norm", [] {
           std::vector<Tensor> ps = params();
           ps[0].set_grad(from_vector<float>({1, NAN, 2}, {3}));
           optim::clip_grad_norm_(ps, 1.0, 2.0, /*error_if_nonfinite=*/true);
         },
         {"clip_grad_norm_", "nan"}),
      ia("step_lr_zero_step_size", [] { optim::StepLR(0.1, 0); }, {"StepLR", "step_size", "0"}),
      ia("step_lr_negative_gamma", [] { optim::StepLR(0.1, 1, -0.5); }, {"StepLR", "gamma"}),
      ia("cosine_warmup_beyond_total", [] { optim::CosineWithWarmup(0.1, 20, 10); },
         {"CosineWithWarmup", "20", "10"}),
      ia("cosine_zero_total", [] { optim::CosineWithWarmup(0.1, 0, 0); }, {"CosineWithWarmup", "total_steps"}),
  };
}

}  // namespace gradlab::rely
