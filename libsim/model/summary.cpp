// summary.json: the run's figures. Only simulated quantities: no wall-clock time, no host names.
#include <cmath>

#include "model/simulation_state.hpp"

namespace ecsim::detail {

Json SimulationState::summary() const {
  Json s;
  s["scenario"] = scenario_.name;
  s["seed"] = seed_;
  s["simulatedSeconds"] = to_seconds(now_);
  s["eventsProcessed"] = events_processed_;

  Json tasks;
  std::map<std::string, std::int64_t> by_state;
  for (const Task& t : tasks_)
    ++by_state[to_string(t.state)];
  tasks["started"] = tasks_started_;
  tasks["reachedRunning"] = tasks_reached_running_;
  tasks["byLastStatus"] = by_state;
  tasks["byStopCode"] = stop_codes_;
  s["tasks"] = std::move(tasks);

  Json instances;
  std::map<std::string, std::int64_t> by_status;
  for (const Instance& i : instances_)
    ++by_status[to_string(i.status)];
  instances["total"] = static_cast<std::int64_t>(instances_.size());
  instances["byStatus"] = by_status;
  s["containerInstances"] = std::move(instances);

  s["placementFailures"] = placement_failures_;
  if (!scenario_.cluster.capacity_providers.empty() || !groups_.empty())
    s["capacity"] = capacity_summary();
  s["services"] = services_summary();
  if (lb_) s["requests"] = lb_->summary();
  s["cost"] = cost_summary();
  return s;
}

}  // namespace ecsim::detail
