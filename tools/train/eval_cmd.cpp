// tools/train/eval_cmd.cpp — `gradlab eval --checkpoint F [--dataset SPEC]`:
// accuracy and confusion matrix of a saved model on a dataset's test split
// (or held-out split for datasets without one), seen as the model saw its
// training data: the checkpoint's normaliser and class map.
#include <iostream>

#include "tools/commands.h"
#include "tools/train/specs.h"
#include "tools/train/trainer.h"

namespace gradlab::cli {

void add_eval_command(CLI::App& app) {
  auto checkpoint = std::make_shared<std::string>();
  auto dataset = std::make_shared<std::string>();
  CLI::App* sub =
      app.add_subcommand("eval", "Accuracy and confusion matrix of a checkpoint on a dataset");
  sub->add_option("--checkpoint", *checkpoint, "A checkpoint written by gradlab train")->required();
  sub->add_option("--dataset", *dataset,
                  "Dataset spec (default: the one the model was trained on): " + dataset_forms());
  sub->callback([checkpoint, dataset] {
    const Checkpoint ckpt = load_checkpoint(*checkpoint);
    LoadedModel lm = load_model(ckpt, *checkpoint);
    TrainConfig cfg = lm.cfg;
    if (!dataset->empty()) {
      parse_dataset_spec(*dataset);
      cfg.dataset = *dataset;
    }
    cfg.val_fraction = 0;  // the test split does not depend on it; no validation needed
    const RunData data = load_run_data(cfg, lm.data, "the model in " + *checkpoint);
    const EvalResult r = evaluate(*lm.model, data.test);
    std::cout << "checkpoint " << *checkpoint << " on " << cfg.dataset << " (" << data.test_name
              << " split, " << data.test.size() << " examples)\n"
              << format_confusion(r.confusion, data.record.class_names) << "loss " << r.loss
              << "\n";
  });
}

}  // namespace gradlab::cli
