// Run limits (RunLimits) and the size estimate they are checked against (estimate_run_size).
//
// The estimate is computed from the loaded scenario alone (arithmetic over its parts; no part of
// the model runs). It aims to be close to what the run does (within 10 % for events, 0.5 % for
// requests on the example scenarios), so that a runaway scenario (a typo of three zeros in a
// rate) is refused with its figures before a single event.
#include "scenario/run_limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <set>
#include <string>
#include <variant>

namespace ecsim {
namespace {

struct LimitField {
  const char* name;
  std::int64_t RunLimits::*field;
  std::int64_t max;  // the largest value it may be set to
};

// maxContainerInstances has its own ceiling, 200 times the ECS quota.
constexpr LimitField kFields[] = {
    {"maxContainerInstances", &RunLimits::max_container_instances, 1'000'000},
    {"maxTasks", &RunLimits::max_tasks, RunLimits::kMaxValue},
    {"maxRequests", &RunLimits::max_requests, RunLimits::kMaxValue},
    {"maxEvents", &RunLimits::max_events, RunLimits::kMaxValue},
    {"maxMetricsRows", &RunLimits::max_metrics_rows, RunLimits::kMaxValue},
};

const LimitField* find_field(std::string_view name) {
  for (const LimitField& f : kFields)
    if (name == f.name) return &f;
  return nullptr;
}

// Events per thing, from the model's event flow (docs/reliability.md): a request is an arrival
// and a completion (plus CPU-sharing timers and idle timeouts: 2.1 measured on the examples); a
// health check is the check and its answer or timeout; a task goes through about ten state
// changes, container starts and reconciles.
constexpr double kEventsPerRequest = 2.2;
constexpr double kEventsPerHealthCheck = 2;
constexpr double kEventsPerTask = 10;
constexpr double kEventsPerInstance = 4;

double seconds_of(std::int64_t micros) {
  return static_cast<double>(micros) / 1e6;
}

// The integral over [a, b) (microseconds) of a piecewise rate: `before` until times[0], then each
// rate from its time on (interpolated to the next with `linear`), the last one for ever.
double integrate_piecewise(double before, const std::vector<std::int64_t>& times,
                           const std::vector<double>& rates, bool linear, std::int64_t a,
                           std::int64_t b) {
  if (b <= a) return 0;
  const std::size_t n = times.size();
  if (n == 0) return before * seconds_of(b - a);
  double total = 0;
  auto piece = [&](std::int64_t lo, std::int64_t hi, auto rate_at) {
    const std::int64_t x0 = std::max(lo, a), x1 = std::min(hi, b);
    if (x1 <= x0) return;
    total += (rate_at(x0) + rate_at(x1)) / 2 * seconds_of(x1 - x0);
  };
  piece(std::numeric_limits<std::int64_t>::min(), times[0], [&](std::int64_t) { return before; });
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t hi = i + 1 < n ? times[i + 1] : std::numeric_limits<std::int64_t>::max();
    if (linear && i + 1 < n && hi > times[i]) {
      const double span = static_cast<double>(hi - times[i]);
      piece(times[i], hi, [&](std::int64_t x) {
        return rates[i] + (rates[i + 1] - rates[i]) * static_cast<double>(x - times[i]) / span;
      });
    } else {
      piece(times[i], hi, [&](std::int64_t) { return rates[i]; });
    }
  }
  return total;
}

// Requests a pattern sends over [a, b) (microseconds).
double integrate_pattern(const TrafficPattern& pattern, std::int64_t a, std::int64_t b) {
  if (b <= a) return 0;
  return std::visit(
      [&](const auto& p) -> double {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, ConstantPattern> || std::is_same_v<P, PoissonPattern>) {
          return p.rate * seconds_of(b - a);
        } else if constexpr (std::is_same_v<P, RampPattern>) {
          return integrate_piecewise(p.from, {p.start.count(), (p.start + p.duration).count()},
                                     {p.from, p.to}, true, a, b);
        } else if constexpr (std::is_same_v<P, StepsPattern>) {
          std::vector<std::int64_t> times;
          std::vector<double> rates;
          for (const RatePoint& s : p.steps) {
            times.push_back(s.at.count());
            rates.push_back(s.rate);
          }
          return integrate_piecewise(0, times, rates, false, a, b);
        } else if constexpr (std::is_same_v<P, DailyCyclePattern>) {
          // mean * (1 + amplitude * cos(2 pi (t - peak) / period)), integrated exactly.
          const double period = std::max(seconds_of(p.period.count()), 1e-6);
          const double w = 2 * std::numbers::pi / period;
          auto phase = [&](std::int64_t t) {
            return w * std::fmod(seconds_of(t - p.peak_at.count()), period);
          };
          return p.mean * seconds_of(b - a) +
                 p.mean * p.amplitude / w * (std::sin(phase(b)) - std::sin(phase(a)));
        } else if constexpr (std::is_same_v<P, SpikePattern>) {
          return integrate_piecewise(p.base, {p.at.count(), (p.at + p.duration).count()},
                                     {p.peak, p.base}, false, a, b);
        } else {
          static_assert(std::is_same_v<P, ReplayPattern>);
          std::vector<std::int64_t> times;
          std::vector<double> rates;
          for (const RatePoint& s : p.points) {
            times.push_back(s.at.count());
            rates.push_back(s.rate * p.scale);
          }
          return integrate_piecewise(0, times, rates, p.linear, a, b);
        }
      },
      pattern);
}

// 1234567 -> "1,234,567"; huge values in scientific notation.
std::string with_commas(double value) {
  if (!(value < 9e15)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", value);
    return buf;
  }
  std::string digits = std::to_string(std::llround(std::max(value, 0.0)));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

// A round number at or above `estimate` (two significant digits), to suggest as the new limit.
std::int64_t suggested_limit(double estimate) {
  double scale = 1;
  while (estimate / scale >= 100)
    scale *= 10;
  // The small allowance keeps 3.6e9 / 1e8 = 36.000000000000004 from rounding up to 37.
  return static_cast<std::int64_t>(std::ceil(estimate / scale - 1e-9) * scale);
}

// "family:3", "arn:...:task-definition/family:3" or "family" -> "family".
std::string family_of(std::string task_definition) {
  if (const auto slash = task_definition.rfind('/'); slash != std::string::npos)
    task_definition.erase(0, slash + 1);
  if (const auto colon = task_definition.rfind(':'); colon != std::string::npos)
    task_definition.resize(colon);
  return task_definition;
}

}  // namespace

bool RunLimits::set(std::string_view name, std::int64_t value) {
  const LimitField* f = find_field(name);
  if (f == nullptr) return false;
  this->*(f->field) = value;
  return true;
}

std::optional<std::int64_t> RunLimits::get(std::string_view name) const {
  const LimitField* f = find_field(name);
  if (f == nullptr) return std::nullopt;
  return this->*(f->field);
}

const std::vector<std::string>& RunLimits::names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const LimitField& f : kFields)
      v.emplace_back(f.name);
    return v;
  }();
  return names;
}

RunEstimate estimate_run_size(const Scenario& s) {
  RunEstimate e;
  const std::int64_t end = s.duration.count();
  for (const InstanceGroupSpec& g : s.cluster.container_instances)
    e.container_instances += g.count;
  // An Auto Scaling group may grow to its MaxSize.
  for (const AutoScalingGroupSpec& g : s.auto_scaling_groups)
    e.container_instances += g.max_size;
  const double instances = static_cast<double>(e.container_instances);
  const double run_seconds = seconds_of(end);

  // Tasks: each service's largest desired count over the timeline (DAEMON: one per instance),
  // plus every RunTask. Health-checked targets: the tasks of services behind target groups.
  struct ServiceSize {
    double desired = 0;
    double health_checks_per_task = 0;  // over the run
    bool daemon = false;
  };
  std::vector<ServiceSize> sizes;
  std::map<std::string, std::size_t> live;  // service name -> its latest entry in sizes
  auto create = [&](const ServiceSpec& spec) {
    ServiceSize size;
    size.daemon = spec.scheduling_strategy == "DAEMON";
    size.desired = size.daemon ? instances : spec.desired_count;
    for (const ServiceLoadBalancerSpec& lb : spec.load_balancers)
      if (auto g = s.load_balancing.find_target_group(lb.target_group)) {
        const auto interval = s.load_balancing.target_groups[*g].health_check.interval.count();
        if (interval > 0) size.health_checks_per_task += static_cast<double>(end / interval + 1);
      }
    live[spec.service_name] = sizes.size();
    sizes.push_back(size);
  };
  for (const ServiceSpec& spec : s.services)
    create(spec);
  std::set<std::string> groups;
  double run_tasks = 0;
  for (const TimelineAction& action : s.timeline) {
    if (const auto* c = std::get_if<CreateServiceAction>(&action.input)) create(c->service);
    if (const auto* u = std::get_if<UpdateServiceAction>(&action.input)) {
      auto it = live.find(u->service);
      if (it != live.end() && u->desired_count && !sizes[it->second].daemon)
        sizes[it->second].desired =
            std::max(sizes[it->second].desired, static_cast<double>(*u->desired_count));
    }
    if (const auto* r = std::get_if<RunTaskAction>(&action.input)) {
      run_tasks += r->count;
      groups.insert(r->group.empty() ? "family:" + family_of(r->task_definition) : r->group);
    }
  }
  double health_checks = 0;
  e.tasks = run_tasks;
  for (const ServiceSize& size : sizes) {
    e.tasks += size.desired;
    health_checks += size.desired * size.health_checks_per_task;
  }

  for (const TrafficSourceSpec& t : s.load_balancing.traffic) {
    const std::int64_t from = std::max<std::int64_t>(t.start.count(), 0);
    const std::int64_t to = std::min(t.end ? t.end->count() : end, end);
    // SetTrafficRate multiplies the rate from its time on; with a duration, 1 again after it.
    std::vector<std::pair<std::int64_t, double>> changes;  // (time, multiplier), stable order
    for (const TimelineAction& action : s.timeline)
      if (const auto* rate = std::get_if<SetTrafficRateAction>(&action.input);
          rate != nullptr && rate->source == t.name) {
        changes.emplace_back(action.at.count(), rate->multiplier);
        if (rate->duration) changes.emplace_back((action.at + *rate->duration).count(), 1.0);
      }
    std::stable_sort(changes.begin(), changes.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    double multiplier = 1;
    std::int64_t piece_start = from;
    for (const auto& [at, next] : changes) {
      const std::int64_t piece_end = std::clamp(at, from, to);
      e.requests +=
          multiplier * std::max(integrate_pattern(t.pattern, piece_start, piece_end), 0.0);
      piece_start = std::max(piece_start, piece_end);
      multiplier = next;
    }
    e.requests += multiplier * std::max(integrate_pattern(t.pattern, piece_start, to), 0.0);
  }

  const double periods =
      std::ceil(run_seconds / std::max(seconds_of(s.metrics_period.count()), 1e-6));
  e.events = kEventsPerRequest * e.requests + kEventsPerHealthCheck * health_checks +
             kEventsPerTask * e.tasks + kEventsPerInstance * instances + periods +
             static_cast<double>(s.timeline.size());

  // Rows per metrics period: the cluster, each instance, each task group, and with a load
  // balancer each load balancer, target group and service behind one.
  double lb_rows = 0;
  if (!s.load_balancing.empty()) {
    lb_rows = static_cast<double>(s.load_balancing.load_balancers.size() +
                                  s.load_balancing.target_groups.size());
    for (const ServiceSpec& spec : s.services)
      lb_rows += spec.load_balancers.empty() ? 0 : 1;
  }
  e.metrics_rows =
      periods * (1 + instances + static_cast<double>(sizes.size() + groups.size()) + lb_rows);
  return e;
}

namespace detail {

void read_limits(ObjectReader& root, Scenario& s,
                 const std::map<std::string, std::int64_t>& overrides) {
  root.object("limits", [&](ObjectReader& r) {
    for (const LimitField& f : kFields)
      if (auto v = r.optional_integer(f.name, 1, f.max)) s.limits.*(f.field) = *v;
    r.finish();
  });
  for (const auto& [name, value] : overrides) {
    const LimitField* f = find_field(name);
    std::string names;
    for (const LimitField& g : kFields)
      names += std::string(names.empty() ? "" : ", ") + g.name;
    if (f == nullptr)
      root.diagnostics().add(
          "", "unknown limit \"" + name + "\" given to the loader; limits are " + names);
    else if (value < 1 || value > f->max)
      root.diagnostics().add("", "limit " + name + " = " + std::to_string(value) +
                                     " given to the loader is out of range; expected 1 to " +
                                     std::to_string(f->max));
    else
      s.limits.*(f->field) = value;
  }
}

void check_limits(Diagnostics& diag, const Scenario& s) {
  const RunEstimate e = estimate_run_size(s);
  auto over = [&](const std::string& pointer, const char* name, double estimate,
                  const std::string& what) {
    const LimitField* f = find_field(name);
    const std::int64_t limit = s.limits.*(f->field);
    if (estimate <= static_cast<double>(limit)) return;
    std::string message =
        what + ", more than the limit of " + with_commas(static_cast<double>(limit));
    if (estimate <= static_cast<double>(f->max)) {
      // Only here: beyond f->max the suggestion would not fit an int64.
      const std::string value = std::to_string(std::min(suggested_limit(estimate), f->max));
      message += "; to run it anyway, raise the limit with \"limits\": {\"" + std::string(name) +
                 "\": " + value + "} in the scenario or `ecsim run --limit " + name + "=" + value +
                 "`";
    } else {
      message += "; that is beyond what ecsim can simulate (" + std::string(name) + " is at most " +
                 with_commas(static_cast<double>(f->max)) + "): make the scenario smaller";
    }
    diag.add(pointer, message);
  };
  over("/cluster/containerInstances", "maxContainerInstances",
       static_cast<double>(e.container_instances),
       std::to_string(e.container_instances) +
           " container instances in all (an ECS cluster holds at most 5000, ecs-reference 12)");
  over(s.services.empty() ? "/timeline" : "/services", "maxTasks", e.tasks,
       "the run would start about " + with_commas(e.tasks) +
           " tasks (services' desired counts and RunTask counts)");
  over(
      "/traffic", "maxRequests", e.requests,
      "the traffic sources would send about " + with_commas(e.requests) + " requests over the run");
  over("", "maxEvents", e.events,
       "the run would process about " + with_commas(e.events) + " simulation events (" +
           with_commas(kEventsPerRequest * e.requests) + " for requests, " +
           with_commas(kEventsPerTask * e.tasks) + " for tasks, the rest for health checks, " +
           "metrics periods and instances)");
  over("/metricsPeriod", "maxMetricsRows", e.metrics_rows,
       "metrics.csv would hold about " + with_commas(e.metrics_rows) +
           " rows (one per metrics period and instance, task group and load balancer part); a "
           "longer metricsPeriod makes fewer");
}

}  // namespace detail
}  // namespace ecsim
