// EC2 Auto Scaling groups whose instances join the cluster (ecs-reference 8.3): launching to the
// desired capacity across zones, scale-in with managed termination protection and managed
// draining, SetDesiredCapacity, and the group's activity events.
#include <algorithm>
#include <limits>

#include "ecsim/assert.hpp"

#include "model/simulation_state.hpp"

namespace ecsim::detail {

namespace {

InstanceGroupSpec options_of(const AutoScalingGroupSpec& g) {
  InstanceGroupSpec o;
  o.instance_type = g.instance_types.front();
  o.ecs_reserved_memory_mib = g.ecs_reserved_memory_mib;
  o.awsvpc_trunking = g.awsvpc_trunking;
  o.os_type = g.os_type;
  o.ami_id = g.ami_id;
  o.attributes = g.attributes;
  return o;
}

bool in_service(const Instance& inst) {
  return !inst.asg_terminating && inst.status != InstanceStatus::kDeregistering &&
         inst.status != InstanceStatus::kInactive;
}

}  // namespace

void SimulationState::start_auto_scaling_groups() {
  const auto& specs = scenario_.auto_scaling_groups;
  for (std::size_t g = 0; g < specs.size(); ++g) {
    const AutoScalingGroupSpec& spec = specs[g];
    GroupState state;
    state.desired = spec.desired_capacity;
    for (std::size_t p = 0; p < scenario_.cluster.capacity_providers.size(); ++p)
      if (scenario_.cluster.capacity_providers[p].auto_scaling_group == spec.name)
        state.provider = p;
    const InstanceType* first = catalog_.find(spec.instance_types.front());
    ECSIM_ASSERT(first != nullptr, "group instance types were validated at load");
    state.launch_type = *first;
    // Managed scaling estimates with the largest and smallest listed types (8.3).
    for (std::size_t k = 0; k < spec.instance_types.size(); ++k) {
      const InstanceType* type = catalog_.find(spec.instance_types[k]);
      ECSIM_ASSERT(type != nullptr, "group instance types were validated at load");
      const InstanceCapacity c =
          capacity_of(*type, spec.ecs_reserved_memory_mib, spec.awsvpc_trunking);
      auto size = [](const InstanceCapacity& x) { return std::make_pair(x.cpu, x.memory_mib); };
      if (k == 0 || size(c) > size(state.largest)) state.largest = c;
      if (k == 0 || size(c) < size(state.smallest)) state.smallest = c;
    }
    groups_.push_back(std::move(state));
  }
  // The groups' instances at the start are running already, like containerInstances.
  for (std::size_t g = 0; g < groups_.size(); ++g)
    for (int n = 0; n < groups_[g].desired; ++n)
      launch_group_instance(g, true);
  bool managed = false;
  for (const GroupState& g : groups_)
    managed |=
        g.provider && scenario_.cluster.capacity_providers[*g.provider].managed_scaling.enabled;
  if (managed) schedule_in(kMinute, ManagedScalingTick{});
}

int SimulationState::live_group_instances(std::size_t g) const {
  int n = 0;
  for (std::size_t i : groups_[g].instances)
    n += in_service(instances_[i]);
  return n;
}

std::size_t SimulationState::launch_group_instance(std::size_t g, bool active_now) {
  const AutoScalingGroupSpec& spec = scenario_.auto_scaling_groups[g];
  GroupState& state = groups_[g];
  // Zones are kept balanced: the zone with the fewest of the group's instances, skipping failed
  // zones; ties to the first listed.
  std::string zone;
  int fewest = std::numeric_limits<int>::max();
  for (const std::string& az : spec.availability_zones) {
    if (failed_zones_.count(az)) continue;
    int n = 0;
    for (std::size_t i : state.instances)
      n += in_service(instances_[i]) && instances_[i].az == az;
    if (n < fewest) {
      fewest = n;
      zone = az;
    }
  }
  if (zone.empty()) return std::numeric_limits<std::size_t>::max();  // every zone failed
  InstanceGroupSpec options = options_of(spec);
  options.availability_zone = zone;
  if (state.provider)
    options.attributes["ecsim.capacity-provider"] =
        scenario_.cluster.capacity_providers[*state.provider].name;
  options.attributes["ecsim.auto-scaling-group"] = spec.name;
  const std::size_t i = add_instance(state.launch_type, options, now_, active_now);
  instances_[i].asg = g;
  instances_[i].scale_in_protected = spec.new_instances_protected_from_scale_in;
  groups_[g].instances.push_back(i);
  ++groups_[g].launched;
  groups_[g].peak = std::max(groups_[g].peak, live_group_instances(g));
  return i;
}

bool SimulationState::runs_non_daemon_tasks(const Instance& inst) const {
  // Daemon tasks do not make an instance busy (8.3).
  return std::any_of(inst.tasks.begin(), inst.tasks.end(), [&](std::size_t t) {
    const Task& task = tasks_[t];
    return !task.service || services_[*task.service].spec.scheduling_strategy != "DAEMON";
  });
}

void SimulationState::set_group_desired(std::size_t g, int desired, const std::string& cause) {
  const AutoScalingGroupSpec& spec = scenario_.auto_scaling_groups[g];
  groups_[g].desired = std::clamp(desired, spec.min_size, spec.max_size);
  reconcile_group(g, cause);
}

void SimulationState::reconcile_group(std::size_t g, const std::string& cause) {
  GroupState& state = groups_[g];
  int live = live_group_instances(g);
  while (live < state.desired) {
    const std::size_t i = launch_group_instance(g, false);
    if (i == std::numeric_limits<std::size_t>::max()) break;
    group_activity(g, i, true, cause);
    ++live;
  }
  if (live <= state.desired) return;
  // Scale-in: which instances go (the Default termination policy, simplified [INFERRED]): from
  // the zone with the most of the group's instances, the oldest; never a protected one. With
  // managed termination protection an instance is protected while it runs non-daemon tasks.
  const std::optional<std::size_t> p = state.provider;
  const bool managed_protection =
      p && scenario_.cluster.capacity_providers[*p].managed_termination_protection;
  while (live > state.desired) {
    std::map<std::string, int> per_zone;
    for (std::size_t i : state.instances)
      if (in_service(instances_[i])) ++per_zone[instances_[i].az];
    std::optional<std::size_t> victim;
    for (std::size_t i : state.instances) {
      const Instance& inst = instances_[i];
      if (!in_service(inst)) continue;
      const bool is_protected =
          managed_protection ? runs_non_daemon_tasks(inst) : inst.scale_in_protected;
      if (is_protected) continue;
      if (!victim || per_zone[inst.az] > per_zone[instances_[*victim].az]) victim = i;
    }
    if (!victim) {
      // Everything left is protected: the group stays larger than desired until tasks stop.
      state.desired = live;
      return;
    }
    begin_group_termination(*victim, cause);
    --live;
  }
}

void SimulationState::begin_group_termination(std::size_t i, const std::string& cause) {
  Instance& inst = instances_[i];
  inst.asg_terminating = true;
  const std::optional<std::size_t> p = groups_[*inst.asg].provider;
  const bool draining = p && scenario_.cluster.capacity_providers[*p].managed_draining;
  group_activity(*inst.asg, i, false, cause);
  // Managed draining: the instance drains first, so services replace its tasks elsewhere; it
  // terminates when no non-daemon task is left.
  if (draining && runs_non_daemon_tasks(inst)) {
    if (inst.status == InstanceStatus::kActive) set_instance_status(i, InstanceStatus::kDraining);
    return;
  }
  terminate_instance(i);
}

void SimulationState::on_group_instance_check(std::size_t i) {
  const Instance& inst = instances_[i];
  if (!inst.asg_terminating || inst.status == InstanceStatus::kDeregistering ||
      inst.status == InstanceStatus::kInactive || runs_non_daemon_tasks(inst))
    return;
  terminate_instance(i);
}

void SimulationState::group_activity(std::size_t g, std::size_t i, bool launch,
                                     const std::string& cause) {
  // The EventBridge events EC2 Auto Scaling sends for each instance it launches or terminates.
  const Instance& inst = instances_[i];
  Json d;
  d["StatusCode"] = "InProgress";
  d["AutoScalingGroupName"] = scenario_.auto_scaling_groups[g].name;
  d["EC2InstanceId"] = inst.ec2_id;
  d["Cause"] = "At " + iso(now_) + " " + cause + ", " +
               (launch ? "an instance was started" : "an instance was taken out of service") +
               " in response to a difference between desired and actual capacity (desired " +
               std::to_string(groups_[g].desired) + ").";
  d["Details"] = {{"Availability Zone", inst.az}, {"Subnet ID", "subnet-" + inst.az}};
  d["StartTime"] = iso(now_);
  emit(launch ? "EC2 Instance Launch Successful" : "EC2 Instance Terminate Successful",
       std::move(d));
  if (!launch) ++groups_[g].terminated;
}

}  // namespace ecsim::detail
