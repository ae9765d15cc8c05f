// tools/train/eval_cmd.cpp — `gradlab eval --checkpoint F [--dataset SPEC]`:
// accuracy and confusion matrix of a saved model on a dataset's test split
// (or held-out split for datasets without one).
#include <iostream>

#include "core/ops.h"
#include "tools/commands.h"
#include "tools/train/trainer.h"

namespace gradlab::cli {

void add_eval_command(CLI::App& app) {
  auto checkpoint = std::make_shared<std::string>();
  auto dataset = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("eval", "Accuracy and confusion matrix of a checkpoint on a dataset");
  sub->add_option("--checkpoint", *checkpoint, "A checkpoint written by gradlab train")->required();
  sub->add_option("--dataset", *dataset, "Dataset spec (default: the one the model was trained on)");
  sub->callback([checkpoint, dataset] {
    const Checkpoint ckpt = load_checkpoint(*checkpoint);
    LoadedModel lm = load_model(ckpt, *checkpoint);
    TrainConfig cfg = lm.cfg;
    if (!dataset->empty()) cfg.dataset = *dataset;
    parse_dataset_spec(cfg.dataset);
    RunData data;
    try {
      data = load_run_data(cfg, lm.norm);
    } catch (const std::invalid_argument& e) {  // e.g. the normaliser does not fit the dataset's width
      throw ExitError{kExitBadInput, "dataset " + cfg.dataset + " does not fit the model in " + *checkpoint +
                                         " (" + std::to_string(lm.in_features) + " features per example): " +
                                         e.what()};
    }
    if (data.in_features != lm.in_features)
      throw ExitError{kExitBadInput, "dataset " + cfg.dataset + " has " + std::to_string(data.in_features) +
                                         " features per example; the model in " + *checkpoint + " expects " +
                                         std::to_string(lm.in_features)};
    if (data.num_classes > lm.num_classes)
      throw ExitError{kExitBadInput, "dataset " + cfg.dataset + " has " + std::to_string(data.num_classes) +
                                         " classes; the model in " + *checkpoint + " predicts " +
                                         std::to_string(lm.num_classes)};
    EvalResult r = evaluate(*lm.model, data.test, lm.num_classes);
    std::cout << "checkpoint " << *checkpoint << " on " << cfg.dataset << " (" << data.test_name << " split, "
              << data.test.size() << " examples)\n"
              << format_confusion(r.confusion, data.class_names) << "loss " << r.loss << "\n";
  });
}

}  // namespace gradlab::cli
