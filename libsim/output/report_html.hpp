// ReportHtml: report.html, one self-contained page that shows a run to a person.
//
// An observer of Simulation::on_event() (it never looks inside the model) that keeps what the
// charts need while the run goes on, then renders the page from that, the run's summary
// (summary.json) and its metrics (metrics.csv):
//   * summary figures; tasks per state and desired vs running per service (or task group);
//     each service's deployments as tasks by task definition revision, with their rollout bars;
//     placement: which tasks sit on which instances at a moment chosen with a slider;
//     per-instance CPU, memory and task heat maps; cluster reservation, instance count,
//     placement failures; the service events and placement failures as tables;
//   * from metrics columns, when a run has them: request rate, latency percentiles, errors,
//     target health, cost. Columns no chart claims get a chart of their own, so a new metric
//     shows up without a change here. Where a model is absent the page says so in a line.
//
// The page has no external resources: inline CSS, inline SVG drawn by a small inline script, and
// the data as JSON in <script type="application/json">. Every string that comes from a scenario
// goes through html_escape() in markup, and through json_for_script() (which escapes <, >, & and
// U+2028/2029) in the data, so no name can close a tag or a script; the script only ever sets
// text with textContent.
//
// Memory is bounded whatever the run's length: event-derived series are kept on a grid of at
// most kMaxBuckets intervals per series as run-length-encoded maxima (so a task that is PENDING
// for one second still shows in a day-long run), the placement view keeps the first
// kMaxPlacementTasks tasks, tables the first kMaxTableRows rows, and metrics at most
// kMaxMetricColumns columns (longer runs average consecutive periods) for as many entities of
// each type as fit kMaxMetricCells; the page says what it left out. Output is deterministic: no
// wall-clock values, only the generator's version.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecsim/event_record.hpp"
#include "ecsim/metrics.hpp"
#include "ecsim/scenario.hpp"

namespace ecsim::detail {

// Text for HTML element content and attribute values: & < > " ' become entities.
std::string html_escape(std::string_view text);
// JSON text safe inside <script type="application/json">: <, >, & and U+2028/U+2029 become \u
// escapes, so "</script>" or "<!--" in a string cannot end or change the script element.
std::string json_for_script(const nlohmann::ordered_json& value);

// The page's stylesheet and script (libsim/output/report_script.cpp).
std::string_view report_style();
std::string_view report_script();

// A step function of time kept on a fixed grid: each interval holds the largest value the
// function took in it. Stored as (interval, value) pairs where the value changes.
class StepSeries {
 public:
  StepSeries() = default;
  explicit StepSeries(std::int64_t bucket_us) : bucket_us_(bucket_us) {}
  // The function takes `value` from time `t_us` on; times must not decrease.
  void set(std::int64_t t_us, std::int64_t value);
  void add(std::int64_t t_us, std::int64_t delta) { set(t_us, value_ + delta); }
  std::int64_t value() const { return value_; }
  // [[interval, value], ...] up to the interval holding `end_us`.
  nlohmann::ordered_json to_json(std::int64_t end_us) const;

 private:
  void close_through(std::int64_t bucket);
  std::int64_t bucket_us_ = 1;
  std::int64_t bucket_ = 0;      // the open interval
  std::int64_t bucket_max_ = 0;  // its largest value so far
  std::int64_t value_ = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> points_;  // closed intervals, changes only
};

class ReportHtml {
 public:
  static constexpr std::int64_t kMaxBuckets = 1200;
  static constexpr std::size_t kMaxPlacementTasks = 20000;
  static constexpr std::size_t kMaxTableRows = 500;
  static constexpr std::size_t kMaxGroups = 40;
  static constexpr std::size_t kMaxMetricColumns = 2000;  // periods, averaged beyond
  static constexpr std::size_t kMaxMetricCells = 150000;  // columns x entities, per type
  static constexpr std::size_t kMinMetricEntities = 20;   // per type, whatever the columns
  static constexpr std::size_t kMaxMetricEntities = 300;  // per type

  explicit ReportHtml(const Scenario& scenario);
  ReportHtml(const ReportHtml&) = delete;
  ReportHtml& operator=(const ReportHtml&) = delete;

  void on_event(const EventRecord& event);
  // After the last event: applies what the scenario changed after it (desired counts).
  void finish(TimePoint end);
  // The page, after finish(): `end` is the simulated time the run reached.
  std::string render(const nlohmann::ordered_json& summary, const MetricsTable& metrics,
                     TimePoint end) const;

 private:
  struct GroupSeries {  // one service or task group
    std::string name;
    bool service = false;
    std::map<std::string, StepSeries> by_state;                // live tasks by lastStatus
    StepSeries running;                                        // RUNNING with desiredStatus RUNNING
    StepSeries desired;                                        // services only
    std::map<std::string, StepSeries> by_deployment;           // live tasks by startedBy
    std::map<std::string, std::string> deployment_definition;  // startedBy -> "web:2"
    bool daemon = false;
  };
  struct InstanceInfo {
    std::string id;
    std::string type;
    std::string az;
    std::int64_t cpu = 0, memory = 0;
    std::vector<std::pair<std::int64_t, std::string>> statuses;  // (time, status)
  };
  struct TaskInfo {
    std::int64_t group = -1;     // index into groups_
    std::int64_t instance = -1;  // index into instances_, -1 on Fargate
    std::string az;
    std::string id;          // short task id
    std::string definition;  // "web:3"
    std::int64_t cpu = 0, memory = 0;
    std::vector<std::pair<std::int64_t, std::string>> states;  // (time, lastStatus)
  };
  struct LiveTask {
    std::string state;
    bool running = false;  // counted in `running`
    std::size_t group = 0;
    std::string deployment;
    std::int64_t placement_index = -1;  // into tasks_, or -1 when over the cap
  };

  std::size_t group_index(const std::string& group);
  void on_task(const EventRecord& e, std::int64_t t);
  void on_instance(const EventRecord& e, std::int64_t t);
  void apply_timeline_until(std::int64_t t);
  void update_daemon_desired(std::int64_t t);
  nlohmann::ordered_json metrics_json(const MetricsTable& metrics) const;

  std::string name_;
  std::string description_;
  std::string cluster_name_;
  std::uint64_t seed_ = 0;
  std::int64_t duration_us_ = 0;
  std::int64_t metrics_period_us_ = 0;
  std::int64_t bucket_us_ = 1;
  std::vector<std::string> zones_;

  // Desired counts change only through the scenario's own calls (CreateService, UpdateService,
  // DeleteService), so they are read from it: (time, service, desired), in time order.
  struct DesiredChange {
    std::int64_t t;
    std::string service;
    int desired;  // -1: a DAEMON service is created
  };
  std::vector<DesiredChange> desired_changes_;
  std::size_t next_desired_ = 0;
  int active_instances_ = 0;  // ACTIVE with the agent connected: a daemon's desired count
  std::map<std::string, bool> instance_counts_;  // instance id -> counted in active_instances_

  std::vector<GroupSeries> groups_;
  std::map<std::string, std::size_t> group_by_name_;
  std::size_t overflow_group_ = SIZE_MAX;
  std::vector<InstanceInfo> instances_;
  std::map<std::string, std::size_t> instance_by_id_;
  std::vector<TaskInfo> tasks_;
  std::size_t tasks_left_out_ = 0;
  std::map<std::string, LiveTask> live_;                             // by task ARN, until STOPPED
  nlohmann::ordered_json events_ = nlohmann::ordered_json::array();  // the events table
  std::size_t events_left_out_ = 0;
};

}  // namespace ecsim::detail
