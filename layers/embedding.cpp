// layers/embedding.cpp — Embedding as index_select on the weight rows.
//
// The padding row must not be trained. Instead of a custom backward we select
// from a weight in which that row is a detached copy: the forward values are
// identical, and autograd sends that row no gradient (its grad stays 0).
#include "layers/embedding.h"

#include <stdexcept>

#include "core/ops.h"

namespace gradlab::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen,
                     std::optional<int64_t> padding_idx)
    : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {
  if (num_embeddings < 1 || embedding_dim < 1) {
    throw std::invalid_argument("Embedding: num_embeddings and embedding_dim must be >= 1, got " +
                                std::to_string(num_embeddings) + " and " +
                                std::to_string(embedding_dim));
  }
  if (padding_idx) {
    int64_t p = *padding_idx < 0 ? *padding_idx + num_embeddings : *padding_idx;
    if (p < 0 || p >= num_embeddings) {
      throw std::invalid_argument("Embedding: padding_idx " + std::to_string(*padding_idx) +
                                  " out of range for " + std::to_string(num_embeddings) +
                                  " embeddings");
    }
    padding_idx_ = p;
  }
  weight = randn({num_embeddings, embedding_dim}, gen);
  if (padding_idx_) {
    float* w = weight.data_ptr<float>();
    for (int64_t j = 0; j < embedding_dim; ++j) w[*padding_idx_ * embedding_dim + j] = 0.0f;
  }
  register_parameter("weight", weight);
}

Tensor Embedding::forward(const Tensor& indices) {
  if (indices.dtype() != DType::Int64) {
    throw std::invalid_argument(std::string("Embedding: indices must be Int64, got ") +
                                dtype_name(indices.dtype()));
  }
  std::vector<int64_t> idx = indices.to_vector<int64_t>();
  for (std::size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] < 0 || idx[i] >= num_embeddings_) {
      throw std::invalid_argument("Embedding: index " + std::to_string(idx[i]) +
                                  " out of range for " + std::to_string(num_embeddings_) +
                                  " embeddings at position " + std::to_string(i));
    }
  }
  Tensor table = weight;
  if (padding_idx_) {
    // rows: (num, 1) Bool, true at the padding row.
    Tensor rows = eq(arange(num_embeddings_).reshape({num_embeddings_, 1}),
                     scalar_tensor(static_cast<double>(*padding_idx_), DType::Int64));
    table = where(rows, weight.detach(), weight);
  }
  Shape out_shape = indices.shape();
  out_shape.push_back(embedding_dim_);
  Tensor flat = reshape(indices, {indices.numel()});
  return reshape(index_select(table, 0, flat), out_shape);  // (n, dim) -> (..., dim)
}

std::string Embedding::extra_repr() const {
  std::string s = std::to_string(num_embeddings_) + ", " + std::to_string(embedding_dim_);
  if (padding_idx_) s += ", padding_idx=" + std::to_string(*padding_idx_);
  return s;
}

}  // namespace gradlab::nn
