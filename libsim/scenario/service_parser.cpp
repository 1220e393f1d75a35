#include "scenario/service_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "ecsim/cluster_query.hpp"

#include "scenario/capacity_parser.hpp"

namespace ecsim::detail {
namespace {

// ECS quota: tasks per service (ecs-reference 12).
constexpr int kMaxDesiredCount = 5000;

// AWS fields that change nothing ecsim simulates.
void ignore_inert_service_fields(ObjectReader& r) {
  r.ignore({"cluster", "clientToken", "enableECSManagedTags", "enableExecuteCommand",
            "propagateTags", "tags", "platformVersion", "networkConfiguration", "role",
            "serviceRegistries", "serviceConnectConfiguration", "volumeConfigurations",
            "availabilityZoneRebalancing"});
}

DeploymentConfigurationSpec parse_deployment_configuration(ObjectReader& r) {
  DeploymentConfigurationSpec d;
  if (auto v = r.optional_integer("minimumHealthyPercent", 0, 100))
    d.minimum_healthy_percent = static_cast<int>(*v);
  if (auto v = r.optional_integer("maximumPercent", 100, 1000))
    d.maximum_percent = static_cast<int>(*v);
  r.object("deploymentCircuitBreaker", [&](ObjectReader& cb) {
    d.circuit_breaker_enable = cb.boolean("enable", false);
    d.circuit_breaker_rollback = cb.boolean("rollback", false);
    if (!cb.has("enable")) cb.problem("enable", "is required: true or false");
  });
  d.strategy = r.enumeration("strategy", "ROLLING", {"ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"});
  // bakeTimeInMinutes: required for BLUE_GREEN (7.2); 0 to 1440 [SECONDARY]. Without it, LINEAR
  // and CANARY go to clean-up as soon as all traffic has moved [UNCONFIRMED default: 0].
  if (auto minutes = r.optional_integer("bakeTimeInMinutes", 0, 1440))
    d.bake_time = *minutes * kMinute;
  else if (d.strategy == "BLUE_GREEN")
    r.problem("bakeTimeInMinutes",
              "is required with the BLUE_GREEN strategy: 0 to 1440 minutes (ecs-reference 7.2)");
  // LinearConfiguration and CanaryConfiguration with their documented defaults (7.2).
  auto permille = [](double percent) { return static_cast<int>(percent * 10 + 0.5); };
  auto tenths = [&](ObjectReader& c, std::string_view key, double fallback, double min) {
    const double v = c.number(key, fallback, min, 100);
    if (std::abs(v * 10 - std::round(v * 10)) > 1e-6)
      c.problem(key, "must be a multiple of 0.1 (ecs-reference 7.2)");
    return v;
  };
  if (d.strategy == "LINEAR") {
    d.shift = {TrafficShiftSpec::Kind::kLinear, 100, 6 * kMinute};
    r.object("linearConfiguration", [&](ObjectReader& c) {
      d.shift.step_permille = permille(tenths(c, "stepPercent", 10.0, 3.0));
      d.shift.interval = c.integer("stepBakeTimeInMinutes", 6, 0, 1440) * kMinute;
    });
  } else if (d.strategy == "CANARY") {
    d.shift = {TrafficShiftSpec::Kind::kCanary, 50, 10 * kMinute};
    r.object("canaryConfiguration", [&](ObjectReader& c) {
      d.shift.step_permille = permille(tenths(c, "canaryPercent", 5.0, 0.1));
      d.shift.interval = c.integer("canaryBakeTimeInMinutes", 10, 0, 1440) * kMinute;
    });
  }
  if (d.strategy != "LINEAR" && r.has("linearConfiguration"))
    r.problem("linearConfiguration", "applies only with \"strategy\": \"LINEAR\"");
  if (d.strategy != "CANARY" && r.has("canaryConfiguration"))
    r.problem("canaryConfiguration", "applies only with \"strategy\": \"CANARY\"");
  // The circuit breaker is for rolling updates only (API_DeploymentConfiguration).
  if (d.strategy != "ROLLING" && d.circuit_breaker_enable)
    r.problem("deploymentCircuitBreaker",
              "the deployment circuit breaker can only be used with the ROLLING strategy; " +
                  d.strategy +
                  " deployments roll back on alarms or when the green revision "
                  "fails to start (ecs-reference 7.2)");
  r.object("alarms", [&](ObjectReader& a) {
    d.alarms.alarm_names = a.string_list("alarmNames", 10);
    d.alarms.enable = a.boolean("enable", false);
    d.alarms.rollback = a.boolean("rollback", false);
    if (!a.has("enable")) a.problem("enable", "is required: true or false");
  });
  r.array("lifecycleHooks", [&](const Json&, const std::string& ptr) {
    r.diagnostics().add(ptr,
                        "lifecycle hooks (Lambda functions) are not modelled; the lifecycle "
                        "stages are reported as events without hooks");
  });
  return d;
}

bool valid_service_name(const std::string& name) {
  return !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

}  // namespace

std::vector<PlacementStrategySpec> read_placement_strategies(ObjectReader& r) {
  std::vector<PlacementStrategySpec> out;
  r.objects(
      "placementStrategy",
      [&](ObjectReader& s) {
        PlacementStrategySpec spec;
        spec.type = s.enumeration("type", "random", {"binpack", "spread", "random"});
        auto field = s.optional_string("field");
        if (spec.type == "binpack") {
          spec.field = field.value_or("");
          if (spec.field != "cpu" && spec.field != "memory")
            s.problem("field", "binpack needs field \"cpu\" or \"memory\"");
        } else if (spec.type == "spread") {
          spec.field = field.value_or("");
          if (spec.field != "instanceId" && spec.field != "host" &&
              spec.field.rfind("attribute:", 0) != 0)
            s.problem("field",
                      "spread needs field \"instanceId\", \"host\" or "
                      "\"attribute:NAME\" (e.g. attribute:ecs.availability-zone)");
        } else if (field) {
          s.problem("field", "random takes no field");
        }
        out.push_back(spec);
      },
      64);
  if (out.size() > 5)
    r.problem("placementStrategy",
              std::to_string(out.size()) + " strategies; ECS allows at most 5 (ecs-reference 4.1)");
  return out;
}

std::vector<PlacementConstraintSpec> read_placement_constraints(ObjectReader& r) {
  std::vector<PlacementConstraintSpec> out;
  r.objects(
      "placementConstraints",
      [&](ObjectReader& c) {
        PlacementConstraintSpec spec;
        spec.type = c.enumeration("type", "memberOf", {"distinctInstance", "memberOf"});
        auto expression = c.optional_string("expression");
        if (spec.type == "memberOf") {
          if (!expression)
            c.problem("expression", "memberOf needs an expression in the cluster query language");
          spec.expression = expression.value_or("");
          if (expression) {
            auto query = ClusterQuery::parse(*expression);
            if (!query) c.problem("expression", query.error());
          }
        } else if (expression) {
          c.problem("expression", "distinctInstance takes no expression");
        }
        out.push_back(spec);
      },
      64);
  if (out.size() > 10)
    r.problem(
        "placementConstraints",
        std::to_string(out.size()) + " constraints; ECS allows at most 10 (ecs-reference 4.1)");
  return out;
}

ServiceSpec parse_service(ObjectReader& r) {
  ignore_inert_service_fields(r);
  ServiceSpec s;
  s.pointer = r.pointer();
  s.service_name = r.required_string("serviceName");
  if (!s.service_name.empty() && !valid_service_name(s.service_name))
    r.problem("serviceName", "\"" + s.service_name +
                                 "\" is not a valid service name; use 1 to 255 "
                                 "letters, numbers, hyphens and underscores");
  s.task_definition = r.required_string("taskDefinition");
  s.scheduling_strategy = r.enumeration("schedulingStrategy", "REPLICA", {"REPLICA", "DAEMON"});
  const bool daemon = s.scheduling_strategy == "DAEMON";
  if (daemon && r.has("desiredCount"))
    r.problem("desiredCount",
              "DAEMON services have no desired count: one task runs on each "
              "instance (ecs-reference 5.1)");
  s.desired_count = static_cast<int>(r.integer("desiredCount", 0, 0, kMaxDesiredCount));
  // Empty when not given: check_capacity_references picks the strategy or the cluster default.
  s.launch_type = r.has("launchType") ? r.enumeration("launchType", "EC2", {"EC2", "FARGATE"}) : "";
  s.capacity_provider_strategy = read_capacity_provider_strategy(r, "capacityProviderStrategy");
  if (daemon && s.launch_type == "FARGATE")
    r.problem("launchType", "DAEMON services cannot use FARGATE (ecs-reference 5.1)");
  s.placement_strategy = read_placement_strategies(r);
  s.placement_constraints = read_placement_constraints(r);
  if (daemon && !s.placement_strategy.empty())
    r.problem("placementStrategy",
              "DAEMON services take no placement strategy (ecs-reference 5.1)");
  if (s.launch_type == "FARGATE" &&
      (!s.placement_strategy.empty() || !s.placement_constraints.empty()))
    r.problem("placementStrategy",
              "placement strategies and constraints are not supported for "
              "the Fargate launch type (ecs-reference 4.1)");
  r.object("deploymentConfiguration", [&](ObjectReader& d) {
    s.deployment_configuration = parse_deployment_configuration(d);
  });
  if (daemon && s.deployment_configuration.maximum_percent.value_or(100) != 100)
    r.problem("deploymentConfiguration",
              "a DAEMON service's maximumPercent must be 100 "
              "(ecs-reference 5.1)");
  r.object("deploymentController", [&](ObjectReader& c) {
    s.deployment_controller = c.enumeration("type", "ECS", {"ECS", "CODE_DEPLOY", "EXTERNAL"});
    if (s.deployment_controller == "EXTERNAL")
      c.problem("type",
                "the EXTERNAL controller (task sets driven by a third party) is not modelled; use "
                "ECS or CODE_DEPLOY");
  });
  if (s.deployment_controller == "CODE_DEPLOY" && s.deployment_configuration.strategy != "ROLLING")
    r.problem("deploymentConfiguration",
              "a CODE_DEPLOY service takes its traffic shifting from its CodeDeploy deployment "
              "configuration, not from deploymentConfiguration.strategy (ecs-reference 7.1)");
  if (daemon && s.deployment_configuration.strategy != "ROLLING")
    r.problem("deploymentConfiguration",
              "DAEMON services deploy with the ROLLING strategy only (ecs-reference 5.1)");
  // Target groups per service: at most 5 (ecs-reference 12).
  r.objects(
      "loadBalancers",
      [&](ObjectReader& lb) {
        ServiceLoadBalancerSpec spec;
        lb.ignore({"loadBalancerName"});
        spec.target_group = lb.required_string("targetGroupArn");
        spec.container_name = lb.required_string("containerName");
        spec.container_port = static_cast<int>(lb.required_integer("containerPort", 1, 65535));
        // Native blue/green: the alternate target group and the listeners that shift (7.2).
        // ecsim has no listener rules: a rule is named by its listener, "<load balancer>:<port>".
        lb.object("advancedConfiguration", [&](ObjectReader& a) {
          a.ignore({"roleArn"});
          spec.alternate_target_group = a.required_string("alternateTargetGroupArn");
          spec.production_listener = a.string("productionListenerRule", "");
          spec.test_listener = a.string("testListenerRule", "");
        });
        s.load_balancers.push_back(std::move(spec));
      },
      5);
  s.health_check_grace_period =
      r.duration("healthCheckGracePeriodSeconds", Duration{0}, Duration{0}, seconds(2147483647));
  const bool blue_green = s.deployment_configuration.strategy != "ROLLING";
  if (blue_green) {
    if (s.load_balancers.empty())
      r.problem("loadBalancers",
                s.deployment_configuration.strategy +
                    " deployments need a load balancer: a target group with an "
                    "advancedConfiguration.alternateTargetGroupArn (ecs-reference 7.2)");
    for (std::size_t i = 0; i < s.load_balancers.size(); ++i)
      if (s.load_balancers[i].alternate_target_group.empty())
        r.diagnostics().add(r.pointer_to("loadBalancers") + "/" + std::to_string(i),
                            "needs advancedConfiguration.alternateTargetGroupArn for " +
                                s.deployment_configuration.strategy +
                                " deployments (ecs-reference 7.2)");
  }
  return s;
}

UpdateServiceAction parse_update_service(ObjectReader& r) {
  ignore_inert_service_fields(r);
  r.ignore({"placementStrategy", "placementConstraints", "loadBalancers"});
  UpdateServiceAction a;
  a.service = r.required_string("service");
  if (auto v = r.optional_integer("desiredCount", 0, kMaxDesiredCount))
    a.desired_count = static_cast<int>(*v);
  a.task_definition = r.optional_string("taskDefinition");
  r.object("deploymentConfiguration", [&](ObjectReader& d) {
    a.deployment_configuration = parse_deployment_configuration(d);
  });
  a.health_check_grace_period = r.optional_duration("healthCheckGracePeriodSeconds");
  a.force_new_deployment = r.boolean("forceNewDeployment", false);
  if (r.has("capacityProviderStrategy")) {
    r.ignore({"capacityProviderStrategy"});
    r.problem("capacityProviderStrategy",
              "changing a service's capacity provider strategy is not modelled; give the "
              "strategy when the service is created");
  }
  return a;
}

DeleteServiceAction parse_delete_service(ObjectReader& r) {
  r.ignore({"cluster"});
  DeleteServiceAction a;
  a.service = r.required_string("service");
  a.force = r.boolean("force", false);
  return a;
}

}  // namespace ecsim::detail
