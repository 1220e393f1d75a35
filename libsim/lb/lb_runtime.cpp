// The request path: traffic arrivals, listener and target-group choice, routing, the task's
// application (workers, queue, processor sharing of its CPU), responses and the idle timeout.
#include <algorithm>
#include <cmath>

#include "ecsim/assert.hpp"
#include "ecsim/event_queue.hpp"

#include "lb/lb_impl.hpp"

namespace ecsim {

using detail::BalancerState;
using detail::GroupState;
using detail::kHealthCheckSource;
using detail::kNoIndex;
using detail::kWorkScale;
using detail::ListenerState;
using detail::Phase;
using detail::Request;
using detail::SourceState;
using detail::Target;

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

constexpr std::int64_t kAnomalyInterval = 5'000'000;  // ATW adjusts every five seconds (9.1)

}  // namespace

LoadBalancing::Impl::Impl(LoadBalancingSpec spec, const RandomStreams& streams,
                          LbScheduler& scheduler, LoadBalancingOptions options)
    : spec_(std::move(spec)), scheduler_(scheduler), options_(std::move(options)) {
  groups_.resize(spec_.target_groups.size());
  period_latencies_ = detail::PeriodLatencies(groups_.size());
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    GroupState& g = groups_[i];
    g.spec = &spec_.target_groups[i];
    g.policy = detail::make_routing_policy(g.spec->algorithm, route_);
    g.tracks_outstanding = g.policy->tracks_outstanding();
    g.routing_rng = streams.stream("lb.routing/" + g.spec->name);
    g.health_rng = streams.stream("lb.health/" + g.spec->name);
    g.error_rng = streams.stream("lb.errors/" + g.spec->name);
  }
  balancers_.resize(spec_.load_balancers.size());
  for (std::size_t i = 0; i < balancers_.size(); ++i) {
    BalancerState& b = balancers_[i];
    b.spec = &spec_.load_balancers[i];
    b.idle_timeout = b.spec->idle_timeout.count();
    for (const ListenerSpec& l : b.spec->listeners) {
      ListenerState& state = b.listeners.emplace_back();
      state.forward = l.forward;
      for (const auto& f : l.forward)
        state.total_weight += static_cast<std::uint64_t>(f.weight);
      state.rng = streams.stream("lb.forward/" + b.spec->name + ":" + std::to_string(l.port));
      for (const auto& f : l.forward)
        groups_[f.target_group].in_use = true;
    }
  }
  sources_.reserve(spec_.traffic.size());
  for (const TrafficSourceSpec& t : spec_.traffic) {
    const std::string& stream = t.random_stream.empty() ? t.name : t.random_stream;
    sources_.push_back(SourceState{
        &t, detail::ArrivalProcess(t, streams.stream("lb.arrivals/" + stream)),
        streams.stream("lb.service/" + stream), 0, static_cast<std::uint32_t>(t.load_balancer),
        static_cast<std::uint32_t>(t.listener), static_cast<std::int32_t>(t.request.cpu_units)});
    max_request_cpu_ = std::max(max_request_cpu_, t.request.cpu_units);
  }
}

void LoadBalancing::Impl::start(std::int64_t now) {
  ECSIM_ASSERT(!started_, "LoadBalancing::start called twice");
  started_ = true;
  period_start_ = now;
  for (GroupState& g : groups_)
    g.area_at = now;
  for (std::uint32_t i = 0; i < sources_.size(); ++i)
    if (auto t = sources_[i].arrivals.first(now))
      schedule(*t, LbArrival{i, sources_[i].generation});
  for (std::uint32_t i = 0; i < groups_.size(); ++i)
    if (groups_[i].spec->anomaly_mitigation) schedule(now + kAnomalyInterval, LbAnomalyTick{i});
}

void LoadBalancing::Impl::handle(const LbEvent& event, std::int64_t now) {
  std::visit(Overloaded{
                 [&](const LbArrival& e) { on_arrival(e, now); },
                 [&](const LbServiceDone& e) { on_service_done(e, now); },
                 [&](const LbTargetTimer& e) { on_target_timer(e, now); },
                 [&](const LbIdleTimeout& e) { on_idle_timeout(e, now); },
                 [&](const LbHealthCheck& e) { on_health_check(e, now); },
                 [&](const LbHealthCheckTimeout& e) { on_health_check_timeout(e, now); },
                 [&](const LbDrainTimeout& e) { on_drain_timeout(e, now); },
                 [&](const LbAnomalyTick& e) { on_anomaly_tick(e, now); },
             },
             event);
}

void LoadBalancing::Impl::set_forward_weights(std::size_t lb, std::size_t listener,
                                              const std::vector<ForwardTargetGroup>& forward,
                                              std::int64_t now) {
  ECSIM_ASSERT(lb < balancers_.size() && listener < balancers_[lb].listeners.size(),
               "set_forward_weights: no such listener");
  ECSIM_ASSERT(!forward.empty() && forward.size() <= 5,
               "set_forward_weights: a forward action takes 1 to 5 target groups");
  ListenerState& l = balancers_[lb].listeners[listener];
  l.total_weight = 0;
  for (const auto& f : forward) {
    ECSIM_ASSERT(f.target_group < groups_.size(), "set_forward_weights: no such target group");
    ECSIM_ASSERT(f.weight >= 0 && f.weight <= 999, "set_forward_weights: weights are 0 to 999");
    l.total_weight += static_cast<std::uint64_t>(f.weight);
  }
  l.forward = forward;
  spec_.load_balancers[lb].listeners[listener].forward = forward;
  refresh_in_use(now);
}

void LoadBalancing::Impl::set_traffic_rate_multiplier(std::size_t source, double multiplier,
                                                      std::int64_t now) {
  ECSIM_ASSERT(source < sources_.size(), "set_traffic_rate_multiplier: no such traffic source");
  ECSIM_ASSERT(std::isfinite(multiplier) && multiplier >= 0,
               "set_traffic_rate_multiplier: the multiplier must be finite and >= 0");
  SourceState& s = sources_[source];
  s.arrivals.set_multiplier(multiplier);
  if (!started_) return;
  // The pending arrival was drawn at the old rate: forget it and draw afresh from now, which is
  // exact for Poisson arrivals (memoryless).
  ++s.generation;
  if (auto t = s.arrivals.first(now))
    schedule(*t, LbArrival{static_cast<std::uint32_t>(source), s.generation});
}

// ---- Traffic and routing ----------------------------------------------------------------------

void LoadBalancing::Impl::on_arrival(const LbArrival& e, std::int64_t now) {
  SourceState& s = sources_[e.source];
  if (e.generation != s.generation) return;
  const std::int64_t work = s.spec->request.service_time.sample_duration(s.service_rng).count();
  if (auto next = s.arrivals.next(now)) schedule(*next, LbArrival{e.source, s.generation});
  route_request(e.source, work, now);
}

std::optional<std::uint32_t> LoadBalancing::Impl::pick_group(ListenerState& l) {
  if (l.forward.size() == 1) {
    if (l.forward[0].weight == 0) return std::nullopt;
    return static_cast<std::uint32_t>(l.forward[0].target_group);
  }
  if (l.total_weight == 0) return std::nullopt;
  // ecs-reference 9.5: a group's share is weight / sum of weights.
  std::uint64_t u = uniform_uint(l.rng, 0, l.total_weight - 1);
  for (const auto& f : l.forward) {
    const auto w = static_cast<std::uint64_t>(f.weight);
    if (u < w) return static_cast<std::uint32_t>(f.target_group);
    u -= w;
  }
  return std::nullopt;
}

void LoadBalancing::Impl::route_request(std::uint32_t source, std::int64_t work, std::int64_t now) {
  SourceState& s = sources_[source];
  const std::uint32_t lb = s.load_balancer;
  BalancerState& b = balancers_[lb];
  ++counts_.arrived;
  ++b.counts.arrived;
  ++b.period.counts.arrived;
  const auto group = pick_group(b.listeners[s.listener]);
  if (!group) {  // every weight is 0: nothing to forward to
    count_response(lb, kNoIndex, kNoIndex, now, now, 503, ResponseOrigin::kLoadBalancer, source);
    return;
  }
  GroupState& g = groups_[*group];
  ++g.counts.arrived;
  ++g.period.counts.arrived;
  if (g.policy->size() == 0) {  // no healthy and no unhealthy target (9.4, 9.7)
    count_response(lb, *group, kNoIndex, now, now, 503, ResponseOrigin::kLoadBalancer, source);
    return;
  }
  const std::uint32_t t = g.policy->pick(g.routing_rng, now);
  // The group's next request will likely go to this one: start loading its state now, so that
  // it is in cache by then instead of being a miss on the request path.
  if (const std::uint32_t next = g.policy->next_hint(); next != kNoIndex) {
    detail::prefetch(&targets_[next], 3 * 64);
    detail::prefetch(&route_[next], sizeof(detail::RouteState));
  }
  Target& x = targets_[t];
  if (!x.accepting) {  // the task refuses connections: ELB 502 (9.7)
    count_response(lb, *group, t, now, now, 502, ResponseOrigin::kLoadBalancer, source);
    return;
  }
  if (!x.app_healthy) {  // an unhealthy application fails fast
    count_response(lb, *group, t, now, now, x.app.unhealthy_response_code, ResponseOrigin::kTarget,
                   source);
    return;
  }
  const std::uint32_t slot = allocate_request();
  Request& q = requests_[slot];
  q.arrived = now;
  q.enqueued = now;
  q.work = work;
  q.target = t;
  q.source = source;
  q.check = 0;
  q.cpu = s.cpu;
  q.load_balancer = static_cast<std::uint16_t>(lb);
  q.target_group = static_cast<std::uint16_t>(*group);
  q.lb_done = false;
  q.fails = x.error_rate > 0 && bernoulli(g.error_rng, x.error_rate);
  change_outstanding(t, +1, now);
  hold(x, t, slot, now);

  // The idle-timeout FIFO: requests in arrival order, so their deadlines are in order. Answered
  // requests are dropped from its head as new ones come, which bounds it by the requests that
  // arrived since the oldest one still waiting.
  while (!b.idle.empty()) {
    const detail::IdleEntry& head = b.idle.front();
    const Request& r = requests_[head.request];
    if (r.generation == head.generation && !r.lb_done) break;
    b.idle.pop_front();
  }
  b.idle.push_back({slot, q.generation});
  if (b.idle_timer_at < 0) arm_idle_timer(b, lb);

  admit(t, slot, now);
}

void LoadBalancing::Impl::arm_idle_timer(BalancerState& b, std::uint32_t index) {
  const std::int64_t deadline = requests_[b.idle.front().request].arrived + b.idle_timeout;
  ++b.idle_generation;
  b.idle_timer_at = deadline;
  schedule(deadline, LbIdleTimeout{index, b.idle_generation});
}

void LoadBalancing::Impl::on_idle_timeout(const LbIdleTimeout& e, std::int64_t now) {
  BalancerState& b = balancers_[e.load_balancer];
  if (e.generation != b.idle_generation) return;
  b.idle_timer_at = -1;
  while (!b.idle.empty()) {
    const detail::IdleEntry head = b.idle.front();
    const Request& r = requests_[head.request];
    if (r.generation != head.generation || r.lb_done) {
      b.idle.pop_front();
      continue;
    }
    if (r.arrived + b.idle_timeout > now) break;
    b.idle.pop_front();
    // ecs-reference 9.7: the target did not answer within the idle timeout. The application
    // keeps the request (and its worker) until it finishes; the answer then goes nowhere.
    respond(head.request, 504, ResponseOrigin::kLoadBalancer, now);
  }
  if (!b.idle.empty()) arm_idle_timer(b, e.load_balancer);
}

// ---- Requests and the application ------------------------------------------------------------

std::uint32_t LoadBalancing::Impl::allocate_request() {
  if (!free_requests_.empty()) {
    const std::uint32_t slot = free_requests_.back();
    free_requests_.pop_back();
    return slot;
  }
  ECSIM_ASSERT(requests_.size() < kNoIndex, "more than 2^32 - 1 requests in flight");
  requests_.emplace_back();
  return static_cast<std::uint32_t>(requests_.size() - 1);
}

void LoadBalancing::Impl::free_request(std::uint32_t slot) {
  Request& q = requests_[slot];
  ++q.generation;
  q.phase = Phase::kFree;
  q.lb_done = true;
  free_requests_.push_back(slot);
}

void LoadBalancing::Impl::advance_usage(Target& x, std::int64_t now) {
  const std::int64_t dt = now - x.usage_at;
  if (dt <= 0) return;
  const std::int64_t cpu = x.cpu_units > 0 ? std::min(x.demand, x.cpu_units) : x.demand;
  x.cpu_area += static_cast<double>(cpu) * static_cast<double>(dt);
  x.memory_area += (x.base_memory_mib + x.memory_per_request_mib * static_cast<double>(x.held)) *
                   static_cast<double>(dt);
  x.usage_at = now;
}

void LoadBalancing::Impl::hold(Target& x, std::uint32_t, std::uint32_t slot, std::int64_t now) {
  advance_usage(x, now);
  Request& q = requests_[slot];
  q.prev = kNoIndex;
  q.next = x.held_head;
  if (x.held_head != kNoIndex) requests_[x.held_head].prev = slot;
  x.held_head = slot;
  ++x.held;
}

void LoadBalancing::Impl::release(Target& x, std::uint32_t slot, std::int64_t now) {
  advance_usage(x, now);
  Request& q = requests_[slot];
  if (q.prev != kNoIndex)
    requests_[q.prev].next = q.next;
  else
    x.held_head = q.next;
  if (q.next != kNoIndex) requests_[q.next].prev = q.prev;
  q.prev = q.next = kNoIndex;
  --x.held;
}

bool LoadBalancing::Impl::admit(std::uint32_t t, std::uint32_t slot, std::int64_t now) {
  Target& x = targets_[t];
  Request& q = requests_[slot];
  if (x.busy < x.workers) {
    start_service(x, t, slot, now);
    return true;
  }
  if (x.queue.size() < static_cast<std::size_t>(x.queue_limit)) {
    q.phase = Phase::kQueued;
    q.enqueued = now;
    x.queue.push_back(slot);
    return true;
  }
  // The queue is full: the application sheds the request with 503 at once (INFERRED).
  q.phase = Phase::kAppDone;
  release(x, slot, now);
  if (q.source == kHealthCheckSource) {
    const std::uint32_t check = q.check;
    free_request(slot);
    health_check_answered(t, check, 503, now);
  } else {
    respond(slot, 503, ResponseOrigin::kTarget, now);
    free_request(slot);
  }
  return false;
}

void LoadBalancing::Impl::start_service(Target& x, std::uint32_t t, std::uint32_t slot,
                                        std::int64_t now) {
  Request& q = requests_[slot];
  advance_usage(x, now);
  if (x.sharing) sharing_advance(x, now);  // at the old rate, before the demand changes
  ++x.busy;
  x.demand += q.cpu;
  q.phase = Phase::kInService;
  if (!x.sharing) {
    // The task can never saturate its CPU, so the completion time is known now.
    schedule(now + q.work, LbServiceDone{slot, q.generation});
    return;
  }
  if (x.in_service_count == 0) x.vtime = 0;  // nothing refers to the old virtual time
  x.push_in_service({x.vtime + q.work * kWorkScale, x.take_start_order(), slot});
  if (!x.in_timer) sharing_reschedule(x, t, now);
}

void LoadBalancing::Impl::on_service_done(const LbServiceDone& e, std::int64_t now) {
  const Request& q = requests_[e.request];
  if (q.generation != e.generation || q.phase != Phase::kInService) return;
  app_finished(e.request, now);
}

void LoadBalancing::Impl::app_finished(std::uint32_t slot, std::int64_t now) {
  Request& q = requests_[slot];
  const std::uint32_t t = q.target;
  Target& x = targets_[t];
  advance_usage(x, now);
  --x.busy;
  x.demand -= q.cpu;
  q.phase = Phase::kAppDone;
  release(x, slot, now);
  const int code = !x.app_healthy ? x.app.unhealthy_response_code : q.fails ? 500 : 200;
  if (q.source == kHealthCheckSource) {
    const std::uint32_t check = q.check;
    free_request(slot);
    health_check_answered(t, check, code, now);
  } else {
    if (!q.lb_done) respond(slot, code, ResponseOrigin::kTarget, now);
    free_request(slot);
  }
  start_queued(x, t, now);
}

void LoadBalancing::Impl::start_queued(Target& x, std::uint32_t t, std::int64_t now) {
  while (x.busy < x.workers && !x.queue.empty()) {
    const std::uint32_t slot = x.queue.front();
    x.queue.pop_front();
    Request& q = requests_[slot];
    if (x.app.queue_timeout && now - q.enqueued > x.app.queue_timeout->count()) {
      // The application drops a request that waited too long, without working on it.
      q.phase = Phase::kAppDone;
      release(x, slot, now);
      if (q.source == kHealthCheckSource) {
        const std::uint32_t check = q.check;
        free_request(slot);
        health_check_answered(t, check, 503, now);
      } else {
        if (!q.lb_done) respond(slot, 503, ResponseOrigin::kTarget, now);
        free_request(slot);
      }
      continue;
    }
    start_service(x, t, slot, now);
  }
}

// Processor sharing. Every request in service progresses at rate r = min(1, C / D) (C the task's
// CPU units, D the units its requests in service ask for). Virtual time V advances at r, in
// 1/kWorkScale microseconds; a request started at V0 with work w finishes when V = V0 + w. Only
// the earliest finish has an event; any change of D reschedules it.
void LoadBalancing::Impl::sharing_advance(Target& x, std::int64_t now) {
  const std::int64_t dt = now - x.vtime_at;
  x.vtime_at = now;
  if (dt <= 0) return;
  const std::int64_t c = x.cpu_units;
  if (x.demand > c) {
    x.vtime += static_cast<std::int64_t>(static_cast<__int128_t>(dt) * kWorkScale * c / x.demand);
  } else {
    x.vtime += dt * kWorkScale;
  }
}

void LoadBalancing::Impl::sharing_reschedule(Target& x, std::uint32_t t, std::int64_t now) {
  if (x.in_service_count == 0) {
    if (x.timer_at >= 0) {
      ++x.timer_generation;
      x.timer_at = -1;
    }
    return;
  }
  const std::int64_t remaining = std::max<std::int64_t>(x.in_service_front().finish - x.vtime, 0);
  const std::int64_t c = x.cpu_units;
  __int128_t dt = 0;
  // Rounded up, so that at the event the virtual time has certainly reached the finish.
  if (x.demand > c) {
    const __int128_t num = static_cast<__int128_t>(remaining) * x.demand;
    const __int128_t den = static_cast<__int128_t>(c) * kWorkScale;
    dt = (num + den - 1) / den;
  } else {
    dt = (remaining + kWorkScale - 1) / kWorkScale;
  }
  const std::int64_t at =
      now + static_cast<std::int64_t>(std::min<__int128_t>(dt, kMaxScenarioDuration.count()));
  if (at == x.timer_at) return;
  ++x.timer_generation;
  x.timer_at = at;
  schedule(at, LbTargetTimer{t, x.timer_generation});
}

void LoadBalancing::Impl::on_target_timer(const LbTargetTimer& e, std::int64_t now) {
  Target& x = targets_[e.target];
  if (e.generation != x.timer_generation) return;
  x.timer_at = -1;
  sharing_advance(x, now);
  x.in_timer = true;
  while (x.in_service_count > 0 && x.in_service_front().finish <= x.vtime)
    app_finished(x.pop_in_service().request, now);
  x.in_timer = false;
  sharing_reschedule(x, e.target, now);
}

// ---- Responses ----------------------------------------------------------------------------------

void LoadBalancing::Impl::change_outstanding(std::uint32_t t, std::int32_t delta, std::int64_t) {
  // The count lives in the Target, which the request path reads anyway (the routing record
  // would be a cache miss by the time a request is answered).
  Target& x = targets_[t];
  const std::int32_t before = x.outstanding;
  x.outstanding += delta;
  GroupState& g = groups_[x.group];
  if (g.tracks_outstanding) g.policy->outstanding_changed(t, before, x.outstanding);
}

void LoadBalancing::Impl::respond(std::uint32_t slot, int code, ResponseOrigin origin,
                                  std::int64_t now) {
  Request& q = requests_[slot];
  q.lb_done = true;
  const std::uint32_t t = q.target;
  change_outstanding(t, -1, now);
  count_response(q.load_balancer, q.target_group, t, q.arrived, now, code, origin, q.source);
  Target& x = targets_[t];
  // ecs-reference 9.6: nothing in flight any more: deregistration completes now.
  if (x.draining && !x.drain_reported && x.outstanding == 0) report_drained(t, true, 0, now);
}

void LoadBalancing::Impl::count_response(std::uint32_t lb, std::uint32_t group,
                                         std::uint32_t target, std::int64_t arrived,
                                         std::int64_t now, int code, ResponseOrigin origin,
                                         std::uint32_t source) {
  BalancerState& b = balancers_[lb];
  GroupState* g = group != kNoIndex ? &groups_[group] : nullptr;
  const bool from_target = origin == ResponseOrigin::kTarget;
  const bool ok = from_target && code < 400;
  auto bump = [&](RequestCounts& c) {
    if (ok) {
      ++c.succeeded;
    } else if (from_target) {
      ++c.target_errors;
    } else if (code == 502) {
      ++c.elb_502;
    } else if (code == 503) {
      ++c.elb_503;
    } else {
      ++c.elb_504;
    }
  };
  bump(counts_);
  bump(b.counts);
  bump(b.period.counts);
  if (g != nullptr) {
    bump(g->counts);
    bump(g->period.counts);
  }
  if (from_target && !ok) {
    ++target_codes_[code];
    ++b.target_codes[code];
    ++b.period.target_codes[code];
    if (g != nullptr) {
      ++g->target_codes[code];
      ++g->period.target_codes[code];
    }
  }
  // Latency as CloudWatch's TargetResponseTime: requests a target answered. The period's
  // histogram is merged into the totals when the period closes.
  if (from_target && g != nullptr) period_latencies_.record(group, now - arrived);
  if (target != kNoIndex && g != nullptr && g->spec->anomaly_mitigation) {
    Target& x = targets_[target];
    ++x.window_requests;
    if (code >= 500) ++x.window_errors;
  }
  if (on_request_finished_.has_slots()) {
    RequestFinished f;
    f.arrived = TimePoint(Duration(arrived));
    f.finished = TimePoint(Duration(now));
    f.source = source;
    f.load_balancer = lb;
    f.target_group = group;
    f.target = TargetHandle{target};
    if (target != kNoIndex) f.target_tag = targets_[target].tag;
    f.status_code = code;
    f.origin = origin;
    notify(f);
  }
}

}  // namespace ecsim
