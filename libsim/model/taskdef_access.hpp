// What the model asks of a task definition, in one place: network mode, stop timing, launch type
// fit, and the placement footprint.
#pragma once

#include <optional>
#include <string>

#include "ecsim/placement.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/task_definition.hpp"

namespace ecsim::detail {

inline bool uses_awsvpc(const TaskDefinition& td) {
  return td.network_mode == NetworkMode::kAwsvpc;
}

// stopTimeout, else 30 s: the Fargate default and the EC2 default when ECS_CONTAINER_STOP_TIMEOUT
// is unset (ecs-reference 1.4).
inline Duration stop_timeout(const ContainerDefinition& c) {
  return c.stop_timeout.value_or(seconds(30));
}

// How long the app takes to exit after the stop signal, if never killed.
inline Duration app_stop_time(const ContainerDefinition& c, const TimingModel& timing) {
  return c.simulation.stop_duration.value_or(timing.sigterm_exit);
}

// Why a definition cannot run with this launch type (AWS rejects the call), or nullopt.
std::optional<std::string> launch_type_problem(const TaskDefinition& td, bool fargate);

// The placement engine's view of what one task needs on an instance.
TaskFootprint footprint_of(const TaskDefinition& td);

// The placement request for a RunTask call: its strategies (or the configured RunTask default,
// ecs-reference 4.4), its constraints plus the task definition's own (4.1).
PlacementRequest make_placement_request(const TaskDefinition& td, const std::string& group,
                                        const RunTaskAction& action,
                                        const PlacementSettings& settings);

}  // namespace ecsim::detail
