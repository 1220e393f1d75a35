// RunExplainer: a run told as the ECS console tells it, with plain explanations (`ecsim explain`).
//
// It reads a run's events in order (an observer of Simulation::on_event(), or the lines of an
// events.jsonl read back with event_from_json_line) and writes a narrative: container instances
// registering, draining and being lost; the service event messages ECS writes (the model's
// "ECS Service Action" messages verbatim, plus the "has started N tasks" and "has stopped N
// running tasks" lines the console shows, rebuilt from task state changes); deployments starting,
// completing, failing and rolling back; placement failures with the closest instance and the
// numbers it lacked; tasks that stopped, with their stop code and reason. After each line that
// needs it comes a "why:" line in plain words; an explanation that would repeat is given once.
//
// For placement failures it keeps, from the events alone, what each instance registered and what
// its live tasks reserve, so it can say what the closest instance had available at that moment.
// Service failures carry what the task needed; for a RunTask failure that comes from the
// scenario (pass it when there is one). Memory: the live tasks and the instances, not the events.
#pragma once

#include <memory>
#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ecsim/event_record.hpp"
#include "ecsim/scenario.hpp"

namespace ecsim {

class RunExplainer {
 public:
  // `scenario` may be null (explaining an output folder); it must outlive the explainer.
  explicit RunExplainer(std::ostream& out, const Scenario* scenario = nullptr);
  ~RunExplainer();
  RunExplainer(const RunExplainer&) = delete;
  RunExplainer& operator=(const RunExplainer&) = delete;

  void on_event(const EventRecord& event);
  // Ends the story; `summary` (summary.json, or null) adds the closing figures.
  void finish(const nlohmann::ordered_json& summary);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One line of events.jsonl back into a record. Throws std::invalid_argument on a malformed line.
EventRecord event_from_json_line(std::string_view line);

}  // namespace ecsim
