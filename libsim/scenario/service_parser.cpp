#include "scenario/service_parser.hpp"

#include <algorithm>
#include <cctype>

#include "ecsim/cluster_query.hpp"

namespace ecsim::detail {
namespace {

// ECS quota: tasks per service (ecs-reference 12).
constexpr int kMaxDesiredCount = 5000;

// AWS fields that change nothing ecsim simulates.
void ignore_inert_service_fields(ObjectReader& r) {
  r.ignore({"cluster", "clientToken", "enableECSManagedTags", "enableExecuteCommand",
            "propagateTags", "tags", "platformVersion", "networkConfiguration", "role",
            "serviceRegistries", "serviceConnectConfiguration", "volumeConfigurations",
            "availabilityZoneRebalancing", "capacityProviderStrategy"});
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
  const std::string strategy =
      r.enumeration("strategy", "ROLLING", {"ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"});
  if (strategy != "ROLLING")
    r.problem("strategy", "\"" + strategy +
                              "\" deployments are not modelled by this version of "
                              "ecsim yet; use ROLLING");
  r.ignore({"alarms", "bakeTimeInMinutes", "lifecycleHooks", "linearConfiguration",
            "canaryConfiguration"});
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
  s.launch_type = r.enumeration("launchType", "EC2", {"EC2", "FARGATE"});
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
    if (s.deployment_controller != "ECS")
      c.problem("type", "the " + s.deployment_controller +
                            " controller is not modelled by this "
                            "version of ecsim yet; use ECS");
  });
  // Target groups per service: at most 5 (ecs-reference 12).
  r.objects(
      "loadBalancers",
      [&](ObjectReader& lb) {
        ServiceLoadBalancerSpec spec;
        lb.ignore({"loadBalancerName"});
        spec.target_group = lb.required_string("targetGroupArn");
        spec.container_name = lb.required_string("containerName");
        spec.container_port = static_cast<int>(lb.required_integer("containerPort", 1, 65535));
        s.load_balancers.push_back(std::move(spec));
      },
      5);
  s.health_check_grace_period =
      r.duration("healthCheckGracePeriodSeconds", Duration{0}, Duration{0}, seconds(2147483647));
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
