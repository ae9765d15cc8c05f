// layers/embedding.h — a lookup table: row i of the weight is the vector for
// token i.
#pragma once

#include <cstdint>
#include <optional>

#include "core/random.h"
#include "layers/module.h"

namespace gradlab::nn {

class Embedding : public Module {
 public:
  // weight (num_embeddings, embedding_dim) ~ N(0, 1) from `gen` (as PyTorch).
  // padding_idx (negative counts from the end, as PyTorch): that row starts
  // at zero and receives no gradient, so it stays whatever it is (zero unless
  // loaded otherwise). Error unless both sizes >= 1 and padding_idx is in range.
  Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen,
            std::optional<int64_t> padding_idx = std::nullopt);

  // indices: (...) Int64 in [0, num_embeddings) -> (..., embedding_dim).
  // Error names the first out-of-range index and its position.
  Tensor forward(const Tensor& indices) override;
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override;

  int64_t num_embeddings() const { return num_embeddings_; }
  int64_t embedding_dim() const { return embedding_dim_; }
  std::optional<int64_t> padding_idx() const { return padding_idx_; }

  Tensor weight;  // (num_embeddings, embedding_dim)

 private:
  int64_t num_embeddings_;
  int64_t embedding_dim_;
  std::optional<int64_t> padding_idx_;  // normalised to [0, num_embeddings)
};

}  // namespace gradlab::nn
