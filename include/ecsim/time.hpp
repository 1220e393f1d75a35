// Simulated time.
//
// ecsim counts time in whole microseconds in a signed 64-bit integer. Microseconds because request
// latencies (an ALB hop, a sub-millisecond service time) must be resolved well below a millisecond,
// while int64 microseconds still span about 292,000 years, so products such as rate x horizon
// cannot overflow in practice. Integer ticks give every event an exact, platform-independent
// timestamp: there are no epsilons and no accumulated rounding, which is what makes runs
// bit-for-bit reproducible.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ecsim/result.hpp"

namespace ecsim {

using Duration = std::chrono::duration<std::int64_t, std::micro>;

// A point in simulated time: the duration since the start of the run.
using TimePoint = std::chrono::time_point<struct SimClock, Duration>;

struct SimClock {
  using rep = Duration::rep;
  using period = Duration::period;
  using duration = Duration;
  using time_point = TimePoint;
  static constexpr bool is_steady = true;
};

inline constexpr Duration kMicrosecond{1};
inline constexpr Duration kMillisecond{1'000};
inline constexpr Duration kSecond{1'000'000};
inline constexpr Duration kMinute = 60 * kSecond;
inline constexpr Duration kHour = 60 * kMinute;
inline constexpr Duration kDay = 24 * kHour;

// Longest duration a scenario may name: 100 years. Anything longer is a typo, and keeping a wide
// margin below the int64 limit means sums of two durations can never overflow.
inline constexpr Duration kMaxScenarioDuration = 100 * 365 * 24 * kHour;

constexpr Duration seconds(std::int64_t s) {
  return s * kSecond;
}
constexpr Duration millis(std::int64_t ms) {
  return ms * kMillisecond;
}

// Seconds as a double, for output only (events.jsonl "t", summaries). Never feed it back into time.
constexpr double to_seconds(Duration d) {
  return static_cast<double>(d.count()) / 1e6;
}
constexpr double to_seconds(TimePoint t) {
  return to_seconds(t.time_since_epoch());
}
constexpr double to_millis(Duration d) {
  return static_cast<double>(d.count()) / 1e3;
}

// Seconds (possibly fractional) to the nearest microsecond. Returns nullopt for NaN, infinities,
// negative values and values above kMaxScenarioDuration.
std::optional<Duration> duration_from_seconds(double seconds);

// Parses a duration string: one or more <number><unit> terms, e.g. "250ms", "30s", "5m", "2h",
// "1h30m", "1.5s". Units: us, ms, s, m, h, d. On failure, returns a message saying what is wrong
// and what would be valid.
Result<Duration> parse_duration(std::string_view text);

// Formats a duration the way a person writes it: "1h30m", "250ms", "0s".
std::string format_duration(Duration d);

}  // namespace ecsim
