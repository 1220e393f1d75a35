// Timeline actions: the AWS calls (and ecsim's own faults) a scenario makes at given times.
#pragma once

#include "ecsim/instance_types.hpp"
#include "ecsim/scenario.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim::detail {

// Reads root["timeline"] into s.timeline, sorted by time (stable: equal times keep file order).
void read_timeline(ObjectReader& root, Scenario& s);

// Checks names that refer to other parts: task definitions named by RunTask (taking the timeline's
// own RegisterTaskDefinition calls into account, in time order), instances named by faults.
void check_references(Diagnostics& diag, Scenario& s);

// Reads one entry of "instanceTypes": a new type, or an override of a built-in one.
InstanceType parse_instance_type(ObjectReader& r);

}  // namespace ecsim::detail
