// Reading the load-balancing parts of a scenario (`targetGroups`, `loadBalancers`, `traffic`)
// with the strict ObjectReader: every problem by JSON Pointer, unknown keys with a "did you mean".
// The JSON shape is documented at the top of include/ecsim/load_balancing.hpp.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "ecsim/load_balancing.hpp"
#include "ecsim/random.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim::detail {

// Reads the three keys from the scenario's root object (marking them read) and checks their
// cross-references. Never throws on bad input: problems go to root's Diagnostics. A csv path may
// leave base_dir only with `allow_outside` (LoadOptions::allow_paths_outside_scenario_dir).
LoadBalancingSpec parse_load_balancing(ObjectReader& root, const std::filesystem::path& base_dir,
                                       bool allow_outside = false);

// A distribution of durations (in seconds) at `key`: a duration for a constant, or an object
// {type, ...} as documented in load_balancing.hpp. nullopt (with a problem recorded) when absent
// and required, or when wrong.
std::optional<Distribution> read_distribution(ObjectReader& parent, std::string_view key,
                                              bool required);

// The application model block ("ecsim" of a target group; usable for a container's block too).
ApplicationModel read_application_model(ObjectReader& r, ApplicationModel defaults = {});

}  // namespace ecsim::detail
