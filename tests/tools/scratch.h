// tests/tools/scratch.h — one temporary folder per test process for the
// tools tests, removed after the last test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace labtools_test {

inline std::filesystem::path scratch_root() {
  static const std::filesystem::path root = std::filesystem::temp_directory_path() /
                                            ("gradlab_labtools_test_" + std::to_string(::getpid()));
  return root;
}

// A fresh folder <root>/<name>.
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = scratch_root() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(scratch_root(), ec);
  }
};

// gtest takes ownership of the environment (its API wants a raw pointer).
inline ::testing::Environment* const kScratchCleanup =
    ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

}  // namespace labtools_test
