// tools/train_cmd.cpp — placeholder until the 'train' subcommand lands.
#include "tools/commands.h"

namespace gradlab::cli {
void add_train_command(CLI::App& app) {
  auto* sub = app.add_subcommand("train", "(not available yet)");
  sub->callback([] { throw ExitError{kExitFailure, "'train' is not implemented yet"}; });
}
}  // namespace gradlab::cli
