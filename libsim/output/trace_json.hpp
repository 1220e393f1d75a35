// TraceJson: trace.json, the run as a timeline in the Chrome trace event format, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open.
//
// An observer of Simulation::on_event(); it never looks inside the model. Layout:
//   * one process per container instance ("i-00000000000000001 m5.large us-east-1a") and one per
//     zone for Fargate, in order of first appearance;
//   * in each, thread 0 holds the instance's status (REGISTERING, ACTIVE, DRAINING ...) and
//     threads 1, 2 ... are task lanes: a task takes the lowest free lane of its instance when it is
//     created and gives it back when it stops, so slices on a lane never overlap;
//   * a task is one "X" (complete) slice from creation to STOPPED named after its task definition,
//     with one child slice per task state (PROVISIONING, PENDING ... DEPROVISIONING);
//   * a "cluster" process carries counters of tasks by state and one instant per service event.
// ts and dur are simulated microseconds, exactly. Slices are written when they end, so memory
// holds only live tasks; the file grows with the run like events.jsonl. Nothing wall-clock.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "ecsim/event_record.hpp"
#include "ecsim/scenario.hpp"

namespace ecsim::detail {

class TraceJson {
 public:
  // Writes the opening of the document at once; `out` must outlive the observer.
  TraceJson(std::ostream& out, const Scenario& scenario);
  TraceJson(const TraceJson&) = delete;
  TraceJson& operator=(const TraceJson&) = delete;

  void on_event(const EventRecord& event);
  // Closes what is still open at `end` (the run's end) and the document.
  void finish(TimePoint end);

 private:
  struct Slice {
    std::string name;
    std::int64_t ts = 0;
    std::int64_t dur = 0;
  };
  struct OpenTask {
    std::string track;  // key into tracks_
    int pid = 0;
    int lane = 0;
    std::int64_t created = 0;
    std::string state;
    std::int64_t state_since = 0;
    // Already quoted as JSON strings: written into every slice of the task.
    std::string id;          // the task id without leading zeros
    std::string definition;  // "web:3"
    std::string group;
    std::string launch_type;
    std::string stop_code;
    std::string stopped_reason;
    std::vector<Slice> states;  // finished state slices
  };
  struct Track {  // one process: an instance, or Fargate in one zone
    int pid = 0;
    std::vector<bool> lanes_used;  // lane k+1 is busy
    int lanes_named = 0;
    std::string status;
    std::int64_t status_since = 0;
  };

  void write(const std::string& json_object);
  Track& track(const std::string& key, const std::string& label);
  void on_task(const EventRecord& e);
  void on_instance(const EventRecord& e);
  void close_task(OpenTask& task, std::int64_t end);
  void count(const std::string& state, int delta, std::int64_t ts);
  void flush_counter();

  std::ostream& out_;
  bool first_ = true;
  int next_pid_ = 2;                        // 1 is the cluster
  std::map<std::string, Track> tracks_;     // by instance id or "fargate:<zone>"
  std::map<std::string, OpenTask> tasks_;   // by task ARN, live tasks only
  std::map<std::string, int> task_counts_;  // live tasks by lastStatus, for the counter
  bool counter_pending_ = false;            // task_counts_ changed at counter_ts_
  std::int64_t counter_ts_ = 0;
  std::string scenario_name_;
};

}  // namespace ecsim::detail
