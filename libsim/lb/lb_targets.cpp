// Targets: registration, health checks and their state machine (ecs-reference 9.3), fail-open
// routing sets (9.4), slow start (9.2), draining (9.6), anomaly mitigation (9.1).
#include <algorithm>

#include "ecsim/assert.hpp"

#include "lb/lb_impl.hpp"

namespace ecsim {

using detail::GroupState;
using detail::kHealthCheckSource;
using detail::kNoIndex;
using detail::Phase;
using detail::Request;
using detail::Target;

namespace {

constexpr std::int64_t kAnomalyInterval = 5'000'000;
// INFERRED anomaly mitigation (9.1 documents only "down to the minimum needed" and a gradual
// ramp back): an anomalous target's weight halves every interval down to this floor.
constexpr double kMinimumAnomalyWeight = 1.0 / 16;
constexpr double kAnomalousErrorShare = 0.10;

bool registered(TargetState s) {
  return s == TargetState::kInitial || s == TargetState::kHealthy || s == TargetState::kUnhealthy;
}

}  // namespace

TargetHandle LoadBalancing::Impl::register_target(std::size_t group, TargetInfo info,
                                                  std::int64_t now) {
  ECSIM_ASSERT(group < groups_.size(), "register_target: no such target group");
  GroupState& g = groups_[group];
  if (auto it = g.by_task.find(info.task_key); it != g.by_task.end())
    return TargetHandle{it->second};  // AWS ignores a repeated RegisterTargets
  ECSIM_ASSERT(targets_.size() < kNoIndex - 1, "too many targets");
  const auto t = static_cast<std::uint32_t>(targets_.size());
  Target& x = targets_.emplace_back();
  route_.emplace_back();
  x.set_application(info.application.value_or(g.spec->application));
  x.tag = info.tag;
  x.info = std::move(info);
  x.cpu_units = x.info.cpu_units;
  x.app_healthy = x.info.app_healthy;
  x.group = static_cast<std::uint32_t>(group);
  x.registered_at = now;
  x.usage_at = now;
  x.vtime_at = now;
  // Processor sharing only where the CPU can be saturated; elsewhere each completion is one event.
  x.sharing =
      x.cpu_units > 0 && static_cast<std::int64_t>(x.app.workers) * max_request_cpu_ > x.cpu_units;
  // ecs-reference 9.2: targets registered into an empty group in one registration do not enter
  // slow start.
  if (g.by_task.empty() || g.exempt_batch_at == now) {
    x.slow_start_exempt = true;
    g.exempt_batch_at = now;
  }
  g.targets.push_back(t);
  g.by_task.emplace(x.info.task_key, t);
  x.state = TargetState::kUnused;  // "no previous state" in the change record
  states_.push_back(x.state);
  x.reason = TargetReason::kNone;
  registering_ = true;
  if (g.in_use) {
    set_state(t, TargetState::kInitial, TargetReason::kRegistrationInProgress, now);
    schedule_first_check(t, now);
  } else {
    set_state(t, TargetState::kUnused, TargetReason::kNotInUse, now);
  }
  registering_ = false;
  return TargetHandle{t};
}

void LoadBalancing::Impl::schedule_first_check(std::uint32_t t, std::int64_t now) {
  Target& x = targets_[t];
  GroupState& g = groups_[x.group];
  ++x.health_generation;
  x.check_pending = false;
  x.ok_streak = x.fail_streak = 0;
  // The first check comes within one interval of registration, at a phase of the ALB's own
  // (INFERRED; section 11: healthy within about one interval).
  const std::int64_t interval = g.spec->health_check.interval.count();
  const std::int64_t offset = uniform_int(g.health_rng, 1, interval);
  schedule(now + offset, LbHealthCheck{t, x.health_generation});
}

void LoadBalancing::Impl::on_health_check(const LbHealthCheck& e, std::int64_t now) {
  Target& x = targets_[e.target];
  if (e.generation != x.health_generation) return;
  const GroupState& g = groups_[x.group];
  const HealthCheckSpec& h = g.spec->health_check;
  schedule(now + h.interval.count(), LbHealthCheck{e.target, x.health_generation});
  if (x.state == TargetState::kInitial && x.reason == TargetReason::kRegistrationInProgress)
    set_state(e.target, TargetState::kInitial, TargetReason::kInitialHealthChecking, now);
  const std::uint32_t check = ++x.check_seq;
  x.check_pending = true;
  if (!x.alive || !x.accepting) {  // connection refused
    check_result(e.target, false, TargetReason::kFailedHealthChecks, 0, now);
    return;
  }
  if (!x.app_healthy) {
    health_check_answered(e.target, check, x.app.unhealthy_response_code, now);
    return;
  }
  // The check is a request through the task's own workers and queue.
  const std::uint32_t slot = allocate_request();
  Request& q = requests_[slot];
  q.arrived = now;
  q.enqueued = now;
  q.work = x.app.health_check_service_time.count();
  q.target = e.target;
  q.source = kHealthCheckSource;
  q.check = check;
  q.cpu = 0;
  q.load_balancer = 0;
  q.target_group = static_cast<std::uint16_t>(x.group);
  q.lb_done = true;  // no client waits for it
  q.fails = false;
  hold(x, e.target, slot, now);
  if (admit(e.target, slot, now))
    schedule(now + h.timeout.count(), LbHealthCheckTimeout{e.target, check});
}

void LoadBalancing::Impl::on_health_check_timeout(const LbHealthCheckTimeout& e, std::int64_t now) {
  const Target& x = targets_[e.target];
  if (!x.check_pending || e.check != x.check_seq) return;
  check_result(e.target, false, TargetReason::kTimeout, 0, now);
}

void LoadBalancing::Impl::health_check_answered(std::uint32_t t, std::uint32_t check, int code,
                                                std::int64_t now) {
  const Target& x = targets_[t];
  if (!x.check_pending || check != x.check_seq) return;  // late: the timeout already failed it
  const bool ok = groups_[x.group].spec->health_check.matches(code);
  check_result(t, ok, TargetReason::kResponseCodeMismatch, code, now);
}

// ecs-reference 9.3: `initial` needs one passing check; otherwise the state changes on reaching
// the threshold counts of consecutive results (INFERRED: "reaching", not "exceeding").
void LoadBalancing::Impl::check_result(std::uint32_t t, bool ok, TargetReason failure, int code,
                                       std::int64_t now) {
  Target& x = targets_[t];
  x.check_pending = false;
  if (!registered(x.state) || x.draining) return;
  const HealthCheckSpec& h = groups_[x.group].spec->health_check;
  if (ok) {
    x.fail_streak = 0;
    ++x.ok_streak;
    if (x.state == TargetState::kInitial ||
        (x.state == TargetState::kUnhealthy && x.ok_streak >= h.healthy_threshold))
      set_state(t, TargetState::kHealthy, TargetReason::kNone, now);
    return;
  }
  x.ok_streak = 0;
  ++x.fail_streak;
  if (x.state == TargetState::kUnhealthy) {
    set_state(t, TargetState::kUnhealthy, failure, now, code);  // a new reason is a change
  } else if (x.fail_streak >= h.unhealthy_threshold) {
    set_state(t, TargetState::kUnhealthy, failure, now, code);
  }
}

void LoadBalancing::Impl::advance_areas(GroupState& g, std::int64_t now) {
  const std::int64_t dt = now - g.area_at;
  if (dt <= 0) return;
  g.healthy_area += static_cast<double>(g.healthy) * static_cast<double>(dt);
  g.unhealthy_area += static_cast<double>(g.unhealthy) * static_cast<double>(dt);
  g.area_at = now;
}

void LoadBalancing::Impl::set_state(std::uint32_t t, TargetState state, TargetReason reason,
                                    std::int64_t now, int code) {
  Target& x = targets_[t];
  const TargetState previous = x.state;
  if (previous == state && x.reason == reason && x.last_code == code) return;
  GroupState& g = groups_[x.group];
  advance_areas(g, now);
  if (previous == TargetState::kHealthy) --g.healthy;
  if (previous == TargetState::kUnhealthy) --g.unhealthy;
  if (state == TargetState::kHealthy) ++g.healthy;
  if (state == TargetState::kUnhealthy) ++g.unhealthy;
  x.state = state;
  states_[t] = state;
  x.reason = reason;
  x.last_code = code;

  // Slow start (9.2): entered on becoming healthy, only while at least one other healthy target
  // is not in slow start; left on any other state.
  detail::RouteState& r = route_[t];
  if (state != TargetState::kHealthy) {
    r.slow_start_begin = r.slow_start_end = 0;
  } else if (previous != TargetState::kHealthy && g.spec->slow_start > Duration{0}) {
    bool enter = false;
    if (!x.slow_start_exempt) {
      for (std::uint32_t u : g.targets) {
        if (u != t && targets_[u].state == TargetState::kHealthy &&
            route_[u].slow_start_end <= now) {
          enter = true;
          break;
        }
      }
    }
    x.slow_start_exempt = false;
    if (enter) {
      r.slow_start_begin = now;
      r.slow_start_end = now + g.spec->slow_start.count();
      r.credit = 0;
    }
  }
  update_routing(g, t);
  if (on_target_health_.has_slots()) {
    TargetHealthChange c;
    c.time = TimePoint(Duration(now));
    c.target = TargetHandle{t};
    c.target_group = x.group;
    c.task_key = x.info.task_key;
    c.previous_state = previous;
    c.state = state;
    c.reason = reason;
    c.response_code = code;
    c.registered_now = registering_;
    notify(c);
  }
}

// The routable set is the healthy targets, or every unhealthy one when none is healthy (9.4).
void LoadBalancing::Impl::update_routing(GroupState& g, std::uint32_t t) {
  const bool fail_open = g.healthy == 0 && g.unhealthy > 0;
  auto member = [&](std::uint32_t u) {
    const TargetState s = targets_[u].state;
    return fail_open ? s == TargetState::kUnhealthy : s == TargetState::kHealthy;
  };
  if (fail_open != g.fail_open) {
    g.fail_open = fail_open;
    g.policy->clear();
    for (std::uint32_t u : g.targets)
      if (member(u)) g.policy->add(u, targets_[u].outstanding);
    return;
  }
  if (member(t))
    g.policy->add(t, targets_[t].outstanding);
  else
    g.policy->remove(t, targets_[t].outstanding);
}

void LoadBalancing::Impl::deregister_target(std::uint32_t t, std::int64_t now) {
  Target& x = targets_[t];
  if (x.draining) return;
  GroupState& g = groups_[x.group];
  if (auto it = g.by_task.find(x.info.task_key); it != g.by_task.end() && it->second == t)
    g.by_task.erase(it);
  ++x.health_generation;  // no more health checks
  x.check_pending = false;
  x.draining = true;
  ++x.drain_generation;
  set_state(t, TargetState::kDraining, TargetReason::kDeregistrationInProgress, now);
  schedule(now + g.spec->deregistration_delay.count(), LbDrainTimeout{t, x.drain_generation});
  if (x.outstanding == 0) report_drained(t, true, 0, now);
}

void LoadBalancing::Impl::on_drain_timeout(const LbDrainTimeout& e, std::int64_t now) {
  Target& x = targets_[e.target];
  if (e.generation != x.drain_generation || x.state != TargetState::kDraining) return;
  const bool reported = x.drain_reported;
  x.drain_reported = true;  // cutting the last requests must not report an early end
  const std::uint64_t cut = cut_in_flight(e.target, now);
  if (!reported) report_drained(e.target, false, cut, now);
  set_state(e.target, TargetState::kUnused, TargetReason::kNotRegistered, now);
}

std::uint64_t LoadBalancing::Impl::cut_in_flight(std::uint32_t t, std::int64_t now) {
  std::uint64_t cut = 0;
  for (std::uint32_t slot = targets_[t].held_head; slot != kNoIndex;) {
    const std::uint32_t next = requests_[slot].next;
    if (requests_[slot].source != kHealthCheckSource && !requests_[slot].lb_done) {
      respond(slot, 502, ResponseOrigin::kLoadBalancer, now);  // 9.6, 9.7
      ++cut;
    }
    slot = next;
  }
  return cut;
}

void LoadBalancing::Impl::report_drained(std::uint32_t t, bool early, std::uint64_t cut,
                                         std::int64_t now) {
  Target& x = targets_[t];
  x.drain_reported = true;
  if (!on_target_drained_.has_slots()) return;
  TargetDrained d;
  d.time = TimePoint(Duration(now));
  d.target = TargetHandle{t};
  d.target_group = x.group;
  d.task_key = x.info.task_key;
  d.ended_early = early;
  d.requests_cut = cut;
  notify(d);
}

void LoadBalancing::Impl::set_app_healthy(std::uint32_t t, bool healthy, std::int64_t) {
  targets_[t].app_healthy = healthy;
}

void LoadBalancing::Impl::set_app_error_rate(std::uint32_t t, double error_rate, std::int64_t) {
  ECSIM_ASSERT(error_rate >= 0 && error_rate <= 1, "set_app_error_rate: a share from 0 to 1");
  targets_[t].app.error_rate = error_rate;
  targets_[t].error_rate = error_rate;
}

void LoadBalancing::Impl::set_target_stopping(std::uint32_t t, std::int64_t) {
  targets_[t].accepting = false;
}

void LoadBalancing::Impl::set_target_stopped(std::uint32_t t, std::int64_t now) {
  Target& x = targets_[t];
  if (!x.alive) return;
  x.accepting = false;
  x.alive = false;
  cut_in_flight(t, now);
  // The process is gone with everything it held; pending completions become stale.
  advance_usage(x, now);
  for (std::uint32_t slot = x.held_head; slot != kNoIndex;) {
    const std::uint32_t next = requests_[slot].next;
    requests_[slot].prev = requests_[slot].next = kNoIndex;
    free_request(slot);
    slot = next;
  }
  x.held_head = kNoIndex;
  x.held = 0;
  x.busy = 0;
  x.demand = 0;
  x.queue.clear();
  x.clear_in_service();
  ++x.timer_generation;
  x.timer_at = -1;
  x.vtime = 0;
  if (x.check_pending) check_result(t, false, TargetReason::kFailedHealthChecks, 0, now);
}

void LoadBalancing::Impl::refresh_in_use(std::int64_t now) {
  std::vector<bool> used(groups_.size(), false);
  for (const auto& b : balancers_)
    for (const auto& l : b.listeners)
      for (const auto& f : l.forward)
        used[f.target_group] = true;
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    GroupState& g = groups_[i];
    if (used[i] == g.in_use) continue;
    g.in_use = used[i];
    for (std::uint32_t u : g.targets) {
      Target& x = targets_[u];
      if (x.draining) continue;
      if (g.in_use && x.state == TargetState::kUnused) {
        set_state(u, TargetState::kInitial, TargetReason::kRegistrationInProgress, now);
        schedule_first_check(u, now);
      } else if (!g.in_use && registered(x.state)) {
        ++x.health_generation;
        x.check_pending = false;
        set_state(u, TargetState::kUnused, TargetReason::kNotInUse, now);
      }
    }
  }
}

// INFERRED model of Automatic Target Weights with anomaly mitigation (9.1): detection needs at
// least three healthy targets; a target is anomalous when its 5xx share over the last interval is
// at least 10 % and more than twice its peers'.
void LoadBalancing::Impl::on_anomaly_tick(const LbAnomalyTick& e, std::int64_t now) {
  GroupState& g = groups_[e.target_group];
  schedule(now + kAnomalyInterval, LbAnomalyTick{e.target_group});
  std::uint64_t requests = 0, errors = 0;
  for (std::uint32_t u : g.targets) {
    if (targets_[u].state != TargetState::kHealthy) continue;
    requests += targets_[u].window_requests;
    errors += targets_[u].window_errors;
  }
  for (std::uint32_t u : g.targets) {
    Target& x = targets_[u];
    detail::RouteState& r = route_[u];
    bool anomalous = false;
    if (g.healthy >= 3 && x.state == TargetState::kHealthy && x.window_requests > 0) {
      const double share =
          static_cast<double>(x.window_errors) / static_cast<double>(x.window_requests);
      const std::uint64_t peer_requests = requests - x.window_requests;
      const double peer_share = peer_requests == 0 ? 0.0
                                                   : static_cast<double>(errors - x.window_errors) /
                                                         static_cast<double>(peer_requests);
      anomalous = share >= kAnomalousErrorShare && share > 2 * peer_share;
    }
    r.weight =
        anomalous ? std::max(r.weight / 2, kMinimumAnomalyWeight) : std::min(1.0, r.weight * 2);
    x.window_requests = x.window_errors = 0;
  }
}

}  // namespace ecsim
