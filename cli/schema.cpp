// `ecsim schema`: prints the JSON Schema of the scenario format (schema/scenario.schema.json,
// compiled in), for editors and for other tools that check scenarios.
#include "ecsim/schema.hpp"

#include <iostream>

namespace ecsim::cli {

int run_schema_command() {
  std::cout << scenario_schema_text();
  std::cout.flush();
  return std::cout ? 0 : 3;
}

}  // namespace ecsim::cli
