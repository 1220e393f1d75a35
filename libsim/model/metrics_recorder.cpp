#include "model/metrics_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ecsim::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Column order of metrics.csv; CloudWatch's names for the ECS namespace and Container Insights.
enum Column : std::size_t {
  kCpuReservation,
  kMemoryReservation,
  kRunningTaskCount,
  kPendingTaskCount,
  kContainerInstanceCount,
  kPlacementFailures,
  kColumns
};

double percent(double part, double whole) {
  return whole > 0 ? 100.0 * part / whole : 0.0;
}
}  // namespace

MetricsRecorder::MetricsRecorder() {
  table_.metric_names = {"CPUReservation",   "MemoryReservation",      "RunningTaskCount",
                         "PendingTaskCount", "ContainerInstanceCount", "PlacementFailures"};
}

void MetricsRecorder::append(const MetricsTable& extra) {
  std::vector<std::size_t> column(extra.metric_names.size());
  for (std::size_t i = 0; i < extra.metric_names.size(); ++i) {
    const auto it =
        std::find(table_.metric_names.begin(), table_.metric_names.end(), extra.metric_names[i]);
    column[i] = static_cast<std::size_t>(it - table_.metric_names.begin());
    if (it == table_.metric_names.end()) {
      table_.metric_names.push_back(extra.metric_names[i]);
      for (auto& row : table_.rows)
        row.values.push_back(kNaN);
    }
  }
  for (const auto& row : extra.rows) {
    MetricsTable::Row r{row.t, row.entity_type, row.entity,
                        std::vector<double>(table_.metric_names.size(), kNaN)};
    for (std::size_t i = 0; i < column.size() && i < row.values.size(); ++i)
      r.values[column[i]] = row.values[i];
    table_.rows.push_back(std::move(r));
  }
}

void MetricsRecorder::add_instance(std::string id, TimePoint now) {
  Track t;
  t.id = std::move(id);
  t.last = now;
  tracks_.push_back(std::move(t));
}

void MetricsRecorder::advance(Track& t, TimePoint now) {
  const double dt = static_cast<double>((now - t.last).count());
  if (dt > 0) {
    t.cpu_reserved_area += static_cast<double>(t.levels.cpu_reserved) * dt;
    t.memory_reserved_area += static_cast<double>(t.levels.memory_reserved) * dt;
    t.cpu_registered_area += static_cast<double>(t.levels.cpu_registered) * dt;
    t.memory_registered_area += static_cast<double>(t.levels.memory_registered) * dt;
  }
  t.last = now;
}

void MetricsRecorder::touch(std::size_t instance, TimePoint now, const InstanceLevels& levels) {
  Track& t = tracks_[instance];
  advance(t, now);
  t.levels = levels;
}

void MetricsRecorder::close_period(TimePoint now, const std::string& cluster_name,
                                   const std::map<std::string, GroupCounts>& groups,
                                   std::int64_t container_instances) {
  if (now <= period_start_) return;
  const double t0 = to_seconds(period_start_);
  double cpu_res = 0, mem_res = 0, cpu_reg = 0, mem_reg = 0;
  std::int64_t running = 0, pending = 0;
  for (const auto& [group, c] : groups) {
    running += c.running;
    pending += c.pending;
  }
  MetricsTable::Row cluster{t0, "cluster", cluster_name,
                            std::vector<double>(table_.metric_names.size(), kNaN)};
  const std::size_t cluster_row = table_.rows.size();
  table_.rows.push_back(std::move(cluster));

  for (Track& t : tracks_) {
    advance(t, now);
    cpu_res += t.cpu_reserved_area;
    mem_res += t.memory_reserved_area;
    cpu_reg += t.cpu_registered_area;
    mem_reg += t.memory_registered_area;
    // An instance appears once it has been registered for some of the period.
    if (t.cpu_registered_area > 0 || t.levels.tasks > 0) {
      MetricsTable::Row row{t0, "instance", t.id,
                            std::vector<double>(table_.metric_names.size(), kNaN)};
      row.values[kCpuReservation] = percent(t.cpu_reserved_area, t.cpu_registered_area);
      row.values[kMemoryReservation] = percent(t.memory_reserved_area, t.memory_registered_area);
      row.values[kRunningTaskCount] = static_cast<double>(t.levels.tasks);
      table_.rows.push_back(std::move(row));
    }
    t.cpu_reserved_area = t.memory_reserved_area = t.cpu_registered_area =
        t.memory_registered_area = 0;
  }
  auto& c = table_.rows[cluster_row].values;
  c[kCpuReservation] = percent(cpu_res, cpu_reg);
  c[kMemoryReservation] = percent(mem_res, mem_reg);
  c[kRunningTaskCount] = static_cast<double>(running);
  c[kPendingTaskCount] = static_cast<double>(pending);
  c[kContainerInstanceCount] = static_cast<double>(container_instances);
  c[kPlacementFailures] = static_cast<double>(placement_failures_);
  for (const auto& [group, counts] : groups) {
    MetricsTable::Row row{t0, "group", group,
                          std::vector<double>(table_.metric_names.size(), kNaN)};
    row.values[kRunningTaskCount] = static_cast<double>(counts.running);
    row.values[kPendingTaskCount] = static_cast<double>(counts.pending);
    table_.rows.push_back(std::move(row));
  }
  placement_failures_ = 0;
  period_start_ = now;
}

}  // namespace ecsim::detail
