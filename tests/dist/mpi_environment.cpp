// tests/dist/mpi_environment.cpp — linked into every suite that runs under
// mpiexec: dist::init() before the first test, dist::finalize() after the
// last. The collective timeout is short, so that a test failing on one rank
// (and so skipping a collective the other ranks wait in) ends the run with a
// TimeoutError in seconds instead of hanging until CTest's timeout.
#include <gtest/gtest.h>

#include "dist/runtime.h"

namespace {

class MpiEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { gradlab::dist::init({.timeout_seconds = 30}); }
  void TearDown() override { gradlab::dist::finalize(); }
};

[[maybe_unused]] ::testing::Environment* const registered =
    ::testing::AddGlobalTestEnvironment(new MpiEnvironment);

}  // namespace
