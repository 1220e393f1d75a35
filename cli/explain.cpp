// `ecsim explain SCENARIO|OUTDIR`: tells a run as the ECS console would, with explanations.
//
// Given a scenario file it runs the scenario in memory (writing nothing) and explains the events
// as they happen; given an output folder of `ecsim run` it reads events.jsonl and summary.json.
#include "ecsim/explain.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

namespace ecsim::cli {

int run_explain_command(const std::string& target, std::optional<std::uint64_t> seed) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(target, ec)) {
    const fs::path events_path = fs::path(target) / "events.jsonl";
    std::ifstream events(events_path, std::ios::binary);
    if (!events) {
      std::cerr << "ecsim: " << events_path.string()
                << " cannot be read; give an output folder of `ecsim run` or a scenario file\n";
      return 2;
    }
    nlohmann::ordered_json summary;
    if (std::ifstream in(fs::path(target) / "summary.json"); in) {
      summary = nlohmann::ordered_json::parse(in, nullptr, false);
      if (summary.is_discarded()) summary = nullptr;
    }
    if (summary.is_object())
      std::cout << "ecsim explain: \"" << summary.value("scenario", "") << "\" (seed "
                << summary.value("seed", 0) << "), " << summary.value("simulatedSeconds", 0.0)
                << " simulated seconds, from " << target << "\n\n";
    RunExplainer explainer(std::cout);
    std::string line;
    std::size_t number = 0;
    while (std::getline(events, line)) {
      ++number;
      if (line.empty()) continue;
      try {
        explainer.on_event(event_from_json_line(line));
      } catch (const std::exception& e) {
        std::cerr << "ecsim: " << events_path.string() << " line " << number << ": " << e.what()
                  << "\n";
        return 4;
      }
    }
    explainer.finish(summary);
    return 0;
  }

  const Scenario scenario = load_scenario_file(target);  // ScenarioError: the caller reports it
  RunOptions options;
  options.seed = seed;
  Simulation sim(scenario, options);
  std::cout << "ecsim explain: \"" << scenario.name << "\" (seed " << sim.seed() << "), "
            << format_duration(scenario.duration) << " simulated, from " << target << "\n";
  if (!scenario.description.empty()) std::cout << scenario.description << "\n";
  std::cout << "\n";
  RunExplainer explainer(std::cout, &scenario);
  sim.on_event().connect([&explainer](const EventRecord& e) { explainer.on_event(e); });
  sim.run();
  explainer.finish(sim.summary());
  return 0;
}

}  // namespace ecsim::cli
