#include <cmath>
#include <cstdio>

#include "ecsim/metrics.hpp"

namespace ecsim {

std::string MetricsTable::to_csv() const {
  std::string out = "t,entityType,entity";
  for (const auto& name : metric_names)
    out += "," + name;
  out += "\n";
  char buf[64];
  for (const Row& row : rows) {
    std::snprintf(buf, sizeof buf, "%.6g", row.t);
    out += buf;
    out += "," + row.entity_type + "," + row.entity;
    for (double v : row.values) {
      out += ",";
      if (std::isnan(v)) continue;
      // Fixed precision keeps the bytes identical across platforms for the same values.
      std::snprintf(buf, sizeof buf, "%.4f", v);
      std::string s = buf;
      while (s.back() == '0')
        s.pop_back();
      if (s.back() == '.') s.pop_back();
      out += s;
    }
    out += "\n";
  }
  return out;
}

}  // namespace ecsim
