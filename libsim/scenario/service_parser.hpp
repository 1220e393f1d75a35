// CreateService, UpdateService and DeleteService inputs (ecs-reference 5, 6).
#pragma once

#include "ecsim/scenario.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim::detail {

ServiceSpec parse_service(ObjectReader& r);
UpdateServiceAction parse_update_service(ObjectReader& r);
DeleteServiceAction parse_delete_service(ObjectReader& r);

// Placement specs as RunTask and CreateService take them (validated, limits of ecs-reference 4.1).
std::vector<PlacementStrategySpec> read_placement_strategies(ObjectReader& r);
std::vector<PlacementConstraintSpec> read_placement_constraints(ObjectReader& r);

}  // namespace ecsim::detail
