// The cost model: what a run costs in USD, who it is charged to, and what capacity was paid for
// but not used (ecs-reference 13).
//
// A pure calculator: compute_cost() takes a price table and usage intervals (EC2 instances, task
// reservations) and returns a CostReport; it knows nothing about the simulation, so it can be
// tested on hand-made layouts. The simulation builds the intervals from its instances and tasks
// (libsim/model/cost_link.cpp) and puts the report under "cost" in summary.json.
//
// Rules (docs/model.md, "Cost"):
// * EC2 On-Demand (13.2): an instance is billed per second from launch until termination (or the
//   end of the run), rounded up to the whole second, at least minimum_billed_seconds (60).
// * Fargate (13.1): a task is billed for its configured vCPU and memory "from the time you start to
//   download your container image until the Amazon ECS Task terminates, rounded up to the nearest
//   second", at least minimum_billed_seconds, plus ephemeral storage above the 20 GB included.
//   Fargate Spot costs (1 - fargate_spot_discount) times On-Demand (default discount 0.7 from "up
//   to 70%" [INFERRED: the reference gives only the upper bound]).
// * EC2 cost per task follows AWS Split Cost Allocation Data: the instance's hourly price buys
//   weighted units, 9 per vCPU and 1 per GiB of the instance's configuration; a task reserving c
//   vCPU and m GiB pays (9c + m) / (9 vCPU + GiB) of the instance's price for the time it holds
//   the reservation. What no task pays (idle capacity, boot time, the minimum and the rounding) is
//   unallocatedUsd. AWS's split also uses max(used, reserved); ecsim's tasks never use more CPU
//   than they reserve (a task with no CPU reservation is the exception), so reservations are used.
// * Stranded capacity: registered CPU and memory of running instances that no task reserves
//   (vCPU-hours, GiB-hours), and CPU that tasks reserve but do not use (allocated but idle), over
//   the tasks whose CPU use is modelled (those behind a load balancer).
//
// Money is summed in double precision in input order and rounded (to 1e-6 USD) only when written
// to JSON; maps are std::map, so the output is deterministic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecsim/instance_types.hpp"
#include "ecsim/time.hpp"

namespace ecsim {

// Fargate rates of one platform, USD.
struct FargateRates {
  double vcpu_per_hour = 0;
  double gb_per_hour = 0;               // per GB (1,024 MiB) of task memory
  double os_license_per_vcpu_hour = 0;  // Windows only
  bool operator==(const FargateRates&) const = default;
};

// Prices of one region. The defaults are us-east-1 (ecs-reference 13); a scenario's "pricing"
// overrides any of them. EC2 prices are per instance type: InstanceType::price_per_hour_usd,
// overridden through the scenario's "instanceTypes".
struct PriceTable {
  FargateRates fargate_linux_x86{0.04048, 0.004445, 0};       // 13.1 [SECONDARY]
  FargateRates fargate_linux_arm{0.03238, 0.00356, 0};        // 13.1 [SECONDARY]
  FargateRates fargate_windows_x86{0.09148, 0.01005, 0.046};  // 13.1 [SECONDARY]
  // Ephemeral storage above the included amount (13.1 [SECONDARY]).
  double fargate_ephemeral_storage_gb_per_hour = 0.000111;
  std::int64_t fargate_ephemeral_storage_included_gb = 20;
  // Fargate Spot price = (1 - discount) x On-Demand, storage included (13.1: "up to 70%";
  // the default takes the upper bound [INFERRED]).
  double fargate_spot_discount = 0.7;
  // EC2 Linux and Fargate: per second with a 1-minute minimum (13.1, 13.2 [SECONDARY]).
  std::int64_t minimum_billed_seconds = 60;
  // Weights of one vCPU and one GiB when an instance's cost is split over its tasks: 9:1, as AWS
  // Split Cost Allocation Data documents ("derived from per vCPU per hour and per GB per hour
  // prices in AWS Fargate").
  double ec2_split_vcpu_weight = 9;
  double ec2_split_gb_weight = 1;

  // The Fargate rates for a task's platform.
  const FargateRates& fargate(CpuArchitecture architecture, bool windows) const;
  bool operator==(const PriceTable&) const = default;
};

// One EC2 instance from launch to termination (or the end of the run).
struct InstanceUsage {
  std::string id;  // e.g. "i-00000000000000001", for messages
  std::string instance_type;
  std::string availability_zone;
  double price_per_hour_usd = 0;
  // The instance's configuration, for the cost split (vCPU and GiB, as EC2 specifies the type).
  double vcpu = 0;
  double memory_gib = 0;
  // What the container instance registers with ECS, for stranded capacity.
  std::int64_t registered_cpu = 0;  // CPU units
  std::int64_t registered_memory_mib = 0;
  TimePoint start{};
  TimePoint end{};
};

enum class TaskCapacity { kEc2, kFargate, kFargateSpot };

// One task: on EC2 the time it holds its reservation on `instance`; on Fargate the time it is
// billed for (image pull start until it stops).
struct TaskUsage {
  std::string service;  // the service that started it; empty for a standalone task
  std::string group;    // its task group: "service:web", "family:batch" ...
  TaskCapacity capacity = TaskCapacity::kEc2;
  CpuArchitecture architecture = CpuArchitecture::kX86_64;
  bool windows = false;
  std::int64_t cpu_units = 0;  // reserved CPU units (1,024 per vCPU)
  std::int64_t memory_mib = 0;
  std::int64_t ephemeral_storage_gb = 20;  // Fargate
  std::optional<std::size_t> instance;     // EC2: index into CostInput::instances
  TimePoint start{};
  TimePoint end{};
  // CPU the task used (CPU units x seconds); nullopt when ecsim does not model its CPU use.
  std::optional<double> cpu_used_unit_seconds;
};

struct CostInput {
  PriceTable prices;
  Duration simulated{0};  // the run's length, for the per-hour figures
  std::vector<InstanceUsage> instances;
  std::vector<TaskUsage> tasks;
  // Requests that reached each service's target groups. Every service named here appears in the
  // report, even without tasks.
  std::map<std::string, std::uint64_t> requests_by_service;
};

// The cost of one service or one standalone task group.
struct GroupCost {
  double usd = 0;
  double ec2_usd = 0;
  double fargate_usd = 0;
  double fargate_spot_usd = 0;
  std::uint64_t requests = 0;
  double allocated_vcpu_hours = 0;
  // Reserved but unused CPU, over its tasks whose CPU use is modelled; nullopt when none is.
  std::optional<double> idle_vcpu_hours;
};

struct StrandedCapacity {
  // Registered capacity of instances, while they run, that no task reserves.
  double unallocated_vcpu_hours = 0;
  double unallocated_gib_hours = 0;
  // Over the tasks whose CPU use is modelled: what they reserved, used, and reserved but did not
  // use (per task max(0, reserved - used)).
  double modelled_allocated_vcpu_hours = 0;
  double modelled_used_vcpu_hours = 0;
  double allocated_idle_vcpu_hours = 0;
};

struct CostReport {
  double total_usd = 0;
  double ec2_usd = 0;  // every instance's bill, unallocated part included
  double fargate_usd = 0;
  double fargate_spot_usd = 0;
  double unallocated_usd = 0;  // EC2 cost no task pays for
  Duration simulated{0};
  std::map<std::string, GroupCost> by_service;
  std::map<std::string, GroupCost> by_standalone_group;
  StrandedCapacity stranded;
  // Per input, in input order: each instance's bill and each task's charge.
  std::vector<double> instance_usd;
  std::vector<double> task_usd;

  // total_usd per simulated hour; nullopt for a run of no time.
  std::optional<double> usd_per_hour() const;
  // summary.json's "cost": amounts rounded to 1e-6 USD, hours to 1e-6 h; per-hour and
  // per-million-request figures are null where they have no denominator.
  nlohmann::ordered_json to_json() const;
};

// The seconds billed for a usage of `d`: rounded up to the whole second, at least
// `minimum_seconds`. A negative duration counts as zero.
std::int64_t billed_seconds(Duration d, std::int64_t minimum_seconds);

// Throws std::invalid_argument for input that cannot be priced: an EC2 task without a valid
// instance index, an interval that ends before it starts.
CostReport compute_cost(const CostInput& input);

}  // namespace ecsim
