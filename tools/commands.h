// tools/commands.h — the `gradlab` command's subcommands. Each lives in its
// own file and registers itself on the CLI11 app; main.cpp only wires them.
#pragma once

#include <CLI/CLI.hpp>

namespace gradlab::cli {

// Exit codes shared by every subcommand.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;   // the run itself failed (e.g. tests failed)
constexpr int kExitBadInput = 2;  // bad flags, files or specs

void add_train_command(CLI::App& app);  // tools/train/train_cmd.cpp
void add_eval_command(CLI::App& app);   // tools/train/eval_cmd.cpp
void add_lab_command(CLI::App& app);    // tools/lab/lab_cmd.cpp
void add_grade_command(CLI::App& app);  // tools/grade/grade_cmd.cpp

// Thrown by a subcommand's callback to exit with a code after printing msg.
struct ExitError {
  int code;
  std::string message;
};

}  // namespace gradlab::cli
