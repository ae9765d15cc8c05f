// tools/train/trainer.cpp — the training loop of `gradlab train`.
//
// Reproducibility: the batch order of epoch e is a pure function of
// (seed, e) (see datasets/loader.h), the model is built from Generator(seed),
// and the checkpoint holds parameters, optimizer buffers, the position inside
// the epoch and the running sums. So a run resumed from any checkpoint
// reproduces the uninterrupted run's metrics.csv exactly (seconds aside).
#include "tools/train/trainer.h"

#include <omp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/autograd.h"
#include "core/ops.h"
#include "datasets/loader.h"
#include "losses/cross_entropy.h"
#include "optim/adam.h"
#include "optim/schedule.h"
#include "optim/sgd.h"

extern "C" void openblas_set_num_threads(int);

namespace gradlab::cli {

volatile std::sig_atomic_t g_stop_requested = 0;

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = [](int) { g_stop_requested = 1; };
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

namespace {

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& cfg, const std::vector<Tensor>& params) {
  if (cfg.optimizer == "sgd")
    return std::make_unique<optim::SGD>(params, optim::SGDOptions{.lr = cfg.lr, .momentum = cfg.momentum,
                                                                    .weight_decay = cfg.weight_decay});
  if (cfg.optimizer == "adam")
    return std::make_unique<optim::Adam>(params, optim::AdamOptions{.lr = cfg.lr, .weight_decay = cfg.weight_decay});
  if (cfg.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(params, optim::AdamWOptions{.lr = cfg.lr, .weight_decay = cfg.weight_decay});
  throw std::invalid_argument("--optimizer '" + cfg.optimizer + "': expected sgd, adam or adamw");
}

// lr for the update about to happen (epoch e, global step t).
double scheduled_lr(const TrainConfig& cfg, int64_t epoch, int64_t step, int64_t total_steps) {
  if (cfg.schedule == "step") return optim::StepLR(cfg.lr, std::max<int64_t>(1, cfg.epochs / 3), 0.1).lr_at(epoch);
  if (cfg.schedule == "cosine") {
    const int64_t warmup = std::min<int64_t>(total_steps / 20, 500);
    return optim::CosineWithWarmup(cfg.lr, warmup, std::max<int64_t>(total_steps, 1)).lr_at(step);
  }
  return cfg.lr;
}

nlohmann::json metrics_json(const std::vector<EpochMetrics>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const EpochMetrics& r : rows)
    a.push_back({r.epoch, r.train_loss, r.train_acc, std::isnan(r.val_loss) ? nlohmann::json() : nlohmann::json(r.val_loss),
                 std::isnan(r.val_acc) ? nlohmann::json() : nlohmann::json(r.val_acc), r.lr, r.seconds});
  return a;
}

// An integer field of a checkpoint's metadata. Integers only: nlohmann's
// get<int64_t>() of a float such as 1e300 is undefined behaviour.
int64_t meta_int(const nlohmann::json& v) {
  if (!v.is_number_integer()) throw std::runtime_error("checkpoint metadata: expected an integer, got " + v.dump());
  return v.get<int64_t>();
}

std::vector<EpochMetrics> metrics_from_json(const nlohmann::json& a) {
  std::vector<EpochMetrics> rows;
  for (const auto& r : a) {
    EpochMetrics m;
    m.epoch = meta_int(r.at(0));
    m.train_loss = r.at(1).get<double>();
    m.train_acc = r.at(2).get<double>();
    m.val_loss = r.at(3).is_null() ? NAN : r.at(3).get<double>();
    m.val_acc = r.at(4).is_null() ? NAN : r.at(4).get<double>();
    m.lr = r.at(5).get<double>();
    m.seconds = r.at(6).get<double>();
    rows.push_back(m);
  }
  return rows;
}

Checkpoint make_checkpoint(const TrainConfig& cfg, const RunState& st, const nn::Module& model,
                           const optim::Optimizer& opt, const data::Normalizer& norm) {
  Checkpoint c;
  const optim::OptimizerState os = opt.state();
  c.meta = {{"format", "gradlab-checkpoint"},
            {"config", to_json(cfg)},
            {"progress",
             {{"epoch", st.epoch}, {"batch", st.batch}, {"loss_sum", st.loss_sum}, {"correct", st.correct},
              {"seen", st.seen}, {"epoch_seconds", st.epoch_seconds}}},
            {"metrics", metrics_json(st.metrics)},
            {"normalizer", {{"mean", norm.mean}, {"std", norm.stddev}}},
            {"optimizer", {{"name", opt.name()}, {"step", os.step}, {"lr", os.lr}}}};
  for (const auto& [k, t] : model.state_dict()) c.tensors.insert("model." + k, t);
  for (const auto& [k, t] : os.tensors) c.tensors.insert("optim." + k, t);
  return c;
}

nn::StateDict with_prefix(const nn::StateDict& all, const std::string& prefix) {
  nn::StateDict out;
  for (const auto& [k, t] : all)
    if (k.rfind(prefix, 0) == 0) out.insert(k.substr(prefix.size()), t);
  return out;
}

void set_threads(int64_t threads) {
  omp_set_num_threads(static_cast<int>(threads));
  openblas_set_num_threads(static_cast<int>(threads));
}

}  // namespace

EvalResult evaluate(nn::Module& model, const data::Dataset& d, int64_t num_classes) {
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  EvalResult r;
  r.confusion.assign(static_cast<size_t>(num_classes), std::vector<int64_t>(static_cast<size_t>(num_classes), 0));
  const int64_t n = d.size();
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += 1024) {
    const int64_t len = std::min<int64_t>(1024, n - start);
    Tensor x = narrow(d.features, 0, start, len), y = narrow(d.labels, 0, start, len);
    Tensor logits = model.forward(x);
    loss_sum += cross_entropy(logits, y, {.reduction = Reduction::Sum}).item();
    const std::vector<int64_t> pred = argmax(logits, -1).to_vector<int64_t>(), truth = y.to_vector<int64_t>();
    for (size_t i = 0; i < pred.size(); ++i) {
      correct += pred[i] == truth[i];
      ++r.confusion[static_cast<size_t>(truth[i])][static_cast<size_t>(pred[i])];
    }
  }
  model.train(was_training);
  r.loss = n ? loss_sum / static_cast<double>(n) : NAN;
  r.accuracy = n ? static_cast<double>(correct) / static_cast<double>(n) : NAN;
  return r;
}

data::Normalizer checkpoint_normalizer(const Checkpoint& ckpt) {
  data::Normalizer norm;
  norm.mean = ckpt.meta.at("normalizer").at("mean").get<std::vector<float>>();
  norm.stddev = ckpt.meta.at("normalizer").at("std").get<std::vector<float>>();
  return norm;
}

TrainOutcome train_run(const TrainConfig& cfg, const RunData& data, const std::string& run_dir,
                       const Checkpoint* resume) {
  namespace fs = std::filesystem;
  set_threads(cfg.threads);
  RunState st;
  if (resume) {
    const auto& p = resume->meta.at("progress");
    st.epoch = meta_int(p.at("epoch"));
    st.batch = meta_int(p.at("batch"));
    st.loss_sum = p.at("loss_sum").get<double>();
    st.correct = meta_int(p.at("correct"));
    st.seen = meta_int(p.at("seen"));
    st.epoch_seconds = p.at("epoch_seconds").get<double>();
    st.metrics = metrics_from_json(resume->meta.at("metrics"));
  }
  auto model = build_model(parse_model_spec(cfg.model), data.in_features, data.num_classes, cfg.seed);
  auto opt = make_optimizer(cfg, model->parameters());
  if (resume) {
    model->load_state_dict(with_prefix(resume->tensors, "model."));
    optim::OptimizerState os;
    os.step = meta_int(resume->meta.at("optimizer").at("step"));
    os.lr = resume->meta.at("optimizer").at("lr").get<double>();
    os.tensors = with_prefix(resume->tensors, "optim.");
    opt->load_state(os);
  }
  data::DataLoader loader(data.train, {.batch_size = cfg.batch_size, .shuffle = true, .seed = cfg.seed});
  const int64_t nb = loader.num_batches(), total_steps = nb * cfg.epochs;
  const fs::path dir(run_dir);
  const std::string ckpt_path = (dir / "checkpoint.ckpt").string();
  Progress progress(::isatty(STDOUT_FILENO) != 0);
  CrossEntropyOptions ce{.label_smoothing = cfg.label_smoothing};
  TrainOutcome outcome;

  for (; st.epoch < cfg.epochs; ++st.epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<int64_t> order = loader.order(st.epoch);
    progress.start_epoch(st.epoch + 1, cfg.epochs, nb);
    double lr = opt->lr();
    for (; st.batch < nb; ++st.batch) {
      if (g_stop_requested) {
        st.epoch_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        progress.finish_epoch();
        save_checkpoint(make_checkpoint(cfg, st, *model, *opt, data.norm), ckpt_path);
        outcome.interrupted = true;
        return outcome;
      }
      lr = scheduled_lr(cfg, st.epoch, st.epoch * nb + st.batch, total_steps);
      opt->set_lr(lr);
      data::Batch b = loader.batch(order, st.batch);
      Tensor logits = model->forward(b.x);
      Tensor loss = cross_entropy(logits, b.y, ce);
      opt->zero_grad();
      loss.backward();
      opt->step();
      const int64_t bs = b.y.numel();
      st.loss_sum += loss.item() * static_cast<double>(bs);
      const std::vector<int64_t> pred = argmax(logits.detach(), -1).to_vector<int64_t>(), y = b.y.to_vector<int64_t>();
      for (size_t i = 0; i < pred.size(); ++i) st.correct += pred[i] == y[i];
      st.seen += bs;
      progress.update(st.batch, st.loss_sum / static_cast<double>(st.seen), st.seen);
    }
    progress.finish_epoch();
    EpochMetrics m;
    m.epoch = st.epoch + 1;
    m.train_loss = st.loss_sum / static_cast<double>(std::max<int64_t>(st.seen, 1));
    m.train_acc = static_cast<double>(st.correct) / static_cast<double>(std::max<int64_t>(st.seen, 1));
    m.val_loss = m.val_acc = NAN;
    if (data.val.features.defined() && data.val.size() > 0) {
      EvalResult v = evaluate(*model, data.val, data.num_classes);
      m.val_loss = v.loss;
      m.val_acc = v.accuracy;
    }
    m.lr = lr;
    m.seconds = st.epoch_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    st.metrics.push_back(m);
    spdlog::info("epoch {:>3}/{}  train loss {:.4f} acc {:.4f}{}  lr {:.3g}  {:.2f}s", m.epoch, cfg.epochs,
                 m.train_loss, m.train_acc,
                 std::isnan(m.val_acc) ? std::string() : fmt::format("  val loss {:.4f} acc {:.4f}", m.val_loss, m.val_acc),
                 m.lr, m.seconds);
    st.batch = 0;
    st.loss_sum = 0;
    st.correct = st.seen = 0;
    st.epoch_seconds = 0;
    RunState next = st;
    ++next.epoch;
    write_file_atomic((dir / "metrics.csv").string(), metrics_csv(st.metrics));
    save_checkpoint(make_checkpoint(cfg, next, *model, *opt, data.norm), ckpt_path);
  }
  outcome.test = evaluate(*model, data.test, data.num_classes);
  write_file_atomic((dir / "metrics.csv").string(), metrics_csv(st.metrics));
  write_file_atomic((dir / "curves.svg").string(), learning_curves_svg(st.metrics));
  write_file_atomic((dir / "confusion.txt").string(), format_confusion(outcome.test.confusion, data.class_names));
  write_file_atomic((dir / "confusion.csv").string(), confusion_csv(outcome.test.confusion, data.class_names));
  return outcome;
}

LoadedModel load_model(const Checkpoint& ckpt, const std::string& path) {
  LoadedModel lm;
  try {
    lm.cfg = config_from_json(ckpt.meta.at("config"));
    lm.norm = checkpoint_normalizer(ckpt);
  } catch (const std::exception& e) {
    throw std::runtime_error("checkpoint " + path + ": bad metadata: " + e.what());
  }
  nn::StateDict params = with_prefix(ckpt.tensors, "model.");
  // The model's shape comes from its own weights: first Linear's in, last's out.
  const Tensor* first = params.find("0.weight");
  if (!first || first->dim() != 2) throw std::runtime_error("checkpoint " + path + ": no model weights ('model.0.weight')");
  lm.in_features = first->size(1);
  const ModelSpec spec = parse_model_spec(lm.cfg.model);
  const Tensor* last = params.find(std::to_string(2 * spec.hidden.size()) + ".weight");
  if (!last || last->dim() != 2)
    throw std::runtime_error("checkpoint " + path + ": model weights do not match the model spec '" + lm.cfg.model + "'");
  lm.num_classes = last->size(0);
  // Every Linear's weight must have the spec's shape before anything is
  // built: a damaged or hostile spec must not make us allocate a huge model.
  for (size_t i = 0, width = static_cast<size_t>(lm.in_features); i <= spec.hidden.size(); ++i) {
    const int64_t out = i < spec.hidden.size() ? spec.hidden[i] : lm.num_classes;
    const std::string key = std::to_string(2 * i) + ".weight";
    const Tensor* w = params.find(key);
    if (!w || w->shape() != Shape{out, static_cast<int64_t>(width)})
      throw std::runtime_error("checkpoint " + path + ": model weights do not match the model spec '" + lm.cfg.model +
                               "': '" + key + "' is " + (w ? shape_str(w->shape()) : std::string("missing")) +
                               ", the spec needs " + shape_str({out, static_cast<int64_t>(width)}));
    width = static_cast<size_t>(out);
  }
  lm.model = build_model(spec, lm.in_features, lm.num_classes, lm.cfg.seed);
  try {
    lm.model->load_state_dict(params);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("checkpoint " + path + ": does not match the model: " + e.what());
  }
  return lm;
}

}  // namespace gradlab::cli
