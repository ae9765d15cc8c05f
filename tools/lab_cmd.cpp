// tools/lab_cmd.cpp — placeholder until the 'lab' subcommand lands.
#include "tools/commands.h"

namespace gradlab::cli {
void add_lab_command(CLI::App& app) {
  auto* sub = app.add_subcommand("lab", "(not available yet)");
  sub->callback([] { throw ExitError{kExitFailure, "'lab' is not implemented yet"}; });
}
}  // namespace gradlab::cli
