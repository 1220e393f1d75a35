// The JSON Schema (draft 2020-12) of the scenario format.
//
// It is kept in the repository as schema/scenario.schema.json, for editors (point a scenario's
// "$schema" at it for completion and checks), and compiled into the library so that
// `ecsim schema` prints it without any file. tests/test_schema.cpp checks that the two are the
// same text, that every file in scenarios/ passes the schema, and that the schema and the loader
// (`ecsim validate`) reject the same broken files. The loader remains the authority: it also
// checks what a schema cannot (cross-references, duration strings against their ranges, AWS's
// rules across fields); docs/scenario-format.md describes every key.
#pragma once

#include <string>

namespace ecsim {

// The schema's JSON text, exactly as in schema/scenario.schema.json.
std::string scenario_schema_text();

}  // namespace ecsim
