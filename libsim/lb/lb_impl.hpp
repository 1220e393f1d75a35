// LoadBalancing::Impl: the state behind include/ecsim/load_balancing.hpp, shared by
// lb_runtime.cpp (traffic, the request path, the application model), lb_targets.cpp
// (registration, health checks, draining, routing sets) and lb_report.cpp (summary, metrics,
// conservation).
//
// Requests live in a slot vector recycled through a free list; a slot's generation changes on
// every reuse, so events and idle-timeout entries that name a slot and a generation recognise a
// request that is gone. A request is owned twice: by the load balancer until it has answered the
// client (lb_done) and by the application until a worker has finished or dropped it (phase); the
// slot is freed when both are done. Targets and groups are vectors indexed by id and never shrink.
//
// Notifications to observers are queued and delivered when the public call that caused them
// returns, so an observer may call back into LoadBalancing (register a target on a health change)
// without pulling state from under the code that is running.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ecsim/load_balancing.hpp"

#include "lb/arrivals.hpp"
#include "lb/period_latencies.hpp"
#include "lb/routing.hpp"

namespace ecsim {

namespace detail {

// A FIFO ring buffer that grows by doubling; empty ones allocate nothing (a std::deque allocates
// on construction, which thousands of idle targets would pay for). At most 2^31 elements; 24
// bytes, so that it fits in a target's hot cache lines.
template <class T>
class Ring {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  T& front() { return buffer_[head_]; }
  T& operator[](std::size_t i) { return buffer_[(head_ + i) & (capacity_ - 1)]; }
  void push_back(const T& value) {
    if (size_ == capacity_) grow();
    buffer_[(head_ + size_) & (capacity_ - 1)] = value;
    ++size_;
  }
  void pop_front() {
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
  }
  void clear() {
    head_ = 0;
    size_ = 0;
  }
  std::size_t memory_bytes() const { return std::size_t{capacity_} * sizeof(T); }

 private:
  void grow() {
    const std::uint32_t capacity = capacity_ == 0 ? 8 : 2 * capacity_;
    auto bigger = std::make_unique<T[]>(capacity);
    for (std::uint32_t i = 0; i < size_; ++i)
      bigger[i] = buffer_[(head_ + i) & (capacity_ - 1)];
    buffer_ = std::move(bigger);
    capacity_ = capacity;
    head_ = 0;
  }
  std::unique_ptr<T[]> buffer_;
  std::uint32_t capacity_ = 0;  // 0 or a power of two
  std::uint32_t head_ = 0;
  std::uint32_t size_ = 0;
};

inline constexpr std::uint32_t kHealthCheckSource = kNoIndex;
// Virtual time under processor sharing counts work in 1/1024 microsecond.
inline constexpr std::int64_t kWorkScale = 1024;

enum class Phase : std::uint8_t { kFree, kQueued, kInService, kAppDone };

struct Request {
  std::int64_t arrived = 0;   // microseconds
  std::int64_t enqueued = 0;  // when it joined the target's queue
  std::int64_t work = 0;      // microseconds at full CPU speed
  std::uint32_t generation = 0;
  std::uint32_t target = kNoIndex;
  std::uint32_t prev = kNoIndex;  // the target's list of requests it holds
  std::uint32_t next = kNoIndex;
  std::uint32_t source = kHealthCheckSource;
  std::uint32_t check = 0;  // health check sequence, for checks
  std::int32_t cpu = 0;
  std::uint16_t load_balancer = 0;
  std::uint16_t target_group = 0;
  Phase phase = Phase::kFree;
  bool lb_done = false;
  bool fails = false;  // the application will answer 500 (ApplicationModel::error_rate)
};

struct InService {      // processor-sharing heap entry
  std::int64_t finish;  // virtual time at which its work is done
  std::uint32_t order;  // start order: ties finish first-started first (Target::take_start_order)
  std::uint32_t request;
};

// The order of requests in service: true if `a` finishes after `b`.
inline bool finishes_after(const InService& a, const InService& b) {
  return a.finish != b.finish ? a.finish > b.finish : a.order > b.order;
}

// Fields every request touches come first, in three cache lines (the struct is aligned to
// them): the application, its usage integrals and processor sharing's clock, then the requests
// it holds. Those lines copy what they need of the ApplicationModel (`app`, which keeps every
// field). Of the requests in service (processor sharing) the one that finishes first is kept
// here and the others in a heap outside, so that a task with one request in service at a time
// never reads that heap. The TargetInfo strings and the health-check state are cold.
struct alignas(64) Target {
  // Line 0: every request.
  std::int32_t busy = 0;
  std::uint32_t group = 0;
  std::uint32_t held_head = kNoIndex;  // requests queued or in service, orphans included
  std::int32_t workers = 10;           // app.workers
  std::int32_t queue_limit = 100;      // app.queue_limit
  std::uint32_t timer_generation = 0;
  std::int32_t held = 0;  // requests queued or in service
  bool accepting = true;  // false once the task got its stop signal
  bool app_healthy = true;
  bool sharing = false;  // processor sharing: the task can saturate its CPU
  bool draining = false;
  bool in_timer = false;
  std::int32_t outstanding = 0;  // requests sent and not answered (the load balancer's view)
  std::int64_t demand = 0;       // CPU units of the requests in service
  std::int64_t cpu_units = 0;    // the task's (TargetInfo::cpu_units)
  std::int64_t usage_at = 0;     // usage integrals since registration

  // Line 1: usage integrals and processor sharing's clock.
  double cpu_area = 0;
  double memory_area = 0;
  double base_memory_mib = 128;       // app.base_memory_mib
  double memory_per_request_mib = 1;  // app.memory_per_request_mib
  std::uint64_t tag = 0;              // TargetInfo::tag, echoed in RequestFinished
  std::int64_t vtime = 0;
  std::int64_t vtime_at = 0;
  std::int64_t timer_at = -1;

  // Line 2: the requests it holds.
  InService first_in_service{0, 0, 0};  // the earliest to finish, while in_service_count > 0
  std::uint32_t in_service_count = 0;
  std::uint32_t start_order = 0;  // the next request's InService::order
  Ring<std::uint32_t> queue;
  double error_rate = 0;  // app.error_rate

  // Cold.
  std::vector<InService> more_in_service;  // the others in service: a min-heap (finishes_after)
  ApplicationModel app;

  // Anomaly detection window.
  std::uint64_t window_requests = 0;
  std::uint64_t window_errors = 0;

  TargetState state = TargetState::kInitial;
  TargetReason reason = TargetReason::kRegistrationInProgress;
  int last_code = 0;
  bool alive = true;  // false once the task is gone
  bool drain_reported = false;
  bool slow_start_exempt = false;
  std::uint32_t drain_generation = 0;
  std::int64_t registered_at = 0;

  // Health checks.
  std::uint32_t health_generation = 0;
  std::uint32_t check_seq = 0;
  bool check_pending = false;
  int ok_streak = 0;
  int fail_streak = 0;

  TargetInfo info;

  const InService& in_service_front() const { return first_in_service; }
  // The start order of a request entering service. Only requests in service at the same time are
  // compared, so it restarts at 0 whenever none is; should it reach 2^32 - 1 while some are, they
  // are renumbered 0, 1, ... in the same order, which leaves every comparison as it was.
  std::uint32_t take_start_order() {
    if (in_service_count == 0) start_order = 0;
    if (start_order == std::numeric_limits<std::uint32_t>::max()) renumber_start_orders();
    return start_order++;
  }
  void renumber_start_orders() {
    std::vector<InService*> all{&first_in_service};
    for (InService& e : more_in_service)
      all.push_back(&e);
    std::sort(all.begin(), all.end(),
              [](const InService* a, const InService* b) { return a->order < b->order; });
    for (std::uint32_t i = 0; i < all.size(); ++i)
      all[i]->order = i;
    start_order = static_cast<std::uint32_t>(all.size());
  }
  void push_in_service(const InService& e) {
    if (in_service_count++ == 0) {
      first_in_service = e;
      return;
    }
    if (finishes_after(first_in_service, e)) {
      more_in_service.push_back(first_in_service);
      first_in_service = e;
    } else {
      more_in_service.push_back(e);
    }
    std::push_heap(more_in_service.begin(), more_in_service.end(), finishes_after);
  }
  // Removes and returns the earliest to finish. Precondition: in_service_count > 0.
  InService pop_in_service() {
    const InService out = first_in_service;
    if (--in_service_count > 0) {
      std::pop_heap(more_in_service.begin(), more_in_service.end(), finishes_after);
      first_in_service = more_in_service.back();
      more_in_service.pop_back();
    }
    return out;
  }
  void clear_in_service() {
    in_service_count = 0;
    more_in_service.clear();
  }

  // Sets `app` and the hot copies of its fields.
  void set_application(const ApplicationModel& a) {
    app = a;
    workers = a.workers;
    queue_limit = a.queue_limit;
    base_memory_mib = a.base_memory_mib;
    memory_per_request_mib = a.memory_per_request_mib;
    error_rate = a.error_rate;
  }
};
// The fields every request reads stay in the first three lines (see above).
static_assert(offsetof(Target, usage_at) + sizeof(std::int64_t) <= 64, "line 0 overflows");
static_assert(offsetof(Target, error_rate) + sizeof(double) <= 3 * 64, "line 2 overflows");

struct PeriodCounts {
  RequestCounts counts;
  std::map<int, std::uint64_t> target_codes;
};

struct GroupState {
  const TargetGroupSpec* spec = nullptr;
  std::unique_ptr<RoutingPolicy> policy;
  bool tracks_outstanding = false;
  Rng routing_rng{0};
  Rng health_rng{0};
  Rng error_rng{0};
  std::vector<std::uint32_t> targets;              // every registration, in order
  std::map<std::uint64_t, std::uint32_t> by_task;  // registered (not draining) targets
  std::size_t healthy = 0;
  std::size_t unhealthy = 0;
  bool fail_open = false;
  bool in_use = false;
  std::int64_t exempt_batch_at =
      -1;  // registrations into an empty group at this time: no slow start

  RequestCounts counts;
  std::map<int, std::uint64_t> target_codes;
  Histogram latency;
  // The open metrics period.
  PeriodCounts period;  // its latencies: Impl::period_latencies_
  double healthy_area = 0;
  double unhealthy_area = 0;
  std::int64_t area_at = 0;
};

struct ListenerState {
  std::vector<ForwardTargetGroup> forward;
  std::uint64_t total_weight = 0;
  Rng rng{0};
};

struct IdleEntry {
  std::uint32_t request;
  std::uint32_t generation;
};

struct BalancerState {
  const LoadBalancerSpec* spec = nullptr;
  std::int64_t idle_timeout = 0;
  std::vector<ListenerState> listeners;
  Ring<IdleEntry> idle;  // requests in arrival order, so deadlines are in order too
  std::uint32_t idle_generation = 0;
  std::int64_t idle_timer_at = -1;
  RequestCounts counts;
  std::map<int, std::uint64_t> target_codes;
  PeriodCounts period;
};

struct SourceState {
  const TrafficSourceSpec* spec = nullptr;
  ArrivalProcess arrivals;
  Rng service_rng;
  std::uint32_t generation = 0;
  std::uint32_t load_balancer = 0;
  std::uint32_t listener = 0;
  std::int32_t cpu = 0;
};

using Notification = std::variant<TargetHealthChange, TargetDrained, RequestFinished>;

}  // namespace detail

class LoadBalancing::Impl {
 public:
  Impl(LoadBalancingSpec spec, const RandomStreams& streams, LbScheduler& scheduler,
       LoadBalancingOptions options);

  // --- lb_runtime.cpp ---
  void start(std::int64_t now);
  void handle(const LbEvent& event, std::int64_t now);
  void set_forward_weights(std::size_t lb, std::size_t listener,
                           const std::vector<ForwardTargetGroup>& forward, std::int64_t now);
  void set_traffic_rate_multiplier(std::size_t source, double multiplier, std::int64_t now);

  void on_arrival(const LbArrival& e, std::int64_t now);
  void route_request(std::uint32_t source, std::int64_t work, std::int64_t now);
  void schedule(std::int64_t at, const LbEvent& event) {
    scheduler_.schedule(TimePoint(Duration(at)), event);
  }
  std::optional<std::uint32_t> pick_group(detail::ListenerState& l);
  void on_service_done(const LbServiceDone& e, std::int64_t now);
  void on_target_timer(const LbTargetTimer& e, std::int64_t now);
  void on_idle_timeout(const LbIdleTimeout& e, std::int64_t now);
  void arm_idle_timer(detail::BalancerState& b, std::uint32_t index);

  std::uint32_t allocate_request();
  void free_request(std::uint32_t slot);
  void hold(detail::Target& x, std::uint32_t target, std::uint32_t slot, std::int64_t now);
  void release(detail::Target& x, std::uint32_t slot, std::int64_t now);
  // Offers a request to the task's application: a worker, the queue, or 503 at once. Returns
  // false (and releases it) if the queue was full.
  bool admit(std::uint32_t target, std::uint32_t slot, std::int64_t now);
  void start_service(detail::Target& x, std::uint32_t target, std::uint32_t slot, std::int64_t now);
  void app_finished(std::uint32_t slot, std::int64_t now);
  void start_queued(detail::Target& x, std::uint32_t target, std::int64_t now);
  void sharing_advance(detail::Target& x, std::int64_t now);
  void sharing_reschedule(detail::Target& x, std::uint32_t target, std::int64_t now);
  void advance_usage(detail::Target& x, std::int64_t now);

  // The load balancer answers the client for a request it had sent to a target.
  void respond(std::uint32_t slot, int code, ResponseOrigin origin, std::int64_t now);
  void count_response(std::uint32_t lb, std::uint32_t group, std::uint32_t target,
                      std::int64_t arrived, std::int64_t now, int code, ResponseOrigin origin,
                      std::uint32_t source);
  void change_outstanding(std::uint32_t target, std::int32_t delta, std::int64_t now);

  // --- lb_targets.cpp ---
  TargetHandle register_target(std::size_t group, TargetInfo info, std::int64_t now);
  void deregister_target(std::uint32_t target, std::int64_t now);
  void set_app_healthy(std::uint32_t target, bool healthy, std::int64_t now);
  void set_app_error_rate(std::uint32_t target, double error_rate, std::int64_t now);
  void set_target_stopping(std::uint32_t target, std::int64_t now);
  void set_target_stopped(std::uint32_t target, std::int64_t now);

  void on_health_check(const LbHealthCheck& e, std::int64_t now);
  void on_health_check_timeout(const LbHealthCheckTimeout& e, std::int64_t now);
  void on_drain_timeout(const LbDrainTimeout& e, std::int64_t now);
  void on_anomaly_tick(const LbAnomalyTick& e, std::int64_t now);
  void health_check_answered(std::uint32_t target, std::uint32_t check, int code, std::int64_t now);
  void check_result(std::uint32_t target, bool ok, TargetReason failure, int code,
                    std::int64_t now);
  void schedule_first_check(std::uint32_t target, std::int64_t now);
  void set_state(std::uint32_t target, TargetState state, TargetReason reason, std::int64_t now,
                 int code = 0);
  void update_routing(detail::GroupState& g, std::uint32_t target);
  void advance_areas(detail::GroupState& g, std::int64_t now);
  void report_drained(std::uint32_t target, bool early, std::uint64_t cut, std::int64_t now);
  void refresh_in_use(std::int64_t now);
  // Answers every request the target holds that the client still waits for, with ELB 502.
  std::uint64_t cut_in_flight(std::uint32_t target, std::int64_t now);

  // --- lb_report.cpp ---
  nlohmann::ordered_json summary() const;
  nlohmann::ordered_json target_health_detail(const TargetHealthChange& change) const;
  MetricsTable close_metrics_period(std::int64_t now);
  std::optional<std::string> conservation_problem() const;
  std::size_t memory_bytes() const;
  std::string arn_prefix() const;

  void flush();  // delivers queued notifications (not reentrant: nested calls append)
  void notify(detail::Notification n) { notifications_.push_back(std::move(n)); }

  LoadBalancingSpec spec_;
  LbScheduler& scheduler_;
  LoadBalancingOptions options_;
  std::vector<detail::GroupState> groups_;
  std::vector<detail::BalancerState> balancers_;
  std::vector<detail::SourceState> sources_;
  detail::LargeVector<detail::Target> targets_;
  detail::LargeVector<detail::RouteState> route_;
  // Each target's Target::state again, one byte each: the model asks for it for every task of a
  // service at each reconciliation, and the Target itself would be a cache miss.
  std::vector<TargetState> states_;
  detail::LargeVector<detail::Request> requests_;
  std::vector<std::uint32_t> free_requests_;
  std::int64_t max_request_cpu_ = 0;

  RequestCounts counts_;
  std::map<int, std::uint64_t> target_codes_;
  Histogram latency_;
  detail::PeriodLatencies period_latencies_;  // the open period's, per group
  std::int64_t period_start_ = 0;
  bool started_ = false;
  bool registering_ = false;  // inside register_target: the change has no previous state

  Signal<TargetHealthChange> on_target_health_;
  Signal<TargetDrained> on_target_drained_;
  Signal<RequestFinished> on_request_finished_;
  std::vector<detail::Notification> notifications_;
  bool flushing_ = false;
};

}  // namespace ecsim
