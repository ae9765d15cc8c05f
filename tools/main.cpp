// tools/main.cpp — the `gradlab` command: train, eval, lab, grade.
#include <cstdio>
#include <exception>
#include <iostream>
#include <new>

#include "tools/commands.h"
#include "tools/train/memory.h"

int main(int argc, char** argv) {
  namespace cli = gradlab::cli;
  CLI::App app{"gradlab: a small deep-learning framework for teaching"};
  app.require_subcommand(1);
  cli::add_train_command(app);
  cli::add_eval_command(app);
  cli::add_lab_command(app);
  cli::add_grade_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return cli::kExitBadInput;  // bad flags are bad input: exit 2
  } catch (const std::bad_alloc&) {  // an allocation no estimate caught: say what it was for
    std::cerr << "gradlab: " << gradlab::cli::out_of_memory_message() << "\n";
    return cli::kExitBadInput;
  } catch (const cli::ExitError& e) {
    if (!e.message.empty()) std::cerr << "gradlab: " << e.message << "\n";
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "gradlab: " << e.what() << "\n";
    return cli::kExitBadInput;
  }
  return cli::kExitOk;
}
