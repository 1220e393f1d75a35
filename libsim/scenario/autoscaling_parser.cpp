#include "scenario/autoscaling_parser.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace ecsim::detail {
namespace {

constexpr int kMaxCapacity = 5000;  // tasks per service (ecs-reference 12)

int parse_int(std::string_view text, bool& ok) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  ok = ok && ec == std::errc() && p == text.data() + text.size();
  return v;
}

ScalingPolicySpec parse_policy(ObjectReader& r) {
  ScalingPolicySpec p;
  p.pointer = r.pointer();
  r.ignore({"ServiceNamespace", "ResourceId", "ScalableDimension"});
  p.name = r.required_string("PolicyName");
  p.type = r.enumeration("PolicyType", "TargetTrackingScaling",
                         {"TargetTrackingScaling", "StepScaling", "PredictiveScaling"});
  if (p.type == "PredictiveScaling")
    r.problem("PolicyType",
              "predictive scaling is not modelled; use TargetTrackingScaling or "
              "StepScaling");
  const bool tracking = r.object("TargetTrackingScalingPolicyConfiguration", [&](ObjectReader& t) {
    if (!t.has("TargetValue")) t.problem("TargetValue", "is required");
    p.target_value = t.number("TargetValue", 50, 1e-9, 1e12);
    if (t.has("CustomizedMetricSpecification"))
      t.problem("CustomizedMetricSpecification",
                "customized metrics are not modelled; use PredefinedMetricSpecification");
    if (!t.object("PredefinedMetricSpecification", [&](ObjectReader& m) {
          p.predefined_metric =
              m.enumeration("PredefinedMetricType", "ECSServiceAverageCPUUtilization",
                            {"ECSServiceAverageCPUUtilization",
                             "ECSServiceAverageMemoryUtilization", "ALBRequestCountPerTarget"});
          p.resource_label = m.string("ResourceLabel", "");
          if (p.predefined_metric == "ALBRequestCountPerTarget" && p.resource_label.empty())
            m.problem(
                "ResourceLabel",
                "is required for ALBRequestCountPerTarget: the target group (ecs-reference 10)");
        }))
      t.problem("PredefinedMetricSpecification", "is required");
    p.scale_out_cooldown = t.duration("ScaleOutCooldown", p.scale_out_cooldown, Duration{0}, kDay);
    p.scale_in_cooldown = t.duration("ScaleInCooldown", p.scale_in_cooldown, Duration{0}, kDay);
    p.disable_scale_in = t.boolean("DisableScaleIn", false);
    t.object("ecsim", [&](ObjectReader& e) {
      p.high_datapoints = static_cast<int>(e.integer("alarmHighDatapoints", 3, 1, 60));
      p.low_datapoints = static_cast<int>(e.integer("alarmLowDatapoints", 15, 1, 60));
      p.scale_in_margin = e.number("scaleInMargin", 0.10, 0, 0.9);
    });
  });
  const bool step = r.object("StepScalingPolicyConfiguration", [&](ObjectReader& t) {
    p.adjustment_type =
        t.enumeration("AdjustmentType", "ChangeInCapacity",
                      {"ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity"});
    if (!t.has("AdjustmentType")) t.problem("AdjustmentType", "is required");
    p.cooldown = t.duration("Cooldown", p.cooldown, Duration{0}, kDay);
    p.min_adjustment_magnitude =
        static_cast<int>(t.integer("MinAdjustmentMagnitude", 0, 0, kMaxCapacity));
    t.enumeration("MetricAggregationType", "Average", {"Average", "Minimum", "Maximum"});
    t.objects(
        "StepAdjustments",
        [&](ObjectReader& a) {
          StepAdjustmentSpec s;
          s.lower_bound = a.optional_number("MetricIntervalLowerBound", -1e15, 1e15);
          s.upper_bound = a.optional_number("MetricIntervalUpperBound", -1e15, 1e15);
          if (!a.has("ScalingAdjustment")) a.problem("ScalingAdjustment", "is required");
          s.adjustment = a.number("ScalingAdjustment", 0, -1e6, 1e6);
          if (s.lower_bound && s.upper_bound && *s.upper_bound <= *s.lower_bound)
            a.problem("MetricIntervalUpperBound", "must be above MetricIntervalLowerBound");
          p.steps.push_back(s);
        },
        20);
    if (p.steps.empty()) t.problem("StepAdjustments", "needs at least one step adjustment");
  });
  if (p.type == "TargetTrackingScaling" && !tracking)
    r.problem("TargetTrackingScalingPolicyConfiguration", "is required for TargetTrackingScaling");
  if (p.type == "StepScaling" && !step)
    r.problem("StepScalingPolicyConfiguration", "is required for StepScaling");
  return p;
}

ScalableTargetSpec parse_target(ObjectReader& r) {
  ScalableTargetSpec t;
  t.pointer = r.pointer();
  r.ignore({"RoleARN", "Tags", "SuspendedState"});
  const std::string ns = r.enumeration("ServiceNamespace", "ecs", {"ecs"});
  (void)ns;
  r.enumeration("ScalableDimension", "ecs:service:DesiredCount", {"ecs:service:DesiredCount"});
  const std::string resource = r.required_string("ResourceId");
  // service/<cluster>/<service> (10).
  if (!resource.empty()) {
    const auto last = resource.rfind('/');
    if (resource.rfind("service/", 0) != 0 || last <= 8 || last + 1 == resource.size())
      r.problem("ResourceId", "\"" + resource + "\" is not service/<cluster>/<service>");
    else
      t.service = resource.substr(last + 1);
  }
  t.min_capacity = static_cast<int>(r.required_integer("MinCapacity", 0, kMaxCapacity));
  t.max_capacity = static_cast<int>(r.required_integer("MaxCapacity", 0, kMaxCapacity));
  if (t.max_capacity < t.min_capacity) r.problem("MaxCapacity", "must not be below MinCapacity");
  r.objects(
      "ScalingPolicies", [&](ObjectReader& p) { t.policies.push_back(parse_policy(p)); }, 50);
  r.objects(
      "ScheduledActions",
      [&](ObjectReader& a) {
        ScheduledActionSpec s;
        s.pointer = a.pointer();
        a.ignore({"ServiceNamespace", "ResourceId", "ScalableDimension", "Timezone", "StartTime",
                  "EndTime"});
        s.name = a.required_string("ScheduledActionName");
        const std::string schedule = a.required_string("Schedule");
        if (!schedule.empty()) {
          auto parsed = parse_schedule(schedule);
          if (parsed) {
            s.at = parsed->first;
            s.every = parsed->second;
          } else {
            a.problem("Schedule", parsed.error());
          }
        }
        if (!a.object("ScalableTargetAction", [&](ObjectReader& x) {
              if (auto v = x.optional_integer("MinCapacity", 0, kMaxCapacity))
                s.min_capacity = static_cast<int>(*v);
              if (auto v = x.optional_integer("MaxCapacity", 0, kMaxCapacity))
                s.max_capacity = static_cast<int>(*v);
            }))
          a.problem("ScalableTargetAction", "is required: {MinCapacity, MaxCapacity}");
        t.scheduled_actions.push_back(s);
      },
      200);
  return t;
}

}  // namespace

Result<std::pair<Duration, std::optional<Duration>>> parse_schedule(std::string_view schedule) {
  using Out = std::pair<Duration, std::optional<Duration>>;
  auto inner = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (schedule.rfind(prefix, 0) != 0 || schedule.back() != ')') return std::nullopt;
    return schedule.substr(prefix.size(), schedule.size() - prefix.size() - 1);
  };
  const std::string valid =
      "; valid: at(2025-01-01T08:00:00) (simulated time zero is 2025-01-01T00:00:00), "
      "rate(5 minutes), or a daily cron(M H * * ? *)";
  if (auto at = inner("at(")) {
    // yyyy-mm-ddThh:mm:ss, 2025-01-DD only when the run spans days.
    bool ok = at->size() == 19 && at->substr(0, 8) == "2025-01-" && (*at)[10] == 'T';
    if (ok) {
      const int day = parse_int(at->substr(8, 2), ok), h = parse_int(at->substr(11, 2), ok),
                m = parse_int(at->substr(14, 2), ok), sec = parse_int(at->substr(17, 2), ok);
      ok = ok && day >= 1 && day <= 31 && h < 24 && m < 60 && sec < 60;
      if (ok) return Out{(day - 1) * kDay + h * kHour + m * kMinute + sec * kSecond, std::nullopt};
    }
    return Result<Out>::failure("\"" + std::string(schedule) +
                                "\" is not an at() time in January 2025" + valid);
  }
  if (auto rate = inner("rate(")) {
    const auto space = rate->find(' ');
    bool ok = space != std::string_view::npos;
    const int n = ok ? parse_int(rate->substr(0, space), ok) : 0;
    const std::string_view unit = ok ? rate->substr(space + 1) : "";
    Duration each{0};
    if (unit == "minute" || unit == "minutes") each = n * kMinute;
    if (unit == "hour" || unit == "hours") each = n * kHour;
    if (unit == "day" || unit == "days") each = n * kDay;
    if (ok && n > 0 && each.count() > 0) return Out{each, each};
    return Result<Out>::failure("\"" + std::string(schedule) + "\" is not a rate()" + valid);
  }
  if (auto cron = inner("cron(")) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (start <= cron->size()) {
      const auto end = cron->find(' ', start);
      fields.push_back(cron->substr(start, end == std::string_view::npos ? end : end - start));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    bool ok = fields.size() == 6;
    for (std::size_t i = 2; ok && i < 6; ++i)
      ok = fields[i] == "*" || fields[i] == "?";
    const int m = ok ? parse_int(fields[0], ok) : 0, h = ok ? parse_int(fields[1], ok) : 0;
    if (ok && m >= 0 && m < 60 && h >= 0 && h < 24) return Out{h * kHour + m * kMinute, kDay};
    return Result<Out>::failure("\"" + std::string(schedule) +
                                "\": ecsim reads daily cron expressions only" + valid);
  }
  return Result<Out>::failure("\"" + std::string(schedule) + "\" is not a schedule" + valid);
}

void read_auto_scaling(ObjectReader& root, Scenario& s) {
  root.objects(
      "autoScaling", [&](ObjectReader& r) { s.auto_scaling.push_back(parse_target(r)); }, 5000);
}

void check_auto_scaling_references(Diagnostics& diag, const Scenario& s) {
  std::set<std::string> services;
  for (const ServiceSpec& spec : s.services)
    services.insert(spec.service_name);
  for (const TimelineAction& t : s.timeline)
    if (auto* c = std::get_if<CreateServiceAction>(&t.input))
      services.insert(c->service.service_name);
  std::set<std::string> targets, step_policies;
  for (const ScalableTargetSpec& t : s.auto_scaling) {
    if (!t.service.empty() && !services.count(t.service)) {
      std::vector<std::string> names(services.begin(), services.end());
      std::string msg = "no service \"" + t.service + "\"";
      if (auto near = closest_match(t.service, names); !near.empty())
        msg += "; did you mean \"" + near + "\"?";
      diag.add(t.pointer + "/ResourceId", msg);
    }
    if (!targets.insert(t.service).second)
      diag.add(t.pointer + "/ResourceId",
               "service \"" + t.service + "\" already has a scalable target");
    std::set<std::string> names;
    for (const ScalingPolicySpec& p : t.policies) {
      if (!names.insert(p.name).second)
        diag.add(p.pointer + "/PolicyName", "a policy named \"" + p.name + "\" already exists");
      if (p.type == "StepScaling") step_policies.insert(p.name);
      if (!p.resource_label.empty()) {
        // app/<lb>/<id>/targetgroup/<name>/<id>, or the target group's name.
        std::string tg = p.resource_label;
        if (auto at = tg.find("targetgroup/"); at != std::string::npos) {
          tg = tg.substr(at + 12);
          tg = tg.substr(0, tg.find('/'));
        }
        if (!s.load_balancing.find_target_group(tg))
          diag.add(p.pointer +
                       "/TargetTrackingScalingPolicyConfiguration/PredefinedMetricSpecification/"
                       "ResourceLabel",
                   "no target group \"" + tg + "\"");
      }
    }
  }
  // AlarmActions name step scaling policies: by name, or by an ARN ending in policyName/<name>.
  for (const MetricAlarmSpec& a : s.alarms)
    for (std::size_t i = 0; i < a.alarm_actions.size(); ++i) {
      std::string name = a.alarm_actions[i];
      if (auto at = name.find("policyName/"); at != std::string::npos) name = name.substr(at + 11);
      if (!step_policies.count(name))
        diag.add(a.pointer + "/AlarmActions/" + std::to_string(i),
                 "no StepScaling policy \"" + name + "\" in autoScaling");
    }
}

}  // namespace ecsim::detail
