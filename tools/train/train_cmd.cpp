// tools/train/train_cmd.cpp — `gradlab train`: flags, the run directory, and the
// final report. The loop itself is in tools/train/trainer.cpp.
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "tools/commands.h"
#include "tools/train/trainer.h"

namespace gradlab::cli {

namespace {

struct TrainFlags {
  TrainConfig cfg;
  std::string out;
  std::string resume;
};

// runs/<dataset>-<YYYYmmdd-HHMMSS>[-N]: a fresh directory name.
std::string default_run_dir(const TrainConfig& cfg) {
  std::string name = cfg.dataset;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  if (name.size() > 40) name.resize(40);
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  std::string base = "runs/" + name + "-" + stamp, dir = base;
  for (int k = 2; std::filesystem::exists(dir); ++k) dir = base + "-" + std::to_string(k);
  return dir;
}

void validate(const TrainConfig& c) {
  parse_dataset_spec(c.dataset);
  parse_model_spec(c.model);
  auto bad = [](const std::string& m) { throw ExitError{kExitBadInput, m}; };
  if (c.epochs < 1) bad("--epochs must be >= 1, got " + std::to_string(c.epochs));
  if (c.batch_size < 1) bad("--batch-size must be >= 1, got " + std::to_string(c.batch_size));
  if (!(c.lr > 0) || !std::isfinite(c.lr)) bad("--lr must be a positive number, got " + std::to_string(c.lr));
  if (!(c.weight_decay >= 0)) bad("--weight-decay must be >= 0");
  if (!(c.label_smoothing >= 0 && c.label_smoothing <= 1))
    bad("--label-smoothing must be in [0, 1], got " + std::to_string(c.label_smoothing));
  if (!(c.val_fraction >= 0 && c.val_fraction < 1)) bad("--val-fraction must be in [0, 1)");
  if (c.threads < 1 || c.threads > 256) bad("--threads must be in [1, 256]");
}

void run_train(TrainFlags& f) {
  namespace fs = std::filesystem;
  TrainConfig cfg = f.cfg;
  std::unique_ptr<Checkpoint> resume;
  std::string dir = f.out;
  if (!f.resume.empty()) {
    resume = std::make_unique<Checkpoint>(load_checkpoint(f.resume));
    try {
      const int64_t threads = cfg.threads;
      cfg = config_from_json(resume->meta.at("config"));
      cfg.threads = threads;  // the only setting a resumed run may change
    } catch (const std::exception& e) {
      throw std::runtime_error("checkpoint " + f.resume + ": bad config: " + e.what());
    }
    const fs::path p = fs::absolute(f.resume).parent_path();
    if (!dir.empty() && fs::absolute(dir) != p)
      throw ExitError{kExitBadInput, "--out " + dir + " differs from the checkpoint's run directory " + p.string() +
                                         " (a resumed run continues in its own directory)"};
    dir = p.string();
  }
  validate(cfg);
  if (!resume) {
    if (dir.empty()) dir = default_run_dir(cfg);
    if (fs::exists(dir) && !fs::is_empty(dir))
      throw ExitError{kExitBadInput, "run directory " + dir +
                                         " already exists and is not empty; choose another --out, or continue it "
                                         "with --resume " + (fs::path(dir) / "checkpoint.ckpt").string()};
  }
  spdlog::info("gradlab train: {} with {} ({} epochs, batch {}, {} lr {}, label smoothing {}, seed {}, {} thread{})",
               cfg.dataset, cfg.model, cfg.epochs, cfg.batch_size, cfg.optimizer, cfg.lr, cfg.label_smoothing,
               cfg.seed, cfg.threads, cfg.threads == 1 ? "" : "s");
  // Everything that can fail on bad input (specs, files) is checked before
  // the run directory is created, so a bad command leaves nothing behind.
  RunData data;
  try {
    data = resume ? load_run_data(cfg, checkpoint_normalizer(*resume)) : load_run_data(cfg);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("checkpoint " + f.resume + ": bad normaliser: " + e.what());
  }
  fs::create_directories(dir);
  if (!resume) write_file_atomic((fs::path(dir) / "config.json").string(), to_json(cfg).dump(2) + "\n");
  else spdlog::info("resuming {} from {}", dir, f.resume);
  install_stop_handlers();
  const auto t0 = std::chrono::steady_clock::now();
  TrainOutcome out = train_run(cfg, data, dir, resume.get());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string ckpt = (fs::path(dir) / "checkpoint.ckpt").string();
  if (out.interrupted) {
    std::cout << "\ninterrupted: checkpoint saved to " << ckpt << "\ncontinue with: gradlab train --resume " << ckpt
              << "\n";
    throw ExitError{130, ""};
  }
  std::cout << "\n" << format_confusion(out.test.confusion, {}) << "\n";
  std::printf("done in %.1fs: %s accuracy %.4f (loss %.4f)\n", secs,
              parse_dataset_spec(cfg.dataset).kind == DatasetSpec::Kind::FashionMnist ||
                      parse_dataset_spec(cfg.dataset).kind == DatasetSpec::Kind::Idx
                  ? "test"
                  : "held-out",
              out.test.accuracy, out.test.loss);
  std::cout << "  metrics:    " << (fs::path(dir) / "metrics.csv").string() << "\n"
            << "  plot:       " << (fs::path(dir) / "curves.svg").string() << "\n"
            << "  confusion:  " << (fs::path(dir) / "confusion.txt").string() << "\n"
            << "  checkpoint: " << ckpt << "\n"
            << "evaluate it again with: gradlab eval --checkpoint " << ckpt << " --dataset " << cfg.dataset << "\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  TrainConfig& c = f->cfg;
  CLI::App* sub = app.add_subcommand("train", "Train a classifier and write metrics, plot and checkpoints");
  sub->add_option("--dataset", c.dataset, "fashion-mnist | spirals | moons | blobs | csv:PATH:LABEL | idx:DIR")
      ->capture_default_str();
  sub->add_option("--model", c.model, "mlp:H1,H2,... hidden sizes (optionally :relu|gelu|tanh|sigmoid)")
      ->capture_default_str();
  sub->add_option("--epochs", c.epochs, "Number of epochs")->capture_default_str();
  sub->add_option("--batch-size", c.batch_size, "Examples per batch")->capture_default_str();
  sub->add_option("--optimizer", c.optimizer, "sgd | adam | adamw")
      ->check(CLI::IsMember({"sgd", "adam", "adamw"}))
      ->capture_default_str();
  sub->add_option("--lr", c.lr, "Learning rate")->capture_default_str();
  sub->add_option("--momentum", c.momentum, "Momentum (sgd only)")->capture_default_str();
  sub->add_option("--weight-decay", c.weight_decay, "Weight decay (L2 for sgd/adam, decoupled for adamw)")
      ->capture_default_str();
  sub->add_option("--label-smoothing", c.label_smoothing, "Label smoothing epsilon in [0, 1]")->capture_default_str();
  sub->add_option("--schedule", c.schedule, "none | step | cosine (cosine has a linear warm-up)")
      ->check(CLI::IsMember({"none", "step", "cosine"}))
      ->capture_default_str();
  sub->add_option("--val-fraction", c.val_fraction, "Share of the training split held out for validation")
      ->capture_default_str();
  sub->add_option("--seed", c.seed, "Seed for initialisation, shuffling and splits")->capture_default_str();
  sub->add_option("--threads", c.threads, "Threads for kernels and BLAS")->capture_default_str();
  sub->add_option("--out", f->out, "Run directory (default: runs/<dataset>-<time>); never overwritten");
  sub->add_option("--resume", f->resume, "Continue the run of this checkpoint (in its directory)");
  sub->callback([f] { run_train(*f); });
}

}  // namespace gradlab::cli
