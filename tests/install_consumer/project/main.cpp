// A user's program: load the built-in scenario, run it, check it produced events.
#include <ecsim/scenario.hpp>
#include <ecsim/simulation.hpp>
#include <iostream>

int main() {
  const ecsim::Scenario scenario = ecsim::load_scenario_text(ecsim::default_scenario_text());
  ecsim::Simulation sim(scenario);
  std::size_t events = 0;
  sim.on_event().connect([&](const ecsim::EventRecord&) { ++events; });
  sim.run();
  std::cout << "ecsim " << ecsim::version() << ": " << events << " events\n";
  return events > 0 ? 0 : 1;
}
