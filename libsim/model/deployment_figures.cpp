// What a run tells about each deployment (summary.json): when it began and ended, its outcome,
// the fewest healthy tasks and the most tasks seen, the task-hours above the desired count, the
// requests that failed while it ran, and how long the old and new revisions both answered.
#include <algorithm>

#include "model/simulation_state.hpp"

namespace ecsim::detail {

void SimulationState::close_deployment_figures(std::size_t s, std::size_t d) {
  Deployment& dep = services_[s].deployments[d];
  if (!dep.requests_failed_at_end) dep.requests_failed_at_end = services_[s].requests_failed;
}

Json SimulationState::deployment_summary(const Service& svc, const Deployment& d) const {
  const TimePoint end = d.finished_at.value_or(now_);
  Json j;
  j["id"] = d.id;
  j["taskDefinition"] = d.definition_arn;
  j["status"] = to_string(d.status);
  j["rolloutState"] = to_string(d.rollout);
  j["strategy"] = strategy_name(d, svc.spec);
  if (d.code_deploy) j["codeDeployDeploymentId"] = d.code_deploy_id;
  if (!d.reason.empty()) j["reason"] = d.reason;
  j["startedAt"] = to_seconds(d.created_at);
  j["endedAt"] = d.finished_at ? Json(to_seconds(*d.finished_at)) : Json(nullptr);
  j["failedTasks"] = d.failed_tasks;
  j["minimumHealthyTasksSeen"] = std::max(0, d.min_healthy_seen);
  j["peakTasks"] = d.peak_tasks;
  // Task-hours of the service's tasks (PROVISIONING to STOPPED) within the deployment, above
  // what its desired count at the start would have used.
  double task_seconds = 0;
  for (std::size_t t : svc.tasks) {
    const Task& task = tasks_[t];
    const TimePoint from = std::max(task.created_at, d.created_at);
    const TimePoint to = std::min(task.stopped_at.value_or(now_), end);
    if (to > from) task_seconds += to_seconds(to - from);
  }
  const double span = to_seconds(end - d.created_at);
  j["extraTaskHours"] = std::max(0.0, task_seconds - d.desired_at_start * span) / 3600.0;
  const std::uint64_t failed_end = d.requests_failed_at_end.value_or(svc.requests_failed);
  j["requestsFailed"] = failed_end - d.requests_failed_at_start;
  // Both revisions answering: the whole seconds within the deployment in which this revision and
  // an older one both answered requests.
  std::vector<std::pair<std::int64_t, std::int64_t>> older;
  for (const Deployment& other : svc.deployments)
    if (&other != &d && other.created_at <= d.created_at)
      older.insert(older.end(), other.served_seconds.begin(), other.served_seconds.end());
  const std::int64_t first = d.created_at.time_since_epoch().count() / 1000000;
  const std::int64_t last = end.time_since_epoch().count() / 1000000;
  std::sort(older.begin(), older.end());
  std::int64_t both = 0;
  std::size_t k = 0;
  for (const auto& [from, to] : d.served_seconds) {
    for (; k < older.size() && older[k].second < from; ++k) {
    }
    // Older runs may overlap each other: count each second once.
    std::int64_t counted_to = std::max(from, first) - 1;
    for (std::size_t m = k; m < older.size() && older[m].first <= to; ++m) {
      const std::int64_t lo = std::max({older[m].first, from, first, counted_to + 1});
      const std::int64_t hi = std::min({older[m].second, to, last});
      if (hi >= lo) {
        both += hi - lo + 1;
        counted_to = hi;
      }
    }
  }
  j["bothVersionsServedSeconds"] = both;
  if (d.blue_green) {
    j["productionTrafficOnGreenPercent"] = d.green_permille / 10.0;
    Json stages = Json::array();
    for (const auto& [at, stage] : d.stages)
      stages.push_back({{"t", to_seconds(at)}, {"stage", stage}});
    j["lifecycleStages"] = std::move(stages);
  }
  return j;
}

}  // namespace ecsim::detail
