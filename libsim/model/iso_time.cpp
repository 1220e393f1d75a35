#include "model/iso_time.hpp"

#include <cstdio>

namespace ecsim::detail {
namespace {

// Howard Hinnant's civil_from_days: days since 1970-01-01 to (year, month, day), exact and
// portable.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

}  // namespace

std::string iso_timestamp(std::int64_t epoch_seconds, TimePoint t) {
  const std::int64_t us = t.time_since_epoch().count();
  const std::int64_t total = epoch_seconds + us / 1'000'000;
  const std::int64_t days = total >= 0 ? total / 86400 : (total - 86399) / 86400;
  const std::int64_t sod = total - days * 86400;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  // Sized for any int64 year, so the output can never be cut.
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y),
                m, d, static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60), static_cast<int>(us % 1'000'000 / 1000));
  return buf;
}

}  // namespace ecsim::detail
