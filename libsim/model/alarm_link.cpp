// CloudWatch alarms in the run: evaluated as each metrics period closes, reported as
// `CloudWatch Alarm State Change` events, and watched by deployments (ecs-reference 7): an alarm
// in ALARM fails the deployment that watches it, and rolls it back when configured to.
#include <algorithm>

#include "model/simulation_state.hpp"

namespace ecsim::detail {

void SimulationState::evaluate_alarms(std::size_t first_row) {
  if (!alarms_) return;
  for (const AlarmChange& change : alarms_->close_period(metrics_.table(), first_row, now_)) {
    const MetricAlarmSpec& spec = alarms_->spec(change.alarm);
    Json detail;
    detail["alarmName"] = spec.name;
    detail["state"] = {
        {"value", to_string(change.to)}, {"reason", change.reason}, {"timestamp", iso(now_)}};
    detail["previousState"] = {{"value", to_string(change.from)}};
    detail["configuration"] = {{"metricName", spec.metric_name},
                               {"namespace", spec.metric_namespace},
                               {"threshold", spec.threshold},
                               {"comparisonOperator", spec.comparison}};
    emit("CloudWatch Alarm State Change", std::move(detail));
  }
  // Any deployment in progress that watches an alarm now in ALARM fails (also when the alarm was
  // already firing as the deployment began, as CodeDeploy and ECS check alarm states).
  for (std::size_t s = 0; s < services_.size(); ++s) {
    Service& svc = services_[s];
    if (svc.deployments.empty()) continue;
    const std::size_t d = svc.primary;
    Deployment& dep = svc.deployments[d];
    if (dep.rollout != RolloutState::kInProgress) continue;
    for (const std::string& name : dep.alarms) {
      auto a = alarms_->find(name);
      if (!a || alarms_->state(*a) != AlarmState::kAlarm) continue;
      const std::string reason = "alarm " + name + " is in ALARM state";
      if (dep.blue_green)
        fail_blue_green(s, d, reason, dep.rollback_on_alarm);
      else
        fail_rolling(s, d, reason, dep.rollback_on_alarm);
      break;
    }
  }
  evaluate_scaling();  // scaling policies act on the alarms' new states (ecs-reference 10)
}

}  // namespace ecsim::detail
