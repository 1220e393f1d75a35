#include "ecsim/event_record.hpp"

#include <cstdio>

namespace ecsim {

std::string to_json_line(const EventRecord& record) {
  // Times are whole microseconds; print them as exact decimal seconds, never via double rounding.
  const std::int64_t us = record.time.time_since_epoch().count();
  char t[40];
  if (us % 1'000'000 == 0)
    std::snprintf(t, sizeof t, "%lld", static_cast<long long>(us / 1'000'000));
  else
    std::snprintf(t, sizeof t, "%lld.%06lld", static_cast<long long>(us / 1'000'000),
                  static_cast<long long>(us % 1'000'000));
  std::string line = "{\"t\":";
  line += t;
  line += ",\"detail-type\":";
  line += nlohmann::json(record.detail_type).dump();
  line += ",\"detail\":";
  line += record.detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += "}";
  return line;
}

}  // namespace ecsim
