// Service auto scaling (ecs-reference 10): target tracking and step scaling policies acting on
// CloudWatch-like alarms over the run's one-minute metrics, cooldowns, min and max capacity,
// scale-in suspended during deployments, and scheduled actions.
//
// Target tracking creates two alarms per policy, as AWS does: AlarmHigh (metric above the target
// for `alarmHighDatapoints` of as many minutes) and AlarmLow (below target x (1 - scaleInMargin)
// for `alarmLowDatapoints` minutes). While one is in ALARM the policy proposes
// ceil(current x metric / target) to scale out, or floor(...) to scale in [INFERRED formula].
// Several policies: scale out if any wants to, scale in only if all with scale-in enabled do; the
// largest proposal wins (10).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "ecsim/assert.hpp"

#include "model/simulation_state.hpp"

namespace ecsim::detail {

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

std::string resource_id(const std::string& cluster, const std::string& service) {
  return "service/" + cluster + "/" + service;
}

// The target group a ResourceLabel names (app/<lb>/<id>/targetgroup/<name>/<id>, or a name).
std::string label_target_group(const std::string& label) {
  auto at = label.find("targetgroup/");
  if (at == std::string::npos) return label;
  std::string tg = label.substr(at + 12);
  return tg.substr(0, tg.find('/'));
}

}  // namespace

std::vector<MetricAlarmSpec> SimulationState::target_tracking_alarms() {
  std::vector<MetricAlarmSpec> out;
  std::size_t next = scenario_.alarms.size();
  scaling_.clear();
  for (const ScalableTargetSpec& target : scenario_.auto_scaling) {
    ScalingState state;
    state.min = target.min_capacity;
    state.max = target.max_capacity;
    for (const ScalingPolicySpec& p : target.policies) {
      if (p.type != "TargetTrackingScaling") {
        state.tracking_alarms.emplace_back(kNone, kNone);
        continue;
      }
      MetricAlarmSpec a;
      a.period = scenario_.metrics_period;
      a.statistic = "Average";
      if (p.predefined_metric == "ALBRequestCountPerTarget") {
        a.metric_namespace = "AWS/ApplicationELB";
        a.metric_name = "RequestCountPerTarget";
        a.dimension_name = "TargetGroup";
        a.dimension_value = label_target_group(p.resource_label);
      } else {
        a.metric_namespace = "AWS/ECS";
        a.metric_name = p.predefined_metric == "ECSServiceAverageCPUUtilization"
                            ? "CPUUtilization"
                            : "MemoryUtilization";
        a.dimension_name = "ServiceName";
        a.dimension_value = target.service;
      }
      const std::string base =
          "TargetTracking-" + resource_id(scenario_.cluster.cluster_name, target.service);
      MetricAlarmSpec high = a, low = a;
      high.name = base + "-AlarmHigh-" + p.name;
      high.evaluation_periods = high.datapoints_to_alarm = p.high_datapoints;
      high.threshold = p.target_value;
      high.comparison = "GreaterThanThreshold";
      low.name = base + "-AlarmLow-" + p.name;
      low.evaluation_periods = low.datapoints_to_alarm = p.low_datapoints;
      low.threshold = p.target_value * (1 - p.scale_in_margin);
      low.comparison = "LessThanThreshold";
      out.push_back(high);
      out.push_back(low);
      state.tracking_alarms.emplace_back(next, next + 1);
      next += 2;
    }
    scaling_.push_back(std::move(state));
  }
  return out;
}

void SimulationState::start_auto_scaling() {
  for (std::size_t i = 0; i < scenario_.auto_scaling.size(); ++i) {
    const ScalableTargetSpec& target = scenario_.auto_scaling[i];
    for (std::size_t a = 0; a < target.scheduled_actions.size(); ++a)
      queue_.schedule(TimePoint(target.scheduled_actions[a].at), ScheduledScaling{i, a},
                      kPriorityTimeline);
    // RegisterScalableTarget brings a desired count outside [min, max] into the range.
    auto s = find_service(target.service);
    if (!s) continue;
    const int desired = services_[*s].spec.desired_count;
    const int clamped = std::clamp(desired, scaling_[i].min, scaling_[i].max);
    if (clamped != desired)
      set_desired_by_scaling(i, clamped, "",
                             "the desired count was outside the scalable target's range");
  }
}

void SimulationState::set_desired_by_scaling(std::size_t target, int desired,
                                             const std::string& policy, const std::string& cause) {
  const ScalableTargetSpec& spec = scenario_.auto_scaling[target];
  auto s = find_service(spec.service);
  if (!s) return;
  Service& svc = services_[*s];
  const int from = svc.spec.desired_count;
  if (from == desired) return;
  svc.spec.desired_count = desired;
  Json d;
  d["serviceNamespace"] = "ecs";
  d["resourceId"] = resource_id(scenario_.cluster.cluster_name, spec.service);
  d["scalableDimension"] = "ecs:service:DesiredCount";
  if (!policy.empty()) d["policyName"] = policy;
  d["description"] = "Setting desired count to " + std::to_string(desired) + ".";
  d["cause"] = cause;
  d["fromDesiredCount"] = from;
  d["toDesiredCount"] = desired;
  d["statusCode"] = "Successful";
  emit("ecsim Scaling Activity", std::move(d));
  request_reconcile(*s);
}

void SimulationState::evaluate_scaling() {
  if (!alarms_) return;
  for (std::size_t i = 0; i < scenario_.auto_scaling.size(); ++i) {
    const ScalableTargetSpec& spec = scenario_.auto_scaling[i];
    ScalingState& state = scaling_[i];
    auto s = find_service(spec.service);
    if (!s || services_[*s].status != "ACTIVE") continue;
    const Service& svc = services_[*s];
    const int current = svc.spec.desired_count;
    struct Proposal {
      int capacity;
      std::string policy, cause;
      Duration cooldown;
    };
    std::vector<Proposal> outs, ins;
    bool all_in = true;  // every policy with scale-in enabled wants to scale in
    bool any_in_voter = false;
    for (std::size_t k = 0; k < spec.policies.size(); ++k) {
      const ScalingPolicySpec& p = spec.policies[k];
      const auto [high, low] = state.tracking_alarms[k];
      if (p.type == "TargetTrackingScaling") {
        const double base = std::max(current, 1);
        if (alarms_->state(high) == AlarmState::kAlarm) {
          const double metric = alarms_->last_datapoint(high).value_or(p.target_value);
          outs.push_back({static_cast<int>(std::ceil(base * metric / p.target_value - 1e-9)),
                          p.name,
                          "monitor alarm " + alarms_->spec(high).name +
                              " in state ALARM triggered policy " + p.name,
                          p.scale_out_cooldown});
        }
        if (p.disable_scale_in) continue;
        any_in_voter = true;
        if (alarms_->state(low) == AlarmState::kAlarm) {
          const double metric = alarms_->last_datapoint(low).value_or(p.target_value);
          ins.push_back({static_cast<int>(std::floor(current * metric / p.target_value + 1e-9)),
                         p.name,
                         "monitor alarm " + alarms_->spec(low).name +
                             " in state ALARM triggered policy " + p.name,
                         p.scale_in_cooldown});
        } else {
          all_in = false;
        }
        continue;
      }
      // Step scaling: each alarm in ALARM whose AlarmActions name this policy.
      for (std::size_t a = 0; a < scenario_.alarms.size(); ++a) {
        const MetricAlarmSpec& alarm = scenario_.alarms[a];
        const bool names_policy = std::any_of(
            alarm.alarm_actions.begin(), alarm.alarm_actions.end(), [&](const std::string& action) {
              return action == p.name || action.ends_with("policyName/" + p.name);
            });
        if (!names_policy || alarms_->state(a) != AlarmState::kAlarm) continue;
        const double breach =
            alarms_->last_datapoint(a).value_or(alarm.threshold) - alarm.threshold;
        const StepAdjustmentSpec* step = nullptr;
        for (const StepAdjustmentSpec& st : p.steps)
          if ((!st.lower_bound || breach >= *st.lower_bound) &&
              (!st.upper_bound || breach < *st.upper_bound))
            step = &st;
        if (!step) continue;
        int target = current;
        if (p.adjustment_type == "ExactCapacity") {
          target = static_cast<int>(step->adjustment);
        } else {
          int change = p.adjustment_type == "ChangeInCapacity"
                           ? static_cast<int>(step->adjustment)
                           : static_cast<int>(current * step->adjustment / 100);  // toward zero
          if (std::abs(change) < p.min_adjustment_magnitude && step->adjustment != 0)
            change =
                step->adjustment > 0 ? p.min_adjustment_magnitude : -p.min_adjustment_magnitude;
          target = current + change;
        }
        Proposal proposal{
            target, p.name,
            "monitor alarm " + alarm.name + " in state ALARM triggered policy " + p.name,
            p.cooldown};
        if (target > current) outs.push_back(proposal);
        if (target < current) ins.push_back(proposal);
      }
    }
    auto best = [](const std::vector<Proposal>& v) {
      return *std::max_element(v.begin(), v.end(), [](const Proposal& a, const Proposal& b) {
        return a.capacity < b.capacity;
      });
    };
    if (!outs.empty()) {
      Proposal p = best(outs);
      p.capacity = std::min(p.capacity, state.max);
      // Scale-out cooldown: only a larger scale-out goes ahead before it ends (10).
      const bool cooling = state.last_scale_out && now_ < *state.last_scale_out + p.cooldown &&
                           p.capacity <= state.last_scale_out_to;
      if (p.capacity > current && !cooling) {
        state.last_scale_out = now_;
        state.last_scale_out_to = p.capacity;
        state.last_scale_in.reset();  // a scale-out cancels the scale-in cooldown
        set_desired_by_scaling(i, p.capacity, p.policy, p.cause);
      }
      continue;
    }
    if (ins.empty() || (any_in_voter && !all_in)) continue;
    // Scale-in waits while a deployment is in progress (6.1, 10).
    const Deployment& dep = svc.deployments[svc.primary];
    if (dep.rollout == RolloutState::kInProgress) continue;
    Proposal p = best(ins);
    p.capacity = std::max(p.capacity, state.min);
    const bool cooling = (state.last_scale_in && now_ < *state.last_scale_in + p.cooldown) ||
                         (state.last_scale_out && now_ < *state.last_scale_out + p.cooldown);
    if (p.capacity < current && !cooling) {
      state.last_scale_in = now_;
      set_desired_by_scaling(i, p.capacity, p.policy, p.cause);
    }
  }
}

void SimulationState::on_scheduled_scaling(const ScheduledScaling& e) {
  const ScalableTargetSpec& spec = scenario_.auto_scaling[e.target];
  const ScheduledActionSpec& action = spec.scheduled_actions[e.action];
  ScalingState& state = scaling_[e.target];
  if (action.min_capacity) state.min = *action.min_capacity;
  if (action.max_capacity) state.max = *action.max_capacity;
  state.max = std::max(state.max, state.min);
  if (action.every) queue_.schedule(now_ + *action.every, e, kPriorityTimeline);
  auto s = find_service(spec.service);
  if (!s) return;
  // Scheduled actions ignore cooldowns (10).
  const int desired = services_[*s].spec.desired_count;
  set_desired_by_scaling(e.target, std::clamp(desired, state.min, state.max), "",
                         "scheduled action " + action.name + " set min " +
                             std::to_string(state.min) + ", max " + std::to_string(state.max));
}

}  // namespace ecsim::detail
