// Load balancing: Application Load Balancers, target groups, health checks and request traffic,
// down to each request's latency (ecs-reference section 9).
//
// WHAT IT IS. A self-contained model that the simulation drives. It never owns the clock: it asks
// an LbScheduler to put LbEvent payloads (plain structs) on the simulation's EventQueue, and the
// simulation hands each one back with LoadBalancing::handle(event, now). Services register their
// tasks as targets and hear about target health through signals.
//
//   simulation ──register_target / deregister_target / set_app_healthy / set_target_stopping ...──►
//   LoadBalancing ──LbScheduler::schedule(at, LbEvent)──► simulation's EventQueue
//   simulation ──handle(LbEvent, now)──► LoadBalancing
//   LoadBalancing ──on_target_health / on_target_drained / on_request_finished──► observers
//
// SCENARIO JSON (read by detail::parse_load_balancing, libsim/lb/lb_parser.hpp, or by
// load_balancing_from_json below). Three top-level keys; AWS's PascalCase where AWS has a shape:
//
//   "targetGroups": [ {                         // ELBv2 CreateTargetGroup input. Top level, as in
//       "Name": "web",                          // AWS: a group exists on its own and is named by
//       "Protocol": "HTTP", "Port": 8080,       // listeners and by services' loadBalancers[].
//       "TargetType": "ip",                     // ip (awsvpc tasks) | instance (bridge/host)
//       "HealthCheckPath": "/health", "HealthCheckIntervalSeconds": 30,
//       "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 5, "UnhealthyThresholdCount": 2,
//       "Matcher": {"HttpCode": "200-299"},
//       "Attributes": [ {"Key": "load_balancing.algorithm.type", "Value": "round_robin"},
//                       {"Key": "slow_start.duration_seconds", "Value": "60"},
//                       {"Key": "deregistration_delay.timeout_seconds", "Value": "300"} ],
//       "ecsim": {"workers": 10, "queueLimit": 100, "queueTimeout": "10s"} } ],  // the app model
//   "loadBalancers": [ {                        // CreateLoadBalancer input plus its listeners
//       "Name": "web-alb",
//       "Attributes": [ {"Key": "idle_timeout.timeout_seconds", "Value": "60"} ],
//       "Listeners": [ {"Port": 80, "Protocol": "HTTP",             // CreateListener input
//                       "DefaultActions": [ {"Type": "forward", "TargetGroupArn": "web"} ]},
//                      {"Port": 8080, "testListener": true,         // blue/green test traffic
//                       "DefaultActions": [ {"Type": "forward", "ForwardConfig": {"TargetGroups": [
//                           {"TargetGroupArn": "web", "Weight": 0},
//                           {"TargetGroupName": "web-green", "Weight": 1} ]}} ]} ] } ],
//   "traffic": [ {                              // ecsim's own
//       "name": "users", "listener": "web-alb:80", "start": "0s", "end": "1h",
//       "randomStream": "users",                // sources sharing it see the same requests
//       "pattern": {"type": "poisson", "rate": 200},
//       "request": {"serviceTime": {"type": "lognormal", "mean": "40ms", "cv": 1.0}, "cpu": 256} }
//       ]
//
// A target group is named by its Name, by an ARN whose resource is targetgroup/<Name>/<id>, or by
// TargetGroupName. `Name` may also be written `name`. Values of Attributes are strings as in AWS
// (numbers are accepted too). Patterns: constant {rate} (evenly spaced), poisson {rate}, ramp
// {from, to, start, duration}, steps {steps: [{at, rate}]}, dailyCycle {mean, amplitude, period
// (24h), peakAt (12h)}, spike {base, peak, at, duration}, csv {path, interpolation: step|linear,
// scale}. Rates are requests per second. Every pattern except constant draws Poisson arrivals
// (time-varying ones by thinning). A csv path is relative to the scenario's folder and may not
// leave it; each line is `time,rate` (time in seconds or a duration string; an optional header
// line; `#` comments); the rate holds from its time to the next line's, or is interpolated.
// Distributions (serviceTime): a duration (constant), or {type: constant, value} | uniform {low,
// high} | exponential {mean} | normal {mean, stddev} | lognormal {mean, cv} | gamma {mean, shape}
// | erlang {mean, k} | empirical {cdf: [[duration, cumulativeProbability], ...]}; every time is a
// duration ("50ms" or seconds). `request`: serviceTime (required; at full CPU speed), cpu (CPU
// units in use while served, default 256). A target group's "ecsim" block (the application):
// workers (10), queueLimit (100), queueTimeout (none), errorRate (0), unhealthyResponseCode (503),
// healthCheckServiceTime ("1ms"), baseMemoryMiB (128), memoryPerRequestMiB (1); INFERRED defaults.
//
// FOR THE SIMULATION. Build the spec with detail::parse_load_balancing(root, base_dir) in place
// of today's "not modelled" rejection of loadBalancers/traffic (it also reads targetGroups); make
// LbEvent one alternative of the queue's payload variant and pass an EventQueueLbScheduler (or
// your own LbScheduler) with the model's priority class; call start(t0) once; forward each popped
// LbEvent to handle(). Turn on_target_health into `ecsim Target Health Change` events with
// target_health_detail(). Each metrics period, append close_metrics_period(now)'s rows; at the end
// of the run, put summary() under "requests" and call check_conservation().
//
// THE MODEL (choices marked INFERRED are ecsim's where AWS is silent):
// * Request path: arrival -> listener -> a target group drawn by Weight (9.5; weight / sum) ->
//   the group's algorithm picks among routable targets (9.1) -> the task's application: a free
//   worker, else its FIFO queue, else (queue full) the app answers 503 at once -> service -> the
//   response. Latency is from arrival to response; there is no network time.
// * Routable targets: the healthy ones; if none is healthy but some are unhealthy, all unhealthy
//   ones (fail open, 9.4). No healthy or unhealthy target (none registered, or only `initial` or
//   `draining` ones): ELB 503 (9.4, 9.7; 503 for initial-only groups is INFERRED).
// * round_robin visits routable targets in a fixed cyclic order; with slow start a target's
//   weight is elapsed / duration (INFERRED 9.2) and it is skipped until its credit reaches one.
//   least_outstanding_requests picks the fewest requests in flight (LB view), ties by FIFO order
//   among equals (INFERRED 9.1). weighted_random draws uniformly; with anomaly mitigation a target
//   whose 5xx share over the last 5 s is >= 10 % and > twice its peers' (needs >= 3 healthy
//   targets) has its weight halved every 5 s down to 1/16 and doubled back once normal (INFERRED).
//   Slow start follows 9.2's rules for entry and exit; it is refused with LOR or weighted_random.
// * Application model (target group "ecsim" block, or TargetInfo::application): `workers`
//   concurrent requests, a FIFO queue of `queueLimit`; a request that waited longer than
//   `queueTimeout` is answered 503 by the app when a worker takes it (no work done); `errorRate`
//   of the requests are answered 500 after their service (health checks pass). CPU: while in
//   service a request uses its source's `cpu` units; when the sum over the requests in service, D,
//   exceeds the task's CPU units C, every request in service progresses at rate C / D (egalitarian
//   processor sharing, exact: completions are rescheduled when D changes). CPU utilization is the
//   time average of min(D, C) / C; memory utilization of (baseMemoryMiB + memoryPerRequestMiB x
//   requests held) / task memory.
// * Health checks (9.3) are requests through the same workers and queue (service time
//   `healthCheckServiceTime`, no CPU), so an overloaded task fails them by Target.Timeout when the
//   answer takes longer than HealthCheckTimeoutSeconds, and by Target.ResponseCodeMismatch when
//   its queue is full (503). An unhealthy app answers every request and check at once with
//   `unhealthyResponseCode` (default 503). A stopping task refuses connections: checks fail with
//   Target.FailedHealthChecks and requests routed to it get ELB 502. The first check runs at
//   registration + U(0, interval] (INFERRED: ALB nodes check on their own phase), then every
//   interval. `initial` -> healthy after one pass; -> unhealthy after UnhealthyThresholdCount
//   failures; healthy <-> unhealthy on reaching the threshold counts (INFERRED 9.3).
// * Draining (9.6): no new requests; the deregistration completes (on_target_drained) as soon as
//   nothing is in flight, or when the delay ends, cutting what is still in flight with ELB 502.
//   The state stays `draining` until the delay ends, then `unused` (Target.NotRegistered).
// * ELB 504 when a target has not answered within the load balancer's idle timeout (9.7). The app
//   does not notice: it still works on the request (its worker stays busy) and the answer is
//   dropped, which is how overload feeds on itself.
// * Target groups no listener forwards to have `unused` targets (Target.NotInUse), not checked.
//
// DETERMINISM. Random streams by name from RandomStreams: "lb.arrivals/<randomStream>",
// "lb.service/<randomStream>" (service times drawn at arrival, so two routing algorithms see the
// same requests), "lb.forward/<lb>:<port>", "lb.routing/<group>", "lb.health/<group>",
// "lb.errors/<group>". Containers are vectors indexed by ids; nothing iterates a hash container.
// Equal-time events keep the order in which they were scheduled.
//
// COMPLEXITY per request: O(1) routing (round_robin amortised; LOR bucket lists), O(1) queueing,
// O(log workers) under CPU saturation, O(1) histogram; about two queue events per request. Health
// checks: O(1) per check. A change between fail-open and normal routing rebuilds the group's
// routing set, O(targets); a target becoming healthy in a slow-start group scans the group.
// Memory: about 110 bytes per request waiting in a queue, 165 with its completion event
// (docs/performance.md); the idle-timeout FIFO holds 8 bytes per request that arrived since the
// oldest one still unanswered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecsim/event_queue.hpp"
#include "ecsim/histogram.hpp"
#include "ecsim/metrics.hpp"
#include "ecsim/random.hpp"
#include "ecsim/signal.hpp"
#include "ecsim/time.hpp"

namespace ecsim {

// ---- Specification: the typed, fully defaulted form of the scenario's parts -----------------

enum class RoutingAlgorithm : std::uint8_t {
  kRoundRobin,
  kLeastOutstandingRequests,
  kWeightedRandom
};
// "round_robin", "least_outstanding_requests", "weighted_random"
std::string_view to_string(RoutingAlgorithm algorithm);

// HTTP codes a health check accepts: inclusive ranges from Matcher.HttpCode ("200", "200,202",
// "200-299").
struct HttpCodeRange {
  int low = 200;
  int high = 200;
  bool operator==(const HttpCodeRange&) const = default;
};

struct HealthCheckSpec {
  Duration interval = seconds(30);  // HealthCheckIntervalSeconds, 5-300
  Duration timeout = seconds(5);    // HealthCheckTimeoutSeconds, 2-120, below the interval
  int healthy_threshold = 5;        // HealthyThresholdCount, 2-10
  int unhealthy_threshold = 2;      // UnhealthyThresholdCount, 2-10
  std::string protocol = "HTTP";
  std::string path = "/";
  std::string port = "traffic-port";
  std::vector<HttpCodeRange> matcher = {HttpCodeRange{}};
  bool matches(int code) const;
};

// What runs behind a target: ecsim's own ("ecsim" block of a target group). INFERRED defaults.
struct ApplicationModel {
  int workers = 10;                       // requests served at once
  int queue_limit = 100;                  // requests waiting for a worker; more get 503
  std::optional<Duration> queue_timeout;  // waited longer: 503 when a worker takes it
  int unhealthy_response_code = 503;      // what an unhealthy app answers
  Duration health_check_service_time = kMillisecond;
  double base_memory_mib = 128;       // memory in use with no request
  double memory_per_request_mib = 1;  // per request queued or in service
  double error_rate = 0;              // share of requests answered 500 (a faulty release);
                                      // health checks still pass
  bool operator==(const ApplicationModel&) const = default;
};

struct TargetGroupSpec {
  std::string name;
  std::string protocol = "HTTP";
  int port = 80;
  std::string target_type = "instance";  // ip | instance
  HealthCheckSpec health_check;
  RoutingAlgorithm algorithm = RoutingAlgorithm::kRoundRobin;
  bool anomaly_mitigation = false;               // load_balancing.algorithm.anomaly_mitigation
  Duration slow_start{0};                        // slow_start.duration_seconds: 0 or 30-900 s
  Duration deregistration_delay = seconds(300);  // deregistration_delay.timeout_seconds, 0-3600
  ApplicationModel application;
  std::string pointer;  // where it came from, for messages
};

struct ForwardTargetGroup {
  std::size_t target_group = 0;  // index into LoadBalancingSpec::target_groups
  int weight = 1;                // 0-999 (9.5)
  bool operator==(const ForwardTargetGroup&) const = default;
};

struct ListenerSpec {
  int port = 80;
  std::string protocol = "HTTP";
  std::vector<ForwardTargetGroup> forward;  // 1-5 groups
  bool test_listener = false;               // ecsim's mark for blue/green test traffic
  std::string pointer;
};

struct LoadBalancerSpec {
  std::string name;
  Duration idle_timeout = seconds(60);  // idle_timeout.timeout_seconds, 1-4000
  std::vector<ListenerSpec> listeners;
  std::string pointer;
};

// Traffic patterns; rates in requests per second.
struct ConstantPattern {
  double rate = 0;  // evenly spaced arrivals
};
struct PoissonPattern {
  double rate = 0;
};
struct RampPattern {
  double from = 0, to = 0;  // `from` before start, linear to `to` over duration, then `to`
  Duration start{0};
  Duration duration = kMinute;
};
struct RatePoint {
  Duration at{0};
  double rate = 0;
  bool operator==(const RatePoint&) const = default;
};
struct StepsPattern {
  std::vector<RatePoint> steps;  // each rate holds from its time to the next; 0 before the first
};
struct DailyCyclePattern {
  double mean = 0;
  double amplitude = 0.5;  // rate = mean * (1 + amplitude * cos(2 pi (t - peak_at) / period))
  Duration period = 24 * kHour;
  Duration peak_at = 12 * kHour;
};
struct SpikePattern {
  double base = 0, peak = 0;  // `peak` during [at, at + duration), `base` otherwise
  Duration at{0};
  Duration duration = kMinute;
};
struct ReplayPattern {
  std::string path;               // as written in the scenario
  std::vector<RatePoint> points;  // read from the file at load time, times increasing
  bool linear = false;            // interpolate between points instead of holding each rate
  double scale = 1;               // multiplies every rate
};
using TrafficPattern = std::variant<ConstantPattern, PoissonPattern, RampPattern, StepsPattern,
                                    DailyCyclePattern, SpikePattern, ReplayPattern>;

struct RequestSpec {
  Distribution service_time = ConstantDistribution{0.01};  // seconds at full CPU speed
  std::int64_t cpu_units = 256;  // CPU units a request uses while in service (1024 = one vCPU)
};

struct TrafficSourceSpec {
  std::string name;
  std::string random_stream;  // names the random streams; default the name. Sources sharing one
                              // draw identical arrivals and service times (common random numbers)
  std::size_t load_balancer = 0;
  std::size_t listener = 0;  // index into that load balancer's listeners
  TrafficPattern pattern = PoissonPattern{1};
  RequestSpec request;
  Duration start{0};
  std::optional<Duration> end;
  std::string pointer;
};

struct LoadBalancingSpec {
  std::vector<TargetGroupSpec> target_groups;
  std::vector<LoadBalancerSpec> load_balancers;
  std::vector<TrafficSourceSpec> traffic;

  bool empty() const { return target_groups.empty() && load_balancers.empty() && traffic.empty(); }
  // By Name, by ARN (…:targetgroup/<Name>/<id>) or by name written as a TargetGroupName.
  std::optional<std::size_t> find_target_group(std::string_view name_or_arn) const;
  // "<load balancer name>:<port>" -> (load balancer, listener).
  std::optional<std::pair<std::size_t, std::size_t>> find_listener(std::string_view ref) const;
  std::optional<std::size_t> find_traffic_source(std::string_view name) const;
};

// Reads `loadBalancers`, `targetGroups` and `traffic` of a scenario document (other keys are left
// alone) and throws ScenarioError with every problem. Scenario loading itself uses
// detail::parse_load_balancing with the scenario's own ObjectReader.
LoadBalancingSpec load_balancing_from_json(const nlohmann::json& document,
                                           const std::filesystem::path& base_dir = ".");

// ---- Runtime ------------------------------------------------------------------------------------

// Names one registration of a target. Stays valid (for queries) for the whole run.
struct TargetHandle {
  std::uint32_t index = std::numeric_limits<std::uint32_t>::max();
  bool valid() const { return index != std::numeric_limits<std::uint32_t>::max(); }
  friend bool operator==(const TargetHandle&, const TargetHandle&) = default;
};

enum class TargetState : std::uint8_t { kInitial, kHealthy, kUnhealthy, kDraining, kUnused };
// "initial", "healthy", "unhealthy", "draining", "unused"
std::string_view to_string(TargetState state);

enum class TargetReason : std::uint8_t {
  kNone,  // healthy
  kRegistrationInProgress,
  kInitialHealthChecking,
  kResponseCodeMismatch,
  kTimeout,
  kFailedHealthChecks,
  kDeregistrationInProgress,
  kNotRegistered,
  kNotInUse,
};
// AWS's reason code ("Elb.RegistrationInProgress", "Target.Timeout" ...), "" for kNone.
std::string_view to_string(TargetReason reason);
// AWS's description text for the reason.
std::string_view describe(TargetReason reason);

// What the model knows about a task when it registers it.
struct TargetInfo {
  std::uint64_t task_key = 0;  // the model's id for the task (echoed in signals)
  std::string address;         // "10.0.1.17:8080" (ip) or "i-0123456789abcdef0:32768"
  std::string availability_zone;
  std::int64_t cpu_units = 1024;  // the task's CPU units; 0 = no limit (never saturates)
  std::int64_t memory_mib = 2048;
  std::optional<ApplicationModel> application;  // default: the target group's
  bool app_healthy = true;
  std::uint64_t tag = 0;  // the caller's own value, echoed in RequestFinished::target_tag
};

struct TargetHealthChange {
  TimePoint time;
  TargetHandle target;
  std::size_t target_group = 0;
  std::uint64_t task_key = 0;
  TargetState previous_state = TargetState::kInitial;
  TargetState state = TargetState::kInitial;
  TargetReason reason = TargetReason::kNone;
  int response_code = 0;        // the failing code, for kResponseCodeMismatch
  bool registered_now = false;  // made by register_target: there is no previous state
};

struct TargetDrained {
  TimePoint time;
  TargetHandle target;
  std::size_t target_group = 0;
  std::uint64_t task_key = 0;
  bool ended_early = false;        // nothing was in flight before the delay ended
  std::uint64_t requests_cut = 0;  // answered 502 when the delay ended
};

enum class ResponseOrigin : std::uint8_t { kTarget, kLoadBalancer };

struct RequestFinished {
  TimePoint arrived;
  TimePoint finished;
  std::uint32_t source = 0;
  std::uint32_t load_balancer = 0;
  std::uint32_t target_group = std::numeric_limits<std::uint32_t>::max();  // none: no group
  TargetHandle target;           // invalid when no target was chosen
  std::uint64_t target_tag = 0;  // the target's TargetInfo::tag; 0 without a target
  int status_code = 200;
  ResponseOrigin origin = ResponseOrigin::kTarget;
};

// Counters over every request that arrived.
struct RequestCounts {
  std::uint64_t arrived = 0;
  std::uint64_t succeeded = 0;      // a target answered 2xx
  std::uint64_t target_errors = 0;  // a target answered 4xx/5xx (queue full, unhealthy app ...)
  std::uint64_t elb_502 = 0;
  std::uint64_t elb_503 = 0;
  std::uint64_t elb_504 = 0;
  std::uint64_t failed() const { return target_errors + elb_502 + elb_503 + elb_504; }
  std::uint64_t finished() const { return succeeded + failed(); }
};

// Integrals of a target's use of its task, from registration to `now`. Differences of two
// readings give the utilization over a period.
struct TargetUsage {
  Duration observed{0};
  double cpu_unit_micros = 0;    // integral of min(demand, cpu units) dt
  double memory_mib_micros = 0;  // integral of memory in use dt
  std::int64_t cpu_units = 0;    // the task's CPU units (0: no limit)
  std::int64_t memory_mib = 0;
  // Percent over [since, this); NaN without time or without a CPU limit.
  double cpu_utilization_since(const TargetUsage& since) const;
  double memory_utilization_since(const TargetUsage& since) const;
};

// Queue payloads. Plain structs; generations make stale timers harmless (no cancellation).
struct LbArrival {
  std::uint32_t source;
  std::uint32_t generation;
};
struct LbServiceDone {  // one request's completion, when its task cannot saturate its CPU
  std::uint32_t request;
  std::uint32_t generation;
};
struct LbTargetTimer {  // a task's next completion under processor sharing
  std::uint32_t target;
  std::uint32_t generation;
};
struct LbIdleTimeout {
  std::uint32_t load_balancer;
  std::uint32_t generation;
};
struct LbHealthCheck {
  std::uint32_t target;
  std::uint32_t generation;
};
struct LbHealthCheckTimeout {
  std::uint32_t target;
  std::uint32_t check;
};
struct LbDrainTimeout {
  std::uint32_t target;
  std::uint32_t generation;
};
struct LbAnomalyTick {
  std::uint32_t target_group;
};
using LbEvent = std::variant<LbArrival, LbServiceDone, LbTargetTimer, LbIdleTimeout, LbHealthCheck,
                             LbHealthCheckTimeout, LbDrainTimeout, LbAnomalyTick>;

// How LoadBalancing puts events on the simulation's queue.
class LbScheduler {
 public:
  virtual ~LbScheduler() = default;
  virtual void schedule(TimePoint at, const LbEvent& event) = 0;
};

// An LbScheduler over an EventQueue whose Payload is constructible from LbEvent (LbEvent itself,
// or a variant with LbEvent as an alternative), at one priority class.
template <class Payload>
class EventQueueLbScheduler final : public LbScheduler {
 public:
  explicit EventQueueLbScheduler(EventQueue<Payload>& queue,
                                 std::uint8_t priority = kDefaultPriority)
      : queue_(queue), priority_(priority) {}
  void schedule(TimePoint at, const LbEvent& event) override {
    queue_.schedule(at, Payload(event), priority_);
  }

 private:
  EventQueue<Payload>& queue_;
  std::uint8_t priority_;
};

struct LoadBalancingOptions {
  std::string region = "us-east-1";  // for ARNs in event details
  std::string account_id = "123456789012";
};

class LoadBalancing {
 public:
  LoadBalancing(LoadBalancingSpec spec, const RandomStreams& streams, LbScheduler& scheduler,
                LoadBalancingOptions options = {});
  ~LoadBalancing();
  LoadBalancing(const LoadBalancing&) = delete;
  LoadBalancing& operator=(const LoadBalancing&) = delete;
  LoadBalancing(LoadBalancing&&) noexcept;
  LoadBalancing& operator=(LoadBalancing&&) noexcept;

  // Schedules each traffic source's first arrival. Call once, at the start of the run.
  void start(TimePoint now);
  // Carries out one of the events this object scheduled.
  void handle(const LbEvent& event, TimePoint now);

  // ---- the model's calls ----
  // A task joins a target group. Registering a task key already registered (and not draining) in
  // that group returns the existing handle, as AWS ignores a repeated RegisterTargets.
  TargetHandle register_target(std::size_t target_group, TargetInfo info, TimePoint now);
  // Starts deregistration: draining, then on_target_drained. No effect if already deregistering.
  void deregister_target(TargetHandle target, TimePoint now);
  void set_app_healthy(TargetHandle target, bool healthy, TimePoint now);
  // The share of requests the application answers with 500 from now on (a faulty release).
  void set_app_error_rate(TargetHandle target, double error_rate, TimePoint now);
  // The task got its stop signal: it refuses new connections, finishes what it holds.
  void set_target_stopping(TargetHandle target, TimePoint now);
  // The task is gone: what it held is cut (ELB 502), and it refuses everything from now on.
  void set_target_stopped(TargetHandle target, TimePoint now);
  // Replaces a listener's forward action (blue/green traffic shifts). Weights 0-999.
  void set_forward_weights(std::size_t load_balancer, std::size_t listener,
                           const std::vector<ForwardTargetGroup>& forward, TimePoint now);
  // Multiplies a traffic source's rate from `now` on (an ecsim fault; 1 restores it).
  void set_traffic_rate_multiplier(std::size_t source, double multiplier, TimePoint now);

  // ---- signals ----
  Signal<TargetHealthChange>& on_target_health();
  Signal<TargetDrained>& on_target_drained();
  // Fires for every request answered; costs one branch per request when nobody listens.
  Signal<RequestFinished>& on_request_finished();

  // ---- queries ----
  const LoadBalancingSpec& spec() const;
  TargetState target_state(TargetHandle target) const;
  TargetReason target_reason(TargetHandle target) const;
  std::size_t target_group_of(TargetHandle target) const;
  std::uint64_t task_key(TargetHandle target) const;
  // Registrations made so far: TargetHandle{0} .. TargetHandle{target_count() - 1}.
  std::size_t target_count() const;
  // Requests sent to the target and not yet answered (the LB's view, as LOR counts them).
  std::int64_t outstanding(TargetHandle target) const;
  TargetUsage target_usage(TargetHandle target, TimePoint now) const;
  std::size_t healthy_count(std::size_t target_group) const;
  std::size_t unhealthy_count(std::size_t target_group) const;
  const RequestCounts& counts() const;
  const RequestCounts& counts(std::size_t target_group) const;
  // Latency (microseconds) of requests a target answered, as CloudWatch's TargetResponseTime.
  Histogram latency() const;
  Histogram latency(std::size_t target_group) const;
  std::uint64_t in_flight() const;

  // ARNs in AWS's format, stable for a name.
  std::string target_group_arn(std::size_t target_group) const;
  std::string load_balancer_arn(std::size_t load_balancer) const;

  // The detail of an `ecsim Target Health Change` event, in DescribeTargetHealth's shape.
  nlohmann::ordered_json target_health_detail(const TargetHealthChange& change) const;
  // Requests (total, succeeded, failed, inFlight, errorsByCode, latencyMs p50/p90/p99/p99.9/max)
  // overall and per target group.
  nlohmann::ordered_json summary() const;
  // Closes the metrics period that began at the previous call (or at time zero) and returns one
  // row per load balancer and per target group (CloudWatch's names; times in seconds).
  MetricsTable close_metrics_period(TimePoint now);

  // Checks that arrived = succeeded + failed + in flight, overall and per target group, with the
  // in-flight requests counted afresh. Returns the problem, or nullopt.
  std::optional<std::string> conservation_problem() const;
  // Throws InternalError if conservation_problem() finds one.
  void check_conservation() const;

  // Bytes held by the model's own containers (requests, queues, histograms), for benchmarks.
  std::size_t memory_bytes() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ecsim
