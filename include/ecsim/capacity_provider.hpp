// Capacity provider arithmetic (ecs-reference 8): how a strategy's base and weight split a group's
// tasks between providers, and the figures managed scaling computes for an Auto Scaling group
// provider (the instances needed, CapacityProviderReservation and the scaling step). Pure
// functions, so the rules are tested on their own; the simulation applies them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ecsim/instance_types.hpp"
#include "ecsim/placement.hpp"

namespace ecsim {

// One CapacityProviderStrategyItem's numbers.
struct StrategyShare {
  int base = 0;
  int weight = 0;
};

// Which item takes the next task of a group that runs counts[i] tasks on item i (8.1). The item
// with a base takes tasks until it runs `base`; then each task goes to the item whose weighted
// count is furthest below its weight share, counting the new task (ties: the first listed)
// [INFERRED: AWS does not document the remainder rule]. Items with weight 0 take no weighted
// task. Requires at least one weight > 0 and counts.size() == items.size().
std::size_t next_provider(std::span<const StrategyShare> items, std::span<const int> counts);

// Which item gives up a task when the group shrinks: the mirror of next_provider. Tasks beyond
// the weighted shares go first (weight-0 items, then the item furthest above its share, ties to
// the last listed); the base goes last. nullopt when every count is 0.
std::optional<std::size_t> provider_to_shed(std::span<const StrategyShare> items,
                                            std::span<const int> counts);

// n tasks launched from zero (a RunTask call's count): next_provider applied n times.
std::vector<int> split_by_strategy(std::span<const StrategyShare> items, int n);

// ---- managed scaling (8.3) ------------------------------------------------------------------

// What one instance of a type offers to tasks, as the ECS agent would register it.
struct InstanceCapacity {
  std::int64_t cpu = 0;
  std::int64_t memory_mib = 0;
  std::int64_t gpus = 0;
  std::int64_t eni_slots = 0;  // tasks in awsvpc mode
};
InstanceCapacity capacity_of(const InstanceType& type, std::int64_t ecs_reserved_memory_mib,
                             bool awsvpc_trunking);

// How many tasks of this footprint fit on an empty instance: each resource's quotient, one task
// per instance when it names a static host port, the ENI slots in awsvpc mode. 0 when none fits.
std::int64_t tasks_per_instance(const TaskFootprint& task, const InstanceCapacity& instance);

// The instances managed scaling adds for tasks waiting in PROVISIONING: tasks are grouped by
// identical footprint; each group needs ceil(n / tasks per instance) of the largest type; the
// estimate is the largest of those (a lower bound: groups may share instances) [INFERRED from the
// deep-dive description of a lower bound]. Tasks that do not fit the smallest type are ignored.
std::int64_t instances_needed_for(std::span<const TaskFootprint> waiting,
                                  const InstanceCapacity& largest,
                                  const InstanceCapacity& smallest);

// CapacityProviderReservation = M / N x 100, where N instances run and M are needed; 200 when
// none runs and some are needed, 100 when none runs and none is needed.
double capacity_provider_reservation(std::int64_t needed, std::int64_t running);

// The instances target tracking asks for to bring the reservation to targetCapacity:
// ceil(M x 100 / target).
std::int64_t instances_for_target(std::int64_t needed, int target_capacity_percent);

// The scale-out step: the computed increase raised to minimumScalingStepSize and capped at
// maximumScalingStepSize.
std::int64_t scale_out_step(std::int64_t computed, int minimum_step, int maximum_step);

}  // namespace ecsim
