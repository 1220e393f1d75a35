#include "ecsim/simulation.hpp"

#include "ecsim/output_directory.hpp"

#include "model/simulation_state.hpp"
#include "output/report_html.hpp"
#include "output/trace_json.hpp"

namespace ecsim {

Simulation::Simulation(const Scenario& scenario, RunOptions options)
    : state_(std::make_unique<detail::SimulationState>(
          scenario, options.seed.value_or(scenario.seed), options.check_invariants)) {}
Simulation::~Simulation() = default;

Signal<EventRecord>& Simulation::on_event() {
  return state_->on_event;
}
void Simulation::run() {
  state_->run();
}
bool Simulation::step() {
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
                                        RunOptions options, const ProgressCallback& progress) {
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
  out.commit();
  return summary;
}

const char* version() {
  return ECSIM_VERSION;
}

}  // namespace ecsim
