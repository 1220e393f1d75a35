// Files for tests: read one whole, and a fresh scratch folder under the build tree.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ecsim::testing {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// <build>/test-scratch/<name>, emptied.
inline std::filesystem::path scratch(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(ECSIM_BINARY_DIR) / "test-scratch" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace ecsim::testing
