// CodeDeploy deployment groups and configurations, CloudWatch metric alarms, and CreateDeployment
// (ecs-reference 7).
#pragma once

#include "ecsim/scenario.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim::detail {

// Reads root["codeDeploy"] and root["alarms"].
void read_code_deploy_and_alarms(ObjectReader& root, Scenario& s);

// Reads a CreateDeployment input (CodeDeploy's, with an inline JSON AppSpec).
CreateDeploymentAction parse_create_deployment(ObjectReader& r);

// Checks names across parts (deployment groups -> services, target groups, listeners, alarms;
// CreateDeployment -> groups and configurations) and fills each CODE_DEPLOY service's load
// balancer with its group's alternate target group and listeners.
void check_deployment_references(Diagnostics& diag, Scenario& s);

}  // namespace ecsim::detail
