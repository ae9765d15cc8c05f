// tests/dist/runtime_test.cpp — dist/runtime.cpp under mpiexec: ranks are
// distinct and cover [0, world_size), the world size is mpiexec's, barrier
// waits for the slowest rank, the timeout setting, counters, and usage
// errors. (Dead and stuck ranks: runtime_failure_test.cpp.)
#include "dist/runtime.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>

#include "dist/collectives.h"

namespace gradlab::dist {
namespace {

TEST(Runtime, RanksAreDistinctAndCoverTheWorld) {
  ASSERT_TRUE(is_initialized());
  const int w = world_size();
  ASSERT_GE(w, 2) << "run this suite under mpiexec with 2 or more ranks";
  if (const char* env = std::getenv("OMPI_COMM_WORLD_SIZE")) {
    EXPECT_EQ(w, std::atoi(env));
  }
  ASSERT_GE(rank(), 0);
  ASSERT_LT(rank(), w);
  // One-hot by rank, summed: each rank exactly once.
  Tensor seen = zeros({w}, DType::Int64);
  seen.data_ptr<int64_t>()[rank()] = 1;
  all_reduce_(seen);
  for (int64_t v : seen.to_vector<int64_t>()) EXPECT_EQ(v, 1);
}

TEST(Runtime, BarrierWaitsForTheSlowestRank) {
  barrier();  // start together
  const auto t0 = std::chrono::steady_clock::now();
  if (rank() == world_size() - 1) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  barrier();
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(waited, 0.25);  // every rank waited for the sleeper
}

TEST(Runtime, Timeout) {
  const double before = timeout();
  EXPECT_EQ(before, 30.0);  // set by mpi_environment.cpp
  set_timeout(12.5);
  EXPECT_EQ(timeout(), 12.5);
  EXPECT_THROW(set_timeout(0), std::invalid_argument);
  EXPECT_THROW(set_timeout(-1), std::invalid_argument);
  try {
    set_timeout(std::nan(""));
    ADD_FAILURE() << "NaN timeout accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("dist::set_timeout: timeout must be a positive"),
              std::string::npos)
        << e.what();
  }
  set_timeout(before);
}

TEST(Runtime, InitTwiceIsAnError) {
  try {
    init();
    ADD_FAILURE() << "second init accepted";
  } catch (const std::logic_error& e) {
    EXPECT_EQ(std::string(e.what()), "dist::init: already initialised");
  }
}

TEST(Runtime, StatsCountCollectivesAndBytes) {
  const Stats before = stats();
  Tensor t = zeros({256});
  all_reduce_(t);
  barrier();
  const Stats after = stats();
  EXPECT_EQ(after.collectives - before.collectives, 2);
  EXPECT_GT(after.bytes_sent, before.bytes_sent);
  EXPECT_GE(after.seconds, before.seconds);
}

}  // namespace
}  // namespace gradlab::dist
