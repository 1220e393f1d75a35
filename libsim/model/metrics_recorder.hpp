// MetricsRecorder: CloudWatch-like periodic metrics, as time-weighted averages.
//
// Reservation levels change only when a task is placed or stops, or an instance changes status, so
// each instance keeps the integral of its levels over time and is brought up to date only when one
// of them changes (touch) and at each period's end. Cost: O(1) per change, O(instances + groups)
// per period.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ecsim/metrics.hpp"
#include "ecsim/time.hpp"

namespace ecsim::detail {

struct InstanceLevels {
  std::int64_t cpu_reserved = 0;
  std::int64_t memory_reserved = 0;
  std::int64_t cpu_registered = 0;  // counted only while ACTIVE or DRAINING
  std::int64_t memory_registered = 0;
  std::int64_t tasks = 0;
};

struct GroupCounts {
  std::int64_t running = 0;
  std::int64_t pending = 0;  // PROVISIONING, PENDING or ACTIVATING
};

class MetricsRecorder {
 public:
  MetricsRecorder();

  void add_instance(std::string id, TimePoint now);
  // The instance's levels from `now` on.
  void touch(std::size_t instance, TimePoint now, const InstanceLevels& levels);
  void count_placement_failure() { ++placement_failures_; }

  // Ends the period [period_start, now): appends its rows. `groups` are the live tasks per group.
  void close_period(TimePoint now, const std::string& cluster_name,
                    const std::map<std::string, GroupCounts>& groups,
                    std::int64_t container_instances);
  // Adds rows computed elsewhere (the load balancer's), matching columns by name; new names become
  // new columns, NaN in the rows before.
  void append(const MetricsTable& extra);
  TimePoint period_start() const { return period_start_; }
  const MetricsTable& table() const { return table_; }

 private:
  struct Track {
    std::string id;
    InstanceLevels levels;
    TimePoint last{};
    double cpu_reserved_area = 0, memory_reserved_area = 0;  // unit-microseconds
    double cpu_registered_area = 0, memory_registered_area = 0;
  };
  void advance(Track& t, TimePoint now);

  std::vector<Track> tracks_;
  TimePoint period_start_{};
  std::int64_t placement_failures_ = 0;
  MetricsTable table_;
};

}  // namespace ecsim::detail
