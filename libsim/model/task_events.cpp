// Event details in the shape of the EventBridge events ECS emits ("ECS Task State Change",
// "ECS Container Instance State Change"), with AWS's field names.
#include "ecsim/ids.hpp"

#include "model/simulation_state.hpp"
#include "model/taskdef_access.hpp"

namespace ecsim::detail {

Json SimulationState::task_detail(const Task& task) const {
  Json d;
  d["clusterArn"] = cluster_arn_;
  d["taskArn"] = task.arn;
  d["taskDefinitionArn"] = task.definition_arn;
  d["group"] = task.group;
  if (!task.started_by.empty()) d["startedBy"] = task.started_by;
  d["launchType"] = task.fargate ? "FARGATE" : "EC2";
  if (task.capacity_provider)
    d["capacityProviderName"] = scenario_.cluster.capacity_providers[*task.capacity_provider].name;
  d["lastStatus"] = to_string(task.state);
  d["desiredStatus"] = task.desired_running ? "RUNNING" : "STOPPED";
  if (task.instance) {
    d["containerInstanceArn"] = instances_[*task.instance].arn;
    d["ec2InstanceId"] = instances_[*task.instance].ec2_id;
  }
  d["availabilityZone"] = task.az;
  if (!task.private_ip.empty()) {
    // The task's ENI, as AWS shows it in `attachments`; attached from PENDING, deleted at STOPPED.
    const char* status = task.state == TaskState::kProvisioning     ? "PRECREATED"
                         : task.state == TaskState::kStopped        ? "DELETED"
                         : task.state == TaskState::kDeprovisioning ? "DELETING"
                                                                    : "ATTACHED";
    auto detail = [](const char* name, std::string value) {
      Json j;
      j["name"] = name;
      j["value"] = std::move(value);
      return j;
    };
    Json eni;
    eni["type"] = "eni";
    eni["status"] = status;
    eni["details"] =
        Json::array({detail("subnetId", "subnet-" + task.az),
                     detail("networkInterfaceId", "eni-" + ecs_hex_id(task.ordinal).substr(15)),
                     detail("privateIPv4Address", task.private_ip)});
    d["attachments"] = Json::array({std::move(eni)});
  }
  d["cpu"] = std::to_string(task.footprint.cpu);
  d["memory"] = std::to_string(task.footprint.memory_mib);
  Json containers = Json::array();
  const auto& defs = task.definition->container_definitions;
  for (std::size_t c = 0; c < task.containers.size(); ++c) {
    Json cj;
    cj["name"] = task.containers[c].name;
    cj["image"] = defs[c].image;
    cj["lastStatus"] = task.containers[c].last_status;
    if (task.containers[c].exit_code) cj["exitCode"] = *task.containers[c].exit_code;
    containers.push_back(std::move(cj));
  }
  d["containers"] = std::move(containers);
  if (!task.ports.tcp.empty() || !task.ports.udp.empty()) {
    Json bindings = Json::array();
    for (int p : task.ports.tcp)
      bindings.push_back({{"hostPort", p}, {"protocol", "tcp"}});
    for (int p : task.ports.udp)
      bindings.push_back({{"hostPort", p}, {"protocol", "udp"}});
    d["networkBindings"] = std::move(bindings);
  }
  d["createdAt"] = iso(task.created_at);
  if (task.pull_started_at) d["pullStartedAt"] = iso(*task.pull_started_at);
  if (task.pull_stopped_at && task.state >= TaskState::kRunning)
    d["pullStoppedAt"] = iso(*task.pull_stopped_at);
  if (task.started_at) d["startedAt"] = iso(*task.started_at);
  if (task.stopping_at) d["stoppingAt"] = iso(*task.stopping_at);
  if (task.stopped_at) d["stoppedAt"] = iso(*task.stopped_at);
  if (!task.desired_running) {
    d["stopCode"] = task.stop_code;
    d["stoppedReason"] = task.stopped_reason;
  }
  if (task.has_health_check) d["healthStatus"] = std::string(to_string(task.health));
  d["updatedAt"] = iso(now_);
  d["version"] = task.version;
  return d;
}

Json SimulationState::instance_detail(const Instance& inst) const {
  Json d;
  d["clusterArn"] = cluster_arn_;
  d["containerInstanceArn"] = inst.arn;
  d["ec2InstanceId"] = inst.ec2_id;
  d["status"] = to_string(inst.status);
  d["agentConnected"] = inst.agent_connected;
  d["availabilityZone"] = inst.az;
  d["instanceType"] = inst.type.name;
  auto resources = [&](std::int64_t cpu, std::int64_t mem) {
    return Json::array({{{"name", "CPU"}, {"type", "INTEGER"}, {"integerValue", cpu}},
                        {{"name", "MEMORY"}, {"type", "INTEGER"}, {"integerValue", mem}}});
  };
  d["registeredResources"] = resources(inst.registered_cpu, inst.registered_memory);
  d["remainingResources"] =
      resources(view_.remaining_cpu(inst.view_index), view_.remaining_memory(inst.view_index));
  d["runningTasksCount"] = static_cast<std::int64_t>(inst.tasks.size());
  Json attributes = Json::array();
  for (const auto& [name, value] : inst.attributes)
    attributes.push_back({{"name", name}, {"value", value}});
  d["attributes"] = std::move(attributes);
  if (inst.registered_at) d["registeredAt"] = iso(*inst.registered_at);
  d["updatedAt"] = iso(now_);
  return d;
}

void SimulationState::emit_task_state(std::size_t t) {
  if (!on_event.has_slots()) return;
  emit("ECS Task State Change", task_detail(tasks_[t]));
}

}  // namespace ecsim::detail
