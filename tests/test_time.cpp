// Simulated time: integer microseconds and the duration syntax of SCENARIO-CONTRACT.md.
#include <cmath>
#include <limits>

#include <doctest/doctest.h>

#include "ecsim/time.hpp"

using namespace ecsim;

TEST_CASE("durations parse with every documented unit") {
  CHECK(*parse_duration("250ms") == millis(250));
  CHECK(*parse_duration("30s") == seconds(30));
  CHECK(*parse_duration("5m") == seconds(300));
  CHECK(*parse_duration("2h") == seconds(7200));
  CHECK(*parse_duration("1d") == seconds(86400));
  CHECK(*parse_duration("750us") == Duration{750});
  CHECK(*parse_duration("1h30m") == seconds(5400));
  CHECK(*parse_duration("1.5s") == millis(1500));
  CHECK(*parse_duration("0s") == Duration{0});
  // 0.1 s is not exact in binary; the result must still be exactly 100000 us.
  CHECK(*parse_duration("0.1s") == Duration{100000});
}

TEST_CASE("bad duration strings give a message that says what is valid") {
  for (const char* bad : {"", "5", "5x", "-5s", "s", "5 s", "1.2.3s", "ms5", "5mm", "1e3s"}) {
    auto r = parse_duration(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("expected") != std::string::npos);
  }
  CHECK(parse_duration("5x").error().find("unknown unit") != std::string::npos);
  CHECK(parse_duration("5").error().find("no unit") != std::string::npos);
  CHECK(parse_duration("-5s").error().find("negative") != std::string::npos);
  CHECK(parse_duration("999999999999h").error().find("100 years") != std::string::npos);
}

TEST_CASE("JSON numbers are seconds, rounded to the microsecond") {
  CHECK(*duration_from_seconds(0.25) == millis(250));
  CHECK(*duration_from_seconds(1e-7) == Duration{0});
  CHECK(*duration_from_seconds(1.0000004) == Duration{1000000});
  CHECK_FALSE(duration_from_seconds(-1).has_value());
  CHECK_FALSE(duration_from_seconds(std::nan("")).has_value());
  CHECK_FALSE(duration_from_seconds(std::numeric_limits<double>::infinity()).has_value());
  CHECK_FALSE(duration_from_seconds(1e300).has_value());
}

TEST_CASE("durations format the way a person writes them and round-trip") {
  CHECK(format_duration(Duration{0}) == "0s");
  CHECK(format_duration(millis(250)) == "250ms");
  CHECK(format_duration(seconds(5400)) == "1h30m");
  CHECK(format_duration(seconds(61)) == "1m1s");
  CHECK(format_duration(Duration{7}) == "7us");
  for (Duration d : {millis(250), seconds(5400), seconds(61), Duration{7}, seconds(86400 + 5)})
    CHECK(*parse_duration(format_duration(d)) == d);
}

TEST_CASE("microsecond ticks leave room: 100 years of sums cannot overflow int64") {
  const auto sum = kMaxScenarioDuration.count() + kMaxScenarioDuration.count();
  CHECK(sum > 0);
  CHECK(sum < std::numeric_limits<std::int64_t>::max() / 1000);
}
