// ISO-8601 timestamps for event details ("2025-01-01T00:05:30.250Z"), from simulated time.
#pragma once

#include <cstdint>
#include <string>

#include "ecsim/time.hpp"

namespace ecsim::detail {

// `epoch_seconds` is the Unix time of simulated time zero.
std::string iso_timestamp(std::int64_t epoch_seconds, TimePoint t);

}  // namespace ecsim::detail
