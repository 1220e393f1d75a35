#include "ecsim/instance_types.hpp"

#include <algorithm>
#include <cmath>

namespace ecsim {
namespace {

// The m4.large ratio from ecs-reference 3.2: 7985 MiB registered of 8192 MiB installed.
constexpr std::int64_t kDocumentedRegisteredMib = 7985;
constexpr std::int64_t kDocumentedInstalledMib = 8192;

// Fields in the order a reader checks them against the sources; padding is irrelevant here.
struct Row {  // NOLINT(clang-analyzer-optin.performance.Padding)
  std::string_view name;
  int vcpu;
  double memory_gib;
  CpuArchitecture architecture;
  int max_enis;
  int awsvpc_tasks_trunk;
  double price_per_hour_usd;
};

constexpr auto kX86 = CpuArchitecture::kX86_64;
constexpr auto kArm = CpuArchitecture::kArm64;

// ENIs: EC2 network-interface table. Trunking task limits: ECS trunking table (ecs-reference 2.4)
// for c5.large, c5.xlarge, m5.large..4xlarge, m6g.large, r5.large and r5.xlarge; the rows marked
// [INFERRED] reuse those per-size numbers (large 10, xlarge 20, 2xlarge 40, 4xlarge 60). Prices:
// us-east-1 Linux On-Demand.
constexpr Row kRows[] = {
    // name, vCPU, memory GiB, architecture, max ENIs, awsvpc tasks with trunking, $/hour
    {"t3.medium", 2, 4, kX86, 3, 0, 0.0416},
    {"t3.large", 2, 8, kX86, 3, 0, 0.0832},
    {"t3.xlarge", 4, 16, kX86, 4, 0, 0.1664},
    {"t3.2xlarge", 8, 32, kX86, 4, 0, 0.3328},

    {"m4.large", 2, 8, kX86, 2, 0, 0.10},  // not a trunking type (absent from the table)

    {"m5.large", 2, 8, kX86, 3, 10, 0.096},
    {"m5.xlarge", 4, 16, kX86, 4, 20, 0.192},
    {"m5.2xlarge", 8, 32, kX86, 4, 40, 0.384},
    {"m5.4xlarge", 16, 64, kX86, 8, 60, 0.768},

    {"m6g.large", 2, 8, kArm, 3, 10, 0.077},
    {"m6g.xlarge", 4, 16, kArm, 4, 20, 0.154},    // trunk [INFERRED]
    {"m6g.2xlarge", 8, 32, kArm, 4, 40, 0.308},   // trunk [INFERRED]
    {"m6g.4xlarge", 16, 64, kArm, 8, 60, 0.616},  // trunk [INFERRED]

    {"c5.large", 2, 4, kX86, 3, 10, 0.085},
    {"c5.xlarge", 4, 8, kX86, 4, 20, 0.17},
    {"c5.2xlarge", 8, 16, kX86, 4, 40, 0.34},   // trunk [INFERRED]
    {"c5.4xlarge", 16, 32, kX86, 8, 60, 0.68},  // trunk [INFERRED]

    {"c6g.large", 2, 4, kArm, 3, 10, 0.068},      // trunk [INFERRED]
    {"c6g.xlarge", 4, 8, kArm, 4, 20, 0.136},     // trunk [INFERRED]
    {"c6g.2xlarge", 8, 16, kArm, 4, 40, 0.272},   // trunk [INFERRED]
    {"c6g.4xlarge", 16, 32, kArm, 8, 60, 0.544},  // trunk [INFERRED]

    {"r5.large", 2, 16, kX86, 3, 10, 0.126},
    {"r5.xlarge", 4, 32, kX86, 4, 20, 0.252},
    {"r5.2xlarge", 8, 64, kX86, 4, 40, 0.504},    // trunk [INFERRED]
    {"r5.4xlarge", 16, 128, kX86, 8, 60, 1.008},  // trunk [INFERRED]
};

std::vector<InstanceType> build_builtin_catalog() {
  std::vector<InstanceType> types;
  types.reserve(std::size(kRows));
  for (const Row& row : kRows) {
    InstanceType t;
    t.name = std::string(row.name);
    t.vcpu = row.vcpu;
    t.memory_gib = row.memory_gib;
    t.architecture = row.architecture;
    t.max_enis = row.max_enis;
    t.awsvpc_tasks_no_trunk = row.max_enis - 1;  // the primary ENI counts as one (2.4)
    t.awsvpc_tasks_trunk = row.awsvpc_tasks_trunk;
    t.price_per_hour_usd = row.price_per_hour_usd;
    types.push_back(std::move(t));
  }
  std::sort(types.begin(), types.end(),
            [](const InstanceType& a, const InstanceType& b) { return a.name < b.name; });
  const auto m4 = std::find_if(types.begin(), types.end(),
                               [](const InstanceType& t) { return t.name == "m4.large"; });
  m4->known_registered_memory_mib = kDocumentedRegisteredMib;  // ecs-reference 3.2 [DOC-OLD]
  return types;
}

}  // namespace

std::string_view to_string(CpuArchitecture architecture) {
  switch (architecture) {
    case CpuArchitecture::kX86_64:
      return "x86_64";
    case CpuArchitecture::kArm64:
      return "arm64";
  }
  return "unknown";
}

std::int64_t InstanceType::installed_memory_mib() const {
  return static_cast<std::int64_t>(std::llround(memory_gib * 1024));
}

std::int64_t InstanceType::registered_memory_mib(std::int64_t ecs_reserved_memory_mib) const {
  // Integer arithmetic, so the floor is exact: installed MiB stays far below 2^63 / 7985.
  const std::int64_t before_reservation =
      known_registered_memory_mib
          ? *known_registered_memory_mib
          : installed_memory_mib() * kDocumentedRegisteredMib / kDocumentedInstalledMib;
  return std::max<std::int64_t>(0, before_reservation - ecs_reserved_memory_mib);
}

std::vector<std::string> instance_type_problems(const InstanceType& type) {
  std::vector<std::string> problems;
  const std::string who = type.name.empty() ? std::string("instance type") : type.name;
  if (type.name.empty()) problems.push_back("instance type: name is empty");
  if (type.vcpu < 1) {
    problems.push_back(who + ": vcpu is " + std::to_string(type.vcpu) + "; expected >= 1");
  }
  // The upper bound only keeps MiB arithmetic far from overflow.
  const bool memory_ok =
      std::isfinite(type.memory_gib) && type.memory_gib > 0 && type.memory_gib <= 1e6;
  if (!memory_ok) problems.push_back(who + ": memory_gib must be a number in (0, 1000000]");
  if (type.max_enis < 1) {
    problems.push_back(who + ": max_enis is " + std::to_string(type.max_enis) + "; expected >= 1");
  }
  if (type.awsvpc_tasks_no_trunk < 0 || type.awsvpc_tasks_no_trunk > type.max_enis - 1) {
    problems.push_back(who + ": awsvpc_tasks_no_trunk is " +
                       std::to_string(type.awsvpc_tasks_no_trunk) + "; expected 0.." +
                       std::to_string(std::max(0, type.max_enis - 1)) +
                       " (max_enis - 1: the primary ENI counts as one)");
  }
  if (type.awsvpc_tasks_trunk < 0) {
    problems.push_back(who + ": awsvpc_tasks_trunk is " + std::to_string(type.awsvpc_tasks_trunk) +
                       "; expected >= 0 (0 = trunking unsupported)");
  }
  if (!std::isfinite(type.price_per_hour_usd) || type.price_per_hour_usd < 0) {
    problems.push_back(who + ": price_per_hour_usd must be a finite number >= 0");
  }
  if (type.known_registered_memory_mib && memory_ok &&
      (*type.known_registered_memory_mib < 1 ||
       *type.known_registered_memory_mib > type.installed_memory_mib())) {
    problems.push_back(who + ": registered memory " +
                       std::to_string(*type.known_registered_memory_mib) +
                       " MiB must be between 1 and the installed memory (" +
                       std::to_string(type.installed_memory_mib()) + " MiB)");
  }
  return problems;
}

const std::vector<InstanceType>& builtin_instance_types() {
  static const std::vector<InstanceType> types = build_builtin_catalog();
  return types;
}

const InstanceType* find_instance_type(std::string_view name) {
  const auto& types = builtin_instance_types();
  const auto it =
      std::lower_bound(types.begin(), types.end(), name,
                       [](const InstanceType& t, std::string_view n) { return t.name < n; });
  return it != types.end() && it->name == name ? &*it : nullptr;
}

InstanceCatalog::InstanceCatalog() {
  for (const InstanceType& t : builtin_instance_types())
    types_.emplace(t.name, t);
}

void InstanceCatalog::upsert(InstanceType type) {
  const auto it = types_.find(type.name);
  if (it != types_.end()) {
    it->second = std::move(type);  // in place, so pointers from find() stay valid
  } else {
    std::string key = type.name;
    types_.emplace(std::move(key), std::move(type));
  }
}

const InstanceType* InstanceCatalog::find(std::string_view name) const {
  const auto it = types_.find(name);
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<InstanceType> InstanceCatalog::all() const {
  std::vector<InstanceType> out;
  out.reserve(types_.size());
  for (const auto& [name, type] : types_)
    out.push_back(type);
  return out;
}

}  // namespace ecsim
