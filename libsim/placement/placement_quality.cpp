// The placement-quality corpus (include/ecsim/placement_quality.hpp): the workloads, and a runner
// that places their tasks one at a time through place_task, reserving each as the simulation
// would, and measures what is left.
#include "ecsim/placement_quality.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <stdexcept>
#include <utility>

#include "ecsim/instance_types.hpp"
#include "ecsim/random.hpp"

namespace ecsim {

namespace {

constexpr std::array<const char*, 3> kZones = {"us-east-1a", "us-east-1b", "us-east-1c"};

class Runner {
 public:
  Runner(std::string_view workload, const QualityChain& chain, std::uint64_t seed,
         TieBreak tie_break)
      : chain_(chain),
        tie_break_(tie_break),
        placement_rng_(RandomStreams(seed).stream("placement")),
        workload_rng_(RandomStreams(seed).stream("workload:" + std::string(workload))) {
    result_.workload = std::string(workload);
    result_.chain = chain.name;
  }

  // `count` instances of a catalog type in zone `zone` (0-2), or round-robin over the three
  // zones when zone is -1, as ecsim registers them (no ECS_RESERVED_MEMORY).
  void add(std::string_view type_name, int count, int zone = -1) {
    const InstanceType* type = find_instance_type(type_name);
    if (type == nullptr)
      throw std::invalid_argument("unknown instance type " + std::string(type_name));
    for (int k = 0; k < count; ++k) {
      InstanceInfo info;
      char id[24];
      std::snprintf(id, sizeof id, "i-%017zx", view_.size() + 1);
      info.id = id;
      info.availability_zone = kZones[zone >= 0 ? zone : view_.size() % kZones.size()];
      info.cpu = type->registered_cpu_units();
      info.memory_mib = type->registered_memory_mib(0);
      info.eni_slots = type->awsvpc_tasks_no_trunk;
      info.attributes["ecs.instance-type"] = type->name;
      view_.add_instance(info);
    }
  }

  // A service: its tasks' group "service:NAME", size, and whether it has distinctInstance.
  std::size_t service(const std::string& name, std::int64_t cpu, std::int64_t memory_mib,
                      bool distinct = false) {
    PlacementRequest r;
    r.footprint.cpu = cpu;
    r.footprint.memory_mib = memory_mib;
    r.group = "service:" + name;
    if (distinct) r.constraints.push_back(PlacementConstraint::distinct_instance());
    r.strategies = chain_.strategies;
    r.service_default = chain_.service_default;
    if (auto problem = placement_request_problem(r))
      throw std::invalid_argument("chain " + chain_.name + ": " + *problem);
    requests_.push_back(std::move(r));
    return requests_.size() - 1;
  }

  // `count` tasks of one service.
  void start(std::size_t service, int count) {
    for (int n = 0; n < count; ++n)
      place(service);
  }

  // `count` tasks, each of a service drawn uniformly from `services`.
  void start_mixed(const std::vector<std::size_t>& services, int count) {
    for (int n = 0; n < count; ++n)
      place(services[uniform_uint(workload_rng_, 0, services.size() - 1)]);
  }

  // Stops `count` running tasks drawn uniformly (fewer if fewer run).
  void stop_random(int count) {
    for (int n = 0; n < count && !running_.empty(); ++n) {
      const std::size_t k = uniform_uint(workload_rng_, 0, running_.size() - 1);
      const Task& t = running_[k];
      const PlacementRequest& r = requests_[t.service];
      view_.release(t.instance, r.footprint, r.group, t.ports);
      running_[k] = std::move(running_.back());
      running_.pop_back();
    }
  }

  QualityResult finish() {
    QualityResult& q = result_;
    q.instances = static_cast<std::int64_t>(view_.size());
    q.tasks = static_cast<std::int64_t>(running_.size());
    std::vector<std::int64_t> per_instance(view_.size(), 0);
    std::map<std::string, std::int64_t> per_zone;
    for (const std::string& z : view_.availability_zones())
      per_zone[z] = 0;
    for (const Task& t : running_) {
      ++per_instance[t.instance];
      ++per_zone[view_.availability_zone(t.instance)];
    }
    std::int64_t registered_cpu = 0, registered_memory = 0;
    for (InstanceIndex i = 0; i < view_.size(); ++i) {
      if (per_instance[i] == 0) continue;
      ++q.instances_used;
      q.stranded_cpu += view_.remaining_cpu(i);
      q.stranded_memory_mib += view_.remaining_memory(i);
      registered_cpu += view_.registered_cpu(i);
      registered_memory += view_.registered_memory(i);
    }
    if (registered_cpu > 0)
      q.stranded_cpu_percent =
          100.0 * static_cast<double>(q.stranded_cpu) / static_cast<double>(registered_cpu);
    if (registered_memory > 0)
      q.stranded_memory_percent = 100.0 * static_cast<double>(q.stranded_memory_mib) /
                                  static_cast<double>(registered_memory);
    if (!per_zone.empty()) {
      const auto [lo, hi] =
          std::minmax_element(per_zone.begin(), per_zone.end(),
                              [](const auto& a, const auto& b) { return a.second < b.second; });
      q.az_skew = hi->second - lo->second;
    }
    return q;
  }

 private:
  struct Task {
    std::size_t service = 0;
    InstanceIndex instance = 0;
    PlacedPorts ports;
  };

  void place(std::size_t service) {
    const PlacementRequest& r = requests_[service];
    const auto t0 = std::chrono::steady_clock::now();
    const PlacementDecision d = place_task(view_, r, placement_rng_, tie_break_);
    const auto t1 = std::chrono::steady_clock::now();
    result_.placing_seconds += std::chrono::duration<double>(t1 - t0).count();
    ++result_.placements;
    if (!d.placed()) {
      ++result_.failures;
      return;
    }
    running_.push_back({service, *d.instance, view_.reserve(*d.instance, r.footprint, r.group)});
  }

  const QualityChain& chain_;
  TieBreak tie_break_;
  Rng placement_rng_;
  Rng workload_rng_;
  ClusterView view_;
  std::vector<PlacementRequest> requests_;
  std::vector<Task> running_;
  QualityResult result_;
};

struct WorkloadDef {
  QualityWorkload info;
  std::function<void(Runner&)> run;
};

// Sizes are CPU units / MiB. Loads are chosen so that the binding resource ends around 60-90 %
// of the cluster: full enough for the chains to differ, with room left except where a workload is
// about running out.
const std::vector<WorkloadDef>& definitions() {
  static const std::vector<WorkloadDef> defs = {
      {{"small-homogeneous", "30 m5.xlarge; one service, 300 tasks of 256/512 (63 % of the CPU)"},
       [](Runner& r) {
         r.add("m5.xlarge", 30);
         r.start(r.service("web", 256, 512), 300);
       }},
      {{"mixed-sizes",
        "30 m5.xlarge; 90 tasks of four services, 256/512, 512/1024, 1024/2048 and 2048/4096, "
        "in random order (77 % of the CPU at seed 1)"},
       [](Runner& r) {
         r.add("m5.xlarge", 30);
         r.start_mixed({r.service("xs", 256, 512), r.service("s", 512, 1024),
                        r.service("m", 1024, 2048), r.service("l", 2048, 4096)},
                       90);
       }},
      {{"memory-heavy",
        "30 m5.xlarge; 100 tasks of 256/3072 (64 % of the memory, 21 % of the CPU)"},
       [](Runner& r) {
         r.add("m5.xlarge", 30);
         r.start(r.service("cache", 256, 3072), 100);
       }},
      {{"cpu-heavy", "30 m5.xlarge; 80 tasks of 1024/1024 (67 % of the CPU, 17 % of the memory)"},
       [](Runner& r) {
         r.add("m5.xlarge", 30);
         r.start(r.service("encode", 1024, 1024), 80);
       }},
      {{"distinct-instance",
        "30 m5.xlarge; 60 tasks of 512/2048 without constraints, then three services of 20 "
        "tasks of 1024/4096 with distinctInstance (75 % of the CPU)"},
       [](Runner& r) {
         r.add("m5.xlarge", 30);
         r.start(r.service("filler", 512, 2048), 60);
         for (const char* name : {"a", "b", "c"})
           r.start(r.service(name, 1024, 4096, true), 20);
       }},
      {{"heterogeneous",
        "6 each of m5.large, m5.xlarge, c5.xlarge, r5.large, m5.2xlarge and c5.2xlarge; 180 "
        "tasks of 512/1024, 256/4096, 1024/512 and 512/2048 in random order (58 % of the CPU at "
        "seed 1)"},
       [](Runner& r) {
         for (const char* type :
              {"m5.large", "m5.xlarge", "c5.xlarge", "r5.large", "m5.2xlarge", "c5.2xlarge"})
           r.add(type, 6);
         r.start_mixed({r.service("web", 512, 1024), r.service("cache", 256, 4096),
                        r.service("batch", 1024, 512), r.service("api", 512, 2048)},
                       180);
       }},
      {{"churn",
        "30 m5.xlarge; 100 tasks of 256/512, 512/2048 and 1024/1024 in random order, then 20 "
        "rounds of stopping 20 random tasks and starting 22 (540 placements; 140 tasks, 69 % of "
        "the CPU, at the end at seed 1)"},
       [](Runner& r) {
         r.add("m5.xlarge", 30);
         const std::vector<std::size_t> services = {
             r.service("web", 256, 512), r.service("api", 512, 2048), r.service("job", 1024, 1024)};
         r.start_mixed(services, 100);
         for (int round = 0; round < 20; ++round) {
           r.stop_random(20);
           r.start_mixed(services, 22);
         }
       }},
      {{"uneven-azs",
        "30 m5.large, 15/10/5 over the three zones; one service, 180 tasks of 256/1024 (86 % "
        "of the room for them)"},
       [](Runner& r) {
         r.add("m5.large", 15, 0);
         r.add("m5.large", 10, 1);
         r.add("m5.large", 5, 2);
         r.start(r.service("web", 256, 1024), 180);
       }},
  };
  return defs;
}

}  // namespace

const std::vector<QualityWorkload>& quality_workloads() {
  static const std::vector<QualityWorkload> list = [] {
    std::vector<QualityWorkload> out;
    for (const WorkloadDef& d : definitions())
      out.push_back(d.info);
    return out;
  }();
  return list;
}

std::vector<QualityChain> standard_quality_chains() {
  using S = PlacementStrategy;
  return {
      {"binpack-memory", {S::binpack(BinpackField::kMemory)}, false},
      {"binpack-cpu", {S::binpack(BinpackField::kCpu)}, false},
      {"spread-az", {S::spread_zone()}, false},
      {"spread-az,binpack-memory", {S::spread_zone(), S::binpack(BinpackField::kMemory)}, false},
      {"spread-instanceId", {S::spread_instance_id()}, false},
      {"random", {S::random()}, false},
      {"service-default", {}, true},
  };
}

QualityResult run_quality_workload(std::string_view workload, const QualityChain& chain,
                                   std::uint64_t seed, TieBreak tie_break) {
  for (const WorkloadDef& d : definitions()) {
    if (d.info.name != workload) continue;
    Runner runner(workload, chain, seed, tie_break);
    d.run(runner);
    return runner.finish();
  }
  std::string known;
  for (const WorkloadDef& d : definitions())
    known += (known.empty() ? "" : ", ") + d.info.name;
  throw std::invalid_argument("unknown placement-quality workload \"" + std::string(workload) +
                              "\"; expected one of " + known);
}

}  // namespace ecsim
