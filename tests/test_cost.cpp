// The cost model (include/ecsim/cost.hpp, docs/model.md "Cost"): analytic checks of the calculator
// against ecs-reference section 13 (13.1 Fargate, 13.2 EC2) and AWS Split Cost Allocation Data,
// whole runs whose summary cost is computed by hand, and the scenario's "pricing" key.
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/cost.hpp"
#include "ecsim/instance_types.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"

#include "support/json_schema.hpp"
#include "support/run_helpers.hpp"

using namespace ecsim;
using ecsim::testing::Run;

namespace {

constexpr double kM5LargePrice = 0.096;   // 13.2
constexpr double kM5XlargePrice = 0.192;  // 13.2
constexpr double kFargateVcpu = 0.04048;  // 13.1 Linux/x86
constexpr double kFargateGb = 0.004445;   // 13.1 Linux/x86

TimePoint at(Duration d) {
  return TimePoint(d);
}

InstanceUsage m5(const std::string& type, double price, int vcpu, double gib, Duration from,
                 Duration to) {
  const InstanceType* t = find_instance_type(type);
  REQUIRE(t != nullptr);
  InstanceUsage u;
  u.id = "i-test";
  u.instance_type = type;
  u.availability_zone = "us-east-1a";
  u.price_per_hour_usd = price;
  u.vcpu = vcpu;
  u.memory_gib = gib;
  u.registered_cpu = t->registered_cpu_units();
  u.registered_memory_mib = t->registered_memory_mib(0);
  u.start = at(from);
  u.end = at(to);
  return u;
}

TaskUsage ec2_task(const std::string& service, std::int64_t cpu, std::int64_t mib,
                   std::size_t instance, Duration from, Duration to) {
  TaskUsage t;
  t.service = service;
  t.group = service.empty() ? "family:batch" : "service:" + service;
  t.capacity = TaskCapacity::kEc2;
  t.cpu_units = cpu;
  t.memory_mib = mib;
  t.instance = instance;
  t.start = at(from);
  t.end = at(to);
  return t;
}

TaskUsage fargate_task(std::int64_t cpu, std::int64_t mib, Duration from, Duration to,
                       TaskCapacity capacity = TaskCapacity::kFargate) {
  TaskUsage t;
  t.service = "api";
  t.group = "service:api";
  t.capacity = capacity;
  t.cpu_units = cpu;
  t.memory_mib = mib;
  t.start = at(from);
  t.end = at(to);
  return t;
}

// Services, standalone groups and the unallocated rest add up to the total.
void check_sums(const CostReport& r) {
  double parts = r.unallocated_usd;
  for (const auto& [name, g] : r.by_service) {
    parts += g.usd;
    CHECK(g.usd == doctest::Approx(g.ec2_usd + g.fargate_usd + g.fargate_spot_usd).epsilon(1e-12));
  }
  for (const auto& [name, g] : r.by_standalone_group)
    parts += g.usd;
  CHECK(parts == doctest::Approx(r.total_usd).epsilon(1e-12));
  double instances = 0;
  for (double usd : r.instance_usd)
    instances += usd;
  CHECK(instances == doctest::Approx(r.ec2_usd).epsilon(1e-12));
  double tasks = 0;
  for (double usd : r.task_usd)
    tasks += usd;
  CHECK(tasks + r.unallocated_usd == doctest::Approx(r.total_usd).epsilon(1e-12));
  CHECK(r.total_usd == doctest::Approx(r.ec2_usd + r.fargate_usd + r.fargate_spot_usd));
}

Scenario load(const std::string& text) {
  return load_scenario_text(text);
}

std::vector<Problem> problems_of(const std::string& text) {
  try {
    load_scenario_text(text);
    return {};
  } catch (const ScenarioError& e) {
    return e.problems();
  }
}

bool has_problem(const std::vector<Problem>& problems, const std::string& pointer,
                 const std::string& words) {
  for (const auto& p : problems)
    if (p.pointer == pointer && p.message.find(words) != std::string::npos) return true;
  return false;
}

double seconds_of(const EventRecord* e) {
  return to_seconds(e->time);
}

// The time of a task's first event with this lastStatus.
double first_status(const Run& run, std::uint64_t ordinal, const std::string& status) {
  for (const auto* e : run.task_events(ordinal))
    if (e->detail["lastStatus"] == status) return seconds_of(e);
  return -1;
}

}  // namespace

// ---- the calculator
// ------------------------------------------------------------------------------

TEST_CASE("13.1, 13.2: billed seconds round up to the whole second, with a 60-second minimum") {
  CHECK(billed_seconds(seconds(30), 60) == 60);
  CHECK(billed_seconds(Duration{0}, 60) == 60);
  CHECK(billed_seconds(seconds(60), 60) == 60);
  CHECK(billed_seconds(seconds(90) + Duration{1}, 60) == 91);
  CHECK(billed_seconds(kHour, 60) == 3600);
  CHECK(billed_seconds(seconds(5), 0) == 5);
  CHECK(billed_seconds(Duration{-5}, 0) == 0);
}

TEST_CASE("13 defaults: the built-in price table is the reference's us-east-1 table") {
  const PriceTable p;
  CHECK(p.fargate_linux_x86.vcpu_per_hour == 0.04048);
  CHECK(p.fargate_linux_x86.gb_per_hour == 0.004445);
  CHECK(p.fargate_linux_arm.vcpu_per_hour == 0.03238);
  CHECK(p.fargate_linux_arm.gb_per_hour == 0.00356);
  CHECK(p.fargate_windows_x86.vcpu_per_hour == 0.09148);
  CHECK(p.fargate_windows_x86.os_license_per_vcpu_hour == 0.046);
  CHECK(p.fargate_windows_x86.gb_per_hour == 0.01005);
  CHECK(p.fargate_ephemeral_storage_gb_per_hour == 0.000111);
  CHECK(p.fargate_ephemeral_storage_included_gb == 20);
  CHECK(p.fargate_spot_discount == 0.7);
  CHECK(p.minimum_billed_seconds == 60);
  CHECK(p.ec2_split_vcpu_weight == 9);
  CHECK(p.ec2_split_gb_weight == 1);
  // 13.2: the EC2 price comes from the instance catalog.
  CHECK(find_instance_type("m5.large")->price_per_hour_usd == kM5LargePrice);
  CHECK(find_instance_type("m5.xlarge")->price_per_hour_usd == kM5XlargePrice);
}

TEST_CASE("13.2: one m5.large for 30 s bills the 60-second minimum") {
  CostInput in;
  in.simulated = seconds(30);
  in.instances.push_back(m5("m5.large", kM5LargePrice, 2, 8, Duration{0}, seconds(30)));
  const CostReport r = compute_cost(in);
  CHECK(r.ec2_usd == doctest::Approx(kM5LargePrice * 60 / 3600));
  CHECK(r.total_usd == r.ec2_usd);
  CHECK(r.unallocated_usd == r.ec2_usd);  // no task pays for any of it
  check_sums(r);
}

TEST_CASE("13.2: one m5.large for one hour bills exactly its hourly price") {
  CostInput in;
  in.simulated = kHour;
  in.instances.push_back(m5("m5.large", kM5LargePrice, 2, 8, Duration{0}, kHour));
  const CostReport r = compute_cost(in);
  CHECK(r.ec2_usd == doctest::Approx(kM5LargePrice).epsilon(1e-15));
  CHECK(r.usd_per_hour().value() == doctest::Approx(kM5LargePrice));
  // A part second is billed as a whole one (13.2: per second).
  in.instances[0].end = at(kHour + Duration{1});
  CHECK(compute_cost(in).ec2_usd == doctest::Approx(kM5LargePrice * 3601 / 3600));
}

TEST_CASE("13.1: a Fargate task of 0.5 vCPU and 1 GB for 10 minutes") {
  CostInput in;
  in.simulated = 10 * kMinute;
  in.tasks.push_back(fargate_task(512, 1024, Duration{0}, 10 * kMinute));
  const CostReport r = compute_cost(in);
  const double expected = 10.0 / 60 * (0.5 * kFargateVcpu + 1 * kFargateGb);
  CHECK(r.fargate_usd == doctest::Approx(expected).epsilon(1e-12));
  CHECK(r.by_service.at("api").fargate_usd == doctest::Approx(expected));
  CHECK(r.ec2_usd == 0);
  CHECK(r.unallocated_usd == 0);
  check_sums(r);
  // The worked check of 13.1: 1 vCPU / 2 GB for 1 h = $0.04937.
  in.tasks[0] = fargate_task(1024, 2048, Duration{0}, kHour);
  CHECK(compute_cost(in).fargate_usd == doctest::Approx(0.04937).epsilon(1e-9));
}

TEST_CASE("13.1: Fargate bills at least 60 s, and whole seconds") {
  CostInput in;
  in.tasks.push_back(fargate_task(256, 512, Duration{0}, seconds(20)));
  const double per_second = (0.25 * kFargateVcpu + 0.5 * kFargateGb) / 3600;
  CHECK(compute_cost(in).fargate_usd == doctest::Approx(60 * per_second));
  in.tasks[0].end = at(seconds(100) + millis(1));
  CHECK(compute_cost(in).fargate_usd == doctest::Approx(101 * per_second));
  // The minimum is configurable.
  in.prices.minimum_billed_seconds = 0;
  in.tasks[0].end = at(seconds(20));
  CHECK(compute_cost(in).fargate_usd == doctest::Approx(20 * per_second));
}

TEST_CASE("13.1: ARM and Windows rates, and ephemeral storage above the 20 GB included") {
  CostInput in;
  TaskUsage arm = fargate_task(1024, 2048, Duration{0}, kHour);
  arm.architecture = CpuArchitecture::kArm64;
  TaskUsage windows = fargate_task(1024, 2048, Duration{0}, kHour);
  windows.windows = true;
  TaskUsage storage = fargate_task(1024, 2048, Duration{0}, kHour);
  storage.ephemeral_storage_gb = 50;
  in.tasks = {arm, windows, storage};
  const CostReport r = compute_cost(in);
  CHECK(r.task_usd[0] == doctest::Approx(0.03238 + 2 * 0.00356));
  CHECK(r.task_usd[1] == doctest::Approx(0.09148 + 0.046 + 2 * 0.01005));
  CHECK(r.task_usd[2] == doctest::Approx(kFargateVcpu + 2 * kFargateGb + 30 * 0.000111));
  check_sums(r);
}

TEST_CASE("13.1 and 8.2: Fargate Spot costs (1 - discount) of On-Demand, default discount 0.7") {
  CostInput in;
  in.tasks.push_back(fargate_task(1024, 2048, Duration{0}, kHour, TaskCapacity::kFargateSpot));
  in.tasks.push_back(fargate_task(1024, 2048, Duration{0}, kHour, TaskCapacity::kFargate));
  CostReport r = compute_cost(in);
  CHECK(r.fargate_spot_usd == doctest::Approx(0.3 * 0.04937).epsilon(1e-9));
  CHECK(r.fargate_usd == doctest::Approx(0.04937).epsilon(1e-9));
  CHECK(r.by_service.at("api").fargate_spot_usd == r.fargate_spot_usd);
  check_sums(r);
  in.prices.fargate_spot_discount = 0.5;
  r = compute_cost(in);
  CHECK(r.fargate_spot_usd == doctest::Approx(0.5 * 0.04937).epsilon(1e-9));
}

TEST_CASE("Split Cost Allocation Data: AWS's m5.xlarge example gives $0.17 per vCPU-hour") {
  // AWS's example: an m5.xlarge (4 vCPU, 16 GB) at $1/h; unit cost = 1 / (9 x 4 + 1 x 16), a vCPU-
  // hour costs 9 units ($0.17) and a GB-hour one ($0.02). A task holding 1 vCPU for the hour pays
  // one vCPU-hour.
  CostInput in;
  in.instances.push_back(m5("m5.xlarge", 1.0, 4, 16, Duration{0}, kHour));
  in.tasks.push_back(ec2_task("a", 1024, 0, 0, Duration{0}, kHour));
  in.tasks.push_back(ec2_task("b", 0, 1024, 0, Duration{0}, kHour));
  const CostReport r = compute_cost(in);
  CHECK(r.by_service.at("a").usd == doctest::Approx(9.0 / 52));
  CHECK(std::round(r.by_service.at("a").usd * 100) / 100 == doctest::Approx(0.17));
  CHECK(r.by_service.at("b").usd == doctest::Approx(1.0 / 52));
  check_sums(r);
}

TEST_CASE("13.2 with the split rule: two services share an instance, the rest is unallocated") {
  // One m5.xlarge (4 vCPU, 16 GiB, $0.192/h) for an hour. Service a: 1 vCPU / 2 GiB for the hour
  // (9 + 2 = 11 units of 52); service b: 2 vCPU / 4 GiB for half an hour (22 units, half the time).
  CostInput in;
  in.simulated = kHour;
  in.instances.push_back(m5("m5.xlarge", kM5XlargePrice, 4, 16, Duration{0}, kHour));
  in.tasks.push_back(ec2_task("a", 1024, 2048, 0, Duration{0}, kHour));
  in.tasks.push_back(ec2_task("b", 2048, 4096, 0, 30 * kMinute, kHour));
  const CostReport r = compute_cost(in);
  const double a = kM5XlargePrice * 11 / 52;
  const double b = kM5XlargePrice * 0.5 * 22 / 52;
  CHECK(r.by_service.at("a").usd == doctest::Approx(a));
  CHECK(r.by_service.at("a").ec2_usd == doctest::Approx(a));
  CHECK(r.by_service.at("b").usd == doctest::Approx(b));
  CHECK(r.unallocated_usd == doctest::Approx(kM5XlargePrice - a - b));
  CHECK(r.total_usd == doctest::Approx(kM5XlargePrice));
  check_sums(r);
  // The weights are configurable: 1:0 splits by CPU alone.
  in.prices.ec2_split_vcpu_weight = 1;
  in.prices.ec2_split_gb_weight = 0;
  CHECK(compute_cost(in).by_service.at("a").usd == doctest::Approx(kM5XlargePrice / 4));
}

TEST_CASE("13.2 with the split rule: a task pays only while both it and its instance exist") {
  // The instance runs 10 minutes from t = 5m; the task claims 0..30m: it pays for 10 minutes.
  CostInput in;
  in.instances.push_back(m5("m5.large", kM5LargePrice, 2, 8, 5 * kMinute, 15 * kMinute));
  in.tasks.push_back(ec2_task("", 1024, 4096, 0, Duration{0}, 30 * kMinute));
  const CostReport r = compute_cost(in);
  const double share = (9 * 1.0 + 4) / (9 * 2 + 8);
  CHECK(r.by_standalone_group.at("family:batch").usd ==
        doctest::Approx(kM5LargePrice * 10.0 / 60 * share));
  CHECK(r.by_standalone_group.at("family:batch").allocated_vcpu_hours ==
        doctest::Approx(10.0 / 60));
  check_sums(r);
}

TEST_CASE("13.2: stranded capacity on a known layout") {
  // An m5.large for an hour (2,048 CPU units, 7,985 MiB registered, 3.2) holding one task of 512
  // units and 1,024 MiB for 30 minutes that used 256 units on average.
  CostInput in;
  in.simulated = kHour;
  in.instances.push_back(m5("m5.large", kM5LargePrice, 2, 8, Duration{0}, kHour));
  REQUIRE(in.instances[0].registered_memory_mib == 7985);
  TaskUsage t = ec2_task("web", 512, 1024, 0, Duration{0}, 30 * kMinute);
  t.cpu_used_unit_seconds = 256.0 * 1800;
  in.tasks.push_back(t);
  in.tasks.push_back(ec2_task("batch", 512, 1024, 0, 30 * kMinute, kHour));  // use not modelled
  const CostReport r = compute_cost(in);
  CHECK(r.stranded.unallocated_vcpu_hours == doctest::Approx(2.0 - 0.5 * 0.5 - 0.5 * 0.5));
  CHECK(r.stranded.unallocated_gib_hours == doctest::Approx(7985.0 / 1024 - 0.5 - 0.5));
  CHECK(r.stranded.modelled_allocated_vcpu_hours == doctest::Approx(0.25));
  CHECK(r.stranded.modelled_used_vcpu_hours == doctest::Approx(0.125));
  CHECK(r.stranded.allocated_idle_vcpu_hours == doctest::Approx(0.125));
  CHECK(r.by_service.at("web").idle_vcpu_hours.value() == doctest::Approx(0.125));
  CHECK_FALSE(r.by_service.at("batch").idle_vcpu_hours.has_value());
  check_sums(r);
}

TEST_CASE("cost JSON: rounded to 1e-6, per million requests, nulls where there is no denominator") {
  CostInput in;
  in.simulated = kHour;
  in.instances.push_back(m5("m5.large", kM5LargePrice, 2, 8, Duration{0}, kHour));
  in.tasks.push_back(ec2_task("web", 1024, 2048, 0, Duration{0}, kHour));
  in.tasks.push_back(ec2_task("", 256, 256, 0, Duration{0}, kHour));
  in.requests_by_service = {{"web", 250000}, {"idle", 0}};
  const CostReport r = compute_cost(in);
  const auto j = r.to_json();
  CHECK(j["currency"] == "USD");
  CHECK(j["totalUsd"].get<double>() == doctest::Approx(0.096));
  CHECK(j["usdPerHour"].get<double>() == doctest::Approx(0.096));
  const double web = kM5LargePrice * (9 * 1.0 + 2) / 26;
  CHECK(j["byService"]["web"]["usd"].get<double>() == std::round(web * 1e6) / 1e6);
  CHECK(j["byService"]["web"]["requests"] == 250000);
  CHECK(j["byService"]["web"]["usdPerMillionRequests"].get<double>() ==
        doctest::Approx(web * 4).epsilon(1e-6));
  // A service without requests or tasks is listed, with null per-million.
  CHECK(j["byService"]["idle"]["usd"] == 0.0);
  CHECK(j["byService"]["idle"]["usdPerMillionRequests"].is_null());
  CHECK(j["byService"]["web"]["idleVcpuHours"].is_null());
  CHECK(j["byStandaloneGroup"]["family:batch"]["usd"].get<double>() > 0);
  CHECK_FALSE(j["byStandaloneGroup"]["family:batch"].contains("requests"));
  for (const char* key : {"unallocatedVcpuHours", "unallocatedGibHours", "allocatedIdleVcpuHours",
                          "modelledAllocatedVcpuHours", "modelledUsedVcpuHours"})
    CHECK(j["stranded"].contains(key));
  // Deterministic: the same input gives the same text.
  CHECK(compute_cost(in).to_json().dump() == j.dump());
  // No time: no per-hour figures.
  in.simulated = Duration{0};
  CHECK(compute_cost(in).to_json()["usdPerHour"].is_null());
}

TEST_CASE("the calculator refuses input it cannot price") {
  CostInput in;
  in.tasks.push_back(ec2_task("web", 256, 256, 0, Duration{0}, kMinute));  // no instance 0
  CHECK_THROWS_AS(compute_cost(in), std::invalid_argument);
  in.tasks.clear();
  in.instances.push_back(m5("m5.large", kM5LargePrice, 2, 8, kMinute, Duration{0}));
  CHECK_THROWS_AS(compute_cost(in), std::invalid_argument);
}

// ---- whole runs
// ------------------------------------------------------------------------------------

TEST_CASE("13.1, 13.2: a run's summary cost equals a hand computation") {
  // One m5.large for 10 minutes; service web (0.5 vCPU, 1 GiB, bridge) on it from its creation;
  // a Fargate job (0.25 vCPU, 0.5 GB) run at 1m: ENI 10 s, agent 1 s, so its pull starts at 71 s;
  // it exits after 100 s and stops after deactivation (1 s) and ENI detach (5 s).
  const Run run = ecsim::testing::run_text(R"({
    "name": "cost-e2e", "duration": "10m",
    "cluster": {"clusterName": "c", "availabilityZones": ["us-east-1a"],
      "containerInstances": [{"instanceType": "m5.large", "availabilityZone": "us-east-1a"}]},
    "timing": {"fargateEniProvisioning": "10s", "agentPickup": "1s", "deactivation": "1s",
               "eniDetach": "5s"},
    "taskDefinitions": [
      {"family": "web", "cpu": "512", "memory": "1024", "containerDefinitions": [
        {"name": "app", "image": "web:1", "portMappings": [{"containerPort": 80}]}]},
      {"family": "job", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
       "cpu": "256", "memory": "512", "containerDefinitions": [
        {"name": "job", "image": "job:1", "ecsim": {"exitAfter": "100s"}}]}],
    "services": [{"serviceName": "web", "taskDefinition": "web", "desiredCount": 1}],
    "timeline": [{"at": "1m", "action": "RunTask",
                  "input": {"taskDefinition": "job", "launchType": "FARGATE"}}]
  })");
  const auto& cost = run.summary["cost"];
  REQUIRE(cost.is_object());
  REQUIRE(run.summary["simulatedSeconds"] == 600.0);

  const double instance = kM5LargePrice * 600 / 3600;
  const double web_created = first_status(run, 1, "PENDING");
  REQUIRE(web_created == 0);
  const double web = kM5LargePrice * (600 - web_created) / 3600 * (9 * 0.5 + 1) / (9 * 2 + 8);

  const double pull = first_status(run, 2, "ACTIVATING");
  const double stopped = first_status(run, 2, "STOPPED");
  CHECK(pull == 71);
  REQUIRE(stopped > pull);
  const double billed = std::max(60.0, std::ceil(stopped - pull));
  const double job = billed / 3600 * (0.25 * kFargateVcpu + 0.5 * kFargateGb);

  auto usd = [](const nlohmann::ordered_json& v) { return v.get<double>(); };
  auto r6 = [](double v) { return std::round(v * 1e6) / 1e6; };
  CHECK(usd(cost["ec2Usd"]) == r6(instance));
  CHECK(usd(cost["fargateUsd"]) == r6(job));
  CHECK(usd(cost["fargateSpotUsd"]) == 0);
  CHECK(usd(cost["totalUsd"]) == r6(instance + job));
  CHECK(usd(cost["byService"]["web"]["usd"]) == r6(web));
  CHECK(usd(cost["byService"]["web"]["ec2Usd"]) == r6(web));
  CHECK(cost["byService"]["web"]["usdPerMillionRequests"].is_null());
  CHECK(usd(cost["byStandaloneGroup"]["family:job"]["fargateUsd"]) == r6(job));
  CHECK(usd(cost["unallocatedUsd"]) == r6(instance - web));
  CHECK(usd(cost["usdPerHour"]) == r6((instance + job) * 6));
  // Stranded (13.2): 2 vCPU and 7,985 MiB registered for 1/6 h, less web's reservation.
  CHECK(usd(cost["stranded"]["unallocatedVcpuHours"]) ==
        r6(2.0 / 6 - 0.5 * (600 - web_created) / 3600));
  CHECK(usd(cost["stranded"]["unallocatedGibHours"]) ==
        r6(7985.0 / 1024 / 6 - 1.0 * (600 - web_created) / 3600));
}

TEST_CASE("13.2: an instance bills from launch until its termination; one not launched is free") {
  // i-...2 launches at 2m and is terminated at 2m30s while booting: the 60-second minimum. The
  // r5.large launching at 20m, after the run, costs nothing.
  const Run run = ecsim::testing::run_text(R"({
    "name": "cost-instances", "duration": "10m",
    "cluster": {"availabilityZones": ["us-east-1a"], "containerInstances": [
      {"instanceType": "m5.large", "availabilityZone": "us-east-1a"},
      {"instanceType": "c5.large", "availabilityZone": "us-east-1a", "launchAt": "2m"},
      {"instanceType": "r5.large", "availabilityZone": "us-east-1a", "launchAt": "20m"}]},
    "timeline": [{"at": "2m30s", "action": "TerminateInstance",
                  "input": {"instanceId": "i-00000000000000002"}}]
  })");
  const double expected = kM5LargePrice * 600 / 3600 + 0.085 * 60 / 3600;
  CHECK(run.summary["cost"]["ec2Usd"].get<double>() == std::round(expected * 1e6) / 1e6);
  CHECK(run.summary["cost"]["unallocatedUsd"] == run.summary["cost"]["ec2Usd"]);
}

TEST_CASE("a service behind a load balancer: requests, cost per million and CPU used") {
  // Requests of constant 100 ms at 64 CPU units each: a task uses 6.4 unit-seconds per request.
  const Run run = ecsim::testing::run_text(R"({
    "name": "cost-lb", "duration": "10m",
    "cluster": {"availabilityZones": ["us-east-1a"],
      "containerInstances": [{"instanceType": "m5.large", "availabilityZone": "us-east-1a"}]},
    "taskDefinitions": [{"family": "api", "networkMode": "awsvpc", "cpu": "1024", "memory": "2048",
      "containerDefinitions": [{"name": "app", "image": "api:1",
                                "portMappings": [{"containerPort": 8080}]}]}],
    "targetGroups": [{"Name": "api-tg", "Protocol": "HTTP", "Port": 8080, "TargetType": "ip",
                      "HealthCheckPath": "/"}],
    "loadBalancers": [{"Name": "alb", "Listeners": [{"Port": 80, "Protocol": "HTTP",
      "DefaultActions": [{"Type": "forward", "TargetGroupArn": "api-tg"}]}]}],
    "traffic": [{"name": "users", "listener": "alb:80", "pattern": {"type": "poisson", "rate": 5},
                 "request": {"serviceTime": "100ms", "cpu": 64}}],
    "services": [{"serviceName": "api", "taskDefinition": "api", "desiredCount": 1,
      "loadBalancers": [{"targetGroupArn": "api-tg", "containerName": "app",
                         "containerPort": 8080}]}]
  })");
  const auto& api = run.summary["cost"]["byService"]["api"];
  const auto& group = run.summary["requests"]["targetGroups"][0];
  const auto requests = group["total"].get<std::uint64_t>();
  REQUIRE(requests > 1000);
  CHECK(api["requests"] == requests);
  CHECK(api["usdPerMillionRequests"].get<double>() ==
        doctest::Approx(api["usd"].get<double>() / static_cast<double>(requests) * 1e6)
            .epsilon(1e-4));
  // CPU used: 6.4 unit-seconds per answered request, give or take those in flight at the end.
  const auto succeeded = group["succeeded"].get<double>();
  const auto in_flight = group["inFlight"].get<double>();
  const auto& stranded = run.summary["cost"]["stranded"];
  const double used = stranded["modelledUsedVcpuHours"].get<double>();
  CHECK(used >= succeeded * 6.4 / 1024 / 3600 - 1e-6);
  CHECK(used <= (succeeded + in_flight) * 6.4 / 1024 / 3600 + 1e-6);
  // Allocated 1 vCPU from the task's creation to the end of the run; the rest of it idle.
  const double created = first_status(run, 1, "PROVISIONING");
  REQUIRE(created >= 0);
  const double allocated = 1.0 * (600 - created) / 3600;
  CHECK(stranded["modelledAllocatedVcpuHours"].get<double>() == doctest::Approx(allocated));
  CHECK(api["allocatedVcpuHours"].get<double>() == doctest::Approx(allocated));
  CHECK(stranded["allocatedIdleVcpuHours"].get<double>() ==
        doctest::Approx(allocated - used).epsilon(1e-5));
  CHECK(api["idleVcpuHours"] == stranded["allocatedIdleVcpuHours"]);
}

TEST_CASE("a task stopped by StopTask pays for its instance until it stopped (13.2, split rule)") {
  const Run run = ecsim::testing::run_text(R"({
    "name": "cost-stop", "duration": "1h",
    "cluster": {"availabilityZones": ["us-east-1a"],
      "containerInstances": [{"instanceType": "m5.large", "availabilityZone": "us-east-1a"}]},
    "taskDefinitions": [{"family": "batch", "cpu": "1024", "memory": "4096",
      "containerDefinitions": [{"name": "b", "image": "b:1"}]}],
    "timeline": [
      {"at": "0s", "action": "RunTask", "input": {"taskDefinition": "batch"}},
      {"at": "30m", "action": "StopTask", "input": {"group": "family:batch"}}]
  })");
  const double stopped = first_status(run, 1, "STOPPED");
  REQUIRE(stopped > 1800);
  const double expected = kM5LargePrice * stopped / 3600 * (9 * 1.0 + 4) / 26;
  CHECK(run.summary["cost"]["byStandaloneGroup"]["family:batch"]["usd"].get<double>() ==
        std::round(expected * 1e6) / 1e6);
  CHECK(run.summary["cost"]["totalUsd"].get<double>() == doctest::Approx(kM5LargePrice));
}

// ---- the "pricing" key
// ------------------------------------------------------------------------------

TEST_CASE("13: a scenario's pricing overrides the built-in table and reaches the summary") {
  const char* text = R"({
    "name": "cost-pricing", "duration": "1h",
    "pricing": {"fargate": {"vcpuPerHour": 1, "gbPerHour": 0.5,
                            "arm": {"vcpuPerHour": 0.8}, "windows": {"osLicensePerVcpuHour": 0},
                            "ephemeralStorageGbPerHour": 0.001, "ephemeralStorageIncludedGb": 10},
                "fargateSpotDiscount": 0.5, "minimumBilledSeconds": 0,
                "ec2CostSplit": {"vcpuWeight": 1, "gbWeight": 0}},
    "cluster": {"availabilityZones": ["us-east-1a"], "containerInstances": []},
    "taskDefinitions": [{"family": "job", "networkMode": "awsvpc",
       "requiresCompatibilities": ["FARGATE"], "cpu": "1024", "memory": "2048",
       "containerDefinitions": [{"name": "job", "image": "job:1"}]}],
    "timeline": [{"at": "0s", "action": "RunTask",
                  "input": {"taskDefinition": "job", "launchType": "FARGATE"}}]
  })";
  const Scenario s = load(text);
  CHECK(s.pricing.fargate_linux_x86.vcpu_per_hour == 1);
  CHECK(s.pricing.fargate_linux_x86.gb_per_hour == 0.5);
  CHECK(s.pricing.fargate_linux_arm.vcpu_per_hour == 0.8);
  CHECK(s.pricing.fargate_linux_arm.gb_per_hour == 0.00356);  // not named: built in
  CHECK(s.pricing.fargate_windows_x86.os_license_per_vcpu_hour == 0);
  CHECK(s.pricing.fargate_ephemeral_storage_gb_per_hour == 0.001);
  CHECK(s.pricing.fargate_ephemeral_storage_included_gb == 10);
  CHECK(s.pricing.fargate_spot_discount == 0.5);
  CHECK(s.pricing.minimum_billed_seconds == 0);
  CHECK(s.pricing.ec2_split_vcpu_weight == 1);
  CHECK(s.pricing.ec2_split_gb_weight == 0);
  CHECK(load(R"({"name": "x"})").pricing == PriceTable{});

  // 1 vCPU at $1, 2 GB at $0.50 and 10 GB of storage above the 10 included at $0.001 = $2.01
  // an hour, billed from the pull (at 11 s) to the end.
  const Run run = ecsim::testing::run_scenario(s);
  const double pull = first_status(run, 1, "ACTIVATING");
  REQUIRE(pull > 0);
  CHECK(run.summary["cost"]["fargateUsd"].get<double>() ==
        std::round(2.01 * std::ceil(3600 - pull) / 3600 * 1e6) / 1e6);
}

TEST_CASE("bad pricing input: every problem at its JSON Pointer, and the schema agrees") {
  const std::string text = R"({
    "name": "bad-pricing",
    "pricing": {"fargate": {"vcpuPerHr": 1, "gbPerHour": -1, "arm": {"vcpuPerHour": "cheap"},
                            "windows": 3},
                "fargateSpotDiscount": 1.5, "minimumBilledSeconds": "60s",
                "ec2CostSplit": {"vcpuWeight": 0, "gbWeight": 0}, "currency": "EUR"}
  })";
  const auto problems = problems_of(text);
  CHECK(has_problem(problems, "/pricing/fargate/vcpuPerHr", "did you mean \"vcpuPerHour\""));
  CHECK(has_problem(problems, "/pricing/fargate/gbPerHour", ""));
  CHECK(has_problem(problems, "/pricing/fargate/arm/vcpuPerHour", ""));
  CHECK(has_problem(problems, "/pricing/fargate/windows", ""));
  CHECK(has_problem(problems, "/pricing/fargateSpotDiscount", ""));
  CHECK(has_problem(problems, "/pricing/minimumBilledSeconds", ""));
  CHECK(has_problem(problems, "/pricing/ec2CostSplit", "at least one must be above 0"));
  CHECK(has_problem(problems, "/pricing/currency", "unknown key"));
  CHECK(problems.size() == 8);
  CHECK(has_problem(problems_of(R"({"pricing": []})"), "/pricing", ""));

  // The JSON Schema (schema/scenario.schema.json) rejects each one too.
  std::ifstream in(ECSIM_SOURCE_DIR "/schema/scenario.schema.json");
  const ecsim::testing::JsonSchema schema(nlohmann::json::parse(in));
  const auto errors = schema.validate(nlohmann::json::parse(text));
  for (const char* pointer : {"/pricing/fargate/vcpuPerHr", "/pricing/fargate/gbPerHour",
                              "/pricing/fargate/arm/vcpuPerHour", "/pricing/fargate/windows",
                              "/pricing/fargateSpotDiscount", "/pricing/minimumBilledSeconds",
                              "/pricing/ec2CostSplit", "/pricing/currency"}) {
    CAPTURE(pointer);
    bool found = false;
    for (const auto& e : errors)
      found = found || e.pointer == pointer;
    CHECK(found);
  }
  const auto good = schema.validate(nlohmann::json::parse(R"({"pricing": {"fargate":
      {"vcpuPerHour": 0.05, "arm": {"gbPerHour": 0.004}}, "fargateSpotDiscount": 0.6,
      "minimumBilledSeconds": 60, "ec2CostSplit": {"vcpuWeight": 0}}})"));
  CHECK(good.empty());
}
