// CodeDeploy deployment configurations and groups, CloudWatch metric alarms, and the checks that
// tie them to services, target groups and listeners (ecs-reference 7).
#include "scenario/deployment_parser.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "alarms/metric_alarms.hpp"

namespace ecsim::detail {
namespace {

struct Predefined {
  std::string_view name;
  TrafficShiftSpec shift;
};

// The five predefined CodeDeployDefault.ECS* configurations (7.1).
const Predefined kPredefined[] = {
    {"CodeDeployDefault.ECSAllAtOnce", {TrafficShiftSpec::Kind::kAllAtOnce, 1000, Duration{0}}},
    {"CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
     {TrafficShiftSpec::Kind::kLinear, 100, kMinute}},
    {"CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
     {TrafficShiftSpec::Kind::kLinear, 100, 3 * kMinute}},
    {"CodeDeployDefault.ECSCanary10Percent5Minutes",
     {TrafficShiftSpec::Kind::kCanary, 100, 5 * kMinute}},
    {"CodeDeployDefault.ECSCanary10Percent15Minutes",
     {TrafficShiftSpec::Kind::kCanary, 100, 15 * kMinute}},
};

// CodeDeploy's minute intervals: 1 to 2880 (2 days), like the termination wait [INFERRED range].
constexpr std::int64_t kMaxIntervalMinutes = 2880;

CodeDeployConfigSpec parse_config(ObjectReader& r) {
  CodeDeployConfigSpec c;
  c.name = r.required_string("deploymentConfigName");
  if (c.name.rfind("CodeDeployDefault.", 0) == 0)
    r.problem("deploymentConfigName",
              "the CodeDeployDefault. prefix is reserved for the predefined configurations");
  const std::string platform = r.enumeration("computePlatform", "ECS", {"ECS", "Lambda", "Server"});
  if (platform != "ECS") r.problem("computePlatform", "ecsim models ECS deployments only: \"ECS\"");
  r.ignore({"minimumHealthyHosts", "zonalConfig"});
  bool routed = r.object("trafficRoutingConfig", [&](ObjectReader& t) {
    const std::string type =
        t.enumeration("type", "AllAtOnce", {"AllAtOnce", "TimeBasedCanary", "TimeBasedLinear"});
    if (type == "TimeBasedCanary") {
      c.shift.kind = TrafficShiftSpec::Kind::kCanary;
      if (!t.object("timeBasedCanary", [&](ObjectReader& x) {
            c.shift.step_permille =
                static_cast<int>(x.required_integer("canaryPercentage", 1, 99)) * 10;
            c.shift.interval =
                x.required_integer("canaryInterval", 1, kMaxIntervalMinutes) * kMinute;
          }))
        t.problem("timeBasedCanary", "is required with type TimeBasedCanary");
    } else if (type == "TimeBasedLinear") {
      c.shift.kind = TrafficShiftSpec::Kind::kLinear;
      if (!t.object("timeBasedLinear", [&](ObjectReader& x) {
            c.shift.step_permille =
                static_cast<int>(x.required_integer("linearPercentage", 1, 99)) * 10;
            c.shift.interval =
                x.required_integer("linearInterval", 1, kMaxIntervalMinutes) * kMinute;
          }))
        t.problem("timeBasedLinear", "is required with type TimeBasedLinear");
    }
  });
  if (!routed) r.problem("trafficRoutingConfig", "is required for an ECS deployment configuration");
  return c;
}

CodeDeployGroupSpec parse_group(ObjectReader& r) {
  CodeDeployGroupSpec g;
  g.pointer = r.pointer();
  g.application = r.string("applicationName", "");
  g.name = r.required_string("deploymentGroupName");
  g.deployment_config = r.string("deploymentConfigName", g.deployment_config);
  r.ignore({"serviceRoleArn", "tags", "triggerConfigurations", "outdatedInstancesStrategy",
            "terminationHookEnabled"});
  const std::string style_type = [&] {
    std::string type = "BLUE_GREEN";
    r.object("deploymentStyle", [&](ObjectReader& d) {
      type = d.enumeration("deploymentType", "BLUE_GREEN", {"BLUE_GREEN", "IN_PLACE"});
      d.enumeration("deploymentOption", "WITH_TRAFFIC_CONTROL",
                    {"WITH_TRAFFIC_CONTROL", "WITHOUT_TRAFFIC_CONTROL"});
    });
    return type;
  }();
  if (style_type != "BLUE_GREEN")
    r.problem("deploymentStyle", "ECS deployments through CodeDeploy are BLUE_GREEN (7.1)");
  int services = 0;
  r.objects(
      "ecsServices",
      [&](ObjectReader& e) {
        g.service = e.required_string("serviceName");
        e.ignore({"clusterName"});
        ++services;
      },
      1);
  if (services == 0)
    r.problem("ecsServices", "is required: [{\"serviceName\": ..., \"clusterName\": ...}]");
  bool has_lb = r.object("loadBalancerInfo", [&](ObjectReader& lb) {
    int pairs = 0;
    lb.objects(
        "targetGroupPairInfoList",
        [&](ObjectReader& p) {
          ++pairs;
          p.objects(
              "targetGroups",
              [&](ObjectReader& t) { g.target_groups.push_back(t.required_string("name")); }, 2);
          if (g.target_groups.size() != 2)
            p.problem("targetGroups", "needs exactly two target groups: blue and green (7.1)");
          p.object("prodTrafficRoute", [&](ObjectReader& route) {
            g.production_listeners = route.string_list("listenerArns", 1);
          });
          p.object("testTrafficRoute", [&](ObjectReader& route) {
            g.test_listeners = route.string_list("listenerArns", 1);
          });
          if (g.production_listeners.empty())
            p.problem("prodTrafficRoute",
                      "is required: {\"listenerArns\": [\"<load balancer>:<port>\"]}");
        },
        1);
    if (pairs == 0)
      lb.problem("targetGroupPairInfoList", "is required for an ECS deployment group");
  });
  if (!has_lb)
    r.problem("loadBalancerInfo", "is required: ECS blue/green needs a load balancer (7.1)");
  r.object("blueGreenDeploymentConfiguration", [&](ObjectReader& b) {
    b.object("terminateBlueInstancesOnDeploymentSuccess", [&](ObjectReader& t) {
      t.enumeration("action", "TERMINATE", {"TERMINATE", "KEEP_ALIVE"});
      g.termination_wait = t.integer("terminationWaitTimeInMinutes", 60, 0, 2880) * kMinute;
    });
    b.object("deploymentReadyOption", [&](ObjectReader& d) {
      const std::string action = d.enumeration("actionOnTimeout", "CONTINUE_DEPLOYMENT",
                                               {"CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT"});
      if (action != "CONTINUE_DEPLOYMENT")
        d.problem("actionOnTimeout",
                  "manual approval (STOP_DEPLOYMENT) is not modelled; use CONTINUE_DEPLOYMENT");
      d.ignore({"waitTimeInMinutes"});
    });
  });
  r.object("autoRollbackConfiguration", [&](ObjectReader& a) {
    const bool enabled = a.boolean("enabled", false);
    std::vector<std::string> events = a.string_list("events", 3);
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (events[i] == "DEPLOYMENT_FAILURE")
        g.rollback_on_failure = enabled;
      else if (events[i] == "DEPLOYMENT_STOP_ON_ALARM")
        g.rollback_on_alarm = enabled;
      else if (events[i] != "DEPLOYMENT_STOP_ON_REQUEST")
        a.diagnostics().add(a.pointer_to("events") + "/" + std::to_string(i),
                            "\"" + events[i] +
                                "\" is not a rollback event; valid: DEPLOYMENT_FAILURE, "
                                "DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST");
    }
  });
  r.object("alarmConfiguration", [&](ObjectReader& a) {
    const bool enabled = a.boolean("enabled", false);
    a.ignore({"ignorePollAlarmFailure"});
    a.objects(
        "alarms",
        [&](ObjectReader& x) {
          const std::string name = x.required_string("name");
          if (enabled) g.alarms.push_back(name);
        },
        10);
  });
  return g;
}

const std::vector<std::string> kComparisons = {"GreaterThanThreshold",
                                               "GreaterThanOrEqualToThreshold", "LessThanThreshold",
                                               "LessThanOrEqualToThreshold"};

MetricAlarmSpec parse_alarm(ObjectReader& r, Duration metrics_period) {
  MetricAlarmSpec a;
  a.pointer = r.pointer();
  a.alarm_actions = r.string_list("AlarmActions", 5);
  r.ignore({"AlarmDescription", "ActionsEnabled", "OKActions", "InsufficientDataActions", "Unit",
            "Tags", "EvaluateLowSampleCountPercentile"});
  a.name = r.required_string("AlarmName");
  a.metric_namespace =
      r.enumeration("Namespace", "AWS/ApplicationELB", {"AWS/ApplicationELB", "AWS/ECS"});
  a.metric_name = r.required_string("MetricName");
  int dims = 0;
  r.objects(
      "Dimensions",
      [&](ObjectReader& d) {
        a.dimension_name = d.enumeration(
            "Name", "TargetGroup", {"TargetGroup", "LoadBalancer", "ServiceName", "ClusterName"});
        a.dimension_value = d.required_string("Value");
        ++dims;
      },
      2);
  if (dims == 0)
    r.problem("Dimensions",
              "needs one dimension naming the entity: TargetGroup, LoadBalancer, ServiceName or "
              "ClusterName");
  auto statistic = r.optional_string("Statistic");
  auto extended = r.optional_string("ExtendedStatistic");
  if (statistic && extended)
    r.problem("ExtendedStatistic", "give either Statistic or ExtendedStatistic, not both");
  if (statistic) {
    a.statistic = *statistic;
    const std::set<std::string> ok = {"Sum", "Average", "Maximum", "Minimum"};
    if (!ok.count(a.statistic))
      r.problem("Statistic",
                "\"" + a.statistic + "\": valid values are Sum, Average, Maximum, Minimum");
  } else if (extended) {
    a.statistic = *extended;
    if (a.statistic != "p50" && a.statistic != "p90" && a.statistic != "p99")
      r.problem("ExtendedStatistic", "\"" + a.statistic + "\": ecsim keeps p50, p90 and p99");
  } else {
    r.problem("Statistic", "is required: Sum, Average, Maximum or Minimum (or ExtendedStatistic)");
  }
  a.period = r.duration("Period", metrics_period, kSecond, 24 * kHour);
  if (a.period.count() % metrics_period.count() != 0)
    r.problem("Period", format_duration(a.period) +
                            " is not a whole number of the scenario's "
                            "metricsPeriod (" +
                            format_duration(metrics_period) + ")");
  if (a.statistic.rfind('p', 0) == 0 && a.period != metrics_period)
    r.problem("Period", "percentile alarms need Period equal to metricsPeriod (" +
                            format_duration(metrics_period) + ")");
  a.evaluation_periods = static_cast<int>(r.required_integer("EvaluationPeriods", 1, 100));
  a.datapoints_to_alarm =
      static_cast<int>(r.integer("DatapointsToAlarm", a.evaluation_periods, 1, 100));
  if (a.datapoints_to_alarm > a.evaluation_periods)
    r.problem("DatapointsToAlarm", "must not exceed EvaluationPeriods");
  if (!r.has("Threshold")) r.problem("Threshold", "is required");
  a.threshold = r.number("Threshold", 0, -1e15, 1e15);
  a.comparison = r.enumeration("ComparisonOperator", "GreaterThanThreshold",
                               {"GreaterThanThreshold", "GreaterThanOrEqualToThreshold",
                                "LessThanThreshold", "LessThanOrEqualToThreshold"});
  if (!r.has("ComparisonOperator"))
    r.problem("ComparisonOperator",
              "is required: GreaterThanThreshold, "
              "GreaterThanOrEqualToThreshold, LessThanThreshold or "
              "LessThanOrEqualToThreshold");
  a.treat_missing_data = r.enumeration("TreatMissingData", "missing",
                                       {"missing", "notBreaching", "breaching", "ignore"});
  std::string error;
  if (!a.metric_name.empty() && !a.statistic.empty() && !a.dimension_value.empty() &&
      !alarm_source(a, &error))
    r.problem("MetricName", error);
  return a;
}

}  // namespace

void read_code_deploy_and_alarms(ObjectReader& root, Scenario& s) {
  root.object("codeDeploy", [&](ObjectReader& r) {
    r.objects(
        "deploymentConfigs",
        [&](ObjectReader& c) { s.code_deploy.deployment_configs.push_back(parse_config(c)); }, 100);
    r.objects(
        "deploymentGroups",
        [&](ObjectReader& g) { s.code_deploy.deployment_groups.push_back(parse_group(g)); }, 1000);
  });
  root.objects(
      "alarms", [&](ObjectReader& a) { s.alarms.push_back(parse_alarm(a, s.metrics_period)); },
      1000);
}

namespace {

template <class T, class Name>
void check_unique(Diagnostics& diag, const std::vector<T>& items, Name name_of,
                  const std::string& what, const std::string& key) {
  std::set<std::string> seen;
  for (const T& item : items)
    if (!name_of(item).empty() && !seen.insert(name_of(item)).second)
      diag.add(item.pointer + "/" + key,
               "a " + what + " named \"" + name_of(item) + "\" already exists");
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

void check_deployment_references(Diagnostics& diag, Scenario& s) {
  const LoadBalancingSpec& lb = s.load_balancing;
  auto check_listener = [&](const std::string& ref, const std::string& ptr) {
    if (ref.empty() || lb.find_listener(ref)) return;
    diag.add(ptr,
             "no listener \"" + ref + "\"; name a listener as \"<load balancer name>:<port>\"");
  };
  auto check_group = [&](const std::string& tg, const std::string& ptr) {
    if (tg.empty() || lb.find_target_group(tg)) return;
    std::vector<std::string> names;
    for (const auto& g : lb.target_groups)
      names.push_back(g.name);
    std::string msg = "no target group \"" + tg + "\" in targetGroups";
    if (auto near = closest_match(tg, names); !near.empty())
      msg += "; did you mean \"" + near + "\"?";
    diag.add(ptr, msg);
  };

  // Services with their blue/green wiring; CODE_DEPLOY services take it from their group.
  std::vector<ServiceSpec*> services;
  for (ServiceSpec& spec : s.services)
    services.push_back(&spec);
  for (TimelineAction& t : s.timeline)
    if (auto* create = std::get_if<CreateServiceAction>(&t.input))
      services.push_back(&create->service);
  auto find_service = [&](const std::string& name) -> ServiceSpec* {
    for (ServiceSpec* spec : services)
      if (spec->service_name == name) return spec;
    return nullptr;
  };

  std::vector<std::string> config_names;
  for (const Predefined& p : kPredefined)
    config_names.emplace_back(p.name);
  for (const CodeDeployConfigSpec& c : s.code_deploy.deployment_configs)
    config_names.push_back(c.name);
  auto check_config = [&](const std::string& name, const std::string& ptr) {
    if (std::find(config_names.begin(), config_names.end(), name) != config_names.end()) return;
    std::string msg = "no deployment configuration \"" + name + "\"";
    if (auto near = closest_match(name, config_names); !near.empty())
      msg += "; did you mean \"" + near + "\"?";
    else
      msg += "; known: " + list_names(config_names);
    diag.add(ptr, msg);
  };

  std::vector<std::string> alarm_names;
  for (const MetricAlarmSpec& a : s.alarms)
    alarm_names.push_back(a.name);
  auto check_alarm = [&](const std::string& name, const std::string& ptr) {
    if (std::find(alarm_names.begin(), alarm_names.end(), name) != alarm_names.end()) return;
    std::string msg = "no alarm \"" + name + "\" in alarms";
    if (auto near = closest_match(name, alarm_names); !near.empty())
      msg += "; did you mean \"" + near + "\"?";
    diag.add(ptr, msg);
  };

  check_unique(
      diag, s.code_deploy.deployment_groups, [](const CodeDeployGroupSpec& g) { return g.name; },
      "deployment group", "deploymentGroupName");
  check_unique(
      diag, s.alarms, [](const MetricAlarmSpec& a) { return a.name; }, "alarm", "AlarmName");

  for (CodeDeployGroupSpec& g : s.code_deploy.deployment_groups) {
    check_config(g.deployment_config, g.pointer + "/deploymentConfigName");
    const std::string pair_ptr = g.pointer + "/loadBalancerInfo/targetGroupPairInfoList/0";
    for (std::size_t i = 0; i < g.target_groups.size(); ++i)
      check_group(g.target_groups[i], pair_ptr + "/targetGroups/" + std::to_string(i) + "/name");
    for (const auto& l : g.production_listeners)
      check_listener(l, pair_ptr + "/prodTrafficRoute/listenerArns/0");
    for (const auto& l : g.test_listeners)
      check_listener(l, pair_ptr + "/testTrafficRoute/listenerArns/0");
    for (std::size_t i = 0; i < g.alarms.size(); ++i)
      check_alarm(g.alarms[i],
                  g.pointer + "/alarmConfiguration/alarms/" + std::to_string(i) + "/name");
    ServiceSpec* svc = find_service(g.service);
    if (!svc) {
      if (!g.service.empty())
        diag.add(g.pointer + "/ecsServices/0/serviceName", "no service \"" + g.service + "\"");
      continue;
    }
    if (svc->deployment_controller != "CODE_DEPLOY") {
      diag.add(g.pointer + "/ecsServices/0/serviceName",
               "service \"" + g.service +
                   "\" must have \"deploymentController\": {\"type\": \"CODE_DEPLOY\"}");
      continue;
    }
    // The service's load balancer names the blue target group; the pair gives the green one.
    if (svc->load_balancers.size() != 1 || g.target_groups.size() != 2) {
      diag.add(svc->pointer + "/loadBalancers",
               "a CODE_DEPLOY service needs exactly one load balancer entry, naming one target "
               "group of its deployment group's pair (7.1)");
      continue;
    }
    ServiceLoadBalancerSpec& l = svc->load_balancers[0];
    const auto named = lb.find_target_group(l.target_group);
    const auto first = lb.find_target_group(g.target_groups[0]);
    const auto second = lb.find_target_group(g.target_groups[1]);
    if (named && first && second) {
      if (*named != *first && *named != *second)
        diag.add(svc->pointer + "/loadBalancers/0/targetGroupArn",
                 "must be one of the deployment group's target groups (" +
                     list_names(g.target_groups) + ")");
      l.alternate_target_group = *named == *first ? g.target_groups[1] : g.target_groups[0];
    }
    l.production_listener = g.production_listeners.empty() ? "" : g.production_listeners[0];
    l.test_listener = g.test_listeners.empty() ? "" : g.test_listeners[0];
  }
  for (ServiceSpec* spec : services) {
    if (spec->deployment_controller == "CODE_DEPLOY") {
      const bool grouped = std::any_of(
          s.code_deploy.deployment_groups.begin(), s.code_deploy.deployment_groups.end(),
          [&](const CodeDeployGroupSpec& g) { return g.service == spec->service_name; });
      if (!grouped && !spec->service_name.empty())
        diag.add(spec->pointer + "/deploymentController",
                 "a CODE_DEPLOY service needs a deployment group in codeDeploy.deploymentGroups "
                 "naming it in ecsServices");
    }
    for (std::size_t i = 0; i < spec->load_balancers.size(); ++i) {
      const auto& l = spec->load_balancers[i];
      const std::string ptr = spec->pointer + "/loadBalancers/" + std::to_string(i);
      if (spec->deployment_controller == "ECS") {
        check_group(l.alternate_target_group,
                    ptr + "/advancedConfiguration/alternateTargetGroupArn");
        check_listener(l.production_listener,
                       ptr + "/advancedConfiguration/productionListenerRule");
        check_listener(l.test_listener, ptr + "/advancedConfiguration/testListenerRule");
      }
      if (!l.alternate_target_group.empty() &&
          lb.find_target_group(l.alternate_target_group) == lb.find_target_group(l.target_group))
        diag.add(ptr, "the alternate target group must differ from targetGroupArn");
    }
    const auto& alarms = spec->deployment_configuration.alarms;
    for (std::size_t i = 0; i < alarms.alarm_names.size(); ++i)
      check_alarm(
          alarms.alarm_names[i],
          spec->pointer + "/deploymentConfiguration/alarms/alarmNames/" + std::to_string(i));
  }

  // CreateDeployment names a deployment group (and maybe a configuration).
  for (const TimelineAction& t : s.timeline) {
    if (auto* u = std::get_if<UpdateServiceAction>(&t.input); u && u->deployment_configuration) {
      for (std::size_t i = 0; i < u->deployment_configuration->alarms.alarm_names.size(); ++i)
        check_alarm(
            u->deployment_configuration->alarms.alarm_names[i],
            t.pointer + "/input/deploymentConfiguration/alarms/alarmNames/" + std::to_string(i));
      ServiceSpec* svc = find_service(u->service);
      if (svc && u->deployment_configuration->strategy != "ROLLING" &&
          (svc->load_balancers.empty() || svc->load_balancers[0].alternate_target_group.empty()))
        diag.add(t.pointer + "/input/deploymentConfiguration/strategy",
                 u->deployment_configuration->strategy +
                     " needs the service's load balancer to have "
                     "advancedConfiguration.alternateTargetGroupArn (7.2)");
    }
    if (auto* u = std::get_if<UpdateServiceAction>(&t.input)) {
      ServiceSpec* svc = find_service(u->service);
      if (svc && svc->deployment_controller == "CODE_DEPLOY" &&
          (u->task_definition || u->force_new_deployment))
        diag.add(t.pointer + "/input",
                 "a CODE_DEPLOY service changes its task definition through CreateDeployment, not "
                 "UpdateService (7.1)");
    }
    auto* c = std::get_if<CreateDeploymentAction>(&t.input);
    if (!c) continue;
    if (c->deployment_config)
      check_config(*c->deployment_config, t.pointer + "/input/deploymentConfigName");
    const bool found =
        std::any_of(s.code_deploy.deployment_groups.begin(), s.code_deploy.deployment_groups.end(),
                    [&](const CodeDeployGroupSpec& g) { return g.name == c->deployment_group; });
    for (const CodeDeployGroupSpec& g : s.code_deploy.deployment_groups) {
      ServiceSpec* svc = g.name == c->deployment_group ? find_service(g.service) : nullptr;
      if (!svc || svc->load_balancers.empty()) continue;
      const auto& l = svc->load_balancers[0];
      if (c->container_name != l.container_name || c->container_port != l.container_port)
        diag.add(t.pointer + "/input/revision/appSpecContent/content",
                 "LoadBalancerInfo names " + c->container_name + ":" +
                     std::to_string(c->container_port) + " but service \"" + svc->service_name +
                     "\" balances " + l.container_name + ":" + std::to_string(l.container_port));
    }
    if (!found && !c->deployment_group.empty()) {
      std::vector<std::string> names;
      for (const auto& g : s.code_deploy.deployment_groups)
        names.push_back(g.name);
      std::string msg =
          "no deployment group \"" + c->deployment_group + "\" in codeDeploy.deploymentGroups";
      if (auto near = closest_match(c->deployment_group, names); !near.empty())
        msg += "; did you mean \"" + near + "\"?";
      diag.add(t.pointer + "/input/deploymentGroupName", msg);
    }
  }
}

CreateDeploymentAction parse_create_deployment(ObjectReader& r) {
  CreateDeploymentAction a;
  r.ignore({"applicationName", "description", "ignoreApplicationStopFailures",
            "autoRollbackConfiguration", "updateOutdatedInstancesOnly", "fileExistsBehavior",
            "overrideAlarmConfiguration", "targetInstances"});
  a.deployment_group = r.required_string("deploymentGroupName");
  a.deployment_config = r.optional_string("deploymentConfigName");
  // revision: {revisionType: AppSpecContent, appSpecContent: {content}} where content is the
  // AppSpec in JSON, as a string (as AWS takes it) or as an object.
  bool has_revision = r.object("revision", [&](ObjectReader& rev) {
    const std::string type = rev.enumeration("revisionType", "AppSpecContent",
                                             {"AppSpecContent", "S3", "GitHub", "String"});
    if (type != "AppSpecContent")
      rev.problem("revisionType", "ecsim reads the AppSpec inline: \"AppSpecContent\"");
    if (!rev.object("appSpecContent", [&](ObjectReader& content) {
          content.ignore({"sha256"});
          const Json* raw = content.raw("content");
          if (!raw) {
            content.problem("content", "is required: the AppSpec, in JSON");
            return;
          }
          Json appspec;
          if (raw->is_string()) {
            Diagnostics inner;
            auto parsed = parse_json_text(raw->get<std::string>(), inner, "AppSpec", 32);
            if (!parsed) {
              content.problem("content",
                              "is not AppSpec JSON (ecsim reads JSON AppSpecs, not YAML): " +
                                  (inner.problems().empty() ? std::string("unreadable")
                                                            : inner.problems()[0].message));
              return;
            }
            appspec = *parsed;
          } else {
            appspec = *raw;
          }
          ObjectReader spec(appspec, content.pointer_to("content"), content.diagnostics());
          spec.ignore({"version", "Hooks"});
          int targets = 0;
          spec.objects(
              "Resources",
              [&](ObjectReader& res) {
                res.object("TargetService", [&](ObjectReader& ts) {
                  ++targets;
                  const std::string resource_type = ts.string("Type", "AWS::ECS::Service");
                  if (resource_type != "AWS::ECS::Service")
                    ts.problem("Type", "must be \"AWS::ECS::Service\"");
                  if (!ts.object("Properties", [&](ObjectReader& p) {
                        p.ignore({"PlatformVersion", "NetworkConfiguration",
                                  "CapacityProviderStrategy"});
                        std::string td = p.required_string("TaskDefinition");
                        // An ARN ends in task-definition/<family>:<revision>.
                        if (auto slash = td.rfind('/');
                            td.rfind("arn:", 0) == 0 && slash != std::string::npos)
                          td = td.substr(slash + 1);
                        a.task_definition = td;
                        if (!p.object("LoadBalancerInfo", [&](ObjectReader& l) {
                              a.container_name = l.required_string("ContainerName");
                              a.container_port =
                                  static_cast<int>(l.required_integer("ContainerPort", 1, 65535));
                            }))
                          p.problem("LoadBalancerInfo",
                                    "is required: {ContainerName, ContainerPort}");
                      }))
                    ts.problem("Properties", "is required");
                });
              },
              1);
          if (targets != 1)
            spec.problem("Resources", "needs one TargetService resource of Type AWS::ECS::Service");
          spec.finish();
        }))
      rev.problem("appSpecContent", "is required");
  });
  if (!has_revision)
    r.problem("revision", "is required: {\"revisionType\": \"AppSpecContent\", ...}");
  return a;
}

}  // namespace ecsim::detail

namespace ecsim {

std::optional<TrafficShiftSpec> predefined_codedeploy_config(std::string_view name) {
  for (const auto& p : detail::kPredefined)
    if (p.name == name) return p.shift;
  return std::nullopt;
}

}  // namespace ecsim
