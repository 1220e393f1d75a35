// Simulation: one run of one scenario, an ordinary object that owns all of its state.
//
// The kernel is a priority-queue discrete-event loop over integer time (see time.hpp and
// event_queue.hpp). Models (cluster, tasks, placement ...) live inside; they report what happens
// through on_event(), to which outputs subscribe. Two Simulations never share state, so runs can
// go on in parallel threads, and the same scenario and seed give the same events on any machine.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>

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
  // Verify the model's bookkeeping as the run goes (task state transitions, reservations,
  // rolling-update bounds, load balancer registrations, request conservation: after every model
  // event or at every metrics tick, docs/reliability.md). A violation throws InternalError naming
  // the simulated time and the event. On by default in the sanitizer build; tests turn it on.
#ifdef ECSIM_CHECK_INVARIANTS
  bool check_invariants = true;
#else
  bool check_invariants = false;
#endif
  // Cooperative cancellation: once the flag reads true (set by another thread, or by a signal
  // handler: std::atomic<bool> is lock-free), run() and step() throw RunCancelled before the next
  // instant, and run_to_directory leaves nothing behind. Not owned; must outlive the run. The
  // library installs no signal handlers: that is the program's choice (the ecsim command does).
  const std::atomic<bool>* cancel = nullptr;
};

// Thrown by a run whose RunOptions::cancel flag was set.
class RunCancelled : public std::runtime_error {
 public:
  RunCancelled() : std::runtime_error("the run was cancelled") {}
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
  // Processes every event at the next pending time; false when the run is over. Throws
  // RunCancelled first when RunOptions::cancel is set.
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
  const std::atomic<bool>* cancel_ = nullptr;
};

// Called by run_to_directory as simulated time advances (at most once per simulated instant),
// with the clock and the time the run ends; for a progress display. Only observes.
using ProgressCallback = std::function<void(TimePoint now, TimePoint end)>;

// What a caller of run_to_directory may add to the run, for a front end that hands the run back
// as well as writing it (the Python module): `attach` is called with the simulation before it
// runs, after the files' own observers are connected, to connect observers of its own; `finished`
// after the run, before the files are committed, to read metrics(), events_processed() ... .
// Either may be empty. If either throws, nothing is left in the folder.
struct RunHooks {
  std::function<void(Simulation&)> attach;
  std::function<void(const Simulation&)> finished;
};

// Runs `scenario` and writes events.jsonl, summary.json, metrics.csv, report.html (the run's
// charts, one self-contained page) and trace.json (a Chrome trace: Perfetto, chrome://tracing)
// into `dir`, atomically: on any failure, or when cancelled (RunCancelled, see RunOptions::cancel),
// nothing is left in `dir`. Returns the summary.
nlohmann::ordered_json run_to_directory(const Scenario& scenario, const std::filesystem::path& dir,
                                        RunOptions options = {},
                                        const ProgressCallback& progress = {},
                                        const RunHooks& hooks = {});

// The library version, e.g. "0.1.0".
const char* version();

}  // namespace ecsim
