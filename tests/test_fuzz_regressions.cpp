// Replays every input the fuzzer ever tripped on (tests/fuzz_regressions/, see
// docs/reliability.md) through the fuzz harness's own path (fuzz/scenario_harness.hpp): load and
// validate, then run with the invariant checks on through every output observer. Each must end
// cleanly: an invalid scenario with a clean ScenarioError, a valid one by running to its end.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "../fuzz/scenario_harness.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> regression_inputs() {
  std::vector<fs::path> files;
  for (const auto& e :
       fs::directory_iterator(fs::path(ECSIM_SOURCE_DIR) / "tests" / "fuzz_regressions"))
    if (e.is_regular_file() && e.path().filename() != "README.md") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("every saved fuzz input loads cleanly or runs to its end") {
  const auto files = regression_inputs();
  CHECK(!files.empty());
  for (const fs::path& file : files) {
    CAPTURE(file.filename().string());
    std::string problems;
    ecsim::fuzzing::Outcome outcome{};
    // Far more events than any input under the harness's limits needs: a hang guard.
    CHECK_NOTHROW(
        outcome = ecsim::fuzzing::run_scenario_input(
            slurp(file), fs::path(ECSIM_SOURCE_DIR) / "fuzz" / "data", 50'000'000, &problems));
    CHECK_MESSAGE(outcome != ecsim::fuzzing::Outcome::kStopped, "the run did not finish");
  }
}

TEST_CASE("every example scenario takes the fuzz harness's path to its end") {
  for (const auto& e : fs::directory_iterator(fs::path(ECSIM_SOURCE_DIR) / "scenarios")) {
    CAPTURE(e.path().filename().string());
    std::string problems;
    ecsim::fuzzing::Outcome outcome{};
    CHECK_NOTHROW(
        outcome = ecsim::fuzzing::run_scenario_input(
            slurp(e.path()), fs::path(ECSIM_SOURCE_DIR) / "fuzz" / "data", 50'000'000, &problems));
    // Some examples are over the harness's small limits: that is a clean refusal, not a bug.
    CHECK_MESSAGE(outcome != ecsim::fuzzing::Outcome::kStopped, "the run did not finish");
  }
}
