// Capacity in a scenario (ecs-reference 8): cluster.capacityProviders (CreateCapacityProvider
// inputs, FARGATE, FARGATE_SPOT), capacity provider strategies, autoScalingGroups
// (CreateAutoScalingGroup inputs) and ecsim's fargate settings; and the checks that tie them to
// services, RunTask calls and the timeline.
#pragma once

#include "ecsim/scenario.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim::detail {

void read_capacity_providers(ObjectReader& cluster, ClusterSpec& spec);
// A capacityProviderStrategy array under `key` (empty when absent).
CapacityProviderStrategy read_capacity_provider_strategy(ObjectReader& r, std::string_view key);
void read_auto_scaling_groups(ObjectReader& root, Scenario& s);
void read_fargate_settings(ObjectReader& root, FargateSettings& f);

// Cross-references: providers name groups, strategies name associated providers and follow 8.1,
// services and RunTask calls get their launch type or strategy (the cluster default when they
// name neither), SetDesiredCapacity and InterruptSpotTasks name what exists.
void check_capacity_references(Diagnostics& diag, Scenario& s);

}  // namespace ecsim::detail
