// The `ecsim` command: run and validate scenarios.
//
// Exit codes (also in `ecsim --help` and docs/cli.md):
//   0 success; 1 the scenario is invalid (one line per problem on stderr, starting with its JSON
//   Pointer); 2 bad command line; 3 the outputs could not be written; 4 the simulation failed;
//   130 / 143 interrupted by SIGINT / SIGTERM (128 + the signal; nothing is written).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "ecsim/output_directory.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

#include "default_out.hpp"
#include "interrupt.hpp"
#include "progress.hpp"

namespace ecsim::cli {
int run_sweep_command(const std::string& sweep_path, int jobs, std::string out_dir, bool quiet,
                      const std::atomic<bool>* cancel);
int run_explain_command(const std::string& target, std::optional<std::uint64_t> seed);
int run_schema_command();
}  // namespace ecsim::cli

namespace {

enum ExitCode { kOk = 0, kInvalidScenario = 1, kUsage = 2, kOutputError = 3, kRunFailed = 4 };

constexpr const char* kExitCodes =
    "Exit codes: 0 success, 1 invalid scenario, 2 bad command line, 3 outputs could not be "
    "written, 4 the simulation failed, 130/143 interrupted (SIGINT/SIGTERM; nothing written).";

ecsim::Scenario load(const std::string& path, const ecsim::LoadOptions& options) {
  if (path.empty())
    return ecsim::load_scenario_text(ecsim::default_scenario_text(), "built-in default scenario",
                                     ".", options);
  return ecsim::load_scenario_file(path, options);
}

// --limit NAME=VALUE (VALUE a whole number, 3e9 allowed) into options.limits; a message when bad.
std::string parse_limits(const std::vector<std::string>& given, ecsim::LoadOptions& options) {
  std::string names;
  for (const auto& n : ecsim::RunLimits::names())
    names += (names.empty() ? "" : ", ") + n;
  for (const std::string& item : given) {
    const auto eq = item.find('=');
    const std::string name = item.substr(0, eq);
    if (eq == std::string::npos || !ecsim::RunLimits().get(name))
      return "--limit " + item + ": expected NAME=VALUE with NAME one of " + names;
    const std::string text = item.substr(eq + 1);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(value >= 1) ||
        value > static_cast<double>(ecsim::RunLimits::kMaxValue) || value != std::floor(value))
      return "--limit " + item + ": the value must be a whole number from 1 to 2^53 (3e9 is fine)";
    options.limits[name] = static_cast<std::int64_t>(value);
  }
  return "";
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
  std::vector<std::string> limits;
  ecsim::LoadOptions load_options;
  constexpr const char* kLimitHelp =
      "Raise (or lower) a run limit, e.g. --limit maxRequests=3e9; names as in the scenario's "
      "\"limits\" (docs/reliability.md). Repeatable";
  constexpr const char* kOutsideHelp =
      "Let traffic csv paths name files outside the scenario file's folder";

  CLI::App* run = app.add_subcommand("run", "Run a scenario and write its outputs.");
  run->add_option("scenario", scenario_path,
                  "Scenario JSON file; omitted: the built-in default scenario");
  run->add_option("--out,-o", out_dir, "Output folder (default: out/<scenario name>)");
  run->add_option("--seed", seed, "Seed for this run (overrides the scenario's seed)");
  run->add_flag("--quiet,-q", quiet, "Print nothing but errors");
  run->add_option("--limit", limits, kLimitHelp)->allow_extra_args(false);
  run->add_flag("--allow-paths-outside-scenario-dir", load_options.allow_paths_outside_scenario_dir,
                kOutsideHelp);

  CLI::App* validate = app.add_subcommand("validate", "Check a scenario; print every problem.");
  validate->add_option("scenario", scenario_path, "Scenario JSON file")->required();
  validate->add_option("--limit", limits, kLimitHelp)->allow_extra_args(false);
  validate->add_flag("--allow-paths-outside-scenario-dir",
                     load_options.allow_paths_outside_scenario_dir, kOutsideHelp);

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

  if (const std::string bad = parse_limits(limits, load_options); !bad.empty()) {
    std::cerr << "ecsim: " << bad << "\n";
    return kUsage;
  }
  if (sweep->parsed())
    return ecsim::cli::run_sweep_command(sweep_path, jobs, out_dir, quiet,
                                         ecsim::cli::install_interrupt_handlers());
  if (schema->parsed()) return ecsim::cli::run_schema_command();

  try {
    if (explain->parsed()) return ecsim::cli::run_explain_command(explain_target, seed);
    if (validate->parsed()) {
      const ecsim::Scenario scenario = load(scenario_path, load_options);
      std::cout << scenario_path << ": valid (" << scenario.name << ")\n";
      return kOk;
    }
    const ecsim::Scenario scenario = load(scenario_path, load_options);
    if (out_dir.empty()) out_dir = ecsim::cli::default_out_folder(scenario.name);
    ecsim::RunOptions options;
    options.seed = seed;
    options.cancel = ecsim::cli::install_interrupt_handlers();
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
  } catch (const ecsim::RunCancelled&) {
    std::cerr << "ecsim: interrupted; no outputs were written\n";
    return ecsim::cli::interrupted_exit_code();
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
