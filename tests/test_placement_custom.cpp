// Custom placement strategies (CustomPlacementStrategy, custom_strategy in ecsim/placement.hpp) as
// a whole chain and as one link of a chain, held to the reference scan; and the placement-quality
// corpus (ecsim/placement_quality.hpp) that accepts them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/placement.hpp"
#include "ecsim/placement_quality.hpp"

#include "placement/placement_internal.hpp"

using namespace ecsim;

namespace {

InstanceInfo instance(std::string id, std::string az, std::int64_t cpu, std::int64_t memory_mib) {
  InstanceInfo info;
  info.id = std::move(id);
  info.availability_zone = std::move(az);
  info.cpu = cpu;
  info.memory_mib = memory_mib;
  info.eni_slots = 3;
  return info;
}

TaskFootprint task(std::int64_t cpu, std::int64_t memory_mib) {
  TaskFootprint f;
  f.cpu = cpu;
  f.memory_mib = memory_mib;
  return f;
}

PlacementRequest request(TaskFootprint f, std::vector<PlacementStrategy> strategies,
                         std::string group = "service:web") {
  PlacementRequest r;
  r.footprint = std::move(f);
  r.group = std::move(group);
  r.strategies = std::move(strategies);
  return r;
}

// Scores from a table by row, and records what it was asked.
class TableStrategy final : public CustomPlacementStrategy {
 public:
  explicit TableStrategy(std::vector<double> table) : table_(std::move(table)) {}
  std::string name() const override { return "table"; }
  void score(const ClusterView&, const PlacementRequest&, std::span<const InstanceIndex> candidates,
             std::span<double> scores) const override {
    ++calls;
    seen.assign(candidates.begin(), candidates.end());
    for (std::size_t k = 0; k < candidates.size(); ++k)
      scores[k] = table_.at(candidates[k]);
  }
  mutable int calls = 0;
  mutable std::vector<InstanceIndex> seen;

 private:
  std::vector<double> table_;
};

// Six instances, two per zone: rows 0-5 = i-01..i-06 in a, b, c, a, b, c.
ClusterView six() {
  ClusterView view;
  const char* zones[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
  for (int k = 0; k < 6; ++k)
    view.add_instance(instance("i-0" + std::to_string(k + 1), zones[k % 3], 4096, 8192));
  return view;
}

PlacementDecision decide(const ClusterView& view, const PlacementRequest& r,
                         TieBreak tie = TieBreak::kLowestId, std::uint64_t seed = 1) {
  Rng rng(seed);
  return place_task(view, r, rng, tie);
}

}  // namespace

TEST_CASE("a custom strategy as the whole chain keeps the least score, then the tie-break") {
  ClusterView view = six();
  auto table = std::make_shared<TableStrategy>(std::vector<double>{5, 3, 9, 3, 7, 4});
  const PlacementStrategy custom = PlacementStrategy::custom_of(table);
  CHECK(custom.type == PlacementStrategyType::kCustom);
  CHECK(custom.to_string() == "custom(table)");

  const PlacementRequest r = request(task(256, 512), {custom});
  const PlacementDecision d = decide(view, r);
  REQUIRE(d.placed());
  CHECK(*d.instance == 1);  // rows 1 and 3 score 3; lowestId takes i-02
  CHECK(table->calls == 1);
  CHECK(table->seen == std::vector<InstanceIndex>{0, 1, 2, 3, 4, 5});  // every candidate, by row

  // The random tie-break stays within the tie {1, 3} and reaches both.
  std::vector<int> hits(6, 0);
  for (std::uint64_t seed = 1; seed <= 64; ++seed)
    ++hits[*decide(view, r, TieBreak::kRandom, seed).instance];
  CHECK(hits[1] > 0);
  CHECK(hits[3] > 0);
  CHECK(hits[1] + hits[3] == 64);
}

TEST_CASE("a custom strategy sees only candidates: resources, status and constraints first") {
  ClusterView view = six();
  view.reserve(0, task(4096, 512), "service:other");  // no CPU left on i-01
  view.set_status(2, ContainerInstanceStatus::kDraining);
  view.set_agent_connected(4, false);
  view.reserve(5, task(256, 512), "service:web");  // distinctInstance rules out i-06
  auto table = std::make_shared<TableStrategy>(std::vector<double>{0, 9, 0, 8, 0, 0});
  PlacementRequest r = request(task(256, 512), {PlacementStrategy::custom_of(table)});
  r.constraints.push_back(PlacementConstraint::distinct_instance());
  const PlacementDecision d = decide(view, r);
  REQUIRE(d.placed());
  CHECK(*d.instance == 3);
  CHECK(table->seen == std::vector<InstanceIndex>{1, 3});

  // One candidate left: chosen without asking the strategy.
  view.reserve(3, task(256, 512), "service:web");
  table->calls = 0;
  CHECK(*decide(view, r).instance == 1);
  CHECK(table->calls == 0);

  // None left: the failure is explained as without the custom strategy.
  view.reserve(1, task(256, 512), "service:web");
  const PlacementDecision none = decide(view, r);
  CHECK_FALSE(none.placed());
  CHECK(none.reason == "ATTRIBUTE");
  CHECK(table->calls == 0);
}

TEST_CASE("a custom strategy as one link: after spread AZ, and before binpack") {
  ClusterView view = six();
  view.reserve(0, task(256, 512), "service:web");  // zone a has one task of the group
  view.reserve(1, task(256, 512), "service:web");  // zone b has one too; zone c has none
  auto table = std::make_shared<TableStrategy>(std::vector<double>{0, 0, 5, 0, 0, 6});
  const PlacementStrategy custom = PlacementStrategy::custom_of(table);

  const PlacementDecision after_spread =
      decide(view, request(task(256, 512), {PlacementStrategy::spread_zone(), custom}));
  CHECK(*after_spread.instance == 2);
  CHECK(table->seen == std::vector<InstanceIndex>{2, 5});  // only zone c

  // Everything ties under the custom link, so binpack(memory) decides: row 4 has least memory.
  view.reserve(4, task(256, 4096), "service:other");
  auto flat = custom_strategy(
      "flat", [](const ClusterView&, const PlacementRequest&, InstanceIndex) { return 1.0; });
  CHECK(flat.to_string() == "custom(flat)");
  const PlacementDecision before_binpack = decide(
      view, request(task(256, 512), {flat, PlacementStrategy::binpack(BinpackField::kMemory)}));
  CHECK(*before_binpack.instance == 4);

  // After random nothing is left to decide: the custom link is never asked.
  table->calls = 0;
  decide(view, request(task(256, 512), {PlacementStrategy::random(), custom}));
  CHECK(table->calls == 0);
}

TEST_CASE(
    "custom scores: NaN counts as +infinity; exceptions propagate; a null strategy is "
    "invalid") {
  ClusterView view = six();
  auto nan_but_one =
      custom_strategy("nan", [](const ClusterView&, const PlacementRequest&, InstanceIndex i) {
        return i == 4 ? 1e300 : std::numeric_limits<double>::quiet_NaN();
      });
  CHECK(*decide(view, request(task(256, 512), {nan_but_one})).instance == 4);
  auto all_nan =
      custom_strategy("all-nan", [](const ClusterView&, const PlacementRequest&, InstanceIndex) {
        return std::numeric_limits<double>::quiet_NaN();
      });
  CHECK(*decide(view, request(task(256, 512), {all_nan})).instance == 0);  // all tie

  auto throws = custom_strategy(
      "throws", [](const ClusterView&, const PlacementRequest&, InstanceIndex) -> double {
        throw std::runtime_error("scorer failed");
      });
  CHECK_THROWS_WITH_AS(decide(view, request(task(256, 512), {throws})), "scorer failed",
                       std::runtime_error);
  CHECK(view.check_invariants() == std::nullopt);

  PlacementStrategy null_custom;
  null_custom.type = PlacementStrategyType::kCustom;
  const PlacementRequest bad = request(task(256, 512), {null_custom});
  REQUIRE(placement_request_problem(bad).has_value());
  CHECK(decide(view, bad).reason == "INVALID_REQUEST");
}

TEST_CASE("choose_task_to_stop skips custom links") {
  ClusterView view = six();
  std::vector<StopCandidate> tasks;
  for (std::uint64_t t = 0; t < 4; ++t) {
    view.reserve(t, task(256, 512), "service:web");
    tasks.push_back({t + 1, t, 256, 512});
  }
  auto table = std::make_shared<TableStrategy>(std::vector<double>{1, 2, 3, 4, 5, 6});
  const PlacementRequest r = request(task(256, 512), {PlacementStrategy::custom_of(table)});
  Rng rng(1);
  CHECK(choose_task_to_stop(view, tasks, r, rng, TieBreak::kLowestId) == 0u);
  CHECK(table->calls == 0);
}

TEST_CASE("a custom strategy scoring remaining memory decides as binpack(memory) does") {
  // Random clusters and requests, lowestId: the same instance every time, and place_tasks
  // sequences stay identical.
  const auto by_memory = custom_strategy(
      "least-memory", [](const ClusterView& v, const PlacementRequest&, InstanceIndex i) {
        return static_cast<double>(v.remaining_memory(i));
      });
  Rng gen(2024);
  for (int round = 0; round < 20; ++round) {
    ClusterView a;
    const int n = 5 + static_cast<int>(uniform_uint(gen, 0, 60));
    for (int k = 0; k < n; ++k) {
      char id[24];
      std::snprintf(id, sizeof id, "i-%04d", k);
      a.add_instance(instance(id, "us-east-1" + std::string(1, char('a' + k % 3)),
                              1024 * static_cast<std::int64_t>(1 + uniform_uint(gen, 0, 7)),
                              2048 * static_cast<std::int64_t>(1 + uniform_uint(gen, 0, 7))));
    }
    ClusterView b = a;
    const TaskFootprint f = task(128 * static_cast<std::int64_t>(1 + uniform_uint(gen, 0, 3)),
                                 256 * static_cast<std::int64_t>(1 + uniform_uint(gen, 0, 7)));
    Rng ra(round), rb(round);
    const PlacementBatch builtin =
        place_tasks(a, request(f, {PlacementStrategy::binpack(BinpackField::kMemory)}), 40, ra,
                    TieBreak::kLowestId);
    const PlacementBatch custom =
        place_tasks(b, request(f, {by_memory}), 40, rb, TieBreak::kLowestId);
    REQUIRE(builtin.placed.size() == custom.placed.size());
    for (std::size_t k = 0; k < builtin.placed.size(); ++k)
      CHECK_MESSAGE(builtin.placed[k].instance == custom.placed[k].instance,
                    "round " << round << " task " << k);
    CHECK(builtin.failure.has_value() == custom.failure.has_value());
  }
}

TEST_CASE("chains with custom links: the indexed engine decides exactly as the reference scan") {
  // Custom links get their candidates sorted by row from either side, so even random draws match.
  const auto least_cpu_then_id = custom_strategy(
      "cpu-parity", [](const ClusterView& v, const PlacementRequest&, InstanceIndex i) {
        return static_cast<double>(v.remaining_cpu(i) / 512) + static_cast<double>(i % 2);
      });
  const auto coarse_memory = custom_strategy(
      "coarse-memory", [](const ClusterView& v, const PlacementRequest&, InstanceIndex i) {
        return static_cast<double>(v.remaining_memory(i) / 4096);
      });
  using S = PlacementStrategy;
  const std::vector<std::vector<PlacementStrategy>> chains = {
      {least_cpu_then_id},
      {S::spread_zone(), least_cpu_then_id},
      {S::spread_instance_id(), coarse_memory},
      {S::binpack(BinpackField::kCpu), least_cpu_then_id},
      {coarse_memory, S::binpack(BinpackField::kMemory)},
      {coarse_memory, S::random()},
      {S::spread_zone(), coarse_memory, S::spread_instance_id()},
      {S::spread_attribute_of("stack"), coarse_memory},
  };
  Rng gen(7);
  int placed = 0;
  for (int round = 0; round < 12; ++round) {
    ClusterView view;
    const int n = 4 + static_cast<int>(uniform_uint(gen, 0, 40));
    for (int k = 0; k < n; ++k) {
      char id[24];
      std::snprintf(id, sizeof id, "i-%04d", k);
      InstanceInfo info = instance(id, "us-east-1" + std::string(1, char('a' + k % 3)),
                                   1024 * static_cast<std::int64_t>(1 + uniform_uint(gen, 0, 3)),
                                   4096 * static_cast<std::int64_t>(1 + uniform_uint(gen, 0, 3)));
      if (uniform_uint(gen, 0, 1) == 0) info.attributes["stack"] = k % 2 ? "blue" : "green";
      view.add_instance(info);
    }
    for (int step = 0; step < 60; ++step) {
      const auto& chain = chains[uniform_uint(gen, 0, chains.size() - 1)];
      const std::string group = uniform_uint(gen, 0, 1) ? "service:a" : "service:b";
      PlacementRequest r = request(task(256, 1024), chain, group);
      if (uniform_uint(gen, 0, 3) == 0)
        r.constraints.push_back(PlacementConstraint::distinct_instance());
      for (TieBreak tie : {TieBreak::kLowestId, TieBreak::kRandom}) {
        Rng r1(step), r2(step);
        const PlacementDecision fast = place_task(view, r, r1, tie);
        const PlacementDecision slow = detail::place_task_reference(view, r, r2, tie);
        REQUIRE(fast.placed() == slow.placed());
        if (fast.placed()) {
          CHECK_MESSAGE(*fast.instance == *slow.instance,
                        "round " << round << " step " << step << " " << chain[0].to_string());
        } else {
          CHECK(fast.reason == slow.reason);
        }
      }
      Rng rng(step);
      const PlacementDecision d = place_task(view, r, rng);
      if (d.placed()) {
        ++placed;
        view.reserve(*d.instance, r.footprint, r.group);
      }
    }
    CHECK(view.check_invariants() == std::nullopt);
  }
  CHECK(placed > 100);
}

TEST_CASE("the placement-quality corpus: deterministic, and it accepts custom chains") {
  const auto& workloads = quality_workloads();
  REQUIRE(workloads.size() >= 8);
  const auto chains = standard_quality_chains();
  REQUIRE(chains.size() == 7);
  for (const QualityWorkload& w : workloads) {
    for (const QualityChain& chain : chains) {
      const QualityResult a = run_quality_workload(w.name, chain, 3);
      const QualityResult b = run_quality_workload(w.name, chain, 3);
      CHECK(a.instances_used == b.instances_used);
      CHECK(a.failures == b.failures);
      CHECK(a.stranded_cpu == b.stranded_cpu);
      CHECK(a.stranded_memory_mib == b.stranded_memory_mib);
      CHECK(a.az_skew == b.az_skew);
      CHECK(a.placements > 0);
      CHECK(a.tasks <= a.placements - a.failures);
      CHECK(a.instances_used <= a.instances);
      CHECK(a.stranded_cpu_percent >= 0.0);
      CHECK(a.stranded_cpu_percent <= 100.0);
    }
  }

  // A custom chain that scores like binpack(memory) leaves the same cluster under lowestId.
  const QualityChain custom{
      "least-memory",
      {custom_strategy("least-memory",
                       [](const ClusterView& v, const PlacementRequest&, InstanceIndex i) {
                         return static_cast<double>(v.remaining_memory(i));
                       })},
      false};
  for (const QualityWorkload& w : workloads) {
    const QualityResult builtin =
        run_quality_workload(w.name, chains[0], 1, TieBreak::kLowestId);  // binpack-memory
    const QualityResult mine = run_quality_workload(w.name, custom, 1, TieBreak::kLowestId);
    CHECK_MESSAGE(builtin.stranded_memory_mib == mine.stranded_memory_mib, w.name);
    CHECK(builtin.instances_used == mine.instances_used);
    CHECK(builtin.failures == mine.failures);
    CHECK(builtin.az_skew == mine.az_skew);
    CHECK(mine.chain == "least-memory");
  }

  CHECK_THROWS_AS(run_quality_workload("no-such-workload", chains[0]), std::invalid_argument);
  QualityChain too_long{"too-long", std::vector<PlacementStrategy>(6, PlacementStrategy::random()),
                        false};
  CHECK_THROWS_AS(run_quality_workload(workloads[0].name, too_long), std::invalid_argument);
}
