// The scenario's "pricing" object: overrides of the built-in us-east-1 price table (ecs-reference
// 13). See docs/scenario-format.md.
#pragma once

#include "ecsim/cost.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim::detail {

// Reads the "pricing" object (the caller finishes `r`); what it does not name keeps the
// built-in value.
PriceTable parse_pricing(ObjectReader& r);

}  // namespace ecsim::detail
