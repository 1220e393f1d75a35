// ecsim's infrastructure faults (SCENARIO-CONTRACT "Faults and what-ifs"): an availability zone
// that fails and recovers, an agent that disconnects, a traffic source whose rate changes. Their
// effects follow from the model: nothing is placed where the agent cannot be reached, load
// balancer health checks fail for targets that cannot be reached, and the scheduler replaces what
// it sees failing.
//
// An unreachable target is modelled as an application that answers requests and health checks
// with its unhealthy response code (INFERRED: the load balancer sees failures either way; real
// outages show timeouts). Tasks without a load balancer keep running as far as ECS can tell, as
// it cannot reach the agent to learn otherwise.
#include <algorithm>

#include "model/simulation_state.hpp"

namespace ecsim::detail {

bool SimulationState::app_healthy(const Task& task) const {
  if (task.service && unhealthy_services_.count(*task.service)) return false;
  if (failed_zones_.count(task.az)) return false;
  if (task.instance && !instances_[*task.instance].agent_connected &&
      instances_[*task.instance].status != InstanceStatus::kDeregistering)
    return false;
  for (const auto& c : task.definition->container_definitions)
    if (c.essential && !c.simulation.healthy) return false;
  return true;
}

void SimulationState::refresh_app_health(std::size_t t) {
  if (!lb_) return;
  const bool healthy = app_healthy(tasks_[t]);
  for (TargetHandle h : tasks_[t].targets)
    lb_->set_app_healthy(h, healthy, now_);
}

void SimulationState::set_agent(std::size_t i, bool connected) {
  Instance& inst = instances_[i];
  if (inst.agent_connected == connected) return;
  if (inst.status != InstanceStatus::kActive && inst.status != InstanceStatus::kDraining) return;
  inst.agent_connected = connected;
  view_.set_agent_connected(inst.view_index, connected);
  emit_instance_state(i);
  for (std::size_t t : inst.tasks)
    refresh_app_health(t);
}

void SimulationState::fail_zone(const std::string& az) {
  if (!failed_zones_.insert(az).second) return;
  Json d;
  d["availabilityZone"] = az;
  d["state"] = "FAILED";
  emit("ecsim Availability Zone Change", std::move(d));
  for (std::size_t i = 0; i < instances_.size(); ++i)
    if (instances_[i].az == az) set_agent(i, false);
  for (std::size_t t = 0; t < tasks_.size(); ++t)
    if (tasks_[t].az == az && tasks_[t].state != TaskState::kStopped) refresh_app_health(t);
  request_reconcile_all();
}

void SimulationState::recover_zone(const std::string& az) {
  if (!failed_zones_.erase(az)) return;
  Json d;
  d["availabilityZone"] = az;
  d["state"] = "AVAILABLE";
  emit("ecsim Availability Zone Change", std::move(d));
  for (std::size_t i = 0; i < instances_.size(); ++i)
    if (instances_[i].az == az && !disconnected_agents_.count(i)) set_agent(i, true);
  for (std::size_t t = 0; t < tasks_.size(); ++t)
    if (tasks_[t].az == az && tasks_[t].state != TaskState::kStopped) refresh_app_health(t);
  request_reconcile_all();
}

void SimulationState::fire_fault(const TimelineAction& action) {
  if (auto* a = std::get_if<FailAvailabilityZoneAction>(&action.input)) {
    fail_zone(a->availability_zone);
    if (a->duration) {
      fault_zones_.push_back(a->availability_zone);
      schedule_in(*a->duration, FaultEnds{FaultEnds::What::kZoneOutage, fault_zones_.size() - 1});
    }
  } else if (auto* r = std::get_if<RecoverAvailabilityZoneAction>(&action.input)) {
    recover_zone(r->availability_zone);
  } else if (auto* g = std::get_if<DisconnectAgentAction>(&action.input)) {
    if (auto i = find_instance(g->instance_id)) {
      disconnected_agents_.insert(*i);
      set_agent(*i, false);
      request_reconcile_all();
      if (g->duration) schedule_in(*g->duration, FaultEnds{FaultEnds::What::kAgentDisconnect, *i});
    }
  } else if (auto* t = std::get_if<SetTrafficRateAction>(&action.input)) {
    if (!lb_) return;
    auto source = scenario_.load_balancing.find_traffic_source(t->source);
    if (!source) return;
    lb_->set_traffic_rate_multiplier(*source, t->multiplier, now_);
    Json d;
    d["source"] = t->source;
    d["multiplier"] = t->multiplier;
    emit("ecsim Traffic Rate Change", std::move(d));
    if (t->duration) schedule_in(*t->duration, FaultEnds{FaultEnds::What::kTrafficRate, *source});
  }
}

void SimulationState::on_fault_ends(const FaultEnds& e) {
  if (e.what == FaultEnds::What::kZoneOutage) recover_zone(fault_zones_[e.index]);
  if (e.what == FaultEnds::What::kAgentDisconnect) {
    disconnected_agents_.erase(e.index);
    if (!failed_zones_.count(instances_[e.index].az)) set_agent(e.index, true);
    request_reconcile_all();
  }
  if (e.what == FaultEnds::What::kTrafficRate && lb_) {
    lb_->set_traffic_rate_multiplier(e.index, 1.0, now_);
    Json d;
    d["source"] = scenario_.load_balancing.traffic[e.index].name;
    d["multiplier"] = 1.0;
    emit("ecsim Traffic Rate Change", std::move(d));
  }
}

}  // namespace ecsim::detail
