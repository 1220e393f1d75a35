// The `ecsim` command: run and validate scenarios.
//
// Exit codes (also in `ecsim --help` and docs/cli.md):
//   0 success; 1 the scenario is invalid (one line per problem on stderr, starting with its JSON
//   Pointer); 2 bad command line; 3 the outputs could not be written; 4 the simulation failed.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "ecsim/output_directory.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

#include "progress.hpp"

namespace ecsim::cli {
int run_sweep_command(const std::string& sweep_path, int jobs, std::string out_dir, bool quiet);
int run_explain_command(const std::string& target, std::optional<std::uint64_t> seed);
int run_schema_command();
}  // namespace ecsim::cli

namespace {

enum ExitCode { kOk = 0, kInvalidScenario = 1, kUsage = 2, kOutputError = 3, kRunFailed = 4 };

constexpr const char* kExitCodes =
    "Exit codes: 0 success, 1 invalid scenario, 2 bad command line, 3 outputs could not be "
    "written, 4 the simulation failed.";

ecsim::Scenario load(const std::string& path) {
  if (path.empty())
    return ecsim::load_scenario_text(ecsim::default_scenario_text(), "built-in default scenario");
  return ecsim::load_scenario_file(path);
}

int report(const ecsim::ScenarioError& e) {
  for (const auto& p : e.problems())
    std::cerr << p.to_string() << "\n";
  return kInvalidScenario;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ecsim: simulates Amazon ECS clusters in virtual time, reproducibly.", "ecsim"};
  app.footer(kExitCodes);
  app.set_version_flag("--version", std::string("ecsim ") + ecsim::version());
  app.require_subcommand(1);

  std::string scenario_path;
  std::string out_dir;
  std::optional<std::uint64_t> seed;
  bool quiet = false;

  CLI::App* run = app.add_subcommand("run", "Run a scenario and write its outputs.");
  run->add_option("scenario", scenario_path,
                  "Scenario JSON file; omitted: the built-in default scenario");
  run->add_option("--out,-o", out_dir, "Output folder (default: out/<scenario name>)");
  run->add_option("--seed", seed, "Seed for this run (overrides the scenario's seed)");
  run->add_flag("--quiet,-q", quiet, "Print nothing but errors");

  CLI::App* validate = app.add_subcommand("validate", "Check a scenario; print every problem.");
  validate->add_option("scenario", scenario_path, "Scenario JSON file")->required();

  std::string explain_target;
  CLI::App* explain = app.add_subcommand(
      "explain", "Tell a run as the ECS console would, with plain explanations.");
  explain
      ->add_option("target", explain_target,
                   "A scenario JSON file (run in memory) or an output folder of `ecsim run`")
      ->required();
  explain->add_option("--seed", seed, "Seed, with a scenario file (overrides the scenario's)");
  CLI::App* schema =
      app.add_subcommand("schema", "Print the JSON Schema of the scenario format (for editors).");

  std::string sweep_path;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a parameter sweep; one row per run in <out>/results.csv. Resumable.");
  sweep->add_option("sweep", sweep_path, "Sweep JSON file (see README.md)")->required();
  sweep->add_option("--jobs,-j", jobs, "Runs at a time (default: the number of cores)")
      ->check(CLI::Range(1, 1024));
  sweep->add_option("--out,-o", out_dir, "Output folder (default: out/<sweep name>)");
  sweep->add_flag("--quiet,-q", quiet, "Print nothing but errors");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }

  if (sweep->parsed()) return ecsim::cli::run_sweep_command(sweep_path, jobs, out_dir, quiet);
  if (schema->parsed()) return ecsim::cli::run_schema_command();

  try {
    if (explain->parsed()) return ecsim::cli::run_explain_command(explain_target, seed);
    if (validate->parsed()) {
      const ecsim::Scenario scenario = load(scenario_path);
      std::cout << scenario_path << ": valid (" << scenario.name << ")\n";
      return kOk;
    }
    const ecsim::Scenario scenario = load(scenario_path);
    if (out_dir.empty()) out_dir = "out/" + scenario.name;
    ecsim::RunOptions options;
    options.seed = seed;
    ecsim::cli::ProgressBar progress(!quiet);
    const auto summary = ecsim::run_to_directory(scenario, out_dir, options, progress.callback());
    progress.clear();
    if (!quiet) {
      std::cout << "ecsim: ran \"" << scenario.name << "\" (seed " << summary["seed"].dump() << ", "
                << summary["simulatedSeconds"].dump() << " simulated seconds, "
                << summary["eventsProcessed"].dump() << " events)\n"
                << "ecsim: outputs in " << out_dir
                << "/ (events.jsonl, summary.json, metrics.csv, report.html, trace.json)\n";
    }
    return kOk;
  } catch (const ecsim::ScenarioError& e) {
    return report(e);
  } catch (const ecsim::OutputError& e) {
    std::cerr << "ecsim: " << e.what() << "\n";
    return kOutputError;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "ecsim: cannot write outputs: " << e.what() << "\n";
    return kOutputError;
  } catch (const std::ios_base::failure& e) {
    std::cerr << "ecsim: cannot write outputs: " << e.what() << "\n";
    return kOutputError;
  } catch (const std::exception& e) {
    std::cerr << "ecsim: " << e.what() << "\n";
    return kRunFailed;
  }
}
