// tools/eval_cmd.cpp — placeholder until the 'eval' subcommand lands.
#include "tools/commands.h"

namespace gradlab::cli {
void add_eval_command(CLI::App& app) {
  auto* sub = app.add_subcommand("eval", "(not available yet)");
  sub->callback([] { throw ExitError{kExitFailure, "'eval' is not implemented yet"}; });
}
}  // namespace gradlab::cli
