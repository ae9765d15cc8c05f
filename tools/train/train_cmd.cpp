// tools/train/train_cmd.cpp — `gradlab train`: flags, the plan, the run
// directory and the final report. The loop itself is in trainer.cpp.
#include "tools/train/train_cmd.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>

#include "tools/commands.h"
#include "tools/common/process.h"
#include "tools/train/memory.h"
#include "tools/train/specs.h"

namespace gradlab::cli {

namespace fs = std::filesystem;

TrainPlan plan_train(const TrainRequest& req) {
  TrainPlan plan;
  const bool resuming = !req.resume.empty();
  if (resuming) {
    plan.resume = resolve_resume(req.resume, req.out);
    plan.cfg = plan.resume->record.config;
  }
  plan.changes = apply_flags(plan.cfg, req.flags, resuming);
  check_flag_combination(plan.cfg, req.flags);
  // Fail fast on a taken --out, before any data is loaded.
  if (!resuming) plan.new_dir = plan_new_run_dir(req.out, plan.cfg.dataset);

  const Checkpoint* ckpt =
      resuming && plan.resume->checkpoint ? &*plan.resume->checkpoint : nullptr;
  const std::string ckpt_name = resuming ? plan.resume->checkpoint_path : "";
  RunData data;
  if (ckpt) {
    const nlohmann::json& meta = ckpt->meta;
    // --epochs may grow, not fall below what the run has done.
    try {
      const RunState done = run_state_from_json(meta.at("progress"));
      if (plan.cfg.epochs < done.epoch)
        throw ExitError{kExitBadInput, "--epochs " + std::to_string(plan.cfg.epochs) +
                                           ": the run in " + ckpt_name + " has already finished " +
                                           std::to_string(done.epoch) +
                                           " epochs; --epochs may only grow when resuming"};
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("checkpoint " + ckpt_name + ": " + e.what());
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("checkpoint " + ckpt_name + ": " + e.what());
    }
    DataRecord record;
    try {
      record = data_record_from_json(meta.at("data"));
    } catch (const std::exception& e) {
      throw std::runtime_error("checkpoint " + ckpt_name + ": " + e.what());
    }
    data = load_run_data(plan.cfg, record, "the model in " + ckpt_name);
  } else {
    data = load_run_data(plan.cfg);
  }
  plan.session = make_session(plan.cfg, std::move(data), ckpt, ckpt_name);
  if (resuming) {
    plan.session.run_id = plan.resume->record.id;
    if (plan.resume->branch) plan.new_dir = {plan.resume->dir, false};
  }
  return plan;
}

void describe_plan(const TrainPlan& plan, std::ostream& os) {
  const TrainSession& s = plan.session;
  const DataRecord& rec = s.data.record;
  os << "gradlab train --dry-run: every flag, spec and file checked; nothing was written\n";
  if (!plan.resume)
    os << "  run directory: " << plan.new_dir.path.string()
       << (plan.new_dir.numbered ? " (or the next free -N)" : "") << " (new)\n";
  else if (plan.resume->branch)
    os << "  run directory: " << plan.resume->dir.string() << " (new, continuing "
       << plan.resume->checkpoint_path << ")\n";
  else
    os << "  run directory: " << plan.resume->dir.string()
       << (plan.resume->checkpoint ? " (resumed at epoch " + std::to_string(s.state.epoch + 1) +
                                         ", batch " + std::to_string(s.state.batch) + ")"
                                   : std::string(" (restarted from its start)"))
       << "\n";
  os << "  data: " << plan.cfg.dataset << ": " << s.data.train.size() << " training, "
     << (s.data.val.features.defined() ? s.data.val.size() : 0) << " validation, "
     << s.data.test.size() << " " << s.data.test_name << " examples; " << rec.in_features
     << " features, " << rec.num_classes << " classes\n";
  os << "  model: " << plan.cfg.model << ": " << s.model->num_parameters() << " parameters, "
     << s.batches_per_epoch << " batches per epoch\n";
  for (const FlagChange& c : plan.changes)
    os << "  changed on resume: --" << c.name << " " << c.from.dump() << " -> " << c.to.dump()
       << "\n";
  os << "  config: " << to_json(plan.cfg).dump() << "\n";
}

namespace {

std::string signal_name(int sig) { return labtools::signal_name(sig); }

// The record config.json holds after this start, resume or branch.
RunRecord record_for(const TrainPlan& plan) {
  RunRecord r;
  r.config = plan.cfg;
  if (!plan.resume) {
    r.id = plan.session.run_id;
    r.history.push_back({{"event", "start"}, {"time", utc_now()}});
    return r;
  }
  const ResumeSource& src = *plan.resume;
  nlohmann::json changed = nlohmann::json::object();
  for (const FlagChange& c : plan.changes) changed[c.name] = {c.from, c.to};
  nlohmann::json event = {{"time", utc_now()}, {"changed", changed}};
  if (src.checkpoint) {
    event["checkpoint"] = fs::absolute(src.checkpoint_path).lexically_normal().string();
    event["at"] = {{"epoch", plan.session.state.epoch}, {"batch", plan.session.state.batch}};
  }
  if (src.branch) {
    r.id = plan.session.run_id;
    event["event"] = "branch";
    event["from_run"] = src.record.id;
  } else {
    r.id = src.record.id;
    r.history = src.record.history;
    event["event"] = src.checkpoint ? "resume" : "restart";
  }
  r.history.push_back(event);
  return r;
}

}  // namespace

void run_train(const TrainRequest& req) {
  install_stop_handlers();
  TrainPlan plan = plan_train(req);
  if (req.dry_run) {
    describe_plan(plan, std::cout);
    return;
  }
  TrainSession& s = plan.session;
  const TrainConfig& cfg = plan.cfg;
  if (g_stop_signal)
    throw ExitError{128 + g_stop_signal, "stopped by " + signal_name(g_stop_signal) +
                                             " before training started; nothing was written"};
  const bool in_place = plan.resume && !plan.resume->branch;
  if (!in_place) s.run_id = new_run_id();
  RunDir dir = in_place ? RunDir::open(plan.resume->dir) : RunDir::create(plan.new_dir);
  spdlog::info(
      "gradlab train: {} with {} ({} epochs, batch {}, {} lr {}, label smoothing {}, "
      "seed {}, {} thread{}) in {}",
      cfg.dataset, cfg.model, cfg.epochs, cfg.batch_size, cfg.optimizer, cfg.lr,
      cfg.label_smoothing, cfg.seed, cfg.threads, cfg.threads == 1 ? "" : "s", dir.path().string());
  if (plan.resume)
    spdlog::info("{} {}", plan.resume->checkpoint ? "resuming from" : "restarting",
                 plan.resume->checkpoint ? plan.resume->checkpoint_path : dir.path().string());
  for (const FlagChange& c : plan.changes)
    spdlog::info("--{} changes from {} to {}", c.name, c.from.dump(), c.to.dump());
  dir.write("config.json", to_json(record_for(plan)).dump(2) + "\n");
  const std::string ckpt = dir.file("checkpoint.ckpt");
  if (!in_place || !plan.resume->checkpoint) {
    // From here on the directory always holds a checkpoint to resume from.
    save_checkpoint(make_checkpoint(s, s.state, dir.path()), ckpt);
  }
  if (plan.resume && plan.resume->checkpoint)
    dir.write("metrics.csv", metrics_csv(s.state.metrics));  // as of the checkpoint

  const auto t0 = std::chrono::steady_clock::now();
  TrainOutcome out = train_run(s, dir);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (out.status == TrainOutcome::Status::Stopped) {
    std::cerr << "\nstopped by " << signal_name(out.signal) << ": checkpoint saved to " << ckpt
              << "\ncontinue with: gradlab train --resume " << ckpt << "\n";
    throw ExitError{128 + out.signal, ""};
  }
  if (out.status == TrainOutcome::Status::Diverged) throw ExitError{kExitFailure, out.message};
  std::cout << "\n" << format_confusion(out.test.confusion, s.data.record.class_names) << "\n";
  std::printf("done in %.1fs: %s accuracy %.4f (loss %.4f)\n", secs, s.data.test_name.c_str(),
              out.test.accuracy, out.test.loss);
  std::cout << "  metrics:    " << dir.file("metrics.csv") << "\n"
            << "  plot:       " << dir.file("curves.svg") << "\n"
            << "  confusion:  " << dir.file("confusion.txt") << "\n"
            << "  checkpoint: " << ckpt << "\n"
            << "evaluate it again with: gradlab eval --checkpoint " << ckpt << "\n";
}

void add_train_command(CLI::App& app) {
  auto req = std::make_shared<TrainRequest>();
  auto text = std::make_shared<std::map<std::string, std::string>>();
  auto given = std::make_shared<std::vector<std::pair<std::string, CLI::Option*>>>();
  CLI::App* sub =
      app.add_subcommand("train", "Train a classifier and write metrics, plot and checkpoints");
  const TrainConfig defaults;
  for (const FlagDef& f : train_flags()) {
    CLI::Option* o = sub->add_option(f.flag(), (*text)[f.name], f.help);
    o->default_str(flag_value_text(f, defaults))->type_name(f.type_name);
    given->push_back({f.name, o});
  }
  sub->add_option("--out", req->out,
                  "Run directory (default: runs/<dataset>-<time>); claimed for this run alone, "
                  "never overwritten. With --resume: a new directory to continue in")
      ->type_name("DIR");
  sub->add_option("--resume", req->resume,
                  "Continue a run: its checkpoint.ckpt, or its directory (a run that stopped "
                  "before its first checkpoint restarts). Only " +
                      resumable_flags() + " may be given with it")
      ->type_name("CKPT|DIR");
  sub->add_flag("--dry-run", req->dry_run,
                "Check every flag, spec and file, print the plan, and write nothing");
  sub->callback([req, text, given] {
    req->flags.clear();
    for (const auto& [name, o] : *given)
      if (o->count() > 0) req->flags.push_back({name, (*text)[name]});
    run_train(*req);
  });
}

}  // namespace gradlab::cli
