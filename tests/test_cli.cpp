// The `ecsim` command as a user meets it: exit codes, messages, atomic outputs, determinism
// (SCENARIO-CONTRACT.md, "Command line" and "Outputs").
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include <doctest/doctest.h>

#include "support/test_files.hpp"

namespace fs = std::filesystem;

namespace {

struct Ran {
  int exit_code;
  std::string out;
  std::string err;
};

using ecsim::testing::scratch;
using ecsim::testing::slurp;

Ran run_cli(const std::string& args, const fs::path& cwd) {
  const std::string cmd = "cd '" + cwd.string() + "' && '" ECSIM_CLI_PATH "' " + args + " >'" +
                          (cwd / "stdout.txt").string() + "' 2>'" + (cwd / "stderr.txt").string() +
                          "'";
  const int status = std::system(cmd.c_str());
  Ran r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(cwd / "stdout.txt"),
        slurp(cwd / "stderr.txt")};
  fs::remove(cwd / "stdout.txt");
  fs::remove(cwd / "stderr.txt");
  return r;
}

const std::string kScenarios = ECSIM_SOURCE_DIR "/scenarios/";

}  // namespace

TEST_CASE("--version and --help exit 0; a bad command line exits 2") {
  const fs::path dir = scratch("version");
  Ran v = run_cli("--version", dir);
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("ecsim 0.") != std::string::npos);
  Ran h = run_cli("--help", dir);
  CHECK(h.exit_code == 0);
  CHECK(h.out.find("Exit codes") != std::string::npos);
  CHECK(run_cli("frobnicate", dir).exit_code == 2);
  CHECK(run_cli("run --seed notanumber", dir).exit_code == 2);
  CHECK(run_cli("validate", dir).exit_code == 2);
}

TEST_CASE(
    "validate: exit 0 on a valid file; exit 1 and one line per problem starting with its pointer") {
  const fs::path dir = scratch("validate");
  CHECK(run_cli("validate '" + kScenarios + "default.json'", dir).exit_code == 0);
  std::ofstream(dir / "bad.json") << R"({"name": "x", "duraton": "5m", "seed": -3})";
  Ran r = run_cli("validate bad.json", dir);
  CHECK(r.exit_code == 1);
  std::istringstream lines(r.err);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    CHECK_MESSAGE(line.rfind("/", 0) == 0, line);
    ++count;
  }
  CHECK(count == 2);
  CHECK(r.err.find("/duraton: unknown key \"duraton\"; did you mean \"duration\"?") !=
        std::string::npos);
}

TEST_CASE("run on an invalid scenario reports what validate reports and writes nothing") {
  const fs::path dir = scratch("run-invalid");
  std::ofstream(dir / "bad.json")
      << R"({"cluster": {"containerInstances": [{"instanceType": "m9.huge"}]}})";
  Ran v = run_cli("validate bad.json", dir);
  Ran r = run_cli("run bad.json --out out", dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err == v.err);
  CHECK_FALSE(fs::exists(dir / "out" / "events.jsonl"));
  CHECK_FALSE(fs::exists(dir / "out" / "summary.json"));
}

TEST_CASE("run with no arguments runs the built-in default scenario into out/default") {
  const fs::path dir = scratch("run-default");
  Ran r = run_cli("run", dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(fs::exists(dir / "out" / "default" / "events.jsonl"));
  CHECK(fs::exists(dir / "out" / "default" / "summary.json"));
  CHECK(r.out.find("out/default") != std::string::npos);
  // Nothing but the outputs is left behind (no staging folders).
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir / "out" / "default"))
    ++entries;
  CHECK(fs::exists(dir / "out" / "default" / "metrics.csv"));
  CHECK(fs::exists(dir / "out" / "default" / "report.html"));
  CHECK(fs::exists(dir / "out" / "default" / "trace.json"));
  CHECK(entries == 5);
}

TEST_CASE("the same scenario and seed give byte-identical outputs") {
  const fs::path dir = scratch("determinism");
  for (const char* run : {"a", "b"}) {
    Ran r = run_cli("run '" + kScenarios + "default.json' --out " + run + " --seed 7", dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  for (const char* file :
       {"events.jsonl", "summary.json", "metrics.csv", "report.html", "trace.json"}) {
    const std::string a = slurp(dir / "a" / file);
    CHECK(a.size() > 100);
    CHECK_MESSAGE(a == slurp(dir / "b" / file), file);
  }
  Ran r = run_cli("run '" + kScenarios + "default.json' --out c --seed 8", dir);
  REQUIRE(r.exit_code == 0);
  CHECK(slurp(dir / "c" / "summary.json").find("\"seed\": 8") != std::string::npos);
}

TEST_CASE("an output folder that cannot be created exits 3 and leaves nothing") {
  const fs::path dir = scratch("unwritable");
  std::ofstream(dir / "blocker") << "a file where the folder should be";
  Ran r = run_cli("run --out blocker/sub", dir);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("cannot") != std::string::npos);
}
