#include "scenario/capacity_parser.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace ecsim::detail {
namespace {

// ECS limits (ecs-reference 8.1, 12).
constexpr std::size_t kMaxProvidersPerCluster = 20;
constexpr std::size_t kMaxProvidersPerStrategy = 6;
constexpr int kMaxBase = 100'000;
constexpr int kMaxWeight = 1'000;
constexpr int kMaxGroupSize = 5'000;  // container instances per cluster (ecs-reference 12)

bool valid_provider_name(const std::string& name) {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  // Names starting with aws, ecs or fargate are reserved.
  std::string lower;
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return !lower.starts_with("aws") && !lower.starts_with("ecs") && !lower.starts_with("fargate");
}

// "arn:aws:autoscaling:...:autoScalingGroupName/NAME" or the name itself.
std::string group_name_of(const std::string& ref) {
  const std::string marker = "autoScalingGroupName/";
  if (auto at = ref.find(marker); ref.starts_with("arn:") && at != std::string::npos)
    return ref.substr(at + marker.size());
  return ref;
}

CapacityProviderSpec read_auto_scaling_group_provider(ObjectReader& r) {
  r.ignore({"tags"});
  CapacityProviderSpec p;
  p.pointer = r.pointer();
  p.name = r.required_string("name");
  if (!p.name.empty() && !valid_provider_name(p.name))
    r.problem("name", "\"" + p.name +
                          "\" is not a valid capacity provider name: 1 to 255 letters, numbers, "
                          "hyphens and underscores, not starting with aws, ecs or fargate");
  bool has_group = r.object("autoScalingGroupProvider", [&](ObjectReader& g) {
    p.auto_scaling_group = g.required_string("autoScalingGroupArn");
    g.object("managedScaling", [&](ObjectReader& m) {
      ManagedScalingSpec& s = p.managed_scaling;
      s.enabled = m.enumeration("status", "ENABLED", {"ENABLED", "DISABLED"}) == "ENABLED";
      s.target_capacity = static_cast<int>(m.integer("targetCapacity", 100, 1, 100));
      s.minimum_step = static_cast<int>(m.integer("minimumScalingStepSize", 1, 1, 10'000));
      s.maximum_step = static_cast<int>(m.integer("maximumScalingStepSize", 10'000, 1, 10'000));
      s.instance_warmup = seconds(m.integer("instanceWarmupPeriod", 300, 0, 10'000));
      if (s.minimum_step > s.maximum_step)
        m.problem("minimumScalingStepSize", "must not be above maximumScalingStepSize (" +
                                                std::to_string(s.maximum_step) + ")");
    });
    p.managed_termination_protection = g.enumeration("managedTerminationProtection", "DISABLED",
                                                     {"ENABLED", "DISABLED"}) == "ENABLED";
    p.managed_draining =
        g.enumeration("managedDraining", "ENABLED", {"ENABLED", "DISABLED"}) == "ENABLED";
    if (p.managed_termination_protection && !p.managed_scaling.enabled)
      g.problem("managedTerminationProtection",
                "needs managed scaling: set managedScaling.status to ENABLED, or "
                "managedTerminationProtection to DISABLED (ecs-reference 8.3)");
  });
  if (!has_group && !r.has("autoScalingGroupProvider"))
    r.problem("autoScalingGroupProvider",
              "is required: {\"autoScalingGroupArn\": ..., \"managedScaling\": {...}}");
  return p;
}

}  // namespace

void read_capacity_providers(ObjectReader& cluster, ClusterSpec& spec) {
  cluster.array(
      "capacityProviders",
      [&](const Json& element, const std::string& ptr) {
        if (element.is_string()) {
          const std::string name = element.get<std::string>();
          if (name != "FARGATE" && name != "FARGATE_SPOT") {
            cluster.diagnostics().add(
                ptr, "\"" + name +
                         "\": a name alone can only be FARGATE or FARGATE_SPOT; an Auto Scaling "
                         "group provider is an object (CreateCapacityProvider input)");
            return;
          }
          CapacityProviderSpec p;
          p.name = name;
          p.fargate = true;
          p.spot = name == "FARGATE_SPOT";
          p.pointer = ptr;
          spec.capacity_providers.push_back(std::move(p));
          return;
        }
        ObjectReader r(element, ptr, cluster.diagnostics());
        if (!r.valid()) return;
        spec.capacity_providers.push_back(read_auto_scaling_group_provider(r));
        r.finish();
      },
      kMaxProvidersPerCluster);
  std::set<std::string> seen;
  for (const CapacityProviderSpec& p : spec.capacity_providers)
    if (!p.name.empty() && !seen.insert(p.name).second)
      cluster.diagnostics().add(p.pointer, "capacity provider \"" + p.name + "\" is listed twice");
  spec.default_capacity_provider_strategy =
      read_capacity_provider_strategy(cluster, "defaultCapacityProviderStrategy");
}

CapacityProviderStrategy read_capacity_provider_strategy(ObjectReader& r, std::string_view key) {
  CapacityProviderStrategy strategy;
  r.objects(
      key,
      [&](ObjectReader& item) {
        CapacityProviderStrategyItem i;
        i.capacity_provider = item.required_string("capacityProvider");
        i.base = static_cast<int>(item.integer("base", 0, 0, kMaxBase));
        i.weight = static_cast<int>(item.integer("weight", 0, 0, kMaxWeight));
        strategy.push_back(std::move(i));
      },
      kMaxProvidersPerStrategy);
  return strategy;
}

void read_auto_scaling_groups(ObjectReader& root, Scenario& s) {
  root.objects(
      "autoScalingGroups",
      [&](ObjectReader& r) {
        r.ignore({"Tags", "VPCZoneIdentifier", "HealthCheckType", "HealthCheckGracePeriod",
                  "DefaultCooldown", "DefaultInstanceWarmup", "CapacityRebalance",
                  "TerminationPolicies", "LaunchTemplate", "ServiceLinkedRoleARN"});
        AutoScalingGroupSpec g;
        g.pointer = r.pointer();
        g.name = r.required_string("AutoScalingGroupName");
        g.min_size = static_cast<int>(r.required_integer("MinSize", 0, kMaxGroupSize));
        g.max_size = static_cast<int>(r.required_integer("MaxSize", 0, kMaxGroupSize));
        g.desired_capacity =
            static_cast<int>(r.integer("DesiredCapacity", g.min_size, 0, kMaxGroupSize));
        if (g.max_size < g.min_size) r.problem("MaxSize", "must not be below MinSize");
        if (g.desired_capacity < g.min_size || g.desired_capacity > g.max_size)
          r.problem("DesiredCapacity", "must be between MinSize (" + std::to_string(g.min_size) +
                                           ") and MaxSize (" + std::to_string(g.max_size) + ")");
        g.availability_zones = r.string_list("AvailabilityZones", 32);
        if (auto type = r.optional_string("InstanceType")) {
          g.instance_types.push_back(*type);
          g.instance_type_pointers.push_back(r.pointer_to("InstanceType"));
        }
        r.object("MixedInstancesPolicy", [&](ObjectReader& m) {
          m.ignore({"InstancesDistribution"});
          m.object("LaunchTemplate", [&](ObjectReader& lt) {
            lt.ignore({"LaunchTemplateSpecification"});
            lt.objects(
                "Overrides",
                [&](ObjectReader& o) {
                  o.ignore({"WeightedCapacity", "LaunchTemplateSpecification"});
                  g.instance_types.push_back(o.required_string("InstanceType"));
                  g.instance_type_pointers.push_back(o.pointer_to("InstanceType"));
                },
                40);
          });
        });
        if (g.instance_types.empty())
          r.problem("InstanceType",
                    "is required: an instance type such as \"m5.large\", or "
                    "MixedInstancesPolicy.LaunchTemplate.Overrides[].InstanceType");
        g.new_instances_protected_from_scale_in =
            r.boolean("NewInstancesProtectedFromScaleIn", false);
        r.object("ecsim", [&](ObjectReader& e) {
          g.ecs_reserved_memory_mib = e.integer("ecsReservedMemoryMiB", 0, 0, 1 << 20);
          g.awsvpc_trunking = e.boolean("awsvpcTrunking", false);
          g.os_type = e.enumeration("osType", "linux", {"linux", "windows"});
          g.ami_id = e.string("amiId", "ami-ecs-optimized");
          e.object("attributes", [&](ObjectReader& a) {
            for (const auto& [key, value] : a.raw_items()) {
              if (!value->is_string() || value->get<std::string>().empty()) {
                a.problem(key, "custom attributes are a name and a non-empty string value");
                continue;
              }
              g.attributes[key] = value->get<std::string>();
            }
          });
        });
        s.auto_scaling_groups.push_back(std::move(g));
      },
      100);
}

void read_fargate_settings(ObjectReader& root, FargateSettings& f) {
  root.object("fargate", [&](ObjectReader& r) {
    f.launch_burst = static_cast<int>(r.integer("launchBurst", f.launch_burst, 1, 1'000'000));
    f.launch_rate_per_second =
        r.number("launchRatePerSecond", f.launch_rate_per_second, 0.001, 1e6);
    f.service_launches_per_minute = static_cast<int>(
        r.integer("serviceLaunchesPerMinute", f.service_launches_per_minute, 1, 1'000'000));
    f.spot_interruptions_per_hour_per_zone = r.number(
        "spotInterruptionsPerHourPerZone", f.spot_interruptions_per_hour_per_zone, 0, 3600);
    f.spot_tasks_per_interruption = static_cast<int>(
        r.integer("spotTasksPerInterruption", f.spot_tasks_per_interruption, 1, 100'000));
    f.spot_warning = r.duration("spotWarning", f.spot_warning, Duration{0}, kHour);
  });
}

namespace {

// The rules of one strategy (8.1), `ptr` being the strategy array.
void check_strategy(Diagnostics& diag, const Scenario& s, const CapacityProviderStrategy& strategy,
                    const std::string& ptr) {
  if (strategy.empty()) return;
  std::vector<std::string> names;
  for (const CapacityProviderSpec& p : s.cluster.capacity_providers)
    names.push_back(p.name);
  int bases = 0;
  int weights = 0;
  int fargate = 0;
  int groups = 0;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < strategy.size(); ++i) {
    const CapacityProviderStrategyItem& item = strategy[i];
    const std::string at = ptr + "/" + std::to_string(i);
    bases += item.base > 0;
    weights += item.weight;
    if (item.capacity_provider.empty()) continue;
    if (!seen.insert(item.capacity_provider).second)
      diag.add(at + "/capacityProvider",
               "\"" + item.capacity_provider + "\" appears twice in the strategy");
    const auto p = s.cluster.find_capacity_provider(item.capacity_provider);
    if (!p) {
      std::string msg = "capacity provider \"" + item.capacity_provider +
                        "\" is not associated with the cluster (cluster.capacityProviders)";
      if (auto near = closest_match(item.capacity_provider, names); !near.empty())
        msg += "; did you mean \"" + near + "\"?";
      diag.add(at + "/capacityProvider", msg);
      continue;
    }
    (s.cluster.capacity_providers[*p].fargate ? fargate : groups) += 1;
  }
  if (bases > 1)
    diag.add(ptr, "only one capacity provider in a strategy can have a base (ecs-reference 8.1)");
  if (weights == 0)
    diag.add(ptr,
             "at least one capacity provider needs a weight above 0; with all weights 0 ECS "
             "rejects the call (ecs-reference 8.1)");
  if (fargate > 0 && groups > 0)
    diag.add(ptr,
             "a strategy holds either Auto Scaling group providers or FARGATE/FARGATE_SPOT, "
             "not both (ecs-reference 8.1)");
}

bool strategy_is_fargate(const Scenario& s, const CapacityProviderStrategy& strategy) {
  for (const auto& item : strategy)
    if (auto p = s.cluster.find_capacity_provider(item.capacity_provider))
      return s.cluster.capacity_providers[*p].fargate;
  return false;
}

// launchType or strategy for a service or RunTask: exactly one; the cluster default when neither.
template <typename Spec>
void resolve_capacity(Diagnostics& diag, const Scenario& s, Spec& spec, bool launch_type_given,
                      const std::string& ptr, bool daemon) {
  if (launch_type_given && !spec.capacity_provider_strategy.empty()) {
    diag.add(ptr + "/capacityProviderStrategy",
             "a launchType and a capacityProviderStrategy cannot both be given "
             "(ecs-reference 8.1); remove one");
    spec.capacity_provider_strategy.clear();
    return;
  }
  if (daemon) {
    if (!spec.capacity_provider_strategy.empty())
      diag.add(ptr + "/capacityProviderStrategy",
               "DAEMON services use the EC2 launch type, not capacity provider strategies "
               "(ecs-reference 5.1)");
    spec.capacity_provider_strategy.clear();
    if (spec.launch_type.empty()) spec.launch_type = "EC2";
    return;
  }
  if (!launch_type_given && spec.capacity_provider_strategy.empty())
    spec.capacity_provider_strategy = s.cluster.default_capacity_provider_strategy;
  if (spec.capacity_provider_strategy.empty()) {
    if (spec.launch_type.empty()) spec.launch_type = "EC2";
    return;
  }
  spec.launch_type.clear();
  check_strategy(diag, s, spec.capacity_provider_strategy, ptr + "/capacityProviderStrategy");
  if (strategy_is_fargate(s, spec.capacity_provider_strategy) &&
      (!spec.placement_strategy.empty() || !spec.placement_constraints.empty()))
    diag.add(ptr + "/placementStrategy",
             "placement strategies and constraints are not supported on Fargate capacity "
             "providers (ecs-reference 4.1)");
}

}  // namespace

void check_capacity_references(Diagnostics& diag, Scenario& s) {
  const auto& zones = s.cluster.availability_zones;
  std::vector<std::string> group_names;
  std::set<std::string> unique_groups;
  for (const AutoScalingGroupSpec& g : s.auto_scaling_groups) {
    group_names.push_back(g.name);
    if (!unique_groups.insert(g.name).second)
      diag.add(g.pointer + "/AutoScalingGroupName",
               "an Auto Scaling group named \"" + g.name + "\" already exists");
  }
  for (AutoScalingGroupSpec& g : s.auto_scaling_groups) {
    if (g.availability_zones.empty()) g.availability_zones = zones;
    for (std::size_t i = 0; i < g.availability_zones.size(); ++i)
      if (std::find(zones.begin(), zones.end(), g.availability_zones[i]) == zones.end())
        diag.add(g.pointer + "/AvailabilityZones/" + std::to_string(i),
                 "\"" + g.availability_zones[i] + "\" is not one of the cluster's zones");
    if (g.availability_zones.empty())
      diag.add(g.pointer + "/AvailabilityZones",
               "the group needs at least one zone (or the cluster's availabilityZones)");
  }
  // Each Auto Scaling group provider names a group, and no group serves two providers.
  std::set<std::string> used;
  for (CapacityProviderSpec& p : s.cluster.capacity_providers) {
    if (p.fargate || p.auto_scaling_group.empty()) continue;
    p.auto_scaling_group = group_name_of(p.auto_scaling_group);
    const auto g = std::find(group_names.begin(), group_names.end(), p.auto_scaling_group);
    const std::string at = p.pointer + "/autoScalingGroupProvider/autoScalingGroupArn";
    if (g == group_names.end()) {
      std::string msg =
          "no Auto Scaling group \"" + p.auto_scaling_group + "\" in autoScalingGroups";
      if (auto near = closest_match(p.auto_scaling_group, group_names); !near.empty())
        msg += "; did you mean \"" + near + "\"?";
      diag.add(at, msg);
      continue;
    }
    if (!used.insert(p.auto_scaling_group).second)
      diag.add(at, "the Auto Scaling group \"" + p.auto_scaling_group +
                       "\" already belongs to another capacity provider");
    const AutoScalingGroupSpec& spec =
        s.auto_scaling_groups[static_cast<std::size_t>(g - group_names.begin())];
    if (spec.max_size == 0)
      diag.add(at,
               "a capacity provider's Auto Scaling group needs MaxSize above 0 "
               "(ecs-reference 8.3)");
  }
  check_strategy(diag, s, s.cluster.default_capacity_provider_strategy,
                 "/cluster/defaultCapacityProviderStrategy");

  auto check_group = [&](const std::string& name, const std::string& ptr) {
    if (name.empty() || unique_groups.count(name)) return;
    std::string msg = "no Auto Scaling group \"" + name + "\" in autoScalingGroups";
    if (auto near = closest_match(name, group_names); !near.empty())
      msg += "; did you mean \"" + near + "\"?";
    diag.add(ptr, msg);
  };
  for (ServiceSpec& spec : s.services)
    resolve_capacity(diag, s, spec, !spec.launch_type.empty(), spec.pointer,
                     spec.scheduling_strategy == "DAEMON");
  for (TimelineAction& t : s.timeline) {
    if (auto* run = std::get_if<RunTaskAction>(&t.input)) {
      resolve_capacity(diag, s, *run, !run->launch_type.empty(), t.pointer + "/input", false);
    } else if (auto* create = std::get_if<CreateServiceAction>(&t.input)) {
      ServiceSpec& spec = create->service;
      resolve_capacity(diag, s, spec, !spec.launch_type.empty(), spec.pointer,
                       spec.scheduling_strategy == "DAEMON");
    } else if (auto* set = std::get_if<SetDesiredCapacityAction>(&t.input)) {
      check_group(set->auto_scaling_group, t.pointer + "/input/AutoScalingGroupName");
      for (const AutoScalingGroupSpec& g : s.auto_scaling_groups)
        if (g.name == set->auto_scaling_group &&
            (set->desired_capacity < g.min_size || set->desired_capacity > g.max_size))
          diag.add(t.pointer + "/input/DesiredCapacity",
                   "must be between the group's MinSize (" + std::to_string(g.min_size) +
                       ") and MaxSize (" + std::to_string(g.max_size) + ")");
    } else if (auto* spot = std::get_if<InterruptSpotTasksAction>(&t.input)) {
      if (!spot->availability_zone.empty() &&
          std::find(zones.begin(), zones.end(), spot->availability_zone) == zones.end())
        diag.add(t.pointer + "/input/availabilityZone",
                 "no availability zone \"" + spot->availability_zone + "\" in the cluster");
    }
  }
}

}  // namespace ecsim::detail

namespace ecsim {

std::optional<std::size_t> ClusterSpec::find_capacity_provider(std::string_view name) const {
  for (std::size_t i = 0; i < capacity_providers.size(); ++i)
    if (capacity_providers[i].name == name) return i;
  return std::nullopt;
}

}  // namespace ecsim
