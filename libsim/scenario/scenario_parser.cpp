// Reads a scenario document into ecsim::Scenario. Every section is read with ObjectReader so all
// problems are collected at once; cross-references (zones, instance types, task definitions named
// by timeline actions) are checked after the sections are read.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "ecsim/scenario.hpp"

#include "cost/pricing_parser.hpp"
#include "lb/lb_parser.hpp"
#include "scenario/autoscaling_parser.hpp"
#include "scenario/capacity_parser.hpp"
#include "scenario/deployment_parser.hpp"
#include "scenario/json_reader.hpp"
#include "scenario/run_limits.hpp"
#include "scenario/service_parser.hpp"
#include "scenario/timeline_parser.hpp"
#include "taskdef/task_definition_parser.hpp"

namespace ecsim {
namespace {

using detail::Diagnostics;
using detail::Json;
using detail::ObjectReader;

// Instances in one containerInstances entry. The total is checked against
// limits.maxContainerInstances (default 5,000, the ECS quota; run_limits.cpp).
constexpr int kMaxContainerInstancesPerGroup = 1'000'000;
// Largest file we read: far above any real scenario, small enough to never exhaust memory.
constexpr std::uintmax_t kMaxScenarioBytes = 64u << 20;

void read_cluster(ObjectReader& r, Scenario& s) {
  ClusterSpec& c = s.cluster;
  c.cluster_name = r.string("clusterName", "default");
  c.availability_zones = r.string_list("availabilityZones", 32);
  r.objects("containerInstances", [&](ObjectReader& g) {
    InstanceGroupSpec spec;
    spec.instance_type = g.required_string("instanceType");
    spec.availability_zone = g.required_string("availabilityZone");
    spec.count = static_cast<int>(g.integer("count", 1, 0, kMaxContainerInstancesPerGroup));
    spec.ecs_reserved_memory_mib = g.integer("ecsReservedMemoryMiB", 0, 0, 1 << 20);
    spec.awsvpc_trunking = g.boolean("awsvpcTrunking", false);
    spec.os_type = g.enumeration("osType", "linux", {"linux", "windows"});
    spec.ami_id = g.string("amiId", "ami-ecs-optimized");
    if (auto at = g.optional_duration("launchAt")) {
      spec.launch_at = *at;
      spec.launch_explicit = true;
    }
    g.object("attributes", [&](ObjectReader& a) {
      for (const auto& [key, value_ptr] : a.raw_items()) {
        const Json& value = *value_ptr;
        if (!value.is_string() || value.get<std::string>().empty() ||
            value.get<std::string>().size() > 128 || key.empty() || key.size() > 128) {
          a.problem(key,
                    "custom attributes are a name and a string value of 1 to 128 characters "
                    "(ecs-reference 4.3)");
          continue;
        }
        spec.attributes[key] = value.get<std::string>();
      }
    });
    c.container_instances.push_back(std::move(spec));
  });
  detail::read_capacity_providers(r, c);
}

void read_timing(ObjectReader& r, TimingModel& t) {
  const Duration max_step = kHour;
  t.instance_boot = r.duration("instanceBoot", t.instance_boot, Duration{0}, max_step);
  t.agent_registration =
      r.duration("agentRegistration", t.agent_registration, Duration{0}, max_step);
  t.ec2_eni_attach = r.duration("ec2EniAttach", t.ec2_eni_attach, Duration{0}, max_step);
  t.fargate_eni_provisioning =
      r.duration("fargateEniProvisioning", t.fargate_eni_provisioning, Duration{0}, max_step);
  t.agent_pickup = r.duration("agentPickup", t.agent_pickup, Duration{0}, max_step);
  t.ec2_image_pull_mib_per_s =
      r.number("ec2ImagePullMiBPerSecond", t.ec2_image_pull_mib_per_s, 0.01, 1e6);
  t.fargate_image_pull_mib_per_s =
      r.number("fargateImagePullMiBPerSecond", t.fargate_image_pull_mib_per_s, 0.01, 1e6);
  t.default_image_size_mib = r.number("defaultImageSizeMiB", t.default_image_size_mib, 0, 1e6);
  t.container_start = r.duration("containerStart", t.container_start, Duration{0}, max_step);
  t.deactivation = r.duration("deactivation", t.deactivation, Duration{0}, max_step);
  t.eni_detach = r.duration("eniDetach", t.eni_detach, Duration{0}, max_step);
  t.sigterm_exit = r.duration("sigtermExit", t.sigterm_exit, Duration{0}, max_step);
  t.instance_shutdown = r.duration("instanceShutdown", t.instance_shutdown, Duration{0}, max_step);
  t.image_pull_failure =
      r.duration("imagePullFailure", t.image_pull_failure, Duration{0}, max_step);
  t.scheduler_retry = r.duration("schedulerRetry", t.scheduler_retry, kSecond, max_step);
  t.throttle_initial = r.duration("throttleInitial", t.throttle_initial, kSecond, max_step);
  t.throttle_max = r.duration("throttleMax", t.throttle_max, kSecond, 24 * max_step);
  t.capacity_provisioning_timeout = r.duration(
      "capacityProvisioningTimeout", t.capacity_provisioning_timeout, kSecond, 24 * max_step);
}

void read_placement(ObjectReader& r, PlacementSettings& p) {
  p.tie_break = r.enumeration("tieBreak", "random", {"random", "lowestId"}) == "lowestId"
                    ? TieBreak::kLowestId
                    : TieBreak::kRandom;
  p.run_task_default_strategy =
      r.enumeration("runTaskDefaultStrategy", "random", {"random", "binpack", "spread"});
}

void check_zones(ObjectReader& r, Scenario& s) {
  auto& zones = s.cluster.availability_zones;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < zones.size(); ++i)
    if (!seen.insert(zones[i]).second)
      r.diagnostics().add("/cluster/availabilityZones/" + std::to_string(i),
                          "duplicate zone \"" + zones[i] + "\"");
  if (zones.empty()) {
    // No list given: the zones are those the instances name, in sorted order.
    for (const auto& g : s.cluster.container_instances)
      if (!g.availability_zone.empty()) seen.insert(g.availability_zone);
    for (const auto& g : s.auto_scaling_groups)
      for (const auto& az : g.availability_zones)
        if (!az.empty()) seen.insert(az);
    zones.assign(seen.begin(), seen.end());
    return;
  }
  for (std::size_t i = 0; i < s.cluster.container_instances.size(); ++i) {
    const auto& az = s.cluster.container_instances[i].availability_zone;
    if (!az.empty() && !seen.count(az)) {
      std::string msg = "\"" + az + "\" is not one of the cluster's availabilityZones";
      if (auto near = detail::closest_match(az, zones); !near.empty())
        msg += "; did you mean \"" + near + "\"?";
      r.diagnostics().add("/cluster/containerInstances/" + std::to_string(i) + "/availabilityZone",
                          msg);
    }
  }
}

void check_instance_types(Diagnostics& diag, Scenario& s) {
  InstanceCatalog catalog;
  for (const auto& t : s.instance_types)
    catalog.upsert(t);
  std::vector<std::string> names;
  for (const auto& t : catalog.all())
    names.push_back(t.name);
  auto check = [&](const std::string& name, const std::string& ptr) {
    if (name.empty() || catalog.find(name) != nullptr) return;
    std::string msg = "unknown instance type \"" + name + "\"";
    if (auto near = detail::closest_match(name, names); !near.empty())
      msg += "; did you mean \"" + near + "\"?";
    else
      msg += "; add it under \"instanceTypes\" or use a built-in type such as m5.large";
    diag.add(ptr, msg);
  };
  for (std::size_t i = 0; i < s.cluster.container_instances.size(); ++i)
    check(s.cluster.container_instances[i].instance_type,
          "/cluster/containerInstances/" + std::to_string(i) + "/instanceType");
  for (const AutoScalingGroupSpec& g : s.auto_scaling_groups)
    for (std::size_t i = 0; i < g.instance_types.size(); ++i)
      check(g.instance_types[i], g.instance_type_pointers[i]);
}

}  // namespace

Scenario load_scenario_json(const nlohmann::json& document, const std::filesystem::path& base_dir,
                            const LoadOptions& options) {
  Diagnostics diag;
  Scenario s;
  s.base_dir = base_dir;
  ObjectReader root(document, "", diag);
  if (root.valid()) {
    root.ignore({"$schema"});
    detail::read_limits(root, s, options.limits);
    s.name = root.string("name", "unnamed");
    s.description = root.string("description", "");
    s.seed = static_cast<std::uint64_t>(root.integer("seed", 1, 0, (std::int64_t{1} << 53)));
    s.duration = root.duration("duration", kHour, kSecond, 366 * 24 * kHour);
    s.metrics_period = root.duration("metricsPeriod", kMinute, kSecond, 24 * kHour);
    s.region = root.string("region", "us-east-1");
    s.account_id = root.string("accountId", "123456789012");
    root.object("cluster", [&](ObjectReader& r) { read_cluster(r, s); });
    detail::read_auto_scaling_groups(root, s);
    detail::read_fargate_settings(root, s.fargate);
    root.objects(
        "instanceTypes",
        [&](ObjectReader& r) { s.instance_types.push_back(detail::parse_instance_type(r)); }, 1000);
    root.objects(
        "taskDefinitions",
        [&](ObjectReader& r) { s.task_definitions.push_back(detail::parse_task_definition(r)); },
        1000);
    root.object("timing", [&](ObjectReader& r) { read_timing(r, s.timing); });
    root.object("placement", [&](ObjectReader& r) { read_placement(r, s.placement); });
    root.objects(
        "services", [&](ObjectReader& r) { s.services.push_back(detail::parse_service(r)); }, 5000);
    root.object("scheduler", [&](ObjectReader& r) {
      s.scheduler.count_stopping_in_maximum =
          r.boolean("countStoppingInMaximumPercent", s.scheduler.count_stopping_in_maximum);
      s.scheduler.healthy_after_running =
          r.duration("healthyAfterRunning", s.scheduler.healthy_after_running, Duration{0}, kHour);
      s.scheduler.max_provisioning_tasks = static_cast<int>(
          r.integer("maxProvisioningTasks", s.scheduler.max_provisioning_tasks, 1, 1'000'000));
    });
    s.load_balancing =
        detail::parse_load_balancing(root, base_dir, options.allow_paths_outside_scenario_dir);
    root.object("pricing", [&](ObjectReader& r) { s.pricing = detail::parse_pricing(r); });
    detail::read_auto_scaling(root, s);
    detail::read_code_deploy_and_alarms(root, s);
    detail::read_timeline(root, s);
    root.finish();
    check_zones(root, s);
    check_instance_types(diag, s);
    detail::check_capacity_references(diag, s);
    detail::check_references(diag, s);
    detail::check_deployment_references(diag, s);
    detail::check_auto_scaling_references(diag, s);
    // Sizes are judged only on an otherwise valid scenario: defaults standing in for wrong values
    // would make the figures meaningless.
    if (diag.ok()) detail::check_limits(diag, s);
  }
  diag.throw_if_any();
  return s;
}

Scenario load_scenario_text(std::string_view json_text, std::string_view source_name,
                            const std::filesystem::path& base_dir, const LoadOptions& options) {
  Diagnostics diag;
  auto document = detail::parse_json_text(json_text, diag, source_name);
  diag.throw_if_any();
  return load_scenario_json(*document, base_dir, options);
}

Scenario load_scenario_file(const std::filesystem::path& path, const LoadOptions& options) {
  auto fail = [&](const std::string& message) { throw ScenarioError({{"", message}}); };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail("cannot read " + path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    fail("cannot read " + path.string() + ": it is a folder; expected a scenario .json file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail("cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxScenarioBytes)
    fail(path.string() + " is " + std::to_string(size >> 20) +
         " MiB; scenario files are limited to 64 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path.string() + ": permission denied or unreadable");
  std::ostringstream text;
  text << in.rdbuf();
  return load_scenario_text(text.str(), path.filename().string(),
                            std::filesystem::absolute(path, ec).parent_path(), options);
}

}  // namespace ecsim
