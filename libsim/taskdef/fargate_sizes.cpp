// The Fargate task size table (ecs-reference 2.2, from AWS's task-cpu-memory-error page and the
// RegisterTaskDefinition `memory` documentation). Memory in MiB; 1 GB = 1024 MiB.
#include <algorithm>

#include "ecsim/task_definition.hpp"

#include "taskdef/task_definition_parser.hpp"

namespace ecsim {
namespace {

struct FargateRow {
  std::int64_t cpu_units;
  std::vector<std::int64_t> memory_mib;
  bool windows;  // the OS column: Windows takes 1, 2 and 4 vCPU only
};

std::vector<std::int64_t> steps(std::int64_t first, std::int64_t last, std::int64_t step) {
  std::vector<std::int64_t> out;
  for (std::int64_t m = first; m <= last; m += step)
    out.push_back(m);
  return out;
}

const std::vector<FargateRow>& rows() {
  static const std::vector<FargateRow> table = {
      {256, {512, 1024, 2048}, false},
      {512, steps(1024, 4096, 1024), false},
      {1024, steps(2048, 8192, 1024), true},
      {2048, steps(4096, 16384, 1024), true},
      {4096, steps(8192, 30720, 1024), true},
      {8192, steps(16384, 61440, 4096), false},    // Linux platform 1.4.0+
      {16384, steps(32768, 122880, 8192), false},  // Linux platform 1.4.0+
  };
  return table;
}

}  // namespace

const std::vector<FargateSize>& fargate_sizes() {
  static const std::vector<FargateSize> sizes = [] {
    std::vector<FargateSize> out;
    for (const FargateRow& row : rows())
      for (std::int64_t m : row.memory_mib)
        out.push_back({row.cpu_units, m});
    return out;
  }();
  return sizes;
}

bool is_valid_fargate_size(std::int64_t cpu_units, std::int64_t memory_mib, bool windows) {
  for (const FargateRow& row : rows()) {
    if (row.cpu_units != cpu_units) continue;
    if (windows && !row.windows) return false;
    return std::find(row.memory_mib.begin(), row.memory_mib.end(), memory_mib) !=
           row.memory_mib.end();
  }
  return false;
}

std::vector<std::int64_t> fargate_cpu_values(bool windows) {
  std::vector<std::int64_t> out;
  for (const FargateRow& row : rows())
    if (!windows || row.windows) out.push_back(row.cpu_units);
  return out;
}

std::vector<std::int64_t> fargate_memory_values(std::int64_t cpu_units) {
  for (const FargateRow& row : rows())
    if (row.cpu_units == cpu_units) return row.memory_mib;
  return {};
}

std::vector<std::int64_t> fargate_cpu_values_for_memory(std::int64_t memory_mib, bool windows) {
  std::vector<std::int64_t> out;
  for (const FargateRow& row : rows()) {
    if (windows && !row.windows) continue;
    if (std::find(row.memory_mib.begin(), row.memory_mib.end(), memory_mib) != row.memory_mib.end())
      out.push_back(row.cpu_units);
  }
  return out;
}

namespace detail {

std::string describe_values(const std::vector<std::int64_t>& values) {
  if (values.empty()) return "none";
  // Long evenly spaced runs read better as a range, the way AWS's own table writes them.
  if (values.size() >= 5) {
    const std::int64_t step = values[1] - values[0];
    bool even = step > 0;
    for (std::size_t i = 2; even && i < values.size(); ++i)
      even = values[i] - values[i - 1] == step;
    if (even)
      return std::to_string(values.front()) + " to " + std::to_string(values.back()) +
             " in steps of " + std::to_string(step);
  }
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += i + 1 == values.size() ? " or " : ", ";
    out += std::to_string(values[i]);
  }
  return out;
}

}  // namespace detail
}  // namespace ecsim
