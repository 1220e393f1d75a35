// Blue/green, linear and canary deployments (ecs-reference 7): ECS-native strategies and the
// CODE_DEPLOY controller.
//
// The blue revision keeps running while the green one scales up in the other target group of the
// pair. Once every green task is healthy, test traffic and then production traffic move to the
// green target group through the listeners' weighted forward actions (all at once, in linear
// steps, or a canary share first), so requests really are served by both revisions in the shifted
// proportions. After the bake time (native) or the termination wait (CodeDeploy), the blue
// revision is scaled down. A green revision that keeps failing, or a watched alarm, fails the
// deployment; with rollback, traffic returns to blue and the green tasks stop.
#include <algorithm>

#include "ecsim/assert.hpp"

#include "model/request_tag.hpp"
#include "model/simulation_state.hpp"

namespace ecsim::detail {

namespace {

// Lifecycle stage names: ECS's (7.2), or CodeDeploy's lifecycle events for ECS (7.1).
enum class Stage {
  kPreScaleUp,
  kScaleUp,
  kPostScaleUp,
  kTestTrafficShift,
  kPostTestTrafficShift,
  kBeforeProductionShift,
  kProductionTrafficShift,
  kPostProductionTrafficShift,
  kBakeTime,
  kCleanUp
};

const char* stage_name(Stage stage, bool code_deploy) {
  switch (stage) {
    case Stage::kPreScaleUp:
      return code_deploy ? "BeforeInstall" : "PRE_SCALE_UP";
    case Stage::kScaleUp:
      return code_deploy ? "Install" : "SCALE_UP";
    case Stage::kPostScaleUp:
      return code_deploy ? "AfterInstall" : "POST_SCALE_UP";
    case Stage::kTestTrafficShift:
      return code_deploy ? "AllowTestTraffic" : "TEST_TRAFFIC_SHIFT";
    case Stage::kPostTestTrafficShift:
      return code_deploy ? "AfterAllowTestTraffic" : "POST_TEST_TRAFFIC_SHIFT";
    case Stage::kBeforeProductionShift:
      return code_deploy ? "BeforeAllowTraffic" : nullptr;  // ECS has no such stage
    case Stage::kProductionTrafficShift:
      return code_deploy ? "AllowTraffic" : "PRODUCTION_TRAFFIC_SHIFT";
    case Stage::kPostProductionTrafficShift:
      return code_deploy ? "AfterAllowTraffic" : "POST_PRODUCTION_TRAFFIC_SHIFT";
    case Stage::kBakeTime:
      return code_deploy ? "WaitBeforeTermination" : "BAKE_TIME";
    case Stage::kCleanUp:
      return code_deploy ? "TerminateOriginalTaskSet" : "CLEAN_UP";
  }
  return "?";
}

}  // namespace

const char* strategy_name(const Deployment& d, const ServiceSpec& spec) {
  if (d.code_deploy) return "CODE_DEPLOY";
  if (!d.blue_green) return "ROLLING";
  return spec.deployment_configuration.strategy.c_str();
}

std::size_t SimulationState::target_group_of(const ServiceLoadBalancerSpec& lb, int slot) const {
  const std::string& name =
      slot == 1 && !lb.alternate_target_group.empty() ? lb.alternate_target_group : lb.target_group;
  auto group = scenario_.load_balancing.find_target_group(name);
  ECSIM_ASSERT(group.has_value(), "service target group was validated at load");
  return *group;
}

void SimulationState::enter_stage(std::size_t s, std::size_t d, const std::string& stage) {
  Service& svc = services_[s];
  Deployment& dep = svc.deployments[d];
  dep.stage = stage;
  dep.stages.emplace_back(now_, stage);
  Json detail;
  detail["clusterArn"] = cluster_arn_;
  detail["serviceArn"] = svc.arn;
  detail["deploymentId"] = dep.id;
  if (dep.code_deploy) detail["codeDeployDeploymentId"] = dep.code_deploy_id;
  detail["strategy"] = strategy_name(dep, svc.spec);
  detail["lifecycleStage"] = stage;
  detail["productionTrafficOnGreenPercent"] = dep.green_permille / 10.0;
  emit("ecsim Deployment Lifecycle Stage", std::move(detail));
}

void SimulationState::code_deploy_event(std::size_t s, std::size_t d, const std::string& state) {
  const Service& svc = services_[s];
  const Deployment& dep = svc.deployments[d];
  const CodeDeployGroupSpec* group = nullptr;
  for (const auto& g : scenario_.code_deploy.deployment_groups)
    if (g.service == svc.spec.service_name) group = &g;
  Json detail;
  detail["region"] = scenario_.region;
  detail["deploymentId"] = dep.code_deploy_id;
  detail["application"] = group ? group->application : "";
  detail["deploymentGroup"] = group ? group->name : "";
  detail["state"] = state;
  if (state == "FAILURE" && !dep.reason.empty()) detail["reason"] = dep.reason;
  emit("CodeDeploy Deployment State-change Notification", std::move(detail));
}

void SimulationState::schedule_deployment_timer(std::size_t s, std::size_t d, Duration delay) {
  Deployment& dep = services_[s].deployments[d];
  schedule_in(delay, DeploymentTimer{s, d, ++dep.timer_generation});
}

void SimulationState::begin_blue_green(std::size_t s, std::size_t d) {
  Deployment& dep = services_[s].deployments[d];
  if (dep.code_deploy) code_deploy_event(s, d, "START");
  enter_stage(s, d, stage_name(Stage::kPreScaleUp, dep.code_deploy));
  // Both target groups of the pair on the listeners, green at weight 0: the green targets are
  // health checked (a group no listener uses has only `unused` targets, 9.3) but get no traffic.
  shift_traffic(s, d, 0, false);
  shift_traffic(s, d, 0, true);
  enter_stage(s, d, stage_name(Stage::kScaleUp, dep.code_deploy));
  dep.phase = Deployment::Phase::kScaleUp;
}

void SimulationState::shift_traffic(std::size_t s, std::size_t d, int green_permille,
                                    bool test_listener) {
  Service& svc = services_[s];
  Deployment& dep = svc.deployments[d];
  if (!lb_ || !dep.blue) return;
  const Deployment& blue = svc.deployments[*dep.blue];
  const LoadBalancingSpec& spec = lb_->spec();
  for (const ServiceLoadBalancerSpec& l : svc.spec.load_balancers) {
    const std::size_t blue_group = target_group_of(l, blue.target_group_slot);
    const std::size_t green_group = target_group_of(l, dep.target_group_slot);
    // The listeners that shift: the one named, else every listener of the right kind that
    // forwards to either group of the pair.
    std::vector<std::pair<std::size_t, std::size_t>> listeners;
    const std::string& named = test_listener ? l.test_listener : l.production_listener;
    if (!named.empty()) {
      if (auto found = spec.find_listener(named)) listeners.push_back(*found);
    } else {
      for (std::size_t b = 0; b < spec.load_balancers.size(); ++b)
        for (std::size_t i = 0; i < spec.load_balancers[b].listeners.size(); ++i) {
          const ListenerSpec& listener = spec.load_balancers[b].listeners[i];
          if (listener.test_listener != test_listener) continue;
          const bool pairs = std::any_of(
              listener.forward.begin(), listener.forward.end(), [&](const ForwardTargetGroup& f) {
                return f.target_group == blue_group || f.target_group == green_group;
              });
          if (pairs) listeners.emplace_back(b, i);
        }
    }
    // Weights 0-999 (9.5): tenths of a percent, with 0 and 100 % as 1:0.
    std::vector<ForwardTargetGroup> forward;
    if (green_permille <= 0)
      forward = {{blue_group, 1}, {green_group, 0}};
    else if (green_permille >= 1000)
      forward = {{blue_group, 0}, {green_group, 1}};
    else
      forward = {{blue_group, 1000 - green_permille}, {green_group, green_permille}};
    for (const auto& [b, i] : listeners) {
      lb_->set_forward_weights(b, i, forward, now_);
      Json detail;
      detail["clusterArn"] = cluster_arn_;
      detail["serviceArn"] = svc.arn;
      detail["deploymentId"] = dep.id;
      detail["listener"] = spec.load_balancers[b].name + ":" +
                           std::to_string(spec.load_balancers[b].listeners[i].port);
      detail["listenerType"] = test_listener ? "TEST" : "PRODUCTION";
      Json groups = Json::array();
      for (const ForwardTargetGroup& f : forward)
        groups.push_back(
            {{"targetGroupArn", lb_->target_group_arn(f.target_group)}, {"weight", f.weight}});
      detail["targetGroups"] = std::move(groups);
      detail["greenPercent"] = std::clamp(green_permille, 0, 1000) / 10.0;
      emit("ecsim Traffic Shift", std::move(detail));
    }
  }
  if (!test_listener) dep.green_permille = std::clamp(green_permille, 0, 1000);
}

void SimulationState::reconcile_blue_green(std::size_t s) {
  Service& svc = services_[s];
  const std::size_t green = svc.primary;
  Deployment& dep = svc.deployments[green];
  const int desired = svc.status == "ACTIVE" ? svc.spec.desired_count : 0;
  const std::string reason = "Scaling activity initiated by (deployment " + dep.id + ")";
  // Each revision's own count: green and blue both at the desired count until clean-up; a failed
  // green that is not rolled back keeps both (held) [INFERRED]. Older revisions go.
  auto wanted = [&](std::size_t d) {
    if (d == green) return dep.rollout == RolloutState::kFailed && !dep.held ? 0 : desired;
    if (dep.blue && d == *dep.blue) return dep.cleaning_up ? 0 : desired;
    return 0;
  };
  int healthy = 0, live = 0;
  for (std::size_t d = 0; d < svc.deployments.size(); ++d) {
    std::vector<std::size_t> keep;
    bool any = false;
    for (std::size_t t : svc.tasks) {
      const Task& task = tasks_[t];
      if (task.deployment != d || task.state == TaskState::kStopped) continue;
      any = true;
      ++live;
      if (!task.desired_running) continue;
      healthy += counted_healthy(task);
      const bool on_draining = on_draining_instance(task);
      if (on_draining) {
        stop_service_task(
            t, "Service " + svc.spec.service_name + ": container instance is in DRAINING state");
      } else if (auto why = replacement_reason(task)) {
        stop_service_task(t, *why);
      } else {
        keep.push_back(t);
      }
    }
    const int want = wanted(d);
    if (!any && want == 0) continue;
    if (static_cast<int>(keep.size()) > want)
      scale_in(s, keep, static_cast<int>(keep.size()) - want, reason);
    int missing = want - static_cast<int>(keep.size());
    if (missing > 0 && now_ < svc.next_start_allowed) {
      request_reconcile(s, svc.next_start_allowed - now_);
      missing = 0;
    }
    for (; missing > 0; --missing) {
      if (!start_service_task(s, std::nullopt, d)) break;
      ++live;
    }
  }
  if (dep.rollout == RolloutState::kInProgress) {
    dep.min_healthy_seen =
        dep.min_healthy_seen < 0 ? healthy : std::min(dep.min_healthy_seen, healthy);
    dep.peak_tasks = std::max(dep.peak_tasks, live);
  }
  check_deployment_progress(s);
}

void SimulationState::advance_blue_green(std::size_t s) {
  Service& svc = services_[s];
  const std::size_t d = svc.primary;
  Deployment& dep = svc.deployments[d];
  if (!dep.blue_green || dep.rollout != RolloutState::kInProgress) return;
  const int desired = svc.status == "ACTIVE" ? svc.spec.desired_count : 0;
  int green_healthy = 0, green_live = 0, blue_live = 0;
  for (std::size_t t : svc.tasks) {
    const Task& task = tasks_[t];
    if (task.state == TaskState::kStopped) continue;
    if (task.deployment == d && task.desired_running) {
      ++green_live;
      green_healthy += counted_healthy(task);
    }
    if (dep.blue && task.deployment == *dep.blue) ++blue_live;
  }
  if (dep.phase == Deployment::Phase::kScaleUp) {
    // Traffic moves only once the green revision is fully up and healthy (7.1, 7.2).
    if (green_live != desired || green_healthy != desired) return;
    enter_stage(s, d, stage_name(Stage::kPostScaleUp, dep.code_deploy));
    enter_stage(s, d, stage_name(Stage::kTestTrafficShift, dep.code_deploy));
    shift_traffic(s, d, 1000, true);
    enter_stage(s, d, stage_name(Stage::kPostTestTrafficShift, dep.code_deploy));
    if (dep.code_deploy) enter_stage(s, d, stage_name(Stage::kBeforeProductionShift, true));
    dep.phase = Deployment::Phase::kShifting;
    const int first = dep.shift.kind == TrafficShiftSpec::Kind::kAllAtOnce
                          ? 1000
                          : std::min(1000, dep.shift.step_permille);
    shift_traffic(s, d, first, false);
    enter_stage(s, d, stage_name(Stage::kProductionTrafficShift, dep.code_deploy));
    if (first < 1000)
      schedule_deployment_timer(s, d, dep.shift.interval);
    else
      schedule_deployment_timer(s, d, Duration{0});
    return;
  }
  if (dep.phase == Deployment::Phase::kCleanUp && blue_live == 0) {
    dep.rollout = RolloutState::kCompleted;
    dep.finished_at = now_;
    close_deployment_figures(s, d);
    if (dep.blue) svc.deployments[*dep.blue].status = DeploymentStatus::kInactive;
    deployment_event(s, d, "SERVICE_DEPLOYMENT_COMPLETED");
    if (dep.code_deploy) code_deploy_event(s, d, "SUCCESS");
  }
}

void SimulationState::on_deployment_timer(const DeploymentTimer& timer) {
  Service& svc = services_[timer.service];
  Deployment& dep = svc.deployments[timer.deployment];
  if (timer.generation != dep.timer_generation || dep.rollout != RolloutState::kInProgress ||
      timer.deployment != svc.primary)
    return;
  const std::size_t s = timer.service, d = timer.deployment;
  if (dep.phase == Deployment::Phase::kShifting) {
    if (dep.green_permille < 1000) {
      // Linear: the next equal step; canary: the rest at once (7.1, 7.2).
      const int next = dep.shift.kind == TrafficShiftSpec::Kind::kLinear
                           ? std::min(1000, dep.green_permille + dep.shift.step_permille)
                           : 1000;
      shift_traffic(s, d, next, false);
      schedule_deployment_timer(s, d, next < 1000 ? dep.shift.interval : Duration{0});
      return;
    }
    // All production traffic is on green: bake (both revisions up) or wait before terminating.
    enter_stage(s, d, stage_name(Stage::kPostProductionTrafficShift, dep.code_deploy));
    enter_stage(s, d, stage_name(Stage::kBakeTime, dep.code_deploy));
    dep.phase = Deployment::Phase::kWaiting;
    schedule_deployment_timer(s, d, dep.wait_after_shift);
    return;
  }
  if (dep.phase == Deployment::Phase::kWaiting) {
    enter_stage(s, d, stage_name(Stage::kCleanUp, dep.code_deploy));
    dep.phase = Deployment::Phase::kCleanUp;
    dep.cleaning_up = true;
    request_reconcile(s);
  }
}

void SimulationState::fail_blue_green(std::size_t s, std::size_t d, const std::string& reason,
                                      bool rollback) {
  Service& svc = services_[s];
  Deployment& dep = svc.deployments[d];
  if (dep.rollout == RolloutState::kInProgress) {
    dep.rollout = RolloutState::kFailed;
    dep.finished_at = now_;
    dep.reason = reason;
    ++dep.timer_generation;  // no more shifts
    close_deployment_figures(s, d);
    deployment_event(s, d, "SERVICE_DEPLOYMENT_FAILED");
    if (dep.code_deploy) code_deploy_event(s, d, "FAILURE");
  }
  if (!rollback || !dep.blue) {
    dep.held = true;  // traffic stays where it is, both revisions keep running
    request_reconcile(s);
    return;
  }
  dep.held = false;
  // Production and test traffic back to blue; the green tasks are scaled down.
  shift_traffic(s, d, 0, true);
  shift_traffic(s, d, 0, false);
  enter_stage(s, d, "ROLLBACK");
  Deployment& blue = svc.deployments[*dep.blue];
  blue.status = DeploymentStatus::kPrimary;
  dep.status = DeploymentStatus::kActive;
  svc.primary = *dep.blue;
  svc.steady = false;
  request_reconcile(s);
}

void SimulationState::create_deployment(const CreateDeploymentAction& a,
                                        const TimelineAction& where) {
  const CodeDeployGroupSpec* group = nullptr;
  for (const auto& g : scenario_.code_deploy.deployment_groups)
    if (g.name == a.deployment_group) group = &g;
  ECSIM_ASSERT(group != nullptr, "deployment group was validated at load");
  auto s = find_service(group->service);
  if (!s) {
    report_api_failure(
        where,
        Json::array({{{"reason", "ECSServiceMappingLimitExceeded"},
                      {"detail", "service " + group->service + " does not exist at this time"}}}));
    return;
  }
  const Service& svc = services_[*s];
  const Deployment& current = svc.deployments[svc.primary];
  // CodeDeploy runs one deployment per group at a time.
  if (current.code_deploy && current.rollout == RolloutState::kInProgress) {
    report_api_failure(where, Json::array({{{"reason", "DeploymentLimitExceededException"},
                                            {"detail", "deployment " + current.code_deploy_id +
                                                           " is already in progress"}}}));
    return;
  }
  auto resolved = registry_.resolve(a.task_definition);
  ECSIM_ASSERT(resolved.ok(), "CreateDeployment task definition was validated at load");
  const std::string config_name = a.deployment_config.value_or(group->deployment_config);
  std::optional<TrafficShiftSpec> shift = predefined_codedeploy_config(config_name);
  for (const auto& c : scenario_.code_deploy.deployment_configs)
    if (c.name == config_name) shift = c.shift;
  ECSIM_ASSERT(shift.has_value(), "deployment configuration was validated at load");
  start_deployment(*s, *resolved, "", group, &*shift);
}

void SimulationState::on_request_finished(const RequestFinished& r) {
  if (r.status_code >= 400 && r.target_group < services_by_target_group_.size())
    for (std::size_t s : services_by_target_group_[r.target_group])
      ++services_[s].requests_failed;
  // The target's tag names its task's service and deployment (request_tag.hpp).
  if (!r.target.valid() || r.target_tag == 0) return;
  const std::size_t service = tag_service(r.target_tag);
  const std::int64_t second = r.finished.time_since_epoch().count() / 1000000;
  if (service >= last_served_.size()) last_served_.resize(services_.size());
  LastServed& last = last_served_[service];
  if (last.tag == r.target_tag && last.second == second) return;  // recorded already
  last = {r.target_tag, second};
  Deployment& dep = services_[service].deployments[tag_deployment(r.target_tag)];
  auto& runs = dep.served_seconds;
  if (!runs.empty() && second <= runs.back().second + 1)
    runs.back().second = std::max(runs.back().second, second);
  else
    runs.emplace_back(second, second);
}

}  // namespace ecsim::detail
