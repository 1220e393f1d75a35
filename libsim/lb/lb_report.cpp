// LoadBalancing's public face: the wrappers that deliver notifications, the queries, the summary,
// per-period metrics, the conservation check and event details.
#include <cmath>
#include <cstdio>
#include <limits>

#include "ecsim/assert.hpp"

#include "lb/lb_impl.hpp"

namespace ecsim {

using detail::BalancerState;
using detail::GroupState;
using detail::kHealthCheckSource;
using detail::Phase;
using detail::Target;
using Json = nlohmann::ordered_json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::int64_t micros(TimePoint t) {
  return t.time_since_epoch().count();
}

double ms(std::int64_t us) {
  return static_cast<double>(us) / 1000.0;
}

Json latency_json(const Histogram& h) {
  Json j;
  j["count"] = h.count();
  j["mean"] = std::round(h.mean()) / 1000.0;
  j["p50"] = ms(h.percentile(50));
  j["p90"] = ms(h.percentile(90));
  j["p99"] = ms(h.percentile(99));
  j["p99.9"] = ms(h.percentile(99.9));
  j["max"] = ms(h.max());
  return j;
}

// ELB errors by code, then target errors by code, merged by code in numeric order.
Json errors_by_code(const RequestCounts& c, const std::map<int, std::uint64_t>& target_codes) {
  std::map<int, std::uint64_t> all = target_codes;
  if (c.elb_502) all[502] += c.elb_502;
  if (c.elb_503) all[503] += c.elb_503;
  if (c.elb_504) all[504] += c.elb_504;
  Json j = Json::object();
  for (const auto& [code, n] : all)
    j[std::to_string(code)] = n;
  return j;
}

Json errors_by_origin(const RequestCounts& c, const std::map<int, std::uint64_t>& target_codes) {
  Json elb = Json::object();
  if (c.elb_502) elb["502"] = c.elb_502;
  if (c.elb_503) elb["503"] = c.elb_503;
  if (c.elb_504) elb["504"] = c.elb_504;
  Json target = Json::object();
  for (const auto& [code, n] : target_codes)
    target[std::to_string(code)] = n;
  Json j;
  j["loadBalancer"] = std::move(elb);
  j["target"] = std::move(target);
  return j;
}

std::string hex16(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

// ---- names ------------------------------------------------------------------------------------

std::string_view to_string(TargetState state) {
  switch (state) {
    case TargetState::kInitial:
      return "initial";
    case TargetState::kHealthy:
      return "healthy";
    case TargetState::kUnhealthy:
      return "unhealthy";
    case TargetState::kDraining:
      return "draining";
    case TargetState::kUnused:
      return "unused";
  }
  return "unused";
}

std::string_view to_string(TargetReason reason) {
  switch (reason) {
    case TargetReason::kNone:
      return "";
    case TargetReason::kRegistrationInProgress:
      return "Elb.RegistrationInProgress";
    case TargetReason::kInitialHealthChecking:
      return "Elb.InitialHealthChecking";
    case TargetReason::kResponseCodeMismatch:
      return "Target.ResponseCodeMismatch";
    case TargetReason::kTimeout:
      return "Target.Timeout";
    case TargetReason::kFailedHealthChecks:
      return "Target.FailedHealthChecks";
    case TargetReason::kDeregistrationInProgress:
      return "Target.DeregistrationInProgress";
    case TargetReason::kNotRegistered:
      return "Target.NotRegistered";
    case TargetReason::kNotInUse:
      return "Target.NotInUse";
  }
  return "";
}

std::string_view describe(TargetReason reason) {
  switch (reason) {
    case TargetReason::kNone:
      return "";
    case TargetReason::kRegistrationInProgress:
      return "Target registration is in progress";
    case TargetReason::kInitialHealthChecking:
      return "Initial health checks in progress";
    case TargetReason::kResponseCodeMismatch:
      return "Health checks failed with these codes";
    case TargetReason::kTimeout:
      return "Request timed out";
    case TargetReason::kFailedHealthChecks:
      return "Health checks failed";
    case TargetReason::kDeregistrationInProgress:
      return "Target deregistration is in progress";
    case TargetReason::kNotRegistered:
      return "Target is not registered to the target group";
    case TargetReason::kNotInUse:
      return "Target group is not configured to receive traffic from the load balancer";
  }
  return "";
}

double TargetUsage::cpu_utilization_since(const TargetUsage& since) const {
  const auto dt = static_cast<double>((observed - since.observed).count());
  if (dt <= 0 || cpu_units <= 0) return kNaN;
  return 100.0 * (cpu_unit_micros - since.cpu_unit_micros) / (static_cast<double>(cpu_units) * dt);
}

double TargetUsage::memory_utilization_since(const TargetUsage& since) const {
  const auto dt = static_cast<double>((observed - since.observed).count());
  if (dt <= 0 || memory_mib <= 0) return kNaN;
  return 100.0 * (memory_mib_micros - since.memory_mib_micros) /
         (static_cast<double>(memory_mib) * dt);
}

// ---- the public class ---------------------------------------------------------------------------

LoadBalancing::LoadBalancing(LoadBalancingSpec spec, const RandomStreams& streams,
                             LbScheduler& scheduler, LoadBalancingOptions options)
    : impl_(std::make_unique<Impl>(std::move(spec), streams, scheduler, std::move(options))) {}

LoadBalancing::~LoadBalancing() = default;
LoadBalancing::LoadBalancing(LoadBalancing&&) noexcept = default;
LoadBalancing& LoadBalancing::operator=(LoadBalancing&&) noexcept = default;

void LoadBalancing::start(TimePoint now) {
  impl_->start(micros(now));
  impl_->flush();
}

void LoadBalancing::handle(const LbEvent& event, TimePoint now) {
  impl_->handle(event, micros(now));
  if (!impl_->notifications_.empty()) impl_->flush();
}

TargetHandle LoadBalancing::register_target(std::size_t target_group, TargetInfo info,
                                            TimePoint now) {
  const TargetHandle h = impl_->register_target(target_group, std::move(info), micros(now));
  impl_->flush();
  return h;
}

namespace {
void check_handle(const LoadBalancing::Impl& impl, TargetHandle h) {
  ECSIM_ASSERT(h.index < impl.targets_.size(), "not a target handle of this LoadBalancing");
}
}  // namespace

void LoadBalancing::deregister_target(TargetHandle target, TimePoint now) {
  check_handle(*impl_, target);
  impl_->deregister_target(target.index, micros(now));
  impl_->flush();
}

void LoadBalancing::set_app_healthy(TargetHandle target, bool healthy, TimePoint now) {
  check_handle(*impl_, target);
  impl_->set_app_healthy(target.index, healthy, micros(now));
  impl_->flush();
}

void LoadBalancing::set_app_error_rate(TargetHandle target, double error_rate, TimePoint now) {
  check_handle(*impl_, target);
  impl_->set_app_error_rate(target.index, error_rate, micros(now));
  impl_->flush();
}

void LoadBalancing::set_target_stopping(TargetHandle target, TimePoint now) {
  check_handle(*impl_, target);
  impl_->set_target_stopping(target.index, micros(now));
  impl_->flush();
}

void LoadBalancing::set_target_stopped(TargetHandle target, TimePoint now) {
  check_handle(*impl_, target);
  impl_->set_target_stopped(target.index, micros(now));
  impl_->flush();
}

void LoadBalancing::set_forward_weights(std::size_t load_balancer, std::size_t listener,
                                        const std::vector<ForwardTargetGroup>& forward,
                                        TimePoint now) {
  impl_->set_forward_weights(load_balancer, listener, forward, micros(now));
  impl_->flush();
}

void LoadBalancing::set_traffic_rate_multiplier(std::size_t source, double multiplier,
                                                TimePoint now) {
  impl_->set_traffic_rate_multiplier(source, multiplier, micros(now));
  impl_->flush();
}

Signal<TargetHealthChange>& LoadBalancing::on_target_health() {
  return impl_->on_target_health_;
}
Signal<TargetDrained>& LoadBalancing::on_target_drained() {
  return impl_->on_target_drained_;
}
Signal<RequestFinished>& LoadBalancing::on_request_finished() {
  return impl_->on_request_finished_;
}

const LoadBalancingSpec& LoadBalancing::spec() const {
  return impl_->spec_;
}

TargetState LoadBalancing::target_state(TargetHandle target) const {
  check_handle(*impl_, target);
  return impl_->states_[target.index];
}

TargetReason LoadBalancing::target_reason(TargetHandle target) const {
  check_handle(*impl_, target);
  return impl_->targets_[target.index].reason;
}

std::size_t LoadBalancing::target_group_of(TargetHandle target) const {
  check_handle(*impl_, target);
  return impl_->targets_[target.index].group;
}

std::uint64_t LoadBalancing::task_key(TargetHandle target) const {
  check_handle(*impl_, target);
  return impl_->targets_[target.index].info.task_key;
}

std::size_t LoadBalancing::target_count() const {
  return impl_->targets_.size();
}

std::int64_t LoadBalancing::outstanding(TargetHandle target) const {
  check_handle(*impl_, target);
  return impl_->targets_[target.index].outstanding;
}

TargetUsage LoadBalancing::target_usage(TargetHandle target, TimePoint now) const {
  check_handle(*impl_, target);
  const Target& x = impl_->targets_[target.index];
  const std::int64_t t = micros(now);
  const auto dt = static_cast<double>(std::max<std::int64_t>(t - x.usage_at, 0));
  const std::int64_t cpu = x.cpu_units > 0 ? std::min(x.demand, x.cpu_units) : x.demand;
  TargetUsage u;
  u.observed = Duration(std::max<std::int64_t>(t - x.registered_at, 0));
  u.cpu_unit_micros = x.cpu_area + static_cast<double>(cpu) * dt;
  u.memory_mib_micros =
      x.memory_area +
      (x.base_memory_mib + x.memory_per_request_mib * static_cast<double>(x.held)) * dt;
  u.cpu_units = x.cpu_units;
  u.memory_mib = x.info.memory_mib;
  return u;
}

std::size_t LoadBalancing::healthy_count(std::size_t target_group) const {
  return impl_->groups_.at(target_group).healthy;
}

std::size_t LoadBalancing::unhealthy_count(std::size_t target_group) const {
  return impl_->groups_.at(target_group).unhealthy;
}

const RequestCounts& LoadBalancing::counts() const {
  return impl_->counts_;
}

const RequestCounts& LoadBalancing::counts(std::size_t target_group) const {
  return impl_->groups_.at(target_group).counts;
}

Histogram LoadBalancing::latency() const {
  Histogram h = impl_->latency_;
  for (std::size_t i = 0; i < impl_->groups_.size(); ++i)
    h.merge(impl_->period_latencies_.of(i));
  return h;
}

Histogram LoadBalancing::latency(std::size_t target_group) const {
  const GroupState& g = impl_->groups_.at(target_group);
  Histogram h = g.latency;
  h.merge(impl_->period_latencies_.of(target_group));
  return h;
}

std::uint64_t LoadBalancing::in_flight() const {
  std::uint64_t n = 0;
  for (const auto& q : impl_->requests_)
    if (q.phase != Phase::kFree && q.source != kHealthCheckSource && !q.lb_done) ++n;
  return n;
}

std::string LoadBalancing::Impl::arn_prefix() const {
  return "arn:aws:elasticloadbalancing:" + options_.region + ":" + options_.account_id + ":";
}

std::string LoadBalancing::target_group_arn(std::size_t target_group) const {
  const std::string& name = impl_->spec_.target_groups.at(target_group).name;
  return impl_->arn_prefix() + "targetgroup/" + name + "/" + hex16(detail::fnv1a64(name));
}

std::string LoadBalancing::load_balancer_arn(std::size_t load_balancer) const {
  const std::string& name = impl_->spec_.load_balancers.at(load_balancer).name;
  return impl_->arn_prefix() + "loadbalancer/app/" + name + "/" + hex16(detail::fnv1a64(name));
}

nlohmann::ordered_json LoadBalancing::target_health_detail(const TargetHealthChange& c) const {
  check_handle(*impl_, c.target);
  const Target& x = impl_->targets_[c.target.index];
  const TargetGroupSpec& g = impl_->spec_.target_groups.at(c.target_group);
  // "10.0.1.17:8080" -> id 10.0.1.17, port 8080; without a port, the group's port.
  std::string id = x.info.address;
  int port = g.port;
  if (const auto colon = id.rfind(':'); colon != std::string::npos) {
    const std::string tail = id.substr(colon + 1);
    if (!tail.empty() && tail.size() <= 5 &&
        tail.find_first_not_of("0123456789") == std::string::npos) {
      port = std::stoi(tail);
      id.resize(colon);
    }
  }
  Json j;
  j["targetGroupArn"] = target_group_arn(c.target_group);
  j["targetGroupName"] = g.name;
  Json target;
  target["id"] = id;
  target["port"] = port;
  if (!x.info.availability_zone.empty()) target["availabilityZone"] = x.info.availability_zone;
  j["target"] = std::move(target);
  j["taskKey"] = c.task_key;
  if (!c.registered_now) j["previousState"] = to_string(c.previous_state);
  Json health;
  health["state"] = to_string(c.state);
  if (c.reason != TargetReason::kNone) {
    health["reason"] = to_string(c.reason);
    std::string text(describe(c.reason));
    if (c.reason == TargetReason::kResponseCodeMismatch)
      text += ": [" + std::to_string(c.response_code) + "]";
    health["description"] = text;
  }
  j["targetHealth"] = std::move(health);
  return j;
}

nlohmann::ordered_json LoadBalancing::summary() const {
  return impl_->summary();
}

MetricsTable LoadBalancing::close_metrics_period(TimePoint now) {
  return impl_->close_metrics_period(micros(now));
}

std::optional<std::string> LoadBalancing::conservation_problem() const {
  return impl_->conservation_problem();
}

void LoadBalancing::check_conservation() const {
  if (auto problem = conservation_problem()) ECSIM_ASSERT(false, *problem);
}

std::size_t LoadBalancing::memory_bytes() const {
  return impl_->memory_bytes();
}

// ---- Impl: reports ----------------------------------------------------------------------------

void LoadBalancing::Impl::flush() {
  if (flushing_) return;  // the outer flush delivers what nested calls queue
  flushing_ = true;
  struct Reset {
    Impl& self;
    ~Reset() {
      self.notifications_.clear();
      self.flushing_ = false;
    }
  } reset{*this};
  for (std::size_t i = 0; i < notifications_.size(); ++i) {
    const detail::Notification n = notifications_[i];  // a copy: observers may queue more
    if (const auto* h = std::get_if<TargetHealthChange>(&n)) {
      on_target_health_.emit(*h);
    } else if (const auto* d = std::get_if<TargetDrained>(&n)) {
      on_target_drained_.emit(*d);
    } else {
      on_request_finished_.emit(std::get<RequestFinished>(n));
    }
  }
}

nlohmann::ordered_json LoadBalancing::Impl::summary() const {
  std::vector<std::uint64_t> group_in_flight(groups_.size(), 0);
  std::uint64_t in_flight = 0;
  for (const auto& q : requests_) {
    if (q.phase == Phase::kFree || q.source == kHealthCheckSource || q.lb_done) continue;
    ++in_flight;
    ++group_in_flight[q.target_group];
  }
  Histogram all = latency_;
  for (std::size_t i = 0; i < groups_.size(); ++i)
    all.merge(period_latencies_.of(i));

  Json j;
  j["total"] = counts_.arrived;
  j["succeeded"] = counts_.succeeded;
  j["failed"] = counts_.failed();
  j["inFlight"] = in_flight;
  j["errorsByCode"] = errors_by_code(counts_, target_codes_);
  j["errorsByOrigin"] = errors_by_origin(counts_, target_codes_);
  j["latencyMs"] = latency_json(all);
  Json lbs = Json::array();
  for (const BalancerState& b : balancers_) {
    Json e;
    e["name"] = b.spec->name;
    e["total"] = b.counts.arrived;
    e["succeeded"] = b.counts.succeeded;
    e["failed"] = b.counts.failed();
    e["errorsByCode"] = errors_by_code(b.counts, b.target_codes);
    lbs.push_back(std::move(e));
  }
  j["loadBalancers"] = std::move(lbs);
  Json tgs = Json::array();
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    const GroupState& g = groups_[i];
    Histogram h = g.latency;
    h.merge(period_latencies_.of(i));
    Json e;
    e["name"] = g.spec->name;
    e["algorithm"] = to_string(g.spec->algorithm);
    e["total"] = g.counts.arrived;
    e["succeeded"] = g.counts.succeeded;
    e["failed"] = g.counts.failed();
    e["inFlight"] = group_in_flight[i];
    e["errorsByCode"] = errors_by_code(g.counts, g.target_codes);
    e["latencyMs"] = latency_json(h);
    e["registrations"] = g.targets.size();
    e["healthyTargets"] = g.healthy;
    e["unhealthyTargets"] = g.unhealthy;
    tgs.push_back(std::move(e));
  }
  j["targetGroups"] = std::move(tgs);
  return j;
}

MetricsTable LoadBalancing::Impl::close_metrics_period(std::int64_t now) {
  MetricsTable table;
  table.metric_names = {"RequestCount",
                        "HTTPCode_Target_2XX_Count",
                        "HTTPCode_Target_4XX_Count",
                        "HTTPCode_Target_5XX_Count",
                        "HTTPCode_ELB_5XX_Count",
                        "HTTPCode_ELB_502_Count",
                        "HTTPCode_ELB_503_Count",
                        "HTTPCode_ELB_504_Count",
                        "TargetResponseTime_p50",
                        "TargetResponseTime_p90",
                        "TargetResponseTime_p99",
                        "TargetResponseTime_max",
                        "HealthyHostCount",
                        "UnHealthyHostCount",
                        "RequestCountPerTarget"};
  const double t0 = static_cast<double>(period_start_) / 1e6;
  const auto span = static_cast<double>(now - period_start_);
  auto codes = [](const detail::PeriodCounts& p, std::vector<double>& v) {
    double t4 = 0, t5 = 0;
    for (const auto& [code, n] : p.target_codes)
      (code < 500 ? t4 : t5) += static_cast<double>(n);
    const RequestCounts& c = p.counts;
    v[0] = static_cast<double>(c.arrived);
    v[1] = static_cast<double>(c.succeeded);
    v[2] = t4;
    v[3] = t5;
    v[4] = static_cast<double>(c.elb_502 + c.elb_503 + c.elb_504);
    v[5] = static_cast<double>(c.elb_502);
    v[6] = static_cast<double>(c.elb_503);
    v[7] = static_cast<double>(c.elb_504);
  };
  for (BalancerState& b : balancers_) {
    MetricsTable::Row row{t0, "loadBalancer", b.spec->name,
                          std::vector<double>(table.metric_names.size(), kNaN)};
    codes(b.period, row.values);
    table.rows.push_back(std::move(row));
    b.period = {};
  }
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    GroupState& g = groups_[i];
    advance_areas(g, now);
    MetricsTable::Row row{t0, "targetGroup", g.spec->name,
                          std::vector<double>(table.metric_names.size(), kNaN)};
    codes(g.period, row.values);
    const Histogram& h = period_latencies_.of(i);
    if (!h.empty()) {
      row.values[8] = static_cast<double>(h.percentile(50)) / 1e6;
      row.values[9] = static_cast<double>(h.percentile(90)) / 1e6;
      row.values[10] = static_cast<double>(h.percentile(99)) / 1e6;
      row.values[11] = static_cast<double>(h.max()) / 1e6;
    }
    const double healthy = span > 0 ? g.healthy_area / span : static_cast<double>(g.healthy);
    row.values[12] = healthy;
    row.values[13] = span > 0 ? g.unhealthy_area / span : static_cast<double>(g.unhealthy);
    if (healthy > 0) row.values[14] = static_cast<double>(g.period.counts.arrived) / healthy;
    table.rows.push_back(std::move(row));
    g.latency.merge(h);
    latency_.merge(h);
    period_latencies_.clear(i);
    g.period = {};
    g.healthy_area = g.unhealthy_area = 0;
  }
  period_start_ = now;
  return table;
}

std::optional<std::string> LoadBalancing::Impl::conservation_problem() const {
  std::vector<std::uint64_t> lb_flight(balancers_.size(), 0), group_flight(groups_.size(), 0);
  std::uint64_t flight = 0;
  for (const auto& q : requests_) {
    if (q.phase == Phase::kFree || q.source == kHealthCheckSource || q.lb_done) continue;
    ++flight;
    ++lb_flight[q.load_balancer];
    ++group_flight[q.target_group];
  }
  auto check = [](const std::string& what, const RequestCounts& c,
                  std::uint64_t in_flight) -> std::optional<std::string> {
    if (c.arrived == c.finished() + in_flight) return std::nullopt;
    return "requests are not conserved for " + what + ": arrived " + std::to_string(c.arrived) +
           " != succeeded " + std::to_string(c.succeeded) + " + failed " +
           std::to_string(c.failed()) + " + in flight " + std::to_string(in_flight);
  };
  if (auto p = check("all load balancers", counts_, flight)) return p;
  for (std::size_t i = 0; i < balancers_.size(); ++i)
    if (auto p =
            check("load balancer " + balancers_[i].spec->name, balancers_[i].counts, lb_flight[i]))
      return p;
  for (std::size_t i = 0; i < groups_.size(); ++i)
    if (auto p = check("target group " + groups_[i].spec->name, groups_[i].counts, group_flight[i]))
      return p;
  std::int64_t outstanding = 0;
  for (const Target& x : targets_)
    outstanding += x.outstanding;
  if (outstanding != static_cast<std::int64_t>(flight))
    return "the targets' outstanding requests (" + std::to_string(outstanding) +
           ") differ from the requests in flight (" + std::to_string(flight) + ")";
  return std::nullopt;
}

std::size_t LoadBalancing::Impl::memory_bytes() const {
  std::size_t bytes = requests_.capacity() * sizeof(detail::Request) +
                      free_requests_.capacity() * sizeof(std::uint32_t) +
                      targets_.capacity() * sizeof(Target) +
                      route_.capacity() * sizeof(detail::RouteState) +
                      states_.capacity() * sizeof(TargetState) + latency_.memory_bytes();
  for (const Target& x : targets_)
    bytes += x.queue.memory_bytes() + x.more_in_service.capacity() * sizeof(detail::InService);
  for (const BalancerState& b : balancers_)
    bytes += b.idle.memory_bytes();
  for (const GroupState& g : groups_)
    bytes += g.latency.memory_bytes() + g.targets.capacity() * sizeof(std::uint32_t);
  bytes += period_latencies_.memory_bytes();
  return bytes;
}

}  // namespace ecsim
