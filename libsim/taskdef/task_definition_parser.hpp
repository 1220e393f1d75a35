// Reading and checking task definitions (internal to the library).
//
// parse_task_definition reads one task definition with ObjectReader: RegisterTaskDefinition input,
// or the describe-task-definition output ({"taskDefinition": {...}, "tags": [...]}). It records
// every problem in the reader's Diagnostics and never throws; then it runs the AWS validation
// rules (validate_task_definition). Validation problems that only follow from a value that failed
// to parse (a container whose "memory" is a string "needs memory or memoryReservation") are left
// out, so each mistake is reported once, where it was made.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecsim/task_definition.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim::detail {

// Reads the object `reader` wraps, calls reader.finish() and returns the definition (revision 0;
// a TaskDefinitionRegistry numbers it).
TaskDefinition parse_task_definition(ObjectReader& reader);

// Records every AWS validation problem of `definition` at pointers under `pointer` (the JSON
// Pointer of the task definition object).
void validate_task_definition(const TaskDefinition& definition, const std::string& pointer,
                              Diagnostics& diag);

// The first dependsOn cycle found, as container indices where each depends on the next and the
// last on the first, rotated to start at its lowest index; empty when dependsOn is acyclic.
// Dependencies on unknown container names are left out.
std::vector<std::size_t> find_dependency_cycle(const TaskDefinition& definition);

// A list of values for messages: "1024, 2048, 3072 or 4096", or for a long arithmetic run
// "4096 to 16384 in steps of 1024".
std::string describe_values(const std::vector<std::int64_t>& values);

}  // namespace ecsim::detail
