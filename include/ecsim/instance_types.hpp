// The EC2 instance type catalog: what a container instance of each type offers to ECS.
//
// The built-in catalog holds the t3 (medium..2xlarge; t3 has no 4xlarge), m5, m6g, c5, c6g and r5
// (large..4xlarge) families plus m4.large, the one type whose registered memory AWS documents.
// Sources, by field (section numbers refer to ecs-reference.md):
// * vcpu, memory_gib: the EC2 instance-type specifications (13.2).
// * max_enis: the EC2 "maximum network interfaces" table. awsvpc_tasks_no_trunk = max_enis - 1,
//   because the primary ENI counts as one (2.4).
// * awsvpc_tasks_trunk: the ECS trunking table where it lists the type (2.4, [DOC-OLD]); other
//   sizes of the supporting families reuse the same per-size numbers [INFERRED]; 0 means trunking
//   is not supported (t3 and m4 are not in the table).
// * price_per_hour_usd: us-east-1 Linux On-Demand (13.2 [SECONDARY] for the types it lists; the
//   other sizes are the published rates, which double with each size within these families).
// * Registered CPU is 1024 units per vCPU (13.2).
// * Registered memory (3.2): m4.large registers 7985 MiB of its 8192 [DOC-OLD]. AWS publishes no
//   other figures, so other types use the estimate floor(installed MiB * 7985 / 8192), the m4.large
//   ratio [INFERRED], and say so through registered_memory_is_estimate(). ECS_RESERVED_MEMORY is
//   then subtracted.
//
// InstanceCatalog lets a scenario replace any type or add its own. Lookups and listings are by name
// in lexicographic order (std::map), never in hash order, so results are deterministic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecsim {

enum class CpuArchitecture { kX86_64, kArm64 };

// "x86_64" or "arm64", the spelling ECS uses for the ecs.cpu-architecture attribute.
std::string_view to_string(CpuArchitecture architecture);

struct InstanceType {
  std::string name;
  int vcpu = 0;
  double memory_gib = 0;
  CpuArchitecture architecture = CpuArchitecture::kX86_64;
  int max_enis = 0;
  int awsvpc_tasks_no_trunk = 0;
  int awsvpc_tasks_trunk = 0;  // 0 = ENI trunking unsupported
  double price_per_hour_usd = 0;
  // Memory the ECS agent registers before ECS_RESERVED_MEMORY is subtracted, where it is known
  // (documented, or measured and supplied by a scenario). Empty means "estimate it".
  std::optional<std::int64_t> known_registered_memory_mib;

  std::int64_t registered_cpu_units() const { return std::int64_t{1024} * vcpu; }
  // memory_gib * 1024, rounded to the nearest MiB.
  std::int64_t installed_memory_mib() const;
  // known_registered_memory_mib, or the 7985/8192 estimate, minus ecs_reserved_memory_mib; never
  // below zero.
  std::int64_t registered_memory_mib(std::int64_t ecs_reserved_memory_mib) const;
  bool registered_memory_is_estimate() const { return !known_registered_memory_mib.has_value(); }
  bool supports_trunking() const { return awsvpc_tasks_trunk > 0; }

  friend bool operator==(const InstanceType&, const InstanceType&) = default;
};

// What is wrong with a type a scenario supplies, one message per problem (empty when valid): a
// name, vcpu >= 1, memory > 0, max_enis >= 1, 0 <= awsvpc_tasks_no_trunk <= max_enis - 1,
// awsvpc_tasks_trunk >= 0, a finite price >= 0, and a known registered memory in
// [1, installed memory].
std::vector<std::string> instance_type_problems(const InstanceType& type);

// The built-in catalog, sorted by name.
const std::vector<InstanceType>& builtin_instance_types();

// A built-in type by exact name, or nullptr. The pointer stays valid for the whole program.
const InstanceType* find_instance_type(std::string_view name);

// The instance types one simulation can use: the built-in catalog plus a scenario's changes.
class InstanceCatalog {
 public:
  // Starts from the built-in catalog.
  InstanceCatalog();

  // Adds `type`, or replaces the type of the same name in full. To override one field, copy the
  // existing type, change the field and upsert the copy. Does not validate; see
  // instance_type_problems.
  void upsert(InstanceType type);

  // nullptr if unknown. Valid until the catalog is destroyed; an upsert of the same name changes
  // the pointed-to value in place.
  const InstanceType* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  std::size_t size() const { return types_.size(); }

  // Every type, sorted by name.
  std::vector<InstanceType> all() const;

 private:
  std::map<std::string, InstanceType, std::less<>> types_;
};

}  // namespace ecsim
