// "instanceTypes": scenario additions to, and overrides of, the built-in instance catalog.
// An entry whose name is built in starts from the built-in figures and changes only what it names.
#include "scenario/timeline_parser.hpp"

namespace ecsim::detail {

InstanceType parse_instance_type(ObjectReader& r) {
  InstanceType t;
  t.name = r.required_string("name");
  if (const InstanceType* builtin = find_instance_type(t.name)) t = *builtin;
  t.vcpu = static_cast<int>(r.integer("vcpu", t.vcpu, 1, 448));
  t.memory_gib = r.number("memoryGiB", t.memory_gib, 0.5, 24576);
  const std::string arch =
      r.enumeration("cpuArchitecture", std::string(to_string(t.architecture)), {"x86_64", "arm64"});
  t.architecture = arch == "arm64" ? CpuArchitecture::kArm64 : CpuArchitecture::kX86_64;
  t.max_enis = static_cast<int>(r.integer("maxEnis", t.max_enis, 1, 128));
  t.awsvpc_tasks_no_trunk =
      static_cast<int>(r.integer("awsvpcTasks", t.max_enis > 0 ? t.max_enis - 1 : 0, 0, 128));
  t.awsvpc_tasks_trunk =
      static_cast<int>(r.integer("awsvpcTasksWithTrunking", t.awsvpc_tasks_trunk, 0, 1024));
  t.price_per_hour_usd = r.number("pricePerHourUSD", t.price_per_hour_usd, 0, 1000);
  if (auto mib = r.optional_integer("registeredMemoryMiB", 1, 24576LL * 1024))
    t.known_registered_memory_mib = *mib;
  if (t.vcpu == 0) r.problem("vcpu", "is required for a type that is not built in");
  if (t.memory_gib == 0) r.problem("memoryGiB", "is required for a type that is not built in");
  if (t.max_enis == 0) r.problem("maxEnis", "is required for a type that is not built in");
  return t;
}

}  // namespace ecsim::detail
