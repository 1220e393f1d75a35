// Simulation: one run of one scenario, an ordinary object that owns all of its state.
//
// The kernel is a priority-queue discrete-event loop over integer time (see time.hpp and
// event_queue.hpp). Models (cluster, tasks, placement ...) live inside; they report what happens
// through on_event(), to which outputs subscribe. Two Simulations never share state, so runs can
// go on in parallel threads, and the same scenario and seed give the same events on any machine.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "ecsim/event_record.hpp"
#include "ecsim/metrics.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/signal.hpp"

namespace ecsim {

namespace detail {
class SimulationState;
}

struct RunOptions {
  std::optional<std::uint64_t> seed;  // overrides the scenario's seed
  // After every event, verify the model's bookkeeping (each instance's remaining resources equal
  // registered minus its tasks' reservations, never negative). A violation throws InternalError
  // naming the event. On by default in the sanitizer build; tests always turn it on.
#ifdef ECSIM_CHECK_INVARIANTS
  bool check_invariants = true;
#else
  bool check_invariants = false;
#endif
};

class Simulation {
 public:
  // The simulation keeps its own copy of the scenario.
  explicit Simulation(const Scenario& scenario, RunOptions options = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Fired for every event, in simulated-time order.
  Signal<EventRecord>& on_event();

  // Runs to the scenario's duration. May be called once.
  void run();
  // Processes every event at the next pending time; false when the run is over.
  bool step();

  TimePoint now() const;
  std::uint64_t seed() const;
  std::uint64_t events_processed() const;
  // The run's figures (summary.json). Deterministic: no wall-clock values.
  nlohmann::ordered_json summary() const;
  // The periodic metrics so far (metrics.csv); complete after run().
  const MetricsTable& metrics() const;

 private:
  std::unique_ptr<detail::SimulationState> state_;
};

// Called by run_to_directory as simulated time advances (at most once per simulated instant),
// with the clock and the time the run ends; for a progress display. Only observes.
using ProgressCallback = std::function<void(TimePoint now, TimePoint end)>;

// Runs `scenario` and writes events.jsonl, summary.json, metrics.csv, report.html (the run's
// charts, one self-contained page) and trace.json (a Chrome trace: Perfetto, chrome://tracing)
// into `dir`, atomically: on any failure nothing is left in `dir`. Returns the summary.
nlohmann::ordered_json run_to_directory(const Scenario& scenario, const std::filesystem::path& dir,
                                        RunOptions options = {},
                                        const ProgressCallback& progress = {});

// The library version, e.g. "0.1.0".
const char* version();

}  // namespace ecsim
