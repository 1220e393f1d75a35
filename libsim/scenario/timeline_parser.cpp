#include "scenario/timeline_parser.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "ecsim/cluster_query.hpp"
#include "ecsim/ids.hpp"

#include "scenario/capacity_parser.hpp"
#include "scenario/deployment_parser.hpp"
#include "scenario/service_parser.hpp"
#include "taskdef/task_definition_parser.hpp"

namespace ecsim::detail {
namespace {

// ECS limit (ecs-reference 12).
constexpr int kMaxRunTaskCount = 10;

const std::vector<std::string> kModelledActions = {"CreateDeployment",
                                                   "CreateService",
                                                   "DeleteService",
                                                   "DisconnectAgent",
                                                   "FailAvailabilityZone",
                                                   "FailHealthChecks",
                                                   "FailImagePull",
                                                   "InterruptSpotTasks",
                                                   "RecoverAvailabilityZone",
                                                   "RegisterTaskDefinition",
                                                   "RunTask",
                                                   "SetDesiredCapacity",
                                                   "SetTrafficRate",
                                                   "StopTask",
                                                   "TerminateInstance",
                                                   "UpdateContainerInstancesState",
                                                   "UpdateService"};
// Named by the scenario contract; their models arrive with later versions.
const std::vector<std::string> kPlannedActions = {};

// AWS fields that exist on the calls but do not change what ecsim simulates.
void ignore_inert_fields(ObjectReader& r) {
  r.ignore({"cluster", "clientToken", "enableECSManagedTags", "enableExecuteCommand",
            "propagateTags", "tags", "referenceId", "platformVersion", "networkConfiguration",
            "overrides"});
}

TimelineInput read_input(const std::string& action, ObjectReader& in, ObjectReader& entry) {
  ignore_inert_fields(in);
  if (action == "RunTask") {
    RunTaskAction a;
    a.task_definition = in.required_string("taskDefinition");
    a.count = static_cast<int>(in.integer("count", 1, 1, kMaxRunTaskCount));
    a.launch_type =
        in.has("launchType") ? in.enumeration("launchType", "EC2", {"EC2", "FARGATE"}) : "";
    a.group = in.string("group", "");
    a.started_by = in.string("startedBy", "");
    a.placement_strategy = read_placement_strategies(in);
    a.placement_constraints = read_placement_constraints(in);
    a.capacity_provider_strategy = read_capacity_provider_strategy(in, "capacityProviderStrategy");
    if (a.launch_type == "FARGATE" &&
        (!a.placement_strategy.empty() || !a.placement_constraints.empty()))
      in.problem("placementStrategy",
                 "placement strategies and constraints are not supported for "
                 "the Fargate launch type (ecs-reference 4.1)");
    return a;
  }
  if (action == "StopTask") {
    StopTaskAction a;
    a.task = in.string("task", "");
    a.reason = in.string("reason", "Task stopped by user");
    a.group = in.string("group", "");
    a.count = static_cast<int>(in.integer("count", 1, 1, 5000));
    if (a.task.empty() == a.group.empty())
      entry.problem("input",
                    "StopTask needs either \"task\" (a task id or ARN) or \"group\" "
                    "(stop that many running tasks of the group), not both");
    return a;
  }
  if (action == "UpdateContainerInstancesState") {
    UpdateContainerInstancesStateAction a;
    a.container_instances = in.string_list("containerInstances", 10);
    a.status = in.enumeration("status", "DRAINING", {"ACTIVE", "DRAINING"});
    if (!in.has("status")) in.problem("status", "is required: \"ACTIVE\" or \"DRAINING\"");
    if (a.container_instances.empty())
      in.problem("containerInstances", "needs 1 to 10 instance ids or container instance ARNs");
    return a;
  }
  if (action == "TerminateInstance") {
    TerminateInstanceAction a;
    a.instance_id = in.required_string("instanceId");
    return a;
  }
  if (action == "FailHealthChecks") {
    FailHealthChecksAction a;
    a.service = in.required_string("service");
    a.duration = in.optional_duration("duration");
    return a;
  }
  if (action == "FailAvailabilityZone") {
    FailAvailabilityZoneAction a;
    a.availability_zone = in.required_string("availabilityZone");
    a.duration = in.optional_duration("duration");
    return a;
  }
  if (action == "RecoverAvailabilityZone")
    return RecoverAvailabilityZoneAction{in.required_string("availabilityZone")};
  if (action == "DisconnectAgent") {
    DisconnectAgentAction a;
    a.instance_id = in.required_string("instanceId");
    a.duration = in.optional_duration("duration");
    return a;
  }
  if (action == "SetTrafficRate") {
    SetTrafficRateAction a;
    a.source = in.required_string("source");
    if (!in.has("multiplier"))
      in.problem("multiplier", "is required: a factor of the source's rate, 0 to 1000");
    a.multiplier = in.number("multiplier", 1, 0, 1000);
    a.duration = in.optional_duration("duration");
    return a;
  }
  if (action == "FailImagePull") {
    FailImagePullAction a;
    a.image = in.required_string("image");
    a.duration = in.optional_duration("duration");
    return a;
  }
  if (action == "SetDesiredCapacity") {
    SetDesiredCapacityAction a;
    a.auto_scaling_group = in.required_string("AutoScalingGroupName");
    a.desired_capacity = static_cast<int>(in.required_integer("DesiredCapacity", 0, 5000));
    in.ignore({"HonorCooldown"});
    return a;
  }
  if (action == "InterruptSpotTasks") {
    InterruptSpotTasksAction a;
    a.availability_zone = in.string("availabilityZone", "");
    a.service = in.string("service", "");
    if (auto n = in.optional_integer("count", 1, 100'000)) a.count = static_cast<int>(*n);
    a.capacity_unavailable_for = in.optional_duration("capacityUnavailableFor");
    return a;
  }
  if (action == "CreateService") return CreateServiceAction{parse_service(in)};
  if (action == "CreateDeployment") return parse_create_deployment(in);
  if (action == "UpdateService") return parse_update_service(in);
  if (action == "DeleteService") return parse_delete_service(in);
  RegisterTaskDefinitionAction a;
  a.task_definition = parse_task_definition(in);
  return a;
}

}  // namespace

void read_timeline(ObjectReader& root, Scenario& s) {
  root.objects(
      "timeline",
      [&](ObjectReader& entry) {
        TimelineAction t;
        t.pointer = entry.pointer();
        t.at = entry.duration("at", Duration{0});
        if (t.at > s.duration)
          entry.problem("at", format_duration(t.at) + " is after the end of the run (duration " +
                                  format_duration(s.duration) + ")");
        t.action = entry.required_string("action");
        if (t.action.empty()) return;
        if (std::find(kModelledActions.begin(), kModelledActions.end(), t.action) ==
            kModelledActions.end()) {
          if (std::find(kPlannedActions.begin(), kPlannedActions.end(), t.action) !=
              kPlannedActions.end()) {
            entry.problem("action",
                          "\"" + t.action + "\" is not modelled by this version of ecsim yet");
          } else {
            std::vector<std::string> all = kModelledActions;
            std::string msg = "unknown action \"" + t.action + "\"";
            if (auto near = closest_match(t.action, all); !near.empty())
              msg += "; did you mean \"" + near + "\"?";
            else
              msg += "; valid actions are " + [] {
                std::string list;
                for (const auto& a : kModelledActions)
                  list += (list.empty() ? "" : ", ") + a;
                return list;
              }();
            entry.problem("action", msg);
          }
          entry.ignore({"input"});
          return;
        }
        bool had_input = entry.object(
            "input", [&](ObjectReader& in) { t.input = read_input(t.action, in, entry); });
        if (!had_input && !entry.has("input")) {
          entry.problem("input", "is required: the " + t.action + " call's input object");
          return;
        }
        if (had_input) s.timeline.push_back(std::move(t));
      },
      100000);
  std::stable_sort(s.timeline.begin(), s.timeline.end(),
                   [](const TimelineAction& a, const TimelineAction& b) { return a.at < b.at; });
}

void check_references(Diagnostics& diag, Scenario& s) {
  // memberOf expressions in task definitions must parse (ecs-reference 4.3).
  auto check_definition_queries = [&](const TaskDefinition& td, const std::string& ptr) {
    for (std::size_t j = 0; j < td.placement_constraints.size(); ++j) {
      const auto& c = td.placement_constraints[j];
      if (c.type != "memberOf" || c.expression.empty()) continue;  // empty: reported by the parser
      auto query = ClusterQuery::parse(c.expression);
      if (!query)
        diag.add(ptr + "/placementConstraints/" + std::to_string(j) + "/expression", query.error());
    }
  };
  for (std::size_t i = 0; i < s.task_definitions.size(); ++i)
    check_definition_queries(s.task_definitions[i], "/taskDefinitions/" + std::to_string(i));
  for (const TimelineAction& t : s.timeline)
    if (auto* reg = std::get_if<RegisterTaskDefinitionAction>(&t.input))
      check_definition_queries(reg->task_definition, t.pointer + "/input");

  // Families and their revision counts as the run will see them, in time order.
  std::map<std::string, int> revisions;
  for (const auto& td : s.task_definitions)
    ++revisions[td.family];
  std::vector<std::string> families;

  std::set<std::string> instance_ids;
  std::uint64_t ordinal = 0;
  for (const auto& g : s.cluster.container_instances)
    for (int i = 0; i < g.count; ++i)
      instance_ids.insert(ec2_instance_id(++ordinal));
  const std::vector<std::string> id_list(instance_ids.begin(), instance_ids.end());

  for (const auto& g : s.auto_scaling_groups)
    for (int i = 0; i < g.desired_capacity; ++i)
      instance_ids.insert(ec2_instance_id(++ordinal));
  auto check_instance = [&](const std::string& id, const std::string& ptr) {
    if (instance_ids.count(id)) return;
    // Instances an Auto Scaling group launches during the run are looked up when the call runs.
    if (!s.auto_scaling_groups.empty() && id.starts_with("i-")) return;
    std::string msg = "no container instance \"" + id + "\"";
    if (!id_list.empty())
      msg += "; instances are numbered in launch order from " + id_list.front() + " to " +
             id_list.back();
    diag.add(ptr, msg);
  };

  auto check_zone = [&](const std::string& az, const std::string& ptr) {
    const auto& zones = s.cluster.availability_zones;
    if (az.empty() || std::find(zones.begin(), zones.end(), az) != zones.end()) return;
    std::string msg = "no availability zone \"" + az + "\" in the cluster";
    if (auto near = closest_match(az, zones); !near.empty())
      msg += "; did you mean \"" + near + "\"?";
    diag.add(ptr, msg);
  };

  // A task definition named at time `at`: the family must exist and the revision be registered.
  auto check_task_definition = [&](const std::string& ref, const std::string& ptr, Duration at) {
    if (ref.empty()) return;
    const auto colon = ref.rfind(':');
    const std::string family = colon == std::string::npos ? ref : ref.substr(0, colon);
    const auto it = revisions.find(family);
    if (it == revisions.end()) {
      families.clear();
      for (const auto& [f, n] : revisions)
        families.push_back(f);
      std::string msg = "unknown task definition family \"" + family + "\"";
      if (auto near = closest_match(family, families); !near.empty())
        msg += "; did you mean \"" + near + "\"?";
      else if (!families.empty())
        msg += "; registered families at this time: " + [&] {
          std::string list;
          for (const auto& f : families)
            list += (list.empty() ? "" : ", ") + f;
          return list;
        }();
      diag.add(ptr, msg);
      return;
    }
    if (colon == std::string::npos) return;
    const std::string rev = ref.substr(colon + 1);
    const bool numeric =
        !rev.empty() && rev.size() < 8 &&
        std::all_of(rev.begin(), rev.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!numeric || std::stoi(rev) < 1 || std::stoi(rev) > it->second)
      diag.add(ptr, "\"" + ref + "\": revision " + rev + " does not exist at " +
                        format_duration(at) + "; " + family + " has revisions 1 to " +
                        std::to_string(it->second));
  };

  // Services by name, as they exist over time (CreateService adds, DeleteService removes).
  std::set<std::string> services;
  auto add_service = [&](const ServiceSpec& spec, Duration at) {
    check_task_definition(spec.task_definition, spec.pointer + "/taskDefinition", at);
    // Each target group a service names must exist (ecs-reference 9).
    for (std::size_t i = 0; i < spec.load_balancers.size(); ++i) {
      const std::string& tg = spec.load_balancers[i].target_group;
      if (tg.empty() || s.load_balancing.find_target_group(tg)) continue;
      std::vector<std::string> names;
      for (const auto& g : s.load_balancing.target_groups)
        names.push_back(g.name);
      std::string msg = "no target group \"" + tg + "\" in targetGroups";
      if (auto near = closest_match(tg, names); !near.empty())
        msg += "; did you mean \"" + near + "\"?";
      diag.add(spec.pointer + "/loadBalancers/" + std::to_string(i) + "/targetGroupArn", msg);
    }
    if (!spec.service_name.empty() && !services.insert(spec.service_name).second)
      diag.add(spec.pointer + "/serviceName",
               "a service named \"" + spec.service_name + "\" already exists in the cluster");
  };
  auto check_service = [&](const std::string& name, const std::string& ptr) {
    if (name.empty() || services.count(name)) return;
    std::vector<std::string> names(services.begin(), services.end());
    std::string msg = "no service \"" + name + "\" at this time";
    if (auto near = closest_match(name, names); !near.empty())
      msg += "; did you mean \"" + near + "\"?";
    diag.add(ptr, msg);
  };
  for (const ServiceSpec& spec : s.services)
    add_service(spec, Duration{0});

  for (const TimelineAction& t : s.timeline) {
    if (auto* reg = std::get_if<RegisterTaskDefinitionAction>(&t.input)) {
      ++revisions[reg->task_definition.family];
    } else if (auto* run = std::get_if<RunTaskAction>(&t.input)) {
      check_task_definition(run->task_definition, t.pointer + "/input/taskDefinition", t.at);
    } else if (auto* create = std::get_if<CreateServiceAction>(&t.input)) {
      add_service(create->service, t.at);
    } else if (auto* update = std::get_if<UpdateServiceAction>(&t.input)) {
      check_service(update->service, t.pointer + "/input/service");
      if (update->task_definition)
        check_task_definition(*update->task_definition, t.pointer + "/input/taskDefinition", t.at);
    } else if (auto* deploy = std::get_if<CreateDeploymentAction>(&t.input)) {
      check_task_definition(deploy->task_definition,
                            t.pointer + "/input/revision/appSpecContent/content", t.at);
    } else if (auto* spot = std::get_if<InterruptSpotTasksAction>(&t.input)) {
      check_service(spot->service, t.pointer + "/input/service");
    } else if (auto* fail = std::get_if<FailHealthChecksAction>(&t.input)) {
      check_service(fail->service, t.pointer + "/input/service");
    } else if (auto* del = std::get_if<DeleteServiceAction>(&t.input)) {
      check_service(del->service, t.pointer + "/input/service");
      services.erase(del->service);
    } else if (auto* zone = std::get_if<FailAvailabilityZoneAction>(&t.input)) {
      check_zone(zone->availability_zone, t.pointer + "/input/availabilityZone");
    } else if (auto* back = std::get_if<RecoverAvailabilityZoneAction>(&t.input)) {
      check_zone(back->availability_zone, t.pointer + "/input/availabilityZone");
    } else if (auto* agent = std::get_if<DisconnectAgentAction>(&t.input)) {
      if (!agent->instance_id.empty())
        check_instance(agent->instance_id, t.pointer + "/input/instanceId");
    } else if (auto* rate = std::get_if<SetTrafficRateAction>(&t.input)) {
      if (!rate->source.empty() && !s.load_balancing.find_traffic_source(rate->source)) {
        std::vector<std::string> names;
        for (const auto& src : s.load_balancing.traffic)
          names.push_back(src.name);
        std::string msg = "no traffic source \"" + rate->source + "\"";
        if (auto near = closest_match(rate->source, names); !near.empty())
          msg += "; did you mean \"" + near + "\"?";
        diag.add(t.pointer + "/input/source", msg);
      }
    } else if (auto* term = std::get_if<TerminateInstanceAction>(&t.input)) {
      if (!term->instance_id.empty())
        check_instance(term->instance_id, t.pointer + "/input/instanceId");
    } else if (auto* upd = std::get_if<UpdateContainerInstancesStateAction>(&t.input)) {
      for (std::size_t i = 0; i < upd->container_instances.size(); ++i) {
        std::string id = upd->container_instances[i];
        if (id.rfind("arn:", 0) == 0) continue;  // ARNs are resolved at run time
        check_instance(id, t.pointer + "/input/containerInstances/" + std::to_string(i));
      }
    }
  }
}

}  // namespace ecsim::detail
