// tools/train/trainer.cpp — the training loop of `gradlab train`.
#include "tools/train/trainer.h"

#include <omp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <set>

#include "core/autograd.h"
#include "core/ops.h"
#include "datasets/loader.h"
#include "losses/cross_entropy.h"
#include "optim/adam.h"
#include "optim/schedule.h"
#include "optim/sgd.h"
#include "tools/train/memory.h"
#include "tools/train/specs.h"

extern "C" void openblas_set_num_threads(int);

namespace gradlab::cli {

volatile std::sig_atomic_t g_stop_signal = 0;

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = [](int sig) {
    if (g_stop_signal == 0) g_stop_signal = sig;
  };
  sigemptyset(&sa.sa_mask);
  // SIGHUP (the terminal went away) and SIGPIPE (stdout closed, as by
  // `| head`) stop the run like SIGTERM: with a checkpoint, not mid-write.
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaction(sig, &sa, nullptr);
}

namespace {

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& cfg,
                                                 const std::vector<Tensor>& params) {
  if (cfg.optimizer == "sgd")
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions{
                    .lr = cfg.lr, .momentum = cfg.momentum, .weight_decay = cfg.weight_decay});
  if (cfg.optimizer == "adam")
    return std::make_unique<optim::Adam>(
        params, optim::AdamOptions{.lr = cfg.lr, .weight_decay = cfg.weight_decay});
  if (cfg.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(
        params, optim::AdamWOptions{.lr = cfg.lr, .weight_decay = cfg.weight_decay});
  throw std::invalid_argument("--optimizer '" + cfg.optimizer + "': expected sgd, adam or adamw");
}

// Per-parameter buffers the optimizer keeps (for the memory estimate).
uint64_t optimizer_buffers(const TrainConfig& cfg) {
  if (cfg.optimizer == "sgd") return cfg.momentum > 0 ? 1 : 0;
  return 2;  // Adam's two moments
}

// lr for the update about to happen (epoch e, global step t).
double scheduled_lr(const TrainConfig& cfg, int64_t epoch, int64_t step, int64_t total_steps) {
  if (cfg.schedule == "step")
    return optim::StepLR(cfg.lr, std::max<int64_t>(1, cfg.epochs / 3), 0.1).lr_at(epoch);
  if (cfg.schedule == "cosine") {
    const int64_t warmup = std::min<int64_t>(total_steps / 20, 500);
    return optim::CosineWithWarmup(cfg.lr, warmup, std::max<int64_t>(total_steps, 1)).lr_at(step);
  }
  return cfg.lr;
}

nn::StateDict with_prefix(const nn::StateDict& all, const std::string& prefix) {
  nn::StateDict out;
  for (const auto& [k, t] : all)
    if (k.rfind(prefix, 0) == 0) out.insert(k.substr(prefix.size()), t);
  return out;
}

// The thread count changes how fast, never what is computed. The OpenMP
// kernels (the losses) split their work so that every thread count gives
// bit-identical results; OpenBLAS's threaded GEMM does not (it partitions
// the output by thread count, and the partitions' edge kernels round
// differently), so BLAS always runs on one thread and --threads goes to
// OpenMP only.
void set_threads(int64_t threads) {
  omp_set_num_threads(static_cast<int>(threads));
  openblas_set_num_threads(1);
}

uint64_t float_bytes(uint64_t n) { return sat_mul(n, sizeof(float)); }

void check_model_fits(const TrainConfig& cfg, const ModelSpec& spec, const DataRecord& rec,
                      int64_t train_examples) {
  const ModelKind& kind = model_kind(spec);
  const uint64_t params = kind.parameters(spec, rec.in_features, rec.num_classes);
  const uint64_t buffers = optimizer_buffers(cfg);
  // Parameters, gradients and optimizer buffers; a checkpoint copies the
  // parameters and buffers, and is encoded to bytes (twice while written).
  const uint64_t model = sat_add(float_bytes(sat_mul(params, 2 + buffers)),
                                 float_bytes(sat_mul(sat_mul(params, 1 + buffers), 3)));
  const std::string shape = std::to_string(params) + " parameters for " +
                            std::to_string(rec.in_features) + " inputs and " +
                            std::to_string(rec.num_classes) + " classes";
  require_memory(model, "--model " + cfg.model + " (" + shape + ")", "use smaller hidden sizes");
  // A batch's activations, kept for backward, with their gradients and
  // temporaries (x3); evaluation runs batches of 1024 without them.
  const uint64_t per_example = kind.activations(spec, rec.in_features, rec.num_classes);
  const uint64_t batch = static_cast<uint64_t>(std::min(cfg.batch_size, train_examples));
  const uint64_t acts = sat_add(float_bytes(sat_mul(sat_mul(per_example, batch), 3)),
                                float_bytes(sat_mul(per_example, 1024)));
  require_memory(sat_add(model, acts),
                 "--batch-size " + std::to_string(cfg.batch_size) + " with --model " + cfg.model,
                 "use a smaller --batch-size");
}

std::string fmt_lr(double lr) { return fmt::format("{:g}", lr); }

}  // namespace

EvalResult evaluate(nn::Module& model, const data::Dataset& d) {
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  EvalResult r;
  const std::vector<int64_t> labels = d.labels.contiguous().to_vector<int64_t>();
  const std::set<int64_t> present(labels.begin(), labels.end());
  r.confusion = Confusion(std::vector<int64_t>(present.begin(), present.end()));
  const int64_t n = d.size();
  double loss_sum = 0;
  for (int64_t start = 0; start < n; start += 1024) {
    const int64_t len = std::min<int64_t>(1024, n - start);
    Tensor x = narrow(d.features, 0, start, len), y = narrow(d.labels, 0, start, len);
    Tensor logits = model.forward(x);
    loss_sum += cross_entropy(logits, y, {.reduction = Reduction::Sum}).item();
    const std::vector<int64_t> pred = argmax(logits, -1).to_vector<int64_t>();
    for (size_t i = 0; i < pred.size(); ++i)
      r.confusion.add(labels[static_cast<size_t>(start) + i], pred[i]);
  }
  model.train(was_training);
  r.loss = n ? loss_sum / static_cast<double>(n) : NAN;
  r.accuracy = n ? static_cast<double>(r.confusion.correct()) / static_cast<double>(n) : NAN;
  return r;
}

TrainSession make_session(const TrainConfig& cfg, RunData data, const Checkpoint* resume,
                          const std::string& resume_name) {
  TrainSession s;
  s.cfg = cfg;
  s.data = std::move(data);
  const ModelSpec spec = parse_model_spec(cfg.model);
  check_model_fits(cfg, spec, s.data.record, s.data.train.size());
  {
    AllocationScope scope("building --model " + cfg.model);
    s.model = build_model(spec, s.data.record.in_features, s.data.record.num_classes, cfg.seed);
    s.opt = make_optimizer(cfg, s.model->parameters());
  }
  s.batches_per_epoch = (s.data.train.size() + cfg.batch_size - 1) / cfg.batch_size;
  s.state.optimizer = s.opt->name();
  s.state.lr = s.opt->lr();
  if (!resume) return s;

  auto bad = [&](const std::string& what) {
    return std::runtime_error("checkpoint " + resume_name + ": " + what);
  };
  try {
    s.state = run_state_from_json(resume->meta.at("progress"));
    check_run_state(s.state, {.epochs = cfg.epochs,
                              .batches_per_epoch = s.batches_per_epoch,
                              .batch_size = cfg.batch_size,
                              .optimizer = s.opt->name()});
  } catch (const nlohmann::json::exception& e) {
    throw bad(e.what());
  } catch (const std::runtime_error& e) {
    throw bad(e.what());
  }
  try {
    s.model->load_state_dict(with_prefix(resume->tensors, "model."));
    optim::OptimizerState os;
    os.step = s.state.optimizer_step;
    os.lr = s.state.lr;
    os.tensors = with_prefix(resume->tensors, "optim.");
    s.opt->load_state(os);
  } catch (const std::invalid_argument& e) {
    throw bad(std::string("does not match the model: ") + e.what());
  }
  return s;
}

Checkpoint make_checkpoint(const TrainSession& s, const RunState& state,
                           const std::filesystem::path& run_dir) {
  Checkpoint c;
  const optim::OptimizerState os = s.opt->state();
  RunState st = state;
  st.optimizer = s.opt->name();
  st.optimizer_step = os.step;
  st.lr = os.lr;
  c.meta = {{"format", "gradlab-checkpoint"},
            {"run", {{"id", s.run_id}, {"dir", run_dir.string()}}},
            {"config", to_json(s.cfg)},
            {"data", to_json(s.data.record)},
            {"progress", to_json(st)}};
  for (const auto& [k, t] : s.model->state_dict()) c.tensors.insert("model." + k, t);
  for (const auto& [k, t] : os.tensors) c.tensors.insert("optim." + k, t);
  return c;
}

TrainOutcome train_run(TrainSession& s, const RunDir& dir) {
  const TrainConfig& cfg = s.cfg;
  set_threads(cfg.threads);
  RunState& st = s.state;
  data::DataLoader loader(s.data.train,
                          {.batch_size = cfg.batch_size, .shuffle = true, .seed = cfg.seed});
  const int64_t nb = loader.num_batches(), total_steps = nb * cfg.epochs;
  const std::string ckpt_path = dir.file("checkpoint.ckpt");
  Progress progress(::isatty(STDOUT_FILENO) != 0);
  CrossEntropyOptions ce{.label_smoothing = cfg.label_smoothing};
  TrainOutcome outcome;
  // Where the checkpoint on disk stands (the caller saved or resumed it).
  int64_t saved_epoch = st.epoch, saved_batch = st.batch;
  auto save = [&](const RunState& at) {
    AllocationScope scope("writing " + ckpt_path);
    save_checkpoint(make_checkpoint(s, at, dir.path()), ckpt_path);
    saved_epoch = at.epoch;
    saved_batch = at.batch;
  };

  for (; st.epoch < cfg.epochs; ++st.epoch) {
    AllocationScope scope("training epoch " + std::to_string(st.epoch + 1));
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<int64_t> order = loader.order(st.epoch);
    progress.start_epoch(st.epoch + 1, cfg.epochs, nb);
    double lr = s.opt->lr();
    for (; st.batch < nb; ++st.batch) {
      if (g_stop_signal) {
        st.epoch_seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        progress.finish_epoch();
        save(st);
        outcome.status = TrainOutcome::Status::Stopped;
        outcome.signal = g_stop_signal;
        return outcome;
      }
      lr = scheduled_lr(cfg, st.epoch, st.epoch * nb + st.batch, total_steps);
      s.opt->set_lr(lr);
      data::Batch b = loader.batch(order, st.batch);
      Tensor logits = s.model->forward(b.x);
      Tensor loss = cross_entropy(logits, b.y, ce);
      const double l = loss.item();
      if (!std::isfinite(l)) {
        progress.finish_epoch();
        outcome.status = TrainOutcome::Status::Diverged;
        const std::string saved =
            saved_epoch == 0 && saved_batch == 0 ? "before its first step"
            : saved_batch == 0 ? fmt::format("at the end of epoch {}", saved_epoch)
                               : fmt::format("at epoch {}, batch {}", saved_epoch + 1, saved_batch);
        outcome.message = fmt::format(
            "training diverged: the loss is {} at epoch {} of {}, step {} of {} (global step {}, "
            "lr {}); that step was not applied, and {} holds the run as it was {}. Try a smaller "
            "--lr than {} (e.g. --lr {}) in a new run.",
            std::isnan(l) ? "nan"
            : l > 0       ? "inf"
                          : "-inf",
            st.epoch + 1, cfg.epochs, st.batch + 1, nb, st.epoch * nb + st.batch + 1, fmt_lr(lr),
            ckpt_path, saved, fmt_lr(cfg.lr), fmt_lr(cfg.lr / 10));
        return outcome;
      }
      s.opt->zero_grad();
      loss.backward();
      s.opt->step();
      const int64_t bs = b.y.numel();
      st.loss_sum += l * static_cast<double>(bs);
      const std::vector<int64_t> pred = argmax(logits.detach(), -1).to_vector<int64_t>(),
                                 y = b.y.to_vector<int64_t>();
      for (size_t i = 0; i < pred.size(); ++i) st.correct += pred[i] == y[i];
      st.seen += bs;
      progress.update(st.batch, st.loss_sum / static_cast<double>(st.seen), st.seen);
    }
    progress.finish_epoch();
    EpochMetrics m;
    m.epoch = st.epoch + 1;
    m.train_loss = st.loss_sum / static_cast<double>(std::max<int64_t>(st.seen, 1));
    m.train_acc =
        static_cast<double>(st.correct) / static_cast<double>(std::max<int64_t>(st.seen, 1));
    if (s.data.val.features.defined() && s.data.val.size() > 0) {
      EvalResult v = evaluate(*s.model, s.data.val);
      m.val_loss = v.loss;
      m.val_acc = v.accuracy;
    }
    m.lr = lr;
    m.seconds = st.epoch_seconds +
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    st.metrics.push_back(m);
    spdlog::info("epoch {:>3}/{}  train loss {:.4f} acc {:.4f}{}  lr {:.3g}  {:.2f}s", m.epoch,
                 cfg.epochs, m.train_loss, m.train_acc,
                 m.val_acc ? fmt::format("  val loss {:.4f} acc {:.4f}", *m.val_loss, *m.val_acc)
                           : std::string(),
                 m.lr, m.seconds);
    st.batch = 0;
    st.loss_sum = 0;
    st.correct = st.seen = 0;
    st.epoch_seconds = 0;
    RunState next = st;
    ++next.epoch;
    // The checkpoint first: metrics.csv may lag it after a crash, never lead it.
    save(next);
    dir.write("metrics.csv", metrics_csv(st.metrics));
  }
  {
    AllocationScope scope("evaluating on the " + s.data.test_name + " split");
    outcome.test = evaluate(*s.model, s.data.test);
  }
  dir.write("metrics.csv", metrics_csv(st.metrics));
  dir.write("curves.svg", learning_curves_svg(st.metrics, dir.path()));
  dir.write("confusion.txt", format_confusion(outcome.test.confusion, s.data.record.class_names));
  dir.write("confusion.csv", confusion_csv(outcome.test.confusion, s.data.record.class_names));
  return outcome;
}

LoadedModel load_model(const Checkpoint& ckpt, const std::string& path) {
  LoadedModel lm;
  try {
    lm.cfg = config_from_json(ckpt.meta.at("config"));
    lm.data = data_record_from_json(ckpt.meta.at("data"));
  } catch (const std::exception& e) {
    throw std::runtime_error("checkpoint " + path + ": bad metadata: " + e.what());
  }
  ModelSpec spec;
  try {
    spec = parse_model_spec(lm.cfg.model);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("checkpoint " + path + ": bad metadata: " + e.what());
  }
  const nn::StateDict params = with_prefix(ckpt.tensors, "model.");
  // The model's size comes from its spec and the data record; a damaged or
  // hostile record must not make us build a model far beyond the tensors
  // the checkpoint holds (small mismatches are left to load_state_dict,
  // whose message names each key).
  const uint64_t need = model_parameters(spec, lm.data.in_features, lm.data.num_classes);
  uint64_t held = 0;
  for (const auto& [k, t] : params) held = sat_add(held, static_cast<uint64_t>(t.numel()));
  if (need > held && float_bytes(need) > (uint64_t{64} << 20))
    throw std::runtime_error("checkpoint " + path + ": the model '" + lm.cfg.model + "' for " +
                             std::to_string(lm.data.in_features) + " inputs and " +
                             std::to_string(lm.data.num_classes) + " classes has " +
                             std::to_string(need) + " parameters, the checkpoint holds " +
                             std::to_string(held));
  require_memory(float_bytes(sat_mul(need, 2)), "the model in checkpoint " + path);
  {
    AllocationScope scope("building the model of checkpoint " + path);
    lm.model = build_model(spec, lm.data.in_features, lm.data.num_classes, lm.cfg.seed);
  }
  try {
    lm.model->load_state_dict(params);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("checkpoint " + path + ": does not match the model '" + lm.cfg.model +
                             "': " + e.what());
  }
  return lm;
}

}  // namespace gradlab::cli
