// autoScaling: Application Auto Scaling for ECS services (ecs-reference 10), as
// RegisterScalableTarget inputs carrying their PutScalingPolicy and PutScheduledAction inputs.
#pragma once

#include "ecsim/result.hpp"
#include "ecsim/scenario.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim::detail {

void read_auto_scaling(ObjectReader& root, Scenario& s);

// Services, target groups and alarm actions named by scaling policies must exist.
void check_auto_scaling_references(Diagnostics& diag, const Scenario& s);

// "at(2025-01-01T08:00:00)", "rate(5 minutes)" or a daily "cron(M H * * ? *)": the first time
// (from the run's start, simulated time zero being 2025-01-01T00:00:00Z) and the repeat period.
Result<std::pair<Duration, std::optional<Duration>>> parse_schedule(std::string_view schedule);

}  // namespace ecsim::detail
