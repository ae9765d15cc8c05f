// tools/grade_cmd.cpp — placeholder until the 'grade' subcommand lands.
#include "tools/commands.h"

namespace gradlab::cli {
void add_grade_command(CLI::App& app) {
  auto* sub = app.add_subcommand("grade", "(not available yet)");
  sub->callback([] { throw ExitError{kExitFailure, "'grade' is not implemented yet"}; });
}
}  // namespace gradlab::cli
