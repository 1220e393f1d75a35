// Helpers for tests that run whole scenarios and read their event stream.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

namespace ecsim::testing {

struct Run {
  std::vector<EventRecord> events;
  nlohmann::ordered_json summary;
  MetricsTable metrics;

  // Task state changes of one task (by the tail of its ARN, e.g. "...0001" -> "1" as ordinal).
  std::vector<const EventRecord*> task_events(std::uint64_t ordinal) const {
    std::vector<const EventRecord*> out;
    const std::string suffix = ecs_hex_suffix(ordinal);
    for (const auto& e : events)
      if (e.detail_type == "ECS Task State Change" &&
          e.detail["taskArn"].get<std::string>().ends_with(suffix))
        out.push_back(&e);
    return out;
  }
  std::vector<std::string> task_states(std::uint64_t ordinal) const {
    std::vector<std::string> out;
    for (const auto* e : task_events(ordinal)) {
      const std::string s = e->detail["lastStatus"].get<std::string>();
      if (out.empty() || out.back() != s) out.push_back(s);
    }
    return out;
  }
  std::vector<const EventRecord*> of_type(const std::string& type) const {
    std::vector<const EventRecord*> out;
    for (const auto& e : events)
      if (e.detail_type == type) out.push_back(&e);
    return out;
  }
  static std::string ecs_hex_suffix(std::uint64_t ordinal) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "/%032llx", static_cast<unsigned long long>(ordinal));
    return buf;
  }
};

inline Run run_scenario(const Scenario& scenario, std::optional<std::uint64_t> seed = {}) {
  Run run;
  RunOptions options;
  options.seed = seed;
  options.check_invariants = true;
  Simulation sim(scenario, options);
  sim.on_event().connect([&](const EventRecord& e) { run.events.push_back(e); });
  sim.run();
  run.summary = sim.summary();
  run.metrics = sim.metrics();
  return run;
}

inline Run run_text(const std::string& text) {
  return run_scenario(load_scenario_text(text));
}

// scenarios/<name>.json as JSON, for tests that run variations of a shipped scenario.
inline nlohmann::json scenario_json(const std::string& name) {
  std::ifstream in(ECSIM_SOURCE_DIR "/scenarios/" + name + ".json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// What loading `scenario` reports ("" when it is valid).
inline std::string load_error(const nlohmann::json& scenario) {
  try {
    (void)load_scenario_text(scenario.dump());
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace ecsim::testing
