// The one path every fuzz input takes: load and validate a scenario, then run it for a bounded
// number of events with the invariant checks on, feeding every output observer. Shared by the
// libFuzzer target (fuzz/fuzz_scenario.cpp) and the regression replay in the normal build
// (tests/test_fuzz_regressions.cpp), so a saved input fails the same way in both.
//
// What counts as a bug: anything but a clean ScenarioError from loading (each problem a JSON
// Pointer and a message), any exception from the run (InternalError is a broken invariant),
// events out of time order or not surviving events.jsonl, and two runs of the same scenario
// whose outputs differ.
// Sanitizer reports and hangs are caught by the fuzzer itself. Sizes are capped with tight run
// limits (docs/reliability.md), so each input runs in milliseconds; a scenario over them is a
// clean error like any other.
#pragma once

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ecsim/event_record.hpp"
#include "ecsim/explain.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

#include "output/report_html.hpp"
#include "output/trace_json.hpp"

namespace ecsim::fuzzing {

enum class Outcome {
  kInvalid,   // a clean ScenarioError
  kFinished,  // ran to the scenario's duration
  kStopped,   // the event budget ran out first (the run was fine so far)
};

// Budgets for one input, with the run's event budget below (max_events): small enough that an
// input runs in milliseconds, large enough for every example scenario to load.
inline LoadOptions harness_load_options() {
  LoadOptions options;
  options.limits = {{"maxContainerInstances", 64},
                    {"maxTasks", 500},
                    {"maxRequests", 100'000},
                    {"maxEvents", 1'000'000},
                    {"maxMetricsRows", 50'000}};
  return options;
}

// Throws std::logic_error (a finding) when a ScenarioError is not clean.
inline void check_clean(const ScenarioError& e) {
  if (e.problems().empty()) throw std::logic_error("ScenarioError without problems");
  for (const Problem& p : e.problems()) {
    if (p.message.empty()) throw std::logic_error("a problem without a message at " + p.pointer);
    if (!p.pointer.empty() && p.pointer.front() != '/')
      throw std::logic_error("a problem whose pointer is not a JSON Pointer: " + p.to_string());
  }
}

// One run of a loaded scenario, through every observer; `digest` receives everything it wrote
// (events.jsonl, summary.json, metrics.csv, trace.json, report.html) when it finished.
inline Outcome run_once(const Scenario& scenario, std::uint64_t max_events, std::string& digest) {
  RunOptions options;
  options.check_invariants = true;
  Simulation sim(scenario, options);
  std::ostringstream events, trace_out, story;
  detail::TraceJson trace(trace_out, scenario);
  detail::ReportHtml report(scenario);
  RunExplainer explainer(story, &scenario);
  TimePoint last{};
  sim.on_event().connect([&](const EventRecord& r) {
    if (r.time < last) throw std::logic_error("events out of time order at " + to_json_line(r));
    last = r.time;
    const std::string line = to_json_line(r);
    // What `ecsim explain` reads back must be what was written.
    const EventRecord back = event_from_json_line(line);
    if (back.detail_type != r.detail_type || back.time != r.time)
      throw std::logic_error("an event does not survive events.jsonl: " + line);
    events << line << '\n';
    trace.on_event(r);
    report.on_event(r);
    explainer.on_event(r);
  });
  while (sim.events_processed() < max_events)
    if (!sim.step()) {
      trace.finish(sim.now());
      report.finish(sim.now());
      const nlohmann::ordered_json summary = sim.summary();
      explainer.finish(summary);
      digest = events.str() + summary.dump(2) + sim.metrics().to_csv() + trace_out.str() +
               report.render(summary, sim.metrics(), sim.now());
      return Outcome::kFinished;
    }
  return Outcome::kStopped;
}

// Runs one input. `base_dir` is where traffic csv paths resolve; `problems`, if given, receives
// the loader's problems. Returns how it ended; throws (or trips a sanitizer) on a bug. A run that
// finishes is run a second time: the outputs must be byte-identical (ecsim's determinism).
inline Outcome run_scenario_input(std::string_view text, const std::filesystem::path& base_dir,
                                  std::uint64_t max_events = 50'000,
                                  std::string* problems = nullptr) {
  Scenario scenario;
  try {
    scenario = load_scenario_text(text, "fuzz input", base_dir, harness_load_options());
  } catch (const ScenarioError& e) {
    check_clean(e);
    if (problems != nullptr)
      for (const Problem& p : e.problems())
        *problems += p.to_string() + "\n";
    return Outcome::kInvalid;
  }
  std::string first, second;
  const Outcome outcome = run_once(scenario, max_events, first);
  if (outcome != Outcome::kFinished) return outcome;
  run_once(scenario, max_events, second);
  if (first != second) throw std::logic_error("the same scenario and seed gave different outputs");
  return outcome;
}

}  // namespace ecsim::fuzzing
