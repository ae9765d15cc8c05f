// tests/reliability/bad_input.h — the rows of the bad-input catalogue
// (bad_input_test.cpp runs them). One table per family, each in its own file:
//   bad_input_core.cpp   tensors, ops, autograd, random
//   bad_input_nn.cpp     losses, layers, optimizers, schedules
//   bad_input_data.cpp   datasets, checkpoints, CLI spec strings
//   bad_input_cli.cpp    the `gradlab` binary itself (exit code 2 + message)
//
// A row is a call with bad input, the exception type it must throw and
// fragments its message must hold (the op's name and the offending values).
// A call that returns normally is a failure: a silent wrong answer.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace gradlab::rely {

enum class Throws { InvalidArgument, OutOfRange, RuntimeError };

struct BadInput {
  std::string name;  // test name: letters, digits, underscores
  std::function<void()> call;
  Throws expect;
  std::vector<std::string> fragments;  // each must occur in what()
};
inline void PrintTo(const BadInput& row, std::ostream* os) { *os << row.name; }

// A call on NaN/inf (or otherwise degenerate) input that must not throw but
// must carry the problem into its result: every element of the result must
// satisfy `check` (e.g. be NaN). Guards against a silent finite answer.
struct MustPropagate {
  std::string name;
  std::function<Tensor()> call;
  std::string expect;  // "nan", "inf", "-inf" or "nonfinite"
};
inline void PrintTo(const MustPropagate& row, std::ostream* os) { *os << row.name; }

// `gradlab ARGS...` must exit with `code` and print every fragment. Arguments
// may use {dir} (a scratch directory holding the fixtures made by
// cli_fixtures()) and {out} (a run directory that must not exist afterwards:
// a failed command leaves nothing behind).
struct CliRow {
  std::string name;
  std::vector<std::string> args;
  int code;
  std::vector<std::string> fragments;
  std::vector<std::string> env = {};  // "NAME=VALUE" for the child, e.g. GRADLAB_MEMORY_LIMIT=1G
};
inline void PrintTo(const CliRow& row, std::ostream* os) { *os << row.name; }

std::vector<BadInput> core_rows();
std::vector<BadInput> loss_rows();
std::vector<BadInput> layer_rows();
std::vector<BadInput> optim_rows();
std::vector<BadInput> data_rows();
std::vector<BadInput> checkpoint_rows();
std::vector<BadInput> spec_rows();
std::vector<MustPropagate> propagate_rows();
std::vector<CliRow> cli_rows();

// Writes the files the CLI rows refer to into `dir` (runs the gradlab binary
// once to train a tiny model for the checkpoint fixtures).
void cli_fixtures(const std::string& dir, const std::string& gradlab);

// A scratch directory shared by the library rows that need files; created on
// first use, removed at exit.
const std::string& scratch();

}  // namespace gradlab::rely
