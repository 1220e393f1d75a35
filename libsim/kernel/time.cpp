#include "ecsim/time.hpp"

#include <cctype>
#include <cmath>
#include <string>

namespace ecsim {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t micros;
};

// Longest names first so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {{"us", 1},         {"ms", 1'000},          {"s", 1'000'000},
                           {"m", 60'000'000}, {"h", 3'600'000'000LL}, {"d", 86'400'000'000LL}};

constexpr std::string_view kValidForms =
    "a number of seconds, or a string such as \"250ms\", \"30s\", \"5m\", \"2h\" or \"1h30m\" "
    "(units us, ms, s, m, h, d)";

}  // namespace

std::optional<Duration> duration_from_seconds(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return std::nullopt;
  const double micros = std::round(seconds * 1e6);
  if (micros > static_cast<double>(kMaxScenarioDuration.count())) return std::nullopt;
  return Duration{static_cast<std::int64_t>(micros)};
}

Result<Duration> parse_duration(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return Result<Duration>::failure(why + "; expected " + std::string(kValidForms));
  };
  if (text.empty()) return fail("empty duration");

  // Accumulate in long double so "0.1s" + "0.2s" style sums round once, at the end.
  long double total_micros = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t number_start = i;
    bool seen_digit = false;
    bool seen_dot = false;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || (text[i] == '.' && !seen_dot))) {
      seen_dot |= text[i] == '.';
      seen_digit |= text[i] != '.';
      ++i;
    }
    if (!seen_digit) {
      if (number_start < text.size() && text[number_start] == '-')
        return fail("\"" + std::string(text) + "\" is negative");
      return fail("\"" + std::string(text) + "\" has no number at position " +
                  std::to_string(number_start));
    }
    const std::string number(text.substr(number_start, i - number_start));
    if (number.size() > 24) return fail("\"" + std::string(text) + "\" is too long");

    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      if (i == text.size())
        return fail("\"" + std::string(text) + "\" has no unit after " + number);
      return fail("\"" + std::string(text) + "\" has an unknown unit at position " +
                  std::to_string(i));
    }
    i += unit->name.size();
    total_micros += std::stold(number) * static_cast<long double>(unit->micros);
    if (total_micros > static_cast<long double>(kMaxScenarioDuration.count()))
      return fail("\"" + std::string(text) + "\" is longer than 100 years");
  }
  return Duration{static_cast<std::int64_t>(std::llround(static_cast<double>(total_micros)))};
}

std::string format_duration(Duration d) {
  if (d.count() == 0) return "0s";
  std::string out;
  std::int64_t us = d.count();
  if (us < 0) {
    out += '-';
    us = -us;
  }
  if (us % 1'000'000 != 0 && us < 60'000'000) {
    // Sub-second precision matters only for short durations: print them in ms or us.
    if (us % 1'000 == 0) return out + std::to_string(us / 1'000) + "ms";
    return out + std::to_string(us) + "us";
  }
  std::int64_t s = us / 1'000'000;
  const std::int64_t h = s / 3600;
  s %= 3600;
  const std::int64_t m = s / 60;
  s %= 60;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s) out += std::to_string(s) + "s";
  return out;
}

}  // namespace ecsim
