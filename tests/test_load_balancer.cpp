// Tests for the load balancer and traffic model (include/ecsim/load_balancing.hpp): scenario
// parsing by JSON Pointer, queueing theory (M/M/k against Erlang C), routing algorithms, target
// health (ecs-reference 9.3), fail open (9.4), weighted target groups (9.5), draining (9.6),
// error codes (9.7), slow start (9.2), traffic patterns, processor sharing of a task's CPU,
// conservation of requests and determinism.
//
// Every test drives LoadBalancing with a small loop over its own EventQueue, as the simulation
// does. Request counts are scaled down in unoptimised builds (Debug, sanitizers); the statistical
// tolerances are derived from the counts actually run.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <numbers>
#include <numeric>
#include <string>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/load_balancing.hpp"
#include "ecsim/scenario_error.hpp"

#include "lb/lb_parser.hpp"

namespace {

using ecsim::Duration;
using ecsim::LoadBalancing;
using ecsim::LoadBalancingSpec;
using ecsim::TargetHandle;
using ecsim::TargetInfo;
using ecsim::TargetReason;
using ecsim::TargetState;
using ecsim::TimePoint;
using Json = nlohmann::json;

#ifdef NDEBUG
constexpr double kScale = 1.0;
#else
constexpr double kScale = 0.1;  // Debug and sanitizer builds run a tenth of the requests
#endif

TimePoint at_s(double s) {
  return TimePoint(Duration(std::llround(s * 1e6)));
}
double secs(TimePoint t) {
  return ecsim::to_seconds(t);
}

LoadBalancingSpec spec_from(const Json& doc, const std::filesystem::path& base = ".") {
  return ecsim::load_balancing_from_json(doc, base);
}

// A load balancer "alb" with listener 80 forwarding to target group "tg", and one traffic source.
Json one_group(const Json& group_extra, const Json& pattern, const Json& request,
               const Json& lb_attributes = Json::array()) {
  Json tg = {{"Name", "tg"}, {"Port", 8080}, {"TargetType", "ip"}};
  for (auto& [k, v] : group_extra.items())
    tg[k] = v;
  const Json action = {{"Type", "forward"}, {"TargetGroupArn", "tg"}};
  const Json listener = {{"Port", 80}, {"DefaultActions", Json::array({action})}};
  const Json lb = {
      {"Name", "alb"}, {"Attributes", lb_attributes}, {"Listeners", Json::array({listener})}};
  const Json source = {
      {"name", "users"}, {"listener", "alb:80"}, {"pattern", pattern}, {"request", request}};
  Json doc;
  doc["targetGroups"] = Json::array({tg});
  doc["loadBalancers"] = Json::array({lb});
  doc["traffic"] = Json::array({source});
  return doc;
}

Json algorithm_attr(const std::string& algorithm) {
  return Json::array({{{"Key", "load_balancing.algorithm.type"}, {"Value", algorithm}}});
}

// Drives a LoadBalancing over its own queue, recording what it reports.
struct Harness {
  ecsim::EventQueue<ecsim::LbEvent> queue;
  ecsim::EventQueueLbScheduler<ecsim::LbEvent> scheduler{queue};
  ecsim::RandomStreams streams;
  LoadBalancing lb;
  TimePoint now{};
  std::vector<ecsim::TargetHealthChange> health;
  std::vector<ecsim::TargetDrained> drained;

  explicit Harness(LoadBalancingSpec spec, std::uint64_t seed = 42)
      : streams(seed), lb(std::move(spec), streams, scheduler) {
    lb.on_target_health().connect([this](const auto& c) { health.push_back(c); });
    lb.on_target_drained().connect([this](const auto& d) { drained.push_back(d); });
    lb.start(now);
  }

  void run_until(TimePoint end) {
    while (auto t = queue.next_time()) {
      if (*t > end) break;
      auto ev = queue.pop();
      now = ev->time;
      lb.handle(ev->payload, now);
    }
    now = end;
  }

  TargetHandle add(std::uint64_t key, std::size_t group = 0, TargetInfo info = {}) {
    info.task_key = key;
    if (info.address.empty()) info.address = "10.0.0." + std::to_string(key) + ":8080";
    if (info.availability_zone.empty()) info.availability_zone = "us-east-1a";
    return lb.register_target(group, std::move(info), now);
  }

  std::vector<ecsim::TargetHealthChange> changes_of(TargetHandle h) const {
    std::vector<ecsim::TargetHealthChange> out;
    for (const auto& c : health)
      if (c.target == h) out.push_back(c);
    return out;
  }
  // The time the target first entered `state`, or a negative number.
  double first_time(TargetHandle h, TargetState state) const {
    for (const auto& c : health)
      if (c.target == h && c.state == state) return secs(c.time);
    return -1;
  }
};

// Counts requests by target and time window through on_request_finished.
struct RequestLog {
  struct Entry {
    double arrived, finished;
    std::uint32_t target;
    int code;
    ecsim::ResponseOrigin origin;
    std::uint32_t group;
  };
  std::vector<Entry> entries;
  explicit RequestLog(LoadBalancing& lb) {
    lb.on_request_finished().connect([this](const ecsim::RequestFinished& f) {
      entries.push_back({secs(f.arrived), secs(f.finished), f.target.index, f.status_code, f.origin,
                         f.target_group});
    });
  }
  std::size_t count(const std::function<bool(const Entry&)>& pred) const {
    return static_cast<std::size_t>(std::count_if(entries.begin(), entries.end(), pred));
  }
};

bool has_problem(const ecsim::ScenarioError& e, const std::string& pointer,
                 const std::string& fragment) {
  for (const auto& p : e.problems())
    if (p.pointer == pointer && p.message.find(fragment) != std::string::npos) return true;
  return false;
}

std::string problems_text(const ecsim::ScenarioError& e) {
  std::string out;
  for (const auto& p : e.problems())
    out += p.to_string() + "\n";
  return out;
}

// Erlang C: probability that an arrival waits in an M/M/k queue with offered load a = lambda/mu.
double erlang_c(int k, double a) {
  double sum = 0, term = 1;
  for (int i = 0; i < k; ++i) {
    sum += term;
    term *= a / (i + 1);
  }
  const double top = term / (1 - a / k);  // a^k / k! / (1 - rho)
  return top / (sum + top);
}

}  // namespace

// ---- Parsing ----------------------------------------------------------------------------------

TEST_CASE("a full load-balancing document reads into typed, defaulted specs") {
  const Json doc = Json::parse(R"({
    "targetGroups": [
      {"Name": "blue", "Protocol": "HTTP", "Port": 8080, "TargetType": "ip",
       "HealthCheckPath": "/health", "HealthCheckIntervalSeconds": 10, "HealthyThresholdCount": 3,
       "Matcher": {"HttpCode": "200-299,302"},
       "Attributes": [{"Key": "load_balancing.algorithm.type", "Value": "least_outstanding_requests"},
                      {"Key": "deregistration_delay.timeout_seconds", "Value": 30}],
       "ecsim": {"workers": 4, "queueLimit": 50, "queueTimeout": "2s", "errorRate": 0.01}},
      {"name": "green", "Attributes": [{"Key": "slow_start.duration_seconds", "Value": "60"}]}
    ],
    "loadBalancers": [
      {"Name": "web", "Attributes": [{"Key": "idle_timeout.timeout_seconds", "Value": "120"},
                                     {"Key": "routing.http2.enabled", "Value": "true"}],
       "Listeners": [
         {"Port": 80, "DefaultActions": [{"Type": "forward", "TargetGroupArn":
           "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/0123456789abcdef"}]},
         {"Port": 8080, "testListener": true, "DefaultActions": [{"Type": "forward", "ForwardConfig":
           {"TargetGroups": [{"TargetGroupName": "blue", "Weight": 0},
                             {"TargetGroupArn": "green", "Weight": 5}]}}]}]}
    ],
    "traffic": [
      {"listener": "web:80", "pattern": {"type": "ramp", "from": 0, "to": 100, "duration": "5m"},
       "request": {"serviceTime": {"type": "lognormal", "mean": "40ms", "cv": 1.5}, "cpu": 100}},
      {"name": "test", "listener": "web:8080", "start": "1m", "end": "2m",
       "pattern": {"type": "poisson", "rate": 5}, "request": {"serviceTime": "20ms"}}
    ]
  })");
  const LoadBalancingSpec s = spec_from(doc);
  REQUIRE(s.target_groups.size() == 2);
  const auto& blue = s.target_groups[0];
  CHECK(blue.algorithm == ecsim::RoutingAlgorithm::kLeastOutstandingRequests);
  CHECK(blue.deregistration_delay == ecsim::seconds(30));
  CHECK(blue.health_check.interval == ecsim::seconds(10));
  CHECK(blue.health_check.timeout == ecsim::seconds(5));  // AWS defaults (9.3)
  CHECK(blue.health_check.healthy_threshold == 3);
  CHECK(blue.health_check.unhealthy_threshold == 2);
  CHECK(blue.health_check.path == "/health");
  CHECK(blue.health_check.matches(204));
  CHECK(blue.health_check.matches(302));
  CHECK_FALSE(blue.health_check.matches(301));
  CHECK(blue.application.workers == 4);
  CHECK(blue.application.queue_limit == 50);
  CHECK(blue.application.queue_timeout == ecsim::seconds(2));
  CHECK(blue.application.error_rate == 0.01);
  const auto& green = s.target_groups[1];
  CHECK(green.name == "green");
  CHECK(green.target_type == "instance");
  CHECK(green.slow_start == ecsim::seconds(60));
  CHECK(green.deregistration_delay == ecsim::seconds(300));  // 9.6 default
  CHECK(green.health_check.matches(200));
  CHECK_FALSE(green.health_check.matches(201));
  REQUIRE(s.load_balancers.size() == 1);
  const auto& web = s.load_balancers[0];
  CHECK(web.idle_timeout == ecsim::seconds(120));
  REQUIRE(web.listeners.size() == 2);
  CHECK(web.listeners[0].forward == std::vector<ecsim::ForwardTargetGroup>{{0, 1}});
  CHECK(web.listeners[1].test_listener);
  CHECK(web.listeners[1].forward == std::vector<ecsim::ForwardTargetGroup>{{0, 0}, {1, 5}});
  REQUIRE(s.traffic.size() == 2);
  CHECK(s.traffic[0].name == "traffic-0");
  CHECK(std::holds_alternative<ecsim::RampPattern>(s.traffic[0].pattern));
  CHECK(s.traffic[0].request.cpu_units == 100);
  CHECK(s.traffic[0].request.service_time.mean() == doctest::Approx(0.040));
  CHECK(s.traffic[1].listener == 1);
  CHECK(s.traffic[1].start == ecsim::kMinute);
  CHECK(s.traffic[1].end == 2 * ecsim::kMinute);
  CHECK(s.traffic[1].request.service_time.kind() == "constant");
  CHECK(s.find_target_group("green") == 1);
  CHECK(s.find_listener("web:8080") == std::pair<std::size_t, std::size_t>{0, 1});
  CHECK_FALSE(s.find_listener("web:81").has_value());
}

TEST_CASE("every problem is reported by JSON Pointer with what would be valid") {
  const Json doc = Json::parse(R"({
    "targetGroups": [
      {"Name": "web", "Port": 70000, "HealthCheckIntervalSeconds": 5, "HealthCheckTimeoutSeconds": 5,
       "Matcher": {"HttpCode": "600"},
       "Attributes": [{"Key": "load_balancing.algorithm.type", "Value": "least_outstanding_requests"},
                      {"Key": "slow_start.duration_seconds", "Value": "60"},
                      {"Key": "deregistration_delay.timeout_secs", "Value": "5"},
                      {"Key": "load_balancing.algorithm.anomaly_mitigation", "Value": "on"}],
       "ecsim": {"workers": 0, "queueLimt": 5}},
      {"Name": "bad_name!", "HealthyThresholdCount": 11, "HealthCheckEnabled": false}
    ],
    "loadBalancers": [{"Name": "alb", "Listeners": [
      {"Port": 80, "DefaultActions": [{"Type": "forward", "TargetGroupArn": "wbe"}]},
      {"Port": 80, "DefaultActions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupName": "web", "Weight": 1000}]}}]},
      {"Port": 81, "DefaultActions": [{"Type": "redirect"}]}]}],
    "traffic": [
      {"listener": "alb:82", "pattern": {"type": "poison", "rate": 5},
       "request": {"serviceTime": {"type": "exponential", "mean": "-5ms"}}},
      {"listener": "alb:80", "pattern": {"type": "csv", "path": "../secret.csv"},
       "request": {"serviceTime": "50ms"}},
      {"listener": "alb:80", "pattern": {"type": "steps", "steps": [{"at": "1m", "rate": 1},
                                                                    {"at": "30s", "rate": 2}]},
       "request": {}, "start": "5m", "end": "1m", "name": "traffic-1"}
    ]
  })");
  try {
    spec_from(doc);
    FAIL("expected a ScenarioError");
  } catch (const ecsim::ScenarioError& e) {
    INFO(problems_text(e));
    CHECK(has_problem(e, "/targetGroups/0/Port", "out of range"));
    CHECK(has_problem(e, "/targetGroups/0/HealthCheckTimeoutSeconds",
                      "interval must be greater than the timeout"));
    CHECK(has_problem(e, "/targetGroups/0/Matcher/HttpCode", "not a valid matcher"));
    CHECK(has_problem(e, "/targetGroups/0/Attributes/1/Value",
                      "slow start cannot be used with least_outstanding_requests"));
    CHECK(has_problem(e, "/targetGroups/0/Attributes/2/Key",
                      "did you mean \"deregistration_delay.timeout_seconds\"?"));
    CHECK(has_problem(e, "/targetGroups/0/Attributes/3/Value",
                      "needs load_balancing.algorithm.type"));
    CHECK(has_problem(e, "/targetGroups/0/ecsim/workers", "out of range"));
    CHECK(has_problem(e, "/targetGroups/0/ecsim/queueLimt", "did you mean \"queueLimit\"?"));
    CHECK(has_problem(e, "/targetGroups/1/Name", "not a valid target group name"));
    CHECK(has_problem(e, "/targetGroups/1/HealthyThresholdCount", "from 2 to 10"));
    CHECK(has_problem(e, "/targetGroups/1/HealthCheckEnabled", "only Lambda"));
    CHECK(has_problem(e, "/loadBalancers/0/Listeners/0/DefaultActions/0/TargetGroupArn",
                      "did you mean \"web\"?"));
    CHECK(has_problem(e, "/loadBalancers/0/Listeners/1/Port", "already taken"));
    CHECK(has_problem(e,
                      "/loadBalancers/0/Listeners/1/DefaultActions/0/ForwardConfig/TargetGroups/0/"
                      "Weight",
                      "from 0 to 999"));
    CHECK(has_problem(e, "/loadBalancers/0/Listeners/2/DefaultActions/0/Type", "not modelled"));
    CHECK(has_problem(e, "/traffic/0/listener", "did you mean \"alb:80\"?"));
    CHECK(has_problem(e, "/traffic/0/pattern/type", "did you mean \"poisson\"?"));
    CHECK(has_problem(e, "/traffic/0/request/serviceTime/mean", "negative"));
    CHECK(has_problem(e, "/traffic/1/pattern/path", "leaves the scenario's folder"));
    CHECK(has_problem(e, "/traffic/2/pattern/steps/1/at", "must be in time order"));
    CHECK(has_problem(e, "/traffic/2/request", "missing required key \"serviceTime\""));
    CHECK(has_problem(e, "/traffic/2/end", "not after \"start\""));
    CHECK(has_problem(e, "/traffic/2/name", "duplicate traffic source name"));
    // The unknown type's other keys are not reported on top of the type itself.
    CHECK_FALSE(has_problem(e, "/traffic/0/pattern/rate", ""));
  }
}

TEST_CASE("bad input of every JSON type is reported, never thrown as anything else") {
  for (const char* text :
       {R"({"targetGroups": 5})", R"({"targetGroups": [7]})",
        R"({"loadBalancers": [{"Name": "a", "Listeners": [{}]}]})",
        R"({"traffic": [{"listener": 5, "pattern": [], "request": "x"}]})",
        R"({"targetGroups": [{"Name": "t", "Attributes": [{"Key": "x"}]}]})",
        R"({"traffic": [{"listener": "a:b", "pattern": {"type": "csv"},
                               "request": {"serviceTime": {"type": "empirical", "cdf": [[1, 2]]}}}]})",
        R"({"targetGroups": [{"Name": "t", "Matcher": {"HttpCode": "abc-"}}]})"}) {
    INFO(text);
    CHECK_THROWS_AS(spec_from(Json::parse(text)), ecsim::ScenarioError);
  }
  CHECK(spec_from(Json::object()).empty());
}

TEST_CASE("parse_load_balancing reads its keys through the scenario's own reader") {
  Json doc =
      one_group(Json::object(), {{"type", "poisson"}, {"rate", 1}}, {{"serviceTime", "1ms"}});
  doc["name"] = "scenario";
  {
    ecsim::detail::Diagnostics diag;
    ecsim::detail::ObjectReader root(doc, "", diag);
    root.string("name", "");
    const auto spec = ecsim::detail::parse_load_balancing(root, ".");
    root.finish();  // the scenario's own check of unknown top-level keys
    CHECK(diag.ok());
    CHECK(spec.traffic.size() == 1);
  }
  doc["trafic"] = Json::array();
  ecsim::detail::Diagnostics diag;
  ecsim::detail::ObjectReader root(doc, "", diag);
  root.string("name", "");
  ecsim::detail::parse_load_balancing(root, ".");
  root.finish();
  REQUIRE(diag.problems().size() == 1);
  CHECK(diag.problems()[0].pointer == "/trafic");
  CHECK(diag.problems()[0].message.find("did you mean \"traffic\"?") != std::string::npos);
}

TEST_CASE("distributions read from JSON match their documented parameters") {
  auto dist = [](const Json& d) {
    Json doc = one_group(Json::object(), {{"type", "poisson"}, {"rate", 1}}, {{"serviceTime", d}});
    return spec_from(doc).traffic[0].request.service_time;
  };
  CHECK(dist("250ms").mean() == doctest::Approx(0.25));
  CHECK(dist(0.5).mean() == doctest::Approx(0.5));
  CHECK(dist({{"type", "exponential"}, {"mean", "50ms"}}).mean() == doctest::Approx(0.05));
  CHECK(dist({{"type", "uniform"}, {"low", "10ms"}, {"high", "30ms"}}).mean() ==
        doctest::Approx(0.02));
  CHECK(dist({{"type", "normal"}, {"mean", "1s"}, {"stddev", "100ms"}}).mean() ==
        doctest::Approx(1));
  CHECK(dist({{"type", "lognormal"}, {"mean", "40ms"}, {"cv", 2}}).mean() == doctest::Approx(0.04));
  CHECK(dist({{"type", "gamma"}, {"mean", "40ms"}, {"shape", 2}}).mean() == doctest::Approx(0.04));
  CHECK(dist({{"type", "erlang"}, {"mean", "40ms"}, {"k", 4}}).mean() == doctest::Approx(0.04));
  const auto e = dist({{"type", "empirical"},
                       {"cdf", Json::array({Json::array({"10ms", 0}), Json::array({"30ms", 1})})}});
  CHECK(e.kind() == "empirical");
  CHECK(e.mean() == doctest::Approx(0.02));
}

TEST_CASE("csv replay paths resolve inside the scenario folder only") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("ecsim-lb-csv-" + std::to_string(::getpid()));
  fs::create_directories(root / "scenarios" / "data");
  {
    std::ofstream(root / "secret.csv") << "0,1\n";
    std::ofstream(root / "scenarios" / "data" / "rates.csv")
        << "time,rate\n# comment\n0,10\n1m, 20\n\n120,5\n";
    std::ofstream(root / "scenarios" / "bad.csv") << "0,1\n1,x\n1,2\n0.5,3\nfoo\n";
  }
  auto with_path = [&](const std::string& path) {
    return one_group(Json::object(), {{"type", "csv"}, {"path", path}, {"interpolation", "linear"}},
                     {{"serviceTime", "1ms"}});
  };
  const fs::path base = root / "scenarios";
  const auto s = spec_from(with_path("data/rates.csv"), base);
  const auto& replay = std::get<ecsim::ReplayPattern>(s.traffic[0].pattern);
  CHECK(replay.linear);
  REQUIRE(replay.points.size() == 3);
  CHECK(replay.points[1].at == ecsim::kMinute);
  CHECK(replay.points[1].rate == 20);
  CHECK(replay.points[2].at == 2 * ecsim::kMinute);
  CHECK_NOTHROW(spec_from(with_path((base / "data" / "rates.csv").string()), base));

  auto problem_for = [&](const std::string& path, const std::string& fragment) {
    try {
      spec_from(with_path(path), base);
      return false;
    } catch (const ecsim::ScenarioError& e) {
      INFO(problems_text(e));
      return has_problem(e, "/traffic/0/pattern/path", fragment);
    }
  };
  CHECK(problem_for("../secret.csv", "leaves the scenario's folder"));
  CHECK(problem_for("data/../../secret.csv", "leaves the scenario's folder"));
  CHECK(problem_for((root / "secret.csv").string(), "leaves the scenario's folder"));
  CHECK(problem_for("missing.csv", "does not exist"));
  CHECK(problem_for("data", "not a regular file"));
  CHECK(problem_for("bad.csv", "line 2: rate \"x\" is not a rate"));
  CHECK(problem_for("bad.csv", "line 4: time 500ms is not after the previous line's 1s"));
  CHECK(problem_for("bad.csv", "line 5: expected two fields"));
  fs::remove_all(root);
}

// ---- Queueing theory
// ------------------------------------------------------------------------------

TEST_CASE("weighted_random over c tasks of k workers matches Erlang C (M/M/k per task)") {
  // Poisson arrivals split at random are independent Poisson streams, so each task is an M/M/k
  // queue: W = 1/mu + C(k, a) / (k mu - lambda_task), a = lambda_task / mu.
  constexpr int kTasks = 4, kWorkers = 4;
  constexpr double kMeanService = 0.05, kMu = 1 / kMeanService;
  for (const double rho : {0.5, 0.8, 0.95}) {
    CAPTURE(rho);
    const double lambda_task = rho * kWorkers * kMu;
    // Enough requests for a 99.9 % interval within 2 % of W (3.5 % at 0.95, where the waiting
    // times are strongly correlated and the batches must be long).
    const double requests = (rho < 0.6 ? 1'000'000 : rho < 0.9 ? 3'000'000 : 20'000'000) * kScale;
    const double duration = requests / (kTasks * lambda_task);
    Json doc =
        one_group({{"Attributes", algorithm_attr("weighted_random")},
                   {"ecsim", {{"workers", kWorkers}, {"queueLimit", 10'000'000}}}},
                  {{"type", "poisson"}, {"rate", kTasks * lambda_task}},
                  {{"serviceTime", {{"type", "exponential"}, {"mean", "50ms"}}}, {"cpu", 0}},
                  Json::array({{{"Key", "idle_timeout.timeout_seconds"}, {"Value", "4000"}}}));
    doc["traffic"][0]["start"] = "31s";  // every task is healthy by then (one 30 s interval)
    Harness h(spec_from(doc), 1234);
    std::vector<TargetHandle> tasks;
    for (int i = 0; i < kTasks; ++i)
      tasks.push_back(h.add(i + 1));
    h.run_until(at_s(31));  // every task healthy before traffic matters
    REQUIRE(h.lb.healthy_count(0) == kTasks);

    // Batch means over completions after a warm-up of 5 %.
    constexpr int kBatches = 30;
    const auto warmup = static_cast<std::uint64_t>(0.05 * requests);
    const auto per_batch = static_cast<std::uint64_t>(0.95 * requests / kBatches);
    std::vector<double> sums(kBatches, 0.0);
    std::uint64_t seen = 0;
    h.lb.on_request_finished().connect([&](const ecsim::RequestFinished& f) {
      if (f.status_code != 200) return;
      const std::uint64_t i = seen++;
      if (i < warmup) return;
      const std::uint64_t b = (i - warmup) / per_batch;
      if (b < kBatches) sums[b] += ecsim::to_seconds(f.finished - f.arrived);
    });
    h.run_until(at_s(31 + duration * 1.01));
    REQUIRE(seen >= warmup + kBatches * per_batch);
    std::vector<double> means;
    for (double s : sums)
      means.push_back(s / static_cast<double>(per_batch));
    const double mean = std::accumulate(means.begin(), means.end(), 0.0) / kBatches;
    double var = 0;
    for (double m : means)
      var += (m - mean) * (m - mean);
    var /= kBatches - 1;
    // Two-sided 99.9 % Student t with 29 degrees of freedom.
    const double half_width = 3.659 * std::sqrt(var / kBatches);
    const double expected =
        1 / kMu + erlang_c(kWorkers, lambda_task / kMu) / (kWorkers * kMu - lambda_task);
    INFO("ecsim mean " << mean * 1e3 << " ms, Erlang C " << expected * 1e3 << " ms, 99.9 % CI +- "
                       << half_width * 1e3 << " ms");
    CHECK(std::abs(mean - expected) <= half_width);
    // The interval must be tight for the comparison to mean something.
    const double tight = (rho < 0.9 ? 0.02 : 0.035) / std::sqrt(kScale);
    CHECK(half_width <= tight * expected);
    CHECK(h.lb.counts().failed() == 0);
    h.lb.check_conservation();
  }
}

TEST_CASE("at 0.8 utilization, least outstanding requests beats round robin beats random on p99") {
  // 8 tasks of 2 workers, exponential service: random routing makes each task an M/M/2 queue;
  // round robin smooths each task's arrivals (Erlang-8 gaps); LOR joins the shortest queue.
  // All three see the same arrivals and service times (common random numbers).
  constexpr int kTasks = 8, kWorkers = 2;
  const double lambda = 0.8 * kTasks * kWorkers * 20;
  const double duration = 400'000 * kScale / lambda;
  std::map<std::string, double> p99;
  for (const std::string algorithm :
       {"weighted_random", "round_robin", "least_outstanding_requests"}) {
    Json doc =
        one_group({{"Attributes", algorithm_attr(algorithm)},
                   {"ecsim", {{"workers", kWorkers}, {"queueLimit", 100000}}}},
                  {{"type", "poisson"}, {"rate", lambda}},
                  {{"serviceTime", {{"type", "exponential"}, {"mean", "50ms"}}}, {"cpu", 0}});
    doc["traffic"][0]["start"] = "31s";
    Harness h(spec_from(doc), 99);
    for (int i = 0; i < kTasks; ++i)
      h.add(i + 1);
    h.run_until(at_s(31));
    REQUIRE(h.lb.healthy_count(0) == kTasks);
    h.lb.close_metrics_period(h.now);  // drop the warm-up from the period histograms
    h.run_until(at_s(31 + duration));
    const ecsim::MetricsTable m = h.lb.close_metrics_period(h.now);
    p99[algorithm] = m.rows.back().values[10];  // TargetResponseTime_p99 of the group
    h.lb.check_conservation();
  }
  INFO("p99 (s): random " << p99["weighted_random"] << ", round robin " << p99["round_robin"]
                          << ", LOR " << p99["least_outstanding_requests"]);
  CHECK(p99["least_outstanding_requests"] < 0.9 * p99["round_robin"]);
  CHECK(p99["round_robin"] < 0.9 * p99["weighted_random"]);
}

// ---- Target health (9.3)
// -------------------------------------------------------------------------

TEST_CASE("ecs-reference 9.3: health transitions follow interval and thresholds (defaults)") {
  Json doc =
      one_group(Json::object(), {{"type", "poisson"}, {"rate", 0}}, {{"serviceTime", "1ms"}});
  Harness h(spec_from(doc));
  const TargetHandle t = h.add(1);
  CHECK(h.lb.target_state(t) == TargetState::kInitial);
  CHECK(h.lb.target_reason(t) == TargetReason::kRegistrationInProgress);
  h.run_until(at_s(40));
  // One passing check makes an initial target healthy, within one 30 s interval.
  const auto c = h.changes_of(t);
  REQUIRE(c.size() == 3);
  CHECK(c[0].reason == TargetReason::kRegistrationInProgress);
  CHECK(c[0].registered_now);
  CHECK_FALSE(h.lb.target_health_detail(c[0]).contains("previousState"));
  CHECK_FALSE(c[1].registered_now);
  CHECK(c[1].reason == TargetReason::kInitialHealthChecking);
  CHECK(c[2].state == TargetState::kHealthy);
  const double phase = secs(c[1].time);  // when the first check ran
  CHECK(phase > 0);
  CHECK(phase <= 30);
  CHECK(secs(c[2].time) == doctest::Approx(phase + 0.001));  // the check's own 1 ms service

  // The app turns unhealthy at 100 s: two consecutive failures (UnhealthyThresholdCount 2).
  h.run_until(at_s(100));
  h.lb.set_app_healthy(t, false, h.now);
  h.run_until(at_s(250));
  const double first_failure = phase + 30 * std::ceil((100 - phase) / 30);
  const double unhealthy_at = h.first_time(t, TargetState::kUnhealthy);
  CHECK(unhealthy_at == doctest::Approx(first_failure + 30));
  CHECK(h.lb.target_reason(t) == TargetReason::kResponseCodeMismatch);
  CHECK(h.health.back().response_code == 503);
  const auto detail = h.lb.target_health_detail(h.health.back());
  CHECK(detail["targetHealth"]["reason"] == "Target.ResponseCodeMismatch");
  CHECK(detail["targetHealth"]["description"] == "Health checks failed with these codes: [503]");
  CHECK(detail["target"]["id"] == "10.0.0.1");
  CHECK(detail["target"]["port"] == 8080);
  CHECK(detail["previousState"] == "healthy");
  CHECK(detail["targetGroupArn"] ==
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/" +
            h.lb.target_group_arn(0).substr(h.lb.target_group_arn(0).size() - 16));
  TargetInfo bridge;
  bridge.address = "i-0123456789abcdef0:32768";  // an instance target: instance id and host port
  const TargetHandle b = h.add(9, 0, bridge);
  const auto bridge_detail = h.lb.target_health_detail(h.health.back());
  CHECK(h.health.back().target == b);
  CHECK(bridge_detail["target"]["id"] == "i-0123456789abcdef0");
  CHECK(bridge_detail["target"]["port"] == 32768);

  // Recovery at 300 s needs five consecutive successes (HealthyThresholdCount 5).
  h.run_until(at_s(300));
  h.lb.set_app_healthy(t, true, h.now);
  h.run_until(at_s(500));
  const double first_success = phase + 30 * std::ceil((300 - phase) / 30);
  double healthy_again = -1;
  for (const auto& ch : h.changes_of(t))
    if (ch.state == TargetState::kHealthy && secs(ch.time) > 300) healthy_again = secs(ch.time);
  CHECK(healthy_again == doctest::Approx(first_success + 4 * 30 + 0.001));
  h.lb.check_conservation();
}

TEST_CASE("ecs-reference 9.3: an overloaded task fails its checks by timeout, then by 503") {
  // One worker, 100 ms per request, 20 requests/s: the queue grows by 10 a second, so a check
  // waits longer than its 5 s timeout after about 50 s.
  Json doc = one_group({{"ecsim", {{"workers", 1}, {"queueLimit", 1000}}}},
                       {{"type", "constant"}, {"rate", 20}}, {{"serviceTime", "100ms"}, {"cpu", 0}},
                       Json::array({{{"Key", "idle_timeout.timeout_seconds"}, {"Value", "4000"}}}));
  SUBCASE("timeout") {
    Harness h(spec_from(doc));
    const TargetHandle t = h.add(1);
    h.run_until(at_s(200));
    REQUIRE(h.first_time(t, TargetState::kUnhealthy) > 0);
    const auto c = h.changes_of(t);
    const auto first = std::find_if(
        c.begin(), c.end(), [](const auto& x) { return x.state == TargetState::kUnhealthy; });
    CHECK(first->reason == TargetReason::kTimeout);
    h.lb.check_conservation();
  }
  SUBCASE("queue full") {
    doc["targetGroups"][0]["ecsim"]["queueLimit"] = 20;
    Harness h(spec_from(doc));
    const TargetHandle t = h.add(1);
    h.run_until(at_s(200));
    REQUIRE(h.first_time(t, TargetState::kUnhealthy) > 0);
    CHECK(h.lb.target_reason(t) == TargetReason::kResponseCodeMismatch);
    CHECK(h.health.back().response_code == 503);
    CHECK(h.lb.counts().target_errors > 0);  // the app shed requests with 503 too
    h.lb.check_conservation();
  }
}

TEST_CASE("ecs-reference 9.3, 9.7: a stopping task fails its checks and its requests get 502") {
  Json doc = one_group(Json::object(), {{"type", "constant"}, {"rate", 100}},
                       {{"serviceTime", "10ms"}, {"cpu", 0}});
  Harness h(spec_from(doc));
  RequestLog log(h.lb);
  const TargetHandle a = h.add(1);
  const TargetHandle b = h.add(2);
  h.run_until(at_s(60));
  h.lb.set_target_stopping(b, h.now);
  h.run_until(at_s(200));
  CHECK(h.lb.target_state(b) == TargetState::kUnhealthy);
  CHECK(h.lb.target_reason(b) == TargetReason::kFailedHealthChecks);
  CHECK(h.lb.target_state(a) == TargetState::kHealthy);
  const double out_at = h.first_time(b, TargetState::kUnhealthy);
  const auto refused =
      log.count([&](const auto& e) { return e.code == 502 && e.target == b.index; });
  CHECK(refused > 0);
  CHECK(log.count([&](const auto& e) { return e.code == 502 && e.arrived > out_at; }) == 0);
  h.lb.check_conservation();
}

// ---- Fail open, no targets (9.4, 9.7)
// -------------------------------------------------------------

TEST_CASE("ecs-reference 9.4: when every target is unhealthy the group fails open") {
  // Matcher 201 while the app answers 200: every check fails, every request succeeds.
  Json doc = one_group({{"Matcher", {{"HttpCode", "201"}}}}, {{"type", "constant"}, {"rate", 50}},
                       {{"serviceTime", "5ms"}, {"cpu", 0}});
  Harness h(spec_from(doc));
  RequestLog log(h.lb);
  const TargetHandle a = h.add(1);
  const TargetHandle b = h.add(2);
  h.run_until(at_s(120));
  CHECK(h.lb.healthy_count(0) == 0);
  CHECK(h.lb.unhealthy_count(0) == 2);
  auto late = [](const auto& e) { return e.arrived > 100; };
  CHECK(log.count([&](const auto& e) { return late(e) && e.code != 200; }) == 0);
  CHECK(log.count([&](const auto& e) { return late(e) && e.target == a.index; }) > 400);
  CHECK(log.count([&](const auto& e) { return late(e) && e.target == b.index; }) > 400);
  h.lb.check_conservation();
}

TEST_CASE("ecs-reference 9.4: an unhealthy target gets nothing while another is healthy") {
  Json doc = one_group(Json::object(), {{"type", "constant"}, {"rate", 50}},
                       {{"serviceTime", "5ms"}, {"cpu", 0}});
  Harness h(spec_from(doc));
  RequestLog log(h.lb);
  h.add(1);
  const TargetHandle b = h.add(2);
  h.run_until(at_s(40));
  h.lb.set_app_healthy(b, false, h.now);
  h.run_until(at_s(200));
  const double out_at = h.first_time(b, TargetState::kUnhealthy);
  REQUIRE(out_at > 40);
  CHECK(log.count([&](const auto& e) { return e.arrived > out_at && e.target == b.index; }) == 0);
  CHECK(log.count([&](const auto& e) { return e.arrived > out_at && e.code != 200; }) == 0);
}

TEST_CASE("ecs-reference 9.4, 9.7: 503 without registered targets, and with only initial ones") {
  Json doc =
      one_group(Json::object(), {{"type", "constant"}, {"rate", 10}}, {{"serviceTime", "5ms"}});
  Harness h(spec_from(doc));
  h.run_until(at_s(10));
  CHECK(h.lb.counts().arrived == 100);
  CHECK(h.lb.counts().elb_503 == 100);
  const TargetHandle t = h.add(1);
  h.run_until(at_s(45));
  const double healthy_at = h.first_time(t, TargetState::kHealthy);
  REQUIRE(healthy_at > 10);
  CHECK(h.lb.counts().elb_503 == static_cast<std::uint64_t>(std::floor(healthy_at * 10)));
  CHECK(h.lb.counts().succeeded > 0);
  const auto summary = h.lb.summary();
  CHECK(summary["errorsByCode"]["503"] == h.lb.counts().elb_503);
  CHECK(summary["errorsByOrigin"]["loadBalancer"]["503"] == h.lb.counts().elb_503);
  h.lb.check_conservation();
}

// ---- Draining (9.6)
// ---------------------------------------------------------------------------------

TEST_CASE("ecs-reference 9.6: deregistration ends at once when nothing is in flight") {
  Json doc =
      one_group(Json::object(), {{"type", "constant"}, {"rate", 0}}, {{"serviceTime", "5ms"}});
  Harness h(spec_from(doc));
  const TargetHandle t = h.add(1);
  h.run_until(at_s(60));
  h.lb.deregister_target(t, h.now);
  REQUIRE(h.drained.size() == 1);
  CHECK(secs(h.drained[0].time) == 60);
  CHECK(h.drained[0].ended_early);
  CHECK(h.lb.target_state(t) == TargetState::kDraining);  // shown until the delay ends
  h.run_until(at_s(359));
  CHECK(h.lb.target_state(t) == TargetState::kDraining);
  h.run_until(at_s(361));
  CHECK(h.lb.target_state(t) == TargetState::kUnused);
  CHECK(h.lb.target_reason(t) == TargetReason::kNotRegistered);
  CHECK(h.first_time(t, TargetState::kUnused) == doctest::Approx(360));
}

TEST_CASE("ecs-reference 9.6, 9.7: requests still in flight when the delay ends get 502") {
  // 9 requests of 400 s each (at 32 .. 40 s); deregistered at 41 s with the default 300 s delay.
  Json doc = one_group(Json::object(), {{"type", "constant"}, {"rate", 1}},
                       {{"serviceTime", "400s"}, {"cpu", 0}},
                       Json::array({{{"Key", "idle_timeout.timeout_seconds"}, {"Value", "4000"}}}));
  doc["traffic"][0]["start"] = "31s";
  doc["traffic"][0]["end"] = "40.5s";
  Harness h(spec_from(doc));
  const TargetHandle t = h.add(1);
  h.run_until(at_s(41));
  REQUIRE(h.lb.counts().arrived == 9);
  REQUIRE(h.lb.counts().elb_503 == 0);
  h.lb.deregister_target(t, h.now);
  CHECK(h.drained.empty());
  CHECK(h.lb.outstanding(t) == 9);
  h.lb.check_conservation();
  h.run_until(at_s(340.9));
  CHECK(h.drained.empty());
  h.run_until(at_s(341));
  REQUIRE(h.drained.size() == 1);
  CHECK_FALSE(h.drained[0].ended_early);
  CHECK(h.drained[0].requests_cut == 9);
  CHECK(h.lb.counts().elb_502 == 9);
  CHECK(h.lb.outstanding(t) == 0);
  CHECK(h.lb.target_state(t) == TargetState::kUnused);
  h.lb.check_conservation();
}

TEST_CASE("ecs-reference 9.6: draining ends early when the last request in flight finishes") {
  Json doc = one_group(Json::object(), {{"type", "constant"}, {"rate", 1}},
                       {{"serviceTime", "100s"}, {"cpu", 0}},
                       Json::array({{{"Key", "idle_timeout.timeout_seconds"}, {"Value", "4000"}}}));
  doc["traffic"][0]["start"] = "35s";
  doc["traffic"][0]["end"] = "40.5s";
  Harness h(spec_from(doc));
  const TargetHandle t = h.add(1);
  h.run_until(at_s(41));
  REQUIRE(h.lb.target_state(t) == TargetState::kHealthy);
  h.lb.deregister_target(t, h.now);
  h.run_until(at_s(500));
  REQUIRE(h.drained.size() == 1);
  CHECK(h.drained[0].ended_early);
  CHECK(secs(h.drained[0].time) == doctest::Approx(140));  // the last request: 40 s + 100 s
  CHECK(h.lb.counts().succeeded == 5);
  CHECK(h.first_time(t, TargetState::kUnused) == doctest::Approx(341));
}

// ---- Error codes (9.7)
// ----------------------------------------------------------------------------

TEST_CASE("ecs-reference 9.7: 504 when a target does not answer within the idle timeout") {
  Json doc = one_group(Json::object(), {{"type", "constant"}, {"rate", 2}},
                       {{"serviceTime", "3s"}, {"cpu", 0}},
                       Json::array({{{"Key", "idle_timeout.timeout_seconds"}, {"Value", "2"}}}));
  doc["traffic"][0]["start"] = "31s";
  Harness h(spec_from(doc));
  RequestLog log(h.lb);
  const TargetHandle t = h.add(1);
  h.run_until(at_s(31));
  REQUIRE(h.lb.target_state(t) == TargetState::kHealthy);
  h.run_until(at_s(61));
  const auto& c = h.lb.counts();
  CHECK(c.succeeded == 0);
  CHECK(c.elb_504 > 50);
  CHECK(c.elb_504 + h.lb.in_flight() == c.arrived);
  for (const auto& e : log.entries)
    CHECK(e.finished - e.arrived == doctest::Approx(2));
  CHECK(h.lb.latency().count() == 0);  // no target answered
  // The application still works on the abandoned requests: its CPU is busy.
  CHECK(h.lb.outstanding(t) <= 4);
  h.lb.check_conservation();
}

TEST_CASE("a full queue and an expired queue timeout are the application's 503s") {
  Json doc =
      one_group({{"ecsim", {{"workers", 1}, {"queueLimit", 5}, {"queueTimeout", "1s"}}}},
                {{"type", "constant"}, {"rate", 10}}, {{"serviceTime", "500ms"}, {"cpu", 0}});
  doc["traffic"][0]["start"] = "31s";
  Harness h(spec_from(doc));
  RequestLog log(h.lb);
  h.add(1);
  h.run_until(at_s(31));
  REQUIRE(h.lb.healthy_count(0) == 1);
  h.run_until(at_s(91));
  CHECK(h.lb.counts().target_errors > 0);
  for (const auto& e : log.entries)
    if (e.code == 200) CHECK(e.finished - e.arrived <= 1.5 + 1e-6);  // 1 s wait + service
  CHECK(h.lb.summary()["errorsByOrigin"]["target"]["503"] == h.lb.counts().target_errors);
  h.lb.check_conservation();
}

// ---- Weighted target groups (9.5)
// -------------------------------------------------------------------

TEST_CASE("ecs-reference 9.5: weighted target groups split traffic by weight / sum") {
  const Json doc = Json::parse(R"({
    "targetGroups": [{"Name": "blue"}, {"Name": "green"}, {"Name": "idle"}],
    "loadBalancers": [{"Name": "alb", "Listeners": [{"Port": 80, "DefaultActions": [{"Type": "forward",
      "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": "blue", "Weight": 1},
                                         {"TargetGroupArn": "green", "Weight": 3}]}}]}]}],
    "traffic": [{"listener": "alb:80", "pattern": {"type": "poisson", "rate": 200},
                 "request": {"serviceTime": "1ms", "cpu": 0}}]
  })");
  Harness h(spec_from(doc));
  h.add(1, 0);
  h.add(2, 1);
  const TargetHandle idle = h.add(3, 2);
  CHECK(h.lb.target_state(idle) == TargetState::kUnused);  // no listener forwards to "idle"
  CHECK(h.lb.target_reason(idle) == TargetReason::kNotInUse);
  h.run_until(at_s(31));
  const auto n0 = h.lb.counts(0).arrived, n1 = h.lb.counts(1).arrived;
  h.run_until(at_s(131));
  const double blue = static_cast<double>(h.lb.counts(0).arrived - n0);
  const double green = static_cast<double>(h.lb.counts(1).arrived - n1);
  const double n = blue + green;
  CHECK(std::abs(green / n - 0.75) <= 5 * std::sqrt(0.75 * 0.25 / n));

  // A traffic shift: everything to "idle", which starts health checks once it is in use.
  h.lb.set_forward_weights(0, 0, {{0, 0}, {1, 0}, {2, 1}}, h.now);
  CHECK(h.lb.target_state(idle) == TargetState::kInitial);
  const auto before0 = h.lb.counts(0).arrived, before1 = h.lb.counts(1).arrived;
  h.run_until(at_s(200));
  CHECK(h.lb.counts(0).arrived == before0);
  CHECK(h.lb.counts(1).arrived == before1);
  CHECK(h.lb.target_state(idle) == TargetState::kHealthy);
  CHECK(h.lb.counts(2).succeeded > 0);
  h.lb.check_conservation();
}

// ---- Slow start (9.2)
// -------------------------------------------------------------------------------

TEST_CASE("ecs-reference 9.2: slow start ramps a new target's share linearly") {
  Json doc = one_group(
      {{"Attributes", Json::array({{{"Key", "slow_start.duration_seconds"}, {"Value", "100"}}})},
       {"HealthCheckIntervalSeconds", 5},
       {"HealthCheckTimeoutSeconds", 2}},
      {{"type", "constant"}, {"rate", 1000}}, {{"serviceTime", "1ms"}, {"cpu", 0}});
  Harness h(spec_from(doc));
  RequestLog log(h.lb);
  // Registered together into an empty group: neither enters slow start.
  const TargetHandle a = h.add(1);
  const TargetHandle a2 = h.add(2);
  h.run_until(at_s(10));
  auto share = [&](TargetHandle t, double from, double to) {
    const double mine = static_cast<double>(log.count(
        [&](const auto& e) { return e.arrived >= from && e.arrived < to && e.target == t.index; }));
    const double all = static_cast<double>(log.count(
        [&](const auto& e) { return e.arrived >= from && e.arrived < to && e.code == 200; }));
    return mine / all;
  };
  CHECK(std::abs(share(a2, 6, 10) - 0.5) < 0.01);
  (void)a;
  // A target joining a group with healthy targets ramps: weight w = elapsed / 100 s against
  // two full targets, so its share is w / (2 + w).
  h.run_until(at_s(50));
  const TargetHandle b = h.add(3);
  h.run_until(at_s(300));
  const double t0 = h.first_time(b, TargetState::kHealthy);
  REQUIRE(t0 > 50);
  for (double mid = 5; mid < 100; mid += 10) {
    const double w = mid / 100;
    CAPTURE(mid);
    CHECK(std::abs(share(b, t0 + mid - 5, t0 + mid + 5) - w / (2 + w)) < 0.01);
  }
  CHECK(std::abs(share(b, t0 + 110, t0 + 150) - 1.0 / 3) < 0.01);
  h.lb.check_conservation();
}

// ---- Anomaly mitigation (9.1)
// -----------------------------------------------------------------------

TEST_CASE("ecs-reference 9.1: anomaly mitigation moves traffic away from a failing target") {
  Json attrs = algorithm_attr("weighted_random");
  attrs.push_back({{"Key", "load_balancing.algorithm.anomaly_mitigation"}, {"Value", "on"}});
  Json doc = one_group({{"Attributes", attrs}}, {{"type", "poisson"}, {"rate", 400}},
                       {{"serviceTime", "5ms"}, {"cpu", 0}});
  Harness h(spec_from(doc));
  RequestLog log(h.lb);
  std::vector<TargetHandle> t;
  for (int i = 1; i <= 4; ++i)
    t.push_back(h.add(i));
  h.run_until(at_s(40));
  h.lb.set_app_error_rate(t[0], 0.5, h.now);
  h.run_until(at_s(130));
  CHECK(h.lb.target_state(t[0]) == TargetState::kHealthy);  // health checks still pass
  auto share = [&](double from, double to) {
    const double mine = static_cast<double>(log.count([&](const auto& e) {
      return e.arrived >= from && e.arrived < to && e.target == t[0].index;
    }));
    return mine / static_cast<double>(log.count(
                      [&](const auto& e) { return e.arrived >= from && e.arrived < to; }));
  };
  CHECK(std::abs(share(31, 40) - 0.25) < 0.03);
  CHECK(share(90, 130) < 0.05);  // weight 1/16 against three at 1: about 2 %
  h.lb.set_app_error_rate(t[0], 0, h.now);
  h.run_until(at_s(230));
  CHECK(std::abs(share(190, 230) - 0.25) < 0.03);
}

// ---- Traffic patterns
// ---------------------------------------------------------------------------------

TEST_CASE("traffic patterns deliver their rate functions") {
  // No target is registered: every request is an immediate ELB 503 and only arrivals are counted.
  auto arrivals = [](const Json& pattern, double until,
                     const std::function<void(Harness&)>& during = nullptr) {
    Harness h(spec_from(one_group(Json::object(), pattern, {{"serviceTime", "1ms"}})), 5);
    RequestLog log(h.lb);
    if (during) during(h);
    h.run_until(at_s(until));
    std::vector<double> times;
    for (const auto& e : log.entries)
      times.push_back(e.arrived);
    return times;
  };
  auto count = [](const std::vector<double>& t, double from, double to) {
    return static_cast<double>(
        std::count_if(t.begin(), t.end(), [&](double x) { return x >= from && x < to; }));
  };
  // Within five standard deviations of a Poisson count.
  auto near = [](double got, double expected) {
    return std::abs(got - expected) <= 5 * std::sqrt(expected) + 1;
  };

  SUBCASE("constant: evenly spaced, no drift") {
    const auto t = arrivals({{"type", "constant"}, {"rate", 3}}, 100);
    REQUIRE(t.size() == 300);
    for (std::size_t k = 0; k < t.size(); ++k)
      CHECK(t[k] == doctest::Approx(static_cast<double>(std::llround((k + 1) * 1e6 / 3)) / 1e6));
  }
  SUBCASE("poisson") {
    const auto t = arrivals({{"type", "poisson"}, {"rate", 50}}, 1000);
    CHECK(near(count(t, 0, 1000), 50000));
    CHECK(near(count(t, 0, 100), 5000));
  }
  SUBCASE("ramp") {
    const auto t = arrivals(
        {{"type", "ramp"}, {"from", 10}, {"to", 110}, {"start", "50s"}, {"duration", "100s"}}, 250);
    CHECK(near(count(t, 0, 50), 500));
    CHECK(near(count(t, 50, 100), 50 * 35));  // 10 -> 60 linearly
    CHECK(near(count(t, 100, 150), 50 * 85));
    CHECK(near(count(t, 150, 250), 11000));
  }
  SUBCASE("steps") {
    const auto t =
        arrivals({{"type", "steps"},
                  {"steps", {{{"at", "10s"}, {"rate", 20}}, {{"at", "60s"}, {"rate", 200}}}}},
                 100);
    CHECK(count(t, 0, 10) == 0);
    CHECK(near(count(t, 10, 60), 1000));
    CHECK(near(count(t, 60, 100), 8000));
  }
  SUBCASE("spike") {
    const auto t = arrivals(
        {{"type", "spike"}, {"base", 10}, {"peak", 500}, {"at", "30s"}, {"duration", "10s"}}, 100);
    CHECK(near(count(t, 0, 30), 300));
    CHECK(near(count(t, 30, 40), 5000));
    CHECK(near(count(t, 40, 100), 600));
  }
  SUBCASE("daily cycle") {
    // mean 100, amplitude 0.5, period 400 s, peak at 100 s:
    // over [0, 200) the count is 100 * 200 + 50 * (400 / 2 pi) * (sin(pi/2) - sin(-pi/2)).
    const auto t = arrivals({{"type", "dailyCycle"},
                             {"mean", 100},
                             {"amplitude", 0.5},
                             {"period", "400s"},
                             {"peakAt", "100s"}},
                            800);
    const double half = 100 * 200 + 50 * (400 / (2 * std::numbers::pi)) * 2;
    CHECK(near(count(t, 0, 200), half));
    CHECK(near(count(t, 200, 400), 100 * 200 * 2 - half));
    CHECK(near(count(t, 0, 800), 80000));
  }
  SUBCASE("a rate multiplier (a spike fault) applies from the moment it is set") {
    const auto t = arrivals({{"type", "poisson"}, {"rate", 100}}, 300, [](Harness& h) {
      h.run_until(at_s(100));
      h.lb.set_traffic_rate_multiplier(0, 3, h.now);
      h.run_until(at_s(200));
      h.lb.set_traffic_rate_multiplier(0, 1, h.now);
    });
    CHECK(near(count(t, 0, 100), 10000));
    CHECK(near(count(t, 100, 200), 30000));
    CHECK(near(count(t, 200, 300), 10000));
  }
}

TEST_CASE("sources sharing a randomStream draw the same arrivals and service times") {
  Json doc = one_group(Json::object(), {{"type", "poisson"}, {"rate", 20}},
                       {{"serviceTime", {{"type", "exponential"}, {"mean", "10ms"}}}, {"cpu", 0}});
  doc["traffic"][0]["randomStream"] = "shared";
  Json twin = doc["traffic"][0];
  twin["name"] = "twin";
  doc["traffic"].push_back(twin);
  Harness h(spec_from(doc));
  RequestLog log(h.lb);
  h.add(1);
  h.run_until(at_s(100));
  std::map<double, int> arrivals;
  for (const auto& e : log.entries)
    ++arrivals[e.arrived];
  REQUIRE(arrivals.size() > 1000);
  for (const auto& [time, n] : arrivals)
    CHECK(n == 2);
}

TEST_CASE("csv replay follows the file, stepwise or interpolated") {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("ecsim-lb-replay-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "rates.csv") << "time,rate\n0,10\n50,100\n100,0\n";
  for (const std::string mode : {"step", "linear"}) {
    CAPTURE(mode);
    Json doc =
        one_group(Json::object(),
                  {{"type", "csv"}, {"path", "rates.csv"}, {"interpolation", mode}, {"scale", 2}},
                  {{"serviceTime", "1ms"}});
    Harness h(spec_from(doc, dir), 11);
    RequestLog log(h.lb);
    h.run_until(at_s(200));
    auto count = [&](double from, double to) {
      return static_cast<double>(
          log.count([&](const auto& e) { return e.arrived >= from && e.arrived < to; }));
    };
    const double first = mode == "step" ? 2 * 10 * 50 : 2 * 55 * 50;
    const double second = mode == "step" ? 2 * 100 * 50 : 2 * 50 * 50;
    CHECK(std::abs(count(0, 50) - first) <= 5 * std::sqrt(first));
    CHECK(std::abs(count(50, 100) - second) <= 5 * std::sqrt(second));
    CHECK(count(100, 200) == 0);
  }
  fs::remove_all(dir);
}

// ---- CPU: processor sharing and utilization
// ---------------------------------------------------------

TEST_CASE("service slows down when a task's CPU is saturated (processor sharing)") {
  // Four requests of 100 ms arrive within 4 us; each needs 512 CPU units of a 1024-unit task, so
  // once all four run, each progresses at half speed: all four finish near 200 ms.
  Json doc = one_group({{"ecsim", {{"workers", 4}}}}, {{"type", "constant"}, {"rate", 1e6}},
                       {{"serviceTime", "100ms"}, {"cpu", 512}});
  doc["traffic"][0]["start"] = "40s";
  doc["traffic"][0]["end"] = "40000005us";
  Harness h(spec_from(doc));
  RequestLog log(h.lb);
  TargetInfo info;
  info.cpu_units = 1024;
  info.memory_mib = 512;
  const TargetHandle t = h.add(1, 0, info);
  h.run_until(at_s(39.9));
  REQUIRE(h.lb.target_state(t) == TargetState::kHealthy);
  const auto usage0 = h.lb.target_usage(t, h.now);
  h.run_until(at_s(41));
  REQUIRE(log.entries.size() == 4);
  // Work done: 1+1 us alone-ish, then shares; every request gets 100 ms of work at rate
  // 1024 / 2048 once all four run: finishes at 40 s + ~200 ms, in start order.
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(log.entries[i].code == 200);
    CHECK(log.entries[i].finished - 40 == doctest::Approx(0.2).epsilon(0.001));
    if (i > 0) CHECK(log.entries[i].finished >= log.entries[i - 1].finished);
  }
  // Full CPU for 200 ms of the 1.1 s observed: about 18 %.
  const auto usage1 = h.lb.target_usage(t, h.now);
  CHECK(usage1.cpu_utilization_since(usage0) == doctest::Approx(100 * 0.2 / 1.1).epsilon(0.01));
  CHECK(usage1.memory_utilization_since(usage0) > 100 * 128.0 / 512);
  h.lb.check_conservation();
}

TEST_CASE("without saturation, CPU utilization is busy time x cpu per request / task cpu") {
  Json doc = one_group(Json::object(), {{"type", "constant"}, {"rate", 10}},
                       {{"serviceTime", "50ms"}, {"cpu", 256}});
  Harness h(spec_from(doc));
  TargetInfo info;
  info.cpu_units = 4096;  // 10 workers x 256 <= 4096: never saturated
  const TargetHandle t = h.add(1, 0, info);
  h.run_until(at_s(40));
  const auto u0 = h.lb.target_usage(t, h.now);
  h.run_until(at_s(140));
  // Offered load: 10/s x 50 ms = 0.5 requests in service on average, each 256 of 4096 units.
  CHECK(h.lb.target_usage(t, h.now).cpu_utilization_since(u0) ==
        doctest::Approx(100 * 0.5 * 256 / 4096).epsilon(0.01));
}

// ---- Metrics, conservation, determinism
// ----------------------------------------------------------------

TEST_CASE("per-period metrics rows carry CloudWatch's names and the period's figures") {
  Json doc = one_group(Json::object(), {{"type", "constant"}, {"rate", 10}},
                       {{"serviceTime", "20ms"}, {"cpu", 0}});
  Harness h(spec_from(doc));
  h.add(1);
  h.add(2);
  h.run_until(at_s(60));
  h.lb.close_metrics_period(h.now);
  h.run_until(at_s(120));
  const auto m = h.lb.close_metrics_period(h.now);
  REQUIRE(m.rows.size() == 2);
  auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(m.metric_names.begin(), m.metric_names.end(), name) -
                                    m.metric_names.begin());
  };
  const auto& lb_row = m.rows[0];
  const auto& tg_row = m.rows[1];
  CHECK(lb_row.entity_type == "loadBalancer");
  CHECK(tg_row.entity_type == "targetGroup");
  CHECK(tg_row.t == 60);
  CHECK(tg_row.values[column("RequestCount")] == 600);
  CHECK(tg_row.values[column("HTTPCode_Target_2XX_Count")] == 600);
  CHECK(tg_row.values[column("HTTPCode_ELB_5XX_Count")] == 0);
  CHECK(tg_row.values[column("TargetResponseTime_p50")] == doctest::Approx(0.020).epsilon(0.005));
  CHECK(tg_row.values[column("HealthyHostCount")] == 2);
  CHECK(tg_row.values[column("RequestCountPerTarget")] == 300);
  CHECK(std::isnan(lb_row.values[column("HealthyHostCount")]));
}

TEST_CASE("requests are conserved at any moment, and the same seed gives the same run") {
  auto run = [](std::uint64_t seed) {
    Json attrs = algorithm_attr("least_outstanding_requests");
    Json doc = one_group(
        {{"Attributes", attrs},
         {"ecsim", {{"workers", 2}, {"queueLimit", 3}, {"queueTimeout", "300ms"}}}},
        {{"type", "dailyCycle"}, {"mean", 60}, {"amplitude", 0.9}, {"period", "120s"}},
        {{"serviceTime", {{"type", "lognormal"}, {"mean", "50ms"}, {"cv", 2}}}, {"cpu", 512}},
        Json::array({{{"Key", "idle_timeout.timeout_seconds"}, {"Value", "1"}}}));
    Harness h(spec_from(doc), seed);
    TargetInfo small;
    small.cpu_units = 512;
    std::vector<TargetHandle> t;
    for (int i = 1; i <= 3; ++i)
      t.push_back(h.add(i, 0, small));
    for (double s = 10; s <= 600; s += 10) {
      h.run_until(at_s(s));
      if (s == 100) h.lb.set_app_healthy(t[0], false, h.now);
      if (s == 200) h.lb.set_app_healthy(t[0], true, h.now);
      if (s == 250) h.lb.set_target_stopping(t[1], h.now);
      if (s == 260) h.lb.set_target_stopped(t[1], h.now);
      if (s == 270) h.lb.deregister_target(t[1], h.now);
      if (s == 300) t.push_back(h.add(4, 0, small));
      if (s == 400) h.lb.deregister_target(t[2], h.now);
      REQUIRE_FALSE(h.lb.conservation_problem().has_value());
    }
    CHECK(h.lb.counts().failed() > 0);
    return h.lb.summary().dump() + std::to_string(h.health.size());
  };
  const std::string a = run(7);
  CHECK(a == run(7));
  CHECK(a != run(8));
}
