// Run limits: the scenario's "limits" object, and the check of a loaded scenario's estimated size
// (estimate_run_size) against them, before anything runs.
#pragma once

#include "ecsim/scenario.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim::detail {

// Reads root["limits"] into s.limits, then applies `overrides` (LoadOptions::limits); an unknown
// override name is a problem at the document's root.
void read_limits(ObjectReader& root, Scenario& s,
                 const std::map<std::string, std::int64_t>& overrides);

// One problem per limit the scenario's estimate is over: the estimate, the limit, and how to
// raise it.
void check_limits(Diagnostics& diag, const Scenario& s);

}  // namespace ecsim::detail
