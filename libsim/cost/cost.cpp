// The cost calculator (include/ecsim/cost.hpp; rules in docs/model.md, "Cost"; ecs-reference 13).
#include "ecsim/cost.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ecsim {
namespace {

constexpr double kMicrosPerHour = 3.6e9;
constexpr double kUnitsPerVcpu = 1024.0;  // ECS CPU units (13.2)
constexpr double kMibPerGib = 1024.0;

double hours_of(Duration d) {
  return static_cast<double>(d.count()) / kMicrosPerHour;
}

// Rounds for output: 1e-6 (of a dollar or an hour), with no negative zero.
double rounded(double v) {
  double r = std::round(v * 1e6) / 1e6;
  if (r == 0) r = 0;
  return r;
}

nlohmann::ordered_json rounded_or_null(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return rounded(*v);
}

}  // namespace

const FargateRates& PriceTable::fargate(CpuArchitecture architecture, bool windows) const {
  if (windows) return fargate_windows_x86;
  return architecture == CpuArchitecture::kArm64 ? fargate_linux_arm : fargate_linux_x86;
}

std::int64_t billed_seconds(Duration d, std::int64_t minimum_seconds) {
  const std::int64_t micros = std::max<std::int64_t>(d.count(), 0);
  const std::int64_t whole = (micros + kSecond.count() - 1) / kSecond.count();
  return std::max(whole, minimum_seconds);
}

std::optional<double> CostReport::usd_per_hour() const {
  if (simulated.count() <= 0) return std::nullopt;
  return total_usd / hours_of(simulated);
}

CostReport compute_cost(const CostInput& input) {
  const PriceTable& prices = input.prices;
  CostReport report;
  report.simulated = input.simulated;
  for (const auto& [service, requests] : input.requests_by_service)
    report.by_service[service].requests = requests;

  // Instances: the bill, and their registered capacity as if nothing reserved it (tasks below
  // take their reservations off).
  report.instance_usd.reserve(input.instances.size());
  for (const InstanceUsage& u : input.instances) {
    if (u.end < u.start)
      throw std::invalid_argument("cost: instance " + u.id + " ends before it starts");
    const auto billed = billed_seconds(u.end - u.start, prices.minimum_billed_seconds);
    const double usd = u.price_per_hour_usd * static_cast<double>(billed) / 3600.0;
    report.instance_usd.push_back(usd);
    report.ec2_usd += usd;
    const double hours = hours_of(u.end - u.start);
    report.stranded.unallocated_vcpu_hours +=
        static_cast<double>(u.registered_cpu) / kUnitsPerVcpu * hours;
    report.stranded.unallocated_gib_hours +=
        static_cast<double>(u.registered_memory_mib) / kMibPerGib * hours;
  }
  report.unallocated_usd = report.ec2_usd;

  report.task_usd.reserve(input.tasks.size());
  for (const TaskUsage& t : input.tasks) {
    if (t.end < t.start)
      throw std::invalid_argument("cost: a task of " + t.group + " ends before it starts");
    GroupCost& group =
        t.service.empty() ? report.by_standalone_group[t.group] : report.by_service[t.service];
    const double vcpu = static_cast<double>(t.cpu_units) / kUnitsPerVcpu;
    const double gb = static_cast<double>(t.memory_mib) / kMibPerGib;
    Duration held = t.end - t.start;
    double usd = 0;
    if (t.capacity == TaskCapacity::kEc2) {
      if (!t.instance || *t.instance >= input.instances.size())
        throw std::invalid_argument("cost: an EC2 task of " + t.group +
                                    " names no instance of the input");
      const InstanceUsage& u = input.instances[*t.instance];
      // Only the time both exist counts.
      const TimePoint from = std::max(t.start, u.start);
      const TimePoint to = std::min(t.end, u.end);
      held = to > from ? to - from : Duration{0};
      // Split Cost Allocation Data: weighted units of the instance's configuration.
      const double capacity =
          prices.ec2_split_vcpu_weight * u.vcpu + prices.ec2_split_gb_weight * u.memory_gib;
      const double share =
          capacity > 0
              ? (prices.ec2_split_vcpu_weight * vcpu + prices.ec2_split_gb_weight * gb) / capacity
              : 0;
      usd = u.price_per_hour_usd * hours_of(held) * share;
      report.unallocated_usd -= usd;
      group.ec2_usd += usd;
      report.stranded.unallocated_vcpu_hours -= vcpu * hours_of(held);
      report.stranded.unallocated_gib_hours -= gb * hours_of(held);
    } else {
      const FargateRates& rates = prices.fargate(t.architecture, t.windows);
      const auto extra_storage = std::max<std::int64_t>(
          t.ephemeral_storage_gb - prices.fargate_ephemeral_storage_included_gb, 0);
      const double per_hour =
          vcpu * (rates.vcpu_per_hour + rates.os_license_per_vcpu_hour) + gb * rates.gb_per_hour +
          static_cast<double>(extra_storage) * prices.fargate_ephemeral_storage_gb_per_hour;
      usd = per_hour * static_cast<double>(billed_seconds(held, prices.minimum_billed_seconds)) /
            3600.0;
      if (t.capacity == TaskCapacity::kFargateSpot) {
        usd *= 1.0 - prices.fargate_spot_discount;
        report.fargate_spot_usd += usd;
        group.fargate_spot_usd += usd;
      } else {
        report.fargate_usd += usd;
        group.fargate_usd += usd;
      }
    }
    group.usd += usd;
    report.task_usd.push_back(usd);

    const double allocated = vcpu * hours_of(held);
    group.allocated_vcpu_hours += allocated;
    if (t.cpu_used_unit_seconds) {
      const double used = *t.cpu_used_unit_seconds / kUnitsPerVcpu / 3600.0;
      const double idle = std::max(0.0, allocated - used);
      report.stranded.modelled_allocated_vcpu_hours += allocated;
      report.stranded.modelled_used_vcpu_hours += used;
      report.stranded.allocated_idle_vcpu_hours += idle;
      group.idle_vcpu_hours = group.idle_vcpu_hours.value_or(0) + idle;
    }
  }
  report.total_usd = report.ec2_usd + report.fargate_usd + report.fargate_spot_usd;
  return report;
}

nlohmann::ordered_json CostReport::to_json() const {
  using Json = nlohmann::ordered_json;
  const std::optional<double> hours =
      simulated.count() > 0 ? std::optional<double>(hours_of(simulated)) : std::nullopt;
  auto per_hour = [&](double usd) -> std::optional<double> {
    if (!hours) return std::nullopt;
    return usd / *hours;
  };
  auto group_json = [&](const GroupCost& g, bool with_requests) {
    Json j;
    j["usd"] = rounded(g.usd);
    j["usdPerHour"] = rounded_or_null(per_hour(g.usd));
    if (with_requests) {
      j["requests"] = g.requests;
      j["usdPerMillionRequests"] =
          g.requests > 0 ? Json(rounded(g.usd / static_cast<double>(g.requests) * 1e6))
                         : Json(nullptr);
    }
    j["ec2Usd"] = rounded(g.ec2_usd);
    j["fargateUsd"] = rounded(g.fargate_usd);
    j["fargateSpotUsd"] = rounded(g.fargate_spot_usd);
    j["allocatedVcpuHours"] = rounded(g.allocated_vcpu_hours);
    j["idleVcpuHours"] = rounded_or_null(g.idle_vcpu_hours);
    return j;
  };

  Json j;
  j["currency"] = "USD";
  j["totalUsd"] = rounded(total_usd);
  j["ec2Usd"] = rounded(ec2_usd);
  j["fargateUsd"] = rounded(fargate_usd);
  j["fargateSpotUsd"] = rounded(fargate_spot_usd);
  j["unallocatedUsd"] = rounded(unallocated_usd);
  j["usdPerHour"] = rounded_or_null(usd_per_hour());
  Json services = Json::object();
  for (const auto& [name, g] : by_service)
    services[name] = group_json(g, true);
  j["byService"] = std::move(services);
  Json standalone = Json::object();
  for (const auto& [name, g] : by_standalone_group)
    standalone[name] = group_json(g, false);
  j["byStandaloneGroup"] = std::move(standalone);
  Json s;
  s["unallocatedVcpuHours"] = rounded(stranded.unallocated_vcpu_hours);
  s["unallocatedGibHours"] = rounded(stranded.unallocated_gib_hours);
  s["allocatedIdleVcpuHours"] = rounded(stranded.allocated_idle_vcpu_hours);
  s["modelledAllocatedVcpuHours"] = rounded(stranded.modelled_allocated_vcpu_hours);
  s["modelledUsedVcpuHours"] = rounded(stranded.modelled_used_vcpu_hours);
  j["stranded"] = std::move(s);
  return j;
}

}  // namespace ecsim
