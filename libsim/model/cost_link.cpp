// Between the simulation and the cost calculator (include/ecsim/cost.hpp, ecs-reference 13): the
// usage intervals of the run's instances and tasks, and the requests each service served.
#include <set>

#include "ecsim/cost.hpp"

#include "model/simulation_state.hpp"

namespace ecsim::detail {

namespace {

// EC2: billed from launch until the termination order (AWS stops billing once an instance is
// shutting down), or until now.
InstanceUsage usage_of(const Instance& inst, TimePoint now) {
  InstanceUsage u;
  u.id = inst.ec2_id;
  u.instance_type = inst.type.name;
  u.availability_zone = inst.az;
  u.price_per_hour_usd = inst.type.price_per_hour_usd;
  u.vcpu = inst.type.vcpu;
  u.memory_gib = inst.type.memory_gib;
  u.registered_cpu = inst.registered_cpu;
  u.registered_memory_mib = inst.registered_memory;
  u.start = inst.launched_at;
  u.end = inst.terminated_at.value_or(now);
  return u;
}

}  // namespace

double SimulationState::instances_usd(const std::vector<std::size_t>& which) const {
  CostInput input;
  input.prices = scenario_.pricing;
  input.simulated = now_.time_since_epoch();
  for (std::size_t i : which) {
    const Instance& inst = instances_[i];
    if (inst.launched_at > now_) continue;
    input.instances.push_back(usage_of(inst, now_));
  }
  return compute_cost(input).ec2_usd;
}

Json SimulationState::cost_summary() const {
  CostInput input;
  input.prices = scenario_.pricing;
  input.simulated = now_.time_since_epoch();

  // An instance whose launch lies ahead has cost nothing yet.
  std::vector<std::optional<std::size_t>> usage_of_instance(instances_.size());
  for (std::size_t i = 0; i < instances_.size(); ++i) {
    const Instance& inst = instances_[i];
    if (inst.launched_at > now_) continue;
    usage_of_instance[i] = input.instances.size();
    input.instances.push_back(usage_of(inst, now_));
  }

  for (const Task& task : tasks_) {
    TaskUsage u;
    u.group = task.group;
    if (task.service) u.service = services_[*task.service].spec.service_name;
    u.cpu_units = task.footprint.cpu;
    u.memory_mib = task.footprint.memory_mib;
    u.end = task.stopped_at.value_or(now_);
    if (task.fargate) {
      // Billed from the start of the image pull until the task stops (13.1); a task stopped
      // before its pull began is not billed.
      if (!task.pull_started_at) continue;
      u.capacity = task.spot ? TaskCapacity::kFargateSpot : TaskCapacity::kFargate;
      u.start = *task.pull_started_at;
      const RuntimePlatform& platform = task.definition->runtime_platform;
      u.architecture = platform.cpu_architecture.value_or(CpuArchitecture::kX86_64);
      u.windows = platform.is_windows();
      u.ephemeral_storage_gb = task.definition->ephemeral_storage_gib.value_or(20);
    } else {
      // On EC2 a task holds its reservation from placement until it stops.
      if (!task.instance || !usage_of_instance[*task.instance]) continue;
      u.capacity = TaskCapacity::kEc2;
      u.instance = usage_of_instance[*task.instance];
      u.start = task.created_at;
    }
    // CPU use is modelled for tasks behind a load balancer (their targets' work); the first
    // target's, as the service's CPUUtilization metric takes it.
    if (lb_ && task.service && !services_[*task.service].spec.load_balancers.empty()) {
      double micros = task.cpu_used_unit_micros;
      if (!task.targets.empty())
        micros += lb_->target_usage(task.targets.front(), now_).cpu_unit_micros;
      u.cpu_used_unit_seconds = micros / 1e6;
    }
    input.tasks.push_back(std::move(u));
  }

  // Requests that reached each service's target groups (each group counted once per service).
  for (const Service& svc : services_) {
    std::uint64_t requests = 0;
    if (lb_) {
      std::set<std::size_t> groups;
      for (const ServiceLoadBalancerSpec& lb : svc.spec.load_balancers)
        if (auto g = scenario_.load_balancing.find_target_group(lb.target_group)) groups.insert(*g);
      for (std::size_t g : groups)
        requests += lb_->counts(g).arrived;
    }
    input.requests_by_service[svc.spec.service_name] += requests;
  }

  return Json(compute_cost(input).to_json());
}

}  // namespace ecsim::detail
