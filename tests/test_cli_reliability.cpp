// The `ecsim` command under stress (docs/reliability.md): interrupted runs and sweeps exit 130 /
// 143 and leave no partial outputs; run limits and csv path confinement from the command line;
// outputs never leave --out.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "support/test_files.hpp"

namespace fs = std::filesystem;

extern char** environ;

namespace {

using ecsim::testing::scratch;
using ecsim::testing::slurp;

// Starts `ecsim args...` in `cwd`, stdout and stderr to files there; returns its pid.
pid_t start_cli(const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> argv_strings = {ECSIM_CLI_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (cwd / "stdout.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (cwd / "stderr.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(rc == 0, "posix_spawn failed");
  return pid;
}

struct Ended {
  bool exited = false;
  int code = -1;
  std::string err;
};

// Waits up to `seconds` for the process; kills it (and fails) if it does not end.
Ended wait_for(pid_t pid, const fs::path& cwd, int seconds = 60) {
  Ended e;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL("ecsim did not end in time");
      return e;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  e.exited = WIFEXITED(status);
  e.code = e.exited ? WEXITSTATUS(status) : -1;
  e.err = slurp(cwd / "stderr.txt");
  return e;
}

Ended run_cli(const std::vector<std::string>& args, const fs::path& cwd) {
  return wait_for(start_cli(args, cwd), cwd);
}

// Waits until `path` exists (the run has begun writing), up to 30 s.
bool appears(const fs::path& path) {
  for (int i = 0; i < 1500; ++i) {
    if (fs::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// A run of about 800 million requests: far longer than any test waits.
const std::string kLongScenario = R"({"name": "long", "duration": "300d", "metricsPeriod": "1h",
 "cluster": {"containerInstances": [{"instanceType": "m5.large", "availabilityZone": "us-east-1a", "count": 2}]},
 "taskDefinitions": [{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx",
     "memory": 256, "portMappings": [{"containerPort": 80}]}]}],
 "targetGroups": [{"Name": "web", "Port": 80, "Protocol": "HTTP"}],
 "loadBalancers": [{"Name": "alb", "Listeners": [{"Port": 80, "Protocol": "HTTP",
     "DefaultActions": [{"Type": "forward", "TargetGroupArn": "web"}]}]}],
 "services": [{"serviceName": "web", "taskDefinition": "web", "desiredCount": 2,
     "loadBalancers": [{"targetGroupArn": "web", "containerName": "app", "containerPort": 80}]}],
 "traffic": [{"name": "users", "listener": "alb:80", "pattern": {"type": "poisson", "rate": 30},
     "request": {"serviceTime": "20ms"}}]})";

// Every entry under `dir`, recursively, as paths relative to it.
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    out.push_back(fs::relative(e.path(), dir).string());
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v)
    s += x + " ";
  return s;
}

void interrupt_run(int signal_number, int expected_code) {
  const fs::path dir = scratch("interrupt-run-" + std::to_string(signal_number));
  std::ofstream(dir / "long.json") << kLongScenario;
  const pid_t pid = start_cli({"run", "long.json", "--out", "out/long"}, dir);
  REQUIRE(appears(dir / "out" / "long" / (".ecsim-staging-" + std::to_string(pid))));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // well inside the run
  ::kill(pid, signal_number);
  const Ended e = wait_for(pid, dir);
  CHECK(e.exited);
  CHECK(e.code == expected_code);
  CHECK_MESSAGE(e.err.find("interrupted") != std::string::npos, e.err);
  // No file, no staging folder: the output folders the run made are gone again.
  CHECK_MESSAGE(entries(dir / "out").empty(), joined(entries(dir / "out")));
  CHECK_FALSE(fs::exists(dir / "out" / "long"));
}

}  // namespace

TEST_CASE("Ctrl-C (SIGINT) during a run exits 130 and leaves no partial outputs") {
  interrupt_run(SIGINT, 130);
}

TEST_CASE("SIGTERM during a run exits 143 and leaves no partial outputs") {
  interrupt_run(SIGTERM, 143);
}

TEST_CASE("an interrupted run keeps an output folder that was there, with its files, untouched") {
  const fs::path dir = scratch("interrupt-existing");
  std::ofstream(dir / "long.json") << kLongScenario;
  fs::create_directories(dir / "out");
  std::ofstream(dir / "out" / "notes.txt") << "mine";
  const pid_t pid = start_cli({"run", "long.json", "--out", "out"}, dir);
  REQUIRE(appears(dir / "out" / (".ecsim-staging-" + std::to_string(pid))));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(pid, SIGINT);
  const Ended e = wait_for(pid, dir);
  CHECK(e.code == 130);
  CHECK(entries(dir / "out") == std::vector<std::string>{"notes.txt"});
  CHECK(slurp(dir / "out" / "notes.txt") == "mine");
}

TEST_CASE("Ctrl-C during a sweep exits 130; no results.csv, no temporary or partial run files") {
  const fs::path dir = scratch("interrupt-sweep");
  std::ofstream(dir / "long.json") << kLongScenario;
  std::ofstream(dir / "sweep.json") << R"({"name": "long-sweep", "base": "long.json",
      "vary": [{"pointer": "/traffic/0/pattern/rate", "values": [30, 31, 32]}]})";
  const pid_t pid = start_cli({"sweep", "sweep.json", "--jobs", "2", "--out", "out", "-q"}, dir);
  REQUIRE(appears(dir / "out" / "runs"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGINT);
  const Ended e = wait_for(pid, dir);
  CHECK(e.code == 130);
  CHECK_MESSAGE(e.err.find("interrupted") != std::string::npos, e.err);
  CHECK_FALSE(fs::exists(dir / "out" / "results.csv"));
  CHECK_MESSAGE(entries(dir / "out") == std::vector<std::string>{"runs"},
                joined(entries(dir / "out")));
}

TEST_CASE("--limit raises a run limit; a bad --limit is a bad command line (exit 2)") {
  const fs::path dir = scratch("cli-limits");
  std::string big = kLongScenario;
  big.replace(big.find(R"("rate": 30)"), 10, R"("rate": 1000000)");
  std::ofstream(dir / "big.json") << big;
  const Ended refused = run_cli({"validate", "big.json"}, dir);
  CHECK(refused.code == 1);
  CHECK_MESSAGE(refused.err.rfind("/traffic: the traffic sources would send about", 0) == 0,
                refused.err);
  CHECK_MESSAGE(refused.err.find("--limit maxRequests=") != std::string::npos, refused.err);
  const Ended raised = run_cli(
      {"validate", "--limit", "maxRequests=3e13", "--limit", "maxEvents=7e13", "big.json"}, dir);
  CHECK_MESSAGE(raised.code == 0, raised.err);
  // run refuses it the same way, before writing anything.
  const Ended run = run_cli({"run", "big.json", "--out", "out"}, dir);
  CHECK(run.code == 1);
  CHECK_FALSE(fs::exists(dir / "out"));
  for (const char* bad : {"maxWidgets=5", "maxRequests", "maxRequests=abc", "maxRequests=0",
                          "maxRequests=1.5", "maxRequests=1e30"}) {
    const Ended e = run_cli({"validate", "big.json", "--limit", bad}, dir);
    CHECK_MESSAGE(e.code == 2, bad);
    CHECK_MESSAGE(e.err.find("--limit") != std::string::npos, e.err);
  }
}

TEST_CASE("--allow-paths-outside-scenario-dir lets a csv path leave the scenario's folder") {
  const fs::path dir = scratch("cli-outside");
  fs::create_directories(dir / "scenarios");
  std::ofstream(dir / "rates.csv") << "time,rate\n0,5\n60,10\n";
  std::string text = kLongScenario;
  text.replace(text.find(R"("duration": "300d")"), 18, R"("duration": "5m")");
  text.replace(text.find(R"({"type": "poisson", "rate": 30})"), 31,
               R"({"type": "csv", "path": "../rates.csv"})");
  std::ofstream(dir / "scenarios" / "s.json") << text;
  const Ended refused = run_cli({"validate", "scenarios/s.json"}, dir);
  CHECK(refused.code == 1);
  CHECK_MESSAGE(refused.err.find("/traffic/0/pattern/path: \"../rates.csv\" leaves the "
                                 "scenario's folder") != std::string::npos,
                refused.err);
  const Ended allowed =
      run_cli({"validate", "scenarios/s.json", "--allow-paths-outside-scenario-dir"}, dir);
  CHECK_MESSAGE(allowed.code == 0, allowed.err);
  const Ended ran = run_cli(
      {"run", "scenarios/s.json", "--allow-paths-outside-scenario-dir", "--out", "o", "-q"}, dir);
  CHECK_MESSAGE(ran.code == 0, ran.err);
  CHECK(fs::exists(dir / "o" / "summary.json"));
}

TEST_CASE("outputs never leave --out: symlinks, .. and scenario names") {
  const fs::path dir = scratch("cli-confine");
  std::string text = kLongScenario;
  text.replace(text.find(R"("duration": "300d")"), 18, R"("duration": "2m")");
  std::ofstream(dir / "s.json") << text;
  const std::vector<std::string> kOutputs = {"events.jsonl", "metrics.csv", "report.html",
                                             "summary.json", "trace.json"};
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };

  SUBCASE("--out is a symbolic link to a folder: the files go into that folder") {
    fs::create_directories(dir / "real");
    fs::create_directory_symlink("real", dir / "link");
    const Ended e = run_cli({"run", "s.json", "--out", "link", "-q"}, dir);
    CHECK_MESSAGE(e.code == 0, e.err);
    CHECK(sorted(entries(dir / "real")) == kOutputs);
    CHECK(fs::is_symlink(dir / "link"));
  }
  SUBCASE("an output file that is a symbolic link is replaced, never written through") {
    fs::create_directories(dir / "out");
    std::ofstream(dir / "victim.txt") << "precious";
    fs::create_symlink("../victim.txt", dir / "out" / "events.jsonl");
    const Ended e = run_cli({"run", "s.json", "--out", "out", "-q"}, dir);
    CHECK_MESSAGE(e.code == 0, e.err);
    CHECK(slurp(dir / "victim.txt") == "precious");
    CHECK_FALSE(fs::is_symlink(dir / "out" / "events.jsonl"));
    CHECK(fs::is_regular_file(dir / "out" / "events.jsonl"));
  }
  SUBCASE("--out with .. components writes where the path leads, and only there") {
    fs::create_directories(dir / "a");
    const Ended e = run_cli({"run", "s.json", "--out", "a/../b", "-q"}, dir);
    CHECK_MESSAGE(e.code == 0, e.err);
    CHECK(sorted(entries(dir / "b")) == kOutputs);
    CHECK(entries(dir / "a").empty());
  }
  SUBCASE("--out that is a dangling symbolic link or a file: exit 3, nothing written") {
    fs::create_symlink("nowhere/at/all", dir / "dangling");
    CHECK(run_cli({"run", "s.json", "--out", "dangling", "-q"}, dir).code == 3);
    CHECK_FALSE(fs::exists(dir / "nowhere"));
    std::ofstream(dir / "file") << "x";
    CHECK(run_cli({"run", "s.json", "--out", "file", "-q"}, dir).code == 3);
    CHECK(slurp(dir / "file") == "x");
  }
  SUBCASE("a scenario name with / or .. cannot send the default output folder elsewhere") {
    std::string named = text;
    named.replace(named.find(R"("name": "long")"), 14, R"("name": "../../escaped")");
    fs::create_directories(dir / "work");
    std::ofstream(dir / "work" / "s.json") << named;
    const Ended e = run_cli({"run", "s.json"}, dir / "work");
    CHECK_MESSAGE(e.code == 0, e.err);
    CHECK(sorted(entries(dir / "work" / "out" / ".._.._escaped")) == kOutputs);
    CHECK_FALSE(fs::exists(dir / "escaped"));
    CHECK_FALSE(fs::exists(dir.parent_path() / "escaped"));
  }
}
