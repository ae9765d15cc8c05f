// tests/reliability/threads_test.cpp — concurrency: several std::threads
// running forward passes on one shared model, the OpenMP loss kernels at
// several thread counts (also nested inside std::threads), BLAS matmul from
// several threads, and the dataset readers and DataLoader used concurrently.
//
// Each test also checks the answers: every thread must get exactly the
// single-threaded result (the loss kernels promise bit-identical results for
// any number of threads). Under ThreadSanitizer (scripts/tsan.sh) these are
// the programs that must run without a data-race report.
#include <gtest/gtest.h>
#include <omp.h>

#include <atomic>
#include <thread>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "datasets/csv.h"
#include "datasets/idx.h"
#include "datasets/loader.h"
#include "datasets/npy.h"
#include "datasets/synthetic.h"
#include "layers/gelu.h"
#include "layers/layer_norm.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "losses/cross_entropy.h"
#include "losses/logsumexp.h"
#include "losses/softmax.h"
#include "optim/adam.h"

namespace gradlab {
namespace {

constexpr int kThreads = 4;

// Runs fn(t) on kThreads std::threads at once (released together).
template <class Fn> void in_threads(Fn&& fn) {
  std::atomic<int> ready{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      fn(t);
    });
  for (std::thread& th : ts) th.join();
}

// Restores the OpenMP thread count on scope exit.
struct OmpThreads {
  explicit OmpThreads(int n) : prev(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~OmpThreads() { omp_set_num_threads(prev); }
  int prev;
};

std::shared_ptr<nn::Sequential> make_model(Generator& gen) {
  return std::make_shared<nn::Sequential>(
      std::make_shared<nn::Linear>(64, 96, gen), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::LayerNorm>(Shape{96}), std::make_shared<nn::Linear>(96, 48, gen),
      std::make_shared<nn::GELU>(), std::make_shared<nn::Linear>(48, 10, gen));
}

TEST(Threads, ForwardPassesOnOneSharedModel) {
  Generator gen(11);
  auto model = make_model(gen);
  std::vector<Tensor> inputs, expected;
  for (int t = 0; t < kThreads; ++t) {
    inputs.push_back(randn({33, 64}, gen));
    NoGradGuard no_grad;
    expected.push_back(model->forward(inputs.back()));
  }
  std::vector<int> mismatches(kThreads, 0);
  in_threads([&](int t) {
    for (int rep = 0; rep < 20; ++rep) {
      if (t % 2 == 0) {  // inference
        NoGradGuard no_grad;
        if (!equal(model->forward(inputs[static_cast<size_t>(t)]), expected[static_cast<size_t>(t)])) ++mismatches[static_cast<size_t>(t)];
      } else {  // grad mode on: builds a graph over the shared parameters, never runs backward
        Tensor y = model->forward(inputs[static_cast<size_t>(t)]);
        if (!y.requires_grad() || !equal(y.detach(), expected[static_cast<size_t>(t)])) ++mismatches[static_cast<size_t>(t)];
      }
    }
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[static_cast<size_t>(t)], 0) << "thread " << t;
  for (const Tensor& p : model->parameters()) EXPECT_FALSE(p.grad().defined());
}

// Training steps (forward, backward, Adam) on per-thread models at once:
// the autograd engine's shared state (traversal marks, release queues) must
// not leak between threads.
std::vector<Tensor> train_steps(uint64_t seed) {
  Generator gen(seed);
  auto model = make_model(gen);
  optim::Adam opt(model->parameters(), {.lr = 1e-2});
  const Tensor x = randn({16, 64}, gen);
  std::vector<int64_t> yv(16);
  for (size_t i = 0; i < yv.size(); ++i) yv[i] = static_cast<int64_t>(i % 10);
  const Tensor y = from_vector<int64_t>(yv, {16});
  for (int step = 0; step < 5; ++step) {
    opt.zero_grad();
    cross_entropy(model->forward(x), y).backward();
    opt.step();
  }
  std::vector<Tensor> out;
  for (const Tensor& p : model->parameters()) out.push_back(p.detach().clone());
  return out;
}

TEST(Threads, IndependentTrainingStepsInParallel) {
  const std::vector<Tensor> expected = train_steps(21);
  std::vector<std::vector<Tensor>> got(kThreads);
  in_threads([&](int t) { got[static_cast<size_t>(t)] = train_steps(21); });
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[static_cast<size_t>(t)].size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_TRUE(equal(got[static_cast<size_t>(t)][i], expected[i])) << "thread " << t << " parameter " << i;
  }
}

TEST(Threads, LossKernelsAreBitIdenticalForAnyOpenMPThreadCount) {
  Generator gen(13);
  Tensor logits = randn({512, 300}, gen);
  std::vector<int64_t> t(512);
  for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<int64_t>((i * 37) % 300);
  const Tensor target = from_vector<int64_t>(t, {512});
  auto run = [&] {
    Tensor x = logits.clone().requires_grad_();
    Tensor loss = cross_entropy(x, target, {.label_smoothing = 0.1});
    loss.backward();
    return std::vector<Tensor>{loss.detach(), x.grad(), log_softmax(logits, -1), softmax(logits, 0),
                               logsumexp(logits, {1})};
  };
  std::vector<Tensor> one;
  {
    OmpThreads omp(1);
    one = run();
  }
  for (int n : {2, 3, 4}) {
    OmpThreads omp(n);
    const std::vector<Tensor> many = run();
    for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(equal(many[i], one[i])) << "result " << i << ", " << n << " threads";
  }
}

TEST(Threads, OpenMPKernelsInsideSeveralStdThreads) {
  Generator gen(14);
  const Tensor logits = randn({256, 200}, gen);
  const Tensor target = from_vector<int64_t>(std::vector<int64_t>(256, 3), {256});
  Tensor expected_loss, expected_grad;
  {
    OmpThreads omp(1);
    Tensor x = logits.clone().requires_grad_();
    expected_loss = cross_entropy(x, target);
    expected_loss.backward();
    expected_grad = x.grad();
  }
  OmpThreads omp(2);
  std::vector<int> bad(kThreads, 0);
  in_threads([&](int t) {
    for (int rep = 0; rep < 5; ++rep) {
      Tensor x = logits.clone().requires_grad_();
      Tensor loss = cross_entropy(x, target);
      loss.backward();
      if (!equal(loss.detach(), expected_loss.detach()) || !equal(x.grad(), expected_grad)) ++bad[static_cast<size_t>(t)];
    }
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(bad[static_cast<size_t>(t)], 0) << "thread " << t;
}

TEST(Threads, MatmulFromSeveralThreads) {
  Generator gen(15);
  const Tensor a = randn({96, 128}, gen), b = randn({128, 80}, gen);
  const Tensor expected = matmul(a, b);
  std::vector<int> bad(kThreads, 0);
  in_threads([&](int t) {
    for (int rep = 0; rep < 10; ++rep) {
      Tensor c = matmul(a, b);
      Tensor ct = matmul(transpose(b, 0, 1), transpose(a, 0, 1));  // the transposed GEMM path
      if (!allclose(c, expected, 1e-5, 1e-5) || !allclose(transpose(ct, 0, 1), expected, 1e-5, 1e-5))
        ++bad[static_cast<size_t>(t)];
    }
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(bad[static_cast<size_t>(t)], 0) << "thread " << t;
}

TEST(Threads, ReadersAndLoaderUsedConcurrently) {
  // IDX bytes for 20 images 4x4 and a CSV text, parsed in every thread.
  std::vector<uint8_t> idx = {0, 0, 8, 3, 0, 0, 0, 20, 0, 0, 0, 4, 0, 0, 0, 4};
  for (int i = 0; i < 20 * 16; ++i) idx.push_back(static_cast<uint8_t>(i * 7));
  std::string csv = "a,b,label\n";
  for (int i = 0; i < 50; ++i) csv += std::to_string(i) + "," + std::to_string(i * 0.5) + "," + std::to_string(i % 3) + "\n";
  const Tensor images = data::parse_idx_images(idx, "mem");
  const data::Dataset table = data::parse_csv(csv, "mem.csv", {.label_column = "label"});
  const std::vector<uint8_t> npy = data::serialize_npy(images);

  const data::DataLoader loader(data::make_spirals({.n_per_class = 200, .num_classes = 3, .noise = 0.2, .seed = 1}),
                                {.batch_size = 32, .shuffle = true, .seed = 5});
  const std::vector<int64_t> order = loader.order(3);
  std::vector<data::Batch> expected;
  for (int64_t b = 0; b < loader.num_batches(); ++b) expected.push_back(loader.batch(order, b));

  std::vector<int> bad(kThreads, 0);
  in_threads([&](int t) {
    for (int rep = 0; rep < 5; ++rep) {
      if (!equal(data::parse_idx_images(idx, "mem"), images)) ++bad[static_cast<size_t>(t)];
      if (!equal(data::parse_csv(csv, "mem.csv", {.label_column = "label"}).features, table.features))
        ++bad[static_cast<size_t>(t)];
      if (!equal(data::parse_npy(npy, "mem.npy"), images)) ++bad[static_cast<size_t>(t)];
      if (loader.order(3) != order) ++bad[static_cast<size_t>(t)];
      for (int64_t b = t; b < loader.num_batches(); b += kThreads) {
        const data::Batch got = loader.batch(order, b);
        if (!equal(got.x, expected[static_cast<size_t>(b)].x) || !equal(got.y, expected[static_cast<size_t>(b)].y))
          ++bad[static_cast<size_t>(t)];
      }
    }
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(bad[static_cast<size_t>(t)], 0) << "thread " << t;
}

}  // namespace
}  // namespace gradlab
