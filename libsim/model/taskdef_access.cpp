#include "model/taskdef_access.hpp"

#include "ecsim/assert.hpp"

namespace ecsim::detail {

std::optional<std::string> launch_type_problem(const TaskDefinition& td, bool fargate) {
  if (!fargate) {
    if (!td.requires_compatibilities.empty() && !td.requires_compatibility(Compatibility::kEc2) &&
        !td.requires_fargate())
      return "Task definition does not support launch_type EC2.";
    return std::nullopt;
  }
  // ECS computes a definition's compatibilities: Fargate needs awsvpc and a valid Fargate size
  // (ecs-reference 2.2, 2.4); parsing already enforced this when FARGATE is required.
  if (td.network_mode != NetworkMode::kAwsvpc || !td.cpu_units || !td.memory_mib ||
      !is_valid_fargate_size(*td.cpu_units, *td.memory_mib, td.runtime_platform.is_windows()))
    return "Task definition does not support launch_type FARGATE.";
  return std::nullopt;
}

TaskFootprint footprint_of(const TaskDefinition& td) {
  return TaskFootprint::from(reservation_for(td), td.network_mode);
}

PlacementRequest make_placement_request(const TaskDefinition& td, const std::string& group,
                                        const RunTaskAction& action,
                                        const PlacementSettings& settings) {
  PlacementRequest request;
  request.footprint = footprint_of(td);
  request.group = group;
  // Specs were validated at load; a failure here is a bug in that validation.
  for (const PlacementStrategySpec& s : action.placement_strategy) {
    auto parsed = parse_placement_strategy(s.type, s.field);
    ECSIM_ASSERT(parsed.ok(), "placement strategy passed validation but does not parse");
    request.strategies.push_back(*parsed);
  }
  if (request.strategies.empty()) {
    // Standalone RunTask default on EC2 is undocumented (ecs-reference 4.4); configurable.
    const std::string& d = settings.run_task_default_strategy;
    if (d == "binpack")
      request.strategies.push_back(PlacementStrategy::binpack(BinpackField::kMemory));
    else if (d == "spread")
      request.strategies.push_back(PlacementStrategy::spread_zone());
    else
      request.strategies.push_back(PlacementStrategy::random());
  }
  auto add_constraint = [&](const std::string& type, const std::string& expression) {
    auto parsed = parse_placement_constraint(type, expression);
    ECSIM_ASSERT(parsed.ok(), "placement constraint passed validation but does not parse");
    request.constraints.push_back(*parsed);
  };
  for (const TaskPlacementConstraint& c : td.placement_constraints)
    add_constraint(c.type, c.expression);
  for (const PlacementConstraintSpec& c : action.placement_constraints)
    add_constraint(c.type, c.expression);
  return request;
}

}  // namespace ecsim::detail
