// Container instances: launch, boot, registration, draining, termination (ecs-reference 3).
#include "ecsim/assert.hpp"
#include "ecsim/ids.hpp"

#include "model/simulation_state.hpp"

namespace ecsim::detail {

namespace {

ClusterView::Status view_status(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::kActive:
      return ClusterView::Status::kActive;
    case InstanceStatus::kDraining:
      return ClusterView::Status::kDraining;
    case InstanceStatus::kDeregistering:
      return ClusterView::Status::kDeregistering;
    case InstanceStatus::kInactive:
      return ClusterView::Status::kInactive;
    case InstanceStatus::kLaunching:
    case InstanceStatus::kRegistering:
      return ClusterView::Status::kRegistering;
  }
  return ClusterView::Status::kInactive;
}

}  // namespace

void SimulationState::launch_instances() {
  for (const InstanceType& t : scenario_.instance_types)
    catalog_.upsert(t);
  for (const InstanceGroupSpec& group : scenario_.cluster.container_instances) {
    const InstanceType* type = catalog_.find(group.instance_type);
    ECSIM_ASSERT(type != nullptr, "instance type was validated at load");
    // Instances without launchAt form the cluster as it stands when the scenario begins: they
    // are ACTIVE at time zero. With launchAt they boot, then register (ecs-reference 11).
    const bool active_now = group.launch_at.count() == 0 && !group.launch_explicit;
    for (int n = 0; n < group.count; ++n)
      add_instance(*type, group, TimePoint(group.launch_at), active_now);
  }
}

std::size_t SimulationState::add_instance(const InstanceType& type, const InstanceGroupSpec& group,
                                          TimePoint launch_at, bool active_now) {
  Instance inst;
  const std::uint64_t ordinal = ++instance_ordinal_;
  inst.ec2_id = ec2_instance_id(ordinal);
  inst.arn = "arn:aws:ecs:" + scenario_.region + ":" + scenario_.account_id +
             ":container-instance/" + scenario_.cluster.cluster_name + "/" + ecs_hex_id(ordinal);
  inst.type = type;
  inst.az = group.availability_zone;
  inst.registered_cpu = type.registered_cpu_units();
  inst.registered_memory = type.registered_memory_mib(group.ecs_reserved_memory_mib);
  // ENI trunking applies only where the type supports it (ecs-reference 2.4).
  inst.eni_slots = group.awsvpc_trunking && type.supports_trunking() ? type.awsvpc_tasks_trunk
                                                                     : type.awsvpc_tasks_no_trunk;
  // Built-in attributes (ecs-reference 4.3), then the scenario's custom ones.
  inst.attributes = group.attributes;
  inst.attributes["ecs.availability-zone"] = inst.az;
  inst.attributes["ecs.instance-type"] = type.name;
  inst.attributes["ecs.os-type"] = group.os_type;
  inst.attributes["ecs.cpu-architecture"] = std::string(to_string(type.architecture));
  inst.attributes["ecs.ami-id"] = group.ami_id;
  inst.attributes["ecs.vpc-id"] = "vpc-ecsim";
  inst.attributes["ecs.subnet-id"] = "subnet-" + inst.az;
  if (group.awsvpc_trunking && type.supports_trunking())
    inst.attributes["ecs.awsvpc-trunk-id"] = "eni-trunk-" + ecs_hex_id(ordinal).substr(20);
  inst.launched_at = launch_at;

  InstanceInfo info;
  info.id = inst.ec2_id;
  info.availability_zone = inst.az;
  info.cpu = inst.registered_cpu;
  info.memory_mib = inst.registered_memory;
  info.eni_slots = inst.eni_slots;
  info.attributes = inst.attributes;
  // Lets the daemon scheduler pin a task to one instance with an ordinary memberOf.
  info.attributes["ecsim.instance-id"] = inst.ec2_id;
  info.status = ClusterView::Status::kRegistering;
  info.agent_connected = false;
  inst.view_index = view_.add_instance(info);

  const std::size_t index = instances_.size();
  metrics_.add_instance(inst.ec2_id, now_);
  instances_.push_back(std::move(inst));
  if (active_now) {
    instances_[index].registered_at = now_;
    instances_[index].agent_connected = true;
    view_.set_agent_connected(instances_[index].view_index, true);
    set_instance_status(index, InstanceStatus::kActive);
  } else {
    queue_.schedule(launch_at + scenario_.timing.instance_boot, InstanceBooted{index},
                    kPriorityModel);
  }
  return index;
}

void SimulationState::on_instance_booted(std::size_t i) {
  if (instances_[i].status != InstanceStatus::kLaunching) return;  // terminated while booting
  instances_[i].agent_connected = true;
  view_.set_agent_connected(instances_[i].view_index, true);
  set_instance_status(i, InstanceStatus::kRegistering);
  schedule_in(scenario_.timing.agent_registration, InstanceRegistered{i});
}

void SimulationState::on_instance_registered(std::size_t i) {
  if (instances_[i].status != InstanceStatus::kRegistering) return;
  instances_[i].registered_at = now_;
  set_instance_status(i, InstanceStatus::kActive);
  schedule_waiting_pass();  // tasks waiting for their capacity provider may fit now
}

void SimulationState::on_instance_shut_down(std::size_t i) {
  set_instance_status(i, InstanceStatus::kInactive);
}

void SimulationState::set_instance_status(std::size_t i, InstanceStatus status) {
  Instance& inst = instances_[i];
  if (inst.status == status) return;
  draining_instances_ +=
      (status == InstanceStatus::kDraining) - (inst.status == InstanceStatus::kDraining);
  inst.status = status;
  view_.set_status(inst.view_index, view_status(status));
  touch_metrics(i);
  emit_instance_state(i);
  request_reconcile_all();  // services place on, or leave, instances as their status changes
}

void SimulationState::emit_instance_state(std::size_t i) {
  emit("ECS Container Instance State Change", instance_detail(instances_[i]));
}

void SimulationState::terminate_instance(std::size_t i) {
  Instance& inst = instances_[i];
  if (inst.status == InstanceStatus::kDeregistering || inst.status == InstanceStatus::kInactive)
    return;
  inst.terminated_at = now_;
  // The host is gone: its tasks stop at once, without a graceful stop (INFERRED stop code, see
  // docs/model.md: ECS documents no code for a lost host; TerminationNotice is the closest name).
  const std::vector<std::size_t> on_host(inst.tasks.begin(), inst.tasks.end());
  for (std::size_t t : on_host)
    kill_task_now(t, "TerminationNotice", "Host EC2 (instance " + inst.ec2_id + ") terminated.");
  inst.agent_connected = false;
  view_.set_agent_connected(inst.view_index, false);
  set_instance_status(i, InstanceStatus::kDeregistering);
  schedule_in(scenario_.timing.instance_shutdown, InstanceShutDown{i});
  // Its Auto Scaling group replaces an instance it did not mean to lose.
  if (inst.asg && !inst.asg_terminating)
    reconcile_group(*inst.asg, "an instance was taken out of service");
}

std::optional<std::size_t> SimulationState::find_instance(const std::string& id_or_arn) const {
  for (std::size_t i = 0; i < instances_.size(); ++i)
    if (instances_[i].ec2_id == id_or_arn || instances_[i].arn == id_or_arn) return i;
  return std::nullopt;
}

}  // namespace ecsim::detail
