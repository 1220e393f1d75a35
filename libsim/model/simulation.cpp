#include "ecsim/simulation.hpp"

#include "ecsim/output_directory.hpp"

#include "model/simulation_state.hpp"
#include "output/report_html.hpp"
#include "output/trace_json.hpp"

namespace ecsim {

Simulation::Simulation(const Scenario& scenario, RunOptions options)
    : state_(std::make_unique<detail::SimulationState>(
          scenario, options.seed.value_or(scenario.seed), options.check_invariants)),
      cancel_(options.cancel) {}
Simulation::~Simulation() = default;

Signal<EventRecord>& Simulation::on_event() {
  return state_->on_event;
}
void Simulation::run() {
  if (cancel_ == nullptr) return state_->run();
  while (step()) {
  }
}
bool Simulation::step() {
  // One relaxed load per instant: nothing to notice on the run's speed.
  if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) throw RunCancelled();
  return state_->step();
}
TimePoint Simulation::now() const {
  return state_->now();
}
std::uint64_t Simulation::seed() const {
  return state_->seed();
}
std::uint64_t Simulation::events_processed() const {
  return state_->events_processed();
}
nlohmann::ordered_json Simulation::summary() const {
  return state_->summary();
}
const MetricsTable& Simulation::metrics() const {
  return state_->metrics();
}

nlohmann::ordered_json run_to_directory(const Scenario& scenario, const std::filesystem::path& dir,
                                        RunOptions options, const ProgressCallback& progress,
                                        const RunHooks& hooks) {
  OutputDirectory out(dir);
  std::ofstream& events = out.open("events.jsonl");
  std::ofstream& trace_file = out.open("trace.json");
  Simulation sim(scenario, options);
  // Observers only: each sees every event in order and never touches the model.
  detail::TraceJson trace(trace_file, scenario);
  detail::ReportHtml report(scenario);
  sim.on_event().connect([&events](const EventRecord& r) { events << to_json_line(r) << '\n'; });
  sim.on_event().connect([&trace](const EventRecord& r) { trace.on_event(r); });
  sim.on_event().connect([&report](const EventRecord& r) { report.on_event(r); });
  if (hooks.attach) hooks.attach(sim);
  if (progress) {
    const TimePoint end(scenario.duration);
    while (sim.step())
      progress(sim.now(), end);
    progress(sim.now(), end);
  } else {
    sim.run();
  }
  trace.finish(sim.now());
  report.finish(sim.now());
  nlohmann::ordered_json summary = sim.summary();
  out.write_file("summary.json", summary.dump(2) + "\n");
  out.write_file("metrics.csv", sim.metrics().to_csv());
  out.write_file("report.html", report.render(summary, sim.metrics(), sim.now()));
  if (hooks.finished) hooks.finished(sim);
  // The last moment to stop: after this, the outputs are complete.
  if (options.cancel != nullptr && options.cancel->load()) throw RunCancelled();
  out.commit();
  return summary;
}

const char* version() {
  return ECSIM_VERSION;
}

}  // namespace ecsim
