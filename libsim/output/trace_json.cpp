#include "output/trace_json.hpp"

#include <algorithm>

#include "ecsim/simulation.hpp"

namespace ecsim::detail {
namespace {

using Json = nlohmann::ordered_json;

std::int64_t micros(TimePoint t) {
  return t.time_since_epoch().count();
}

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A JSON string literal, quotes included.
std::string json_string(const std::string& s) {
  // Plain ASCII without quotes, backslashes or control characters needs no escaping: most names.
  if (std::all_of(s.begin(), s.end(),
                  [](char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }))
    return "\"" + s + "\"";
  return dump(Json(s));
}

std::string text(const Json& detail, const char* key) {
  const auto it = detail.find(key);
  return it != detail.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "arn:aws:ecs:...:task-definition/web:3" -> "web:3".
std::string after_slash(const std::string& arn) {
  const auto slash = arn.rfind('/');
  return slash == std::string::npos ? arn : arn.substr(slash + 1);
}

// A task ARN's id without its leading zeros: ".../0000...001f" -> "1f".
std::string short_task_id(const std::string& arn) {
  std::string id = after_slash(arn);
  const auto nonzero = id.find_first_not_of('0');
  return nonzero == std::string::npos ? "0" : id.substr(nonzero);
}

Json metadata(const char* name, int pid, int tid, const char* key, const Json& value) {
  Json j;
  j["ph"] = "M";
  j["name"] = name;
  j["pid"] = pid;
  j["tid"] = tid;
  j["args"] = Json{{key, value}};
  return j;
}

}  // namespace

TraceJson::TraceJson(std::ostream& out, const Scenario& scenario)
    : out_(out), scenario_name_(scenario.name) {
  out_ << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  write(dump(metadata("process_name", 1, 0, "name",
                      "cluster " + scenario.cluster.cluster_name + " (" + scenario.name + ")")));
  write(dump(metadata("process_sort_index", 1, 0, "sort_index", 1)));
  write(dump(metadata("thread_name", 1, 1, "name", "service and deployment events")));
}

void TraceJson::write(const std::string& json_object) {
  if (!first_) out_ << ",\n";
  first_ = false;
  out_ << json_object;
}

TraceJson::Track& TraceJson::track(const std::string& key, const std::string& label) {
  auto [it, inserted] = tracks_.try_emplace(key);
  if (inserted) {
    it->second.pid = next_pid_++;
    write(dump(metadata("process_name", it->second.pid, 0, "name", label)));
    write(dump(metadata("process_sort_index", it->second.pid, 0, "sort_index", it->second.pid)));
    write(dump(metadata("thread_name", it->second.pid, 0, "name",
                        key.rfind("fargate:", 0) == 0 ? "zone" : "instance status")));
  }
  return it->second;
}

void TraceJson::count(const std::string& state, int delta, std::int64_t ts) {
  // One counter event per instant, written when time moves on: a burst of state changes at one
  // instant is one sample, not one per change.
  if (counter_pending_ && ts != counter_ts_) flush_counter();
  task_counts_[state] += delta;
  counter_pending_ = true;
  counter_ts_ = ts;
}

void TraceJson::flush_counter() {
  if (!counter_pending_) return;
  counter_pending_ = false;
  std::string j = "{\"ph\":\"C\",\"name\":\"tasks by lastStatus\",\"pid\":1,\"tid\":0,\"ts\":" +
                  std::to_string(counter_ts_) + ",\"args\":{";
  bool first = true;
  for (const auto& [s, n] : task_counts_) {
    if (!first) j += ',';
    first = false;
    j += json_string(s) + ":" + std::to_string(n);
  }
  j += "}}";
  write(j);
}

void TraceJson::on_event(const EventRecord& e) {
  if (counter_pending_ && micros(e.time) != counter_ts_) flush_counter();
  if (e.detail_type == "ECS Task State Change") {
    on_task(e);
  } else if (e.detail_type == "ECS Container Instance State Change") {
    on_instance(e);
  } else {
    // Service actions, deployments, API failures and whatever later models add: an instant on
    // the cluster's event thread, with what a person needs to read it.
    Json j;
    j["ph"] = "i";
    j["s"] = "p";
    j["pid"] = 1;
    j["tid"] = 1;
    j["ts"] = micros(e.time);
    const std::string event_name = text(e.detail, "eventName");
    j["name"] = event_name.empty() ? e.detail_type : event_name;
    j["cat"] = e.detail_type;
    Json args = Json::object();
    for (const char* key : {"serviceArn", "deploymentId", "message", "reason", "action"})
      if (const std::string v = text(e.detail, key); !v.empty()) args[key] = v;
    if (const auto f = e.detail.find("failures"); f != e.detail.end()) args["failures"] = *f;
    j["args"] = std::move(args);
    write(dump(j));
  }
}

void TraceJson::on_instance(const EventRecord& e) {
  const std::string id = text(e.detail, "ec2InstanceId");
  Track& t = track(
      id, id + " " + text(e.detail, "instanceType") + " " + text(e.detail, "availabilityZone"));
  const std::string status = text(e.detail, "status");
  const std::int64_t now = micros(e.time);
  if (status == t.status) return;  // only the agent connection changed
  if (!t.status.empty() && now > t.status_since) {
    Json j;
    j["ph"] = "X";
    j["name"] = t.status;
    j["cat"] = "instance";
    j["pid"] = t.pid;
    j["tid"] = 0;
    j["ts"] = t.status_since;
    j["dur"] = now - t.status_since;
    write(dump(j));
  }
  t.status = status;
  t.status_since = now;
}

void TraceJson::on_task(const EventRecord& e) {
  const std::string arn = text(e.detail, "taskArn");
  const std::string state = text(e.detail, "lastStatus");
  const std::int64_t now = micros(e.time);
  auto it = tasks_.find(arn);
  if (it == tasks_.end()) {
    OpenTask task;
    const std::string instance = text(e.detail, "ec2InstanceId");
    const std::string zone = text(e.detail, "availabilityZone");
    task.track = instance.empty() ? "fargate:" + zone : instance;
    Track& t = track(task.track, instance.empty() ? "Fargate " + zone : instance);
    const auto free = std::find(t.lanes_used.begin(), t.lanes_used.end(), false);
    task.lane = static_cast<int>(free - t.lanes_used.begin()) + 1;
    if (free == t.lanes_used.end())
      t.lanes_used.push_back(true);
    else
      *free = true;
    if (task.lane > t.lanes_named) {
      t.lanes_named = task.lane;
      write(dump(
          metadata("thread_name", t.pid, task.lane, "name", "tasks " + std::to_string(task.lane))));
    }
    task.pid = t.pid;
    task.created = now;
    task.state = state;
    task.state_since = now;
    task.id = json_string(short_task_id(arn));
    task.definition = json_string(after_slash(text(e.detail, "taskDefinitionArn")));
    task.group = json_string(text(e.detail, "group"));
    task.launch_type = json_string(text(e.detail, "launchType"));
    it = tasks_.emplace(arn, std::move(task)).first;
    count(state, 1, now);
  }
  OpenTask& task = it->second;
  if (const std::string code = text(e.detail, "stopCode"); !code.empty()) {
    task.stop_code = code;
    task.stopped_reason = text(e.detail, "stoppedReason");
  }
  if (state != task.state) {
    task.states.push_back({task.state, task.state_since, now - task.state_since});
    count(task.state, -1, now);
    if (state != "STOPPED") count(state, 1, now);
    task.state = state;
    task.state_since = now;
  }
  if (state == "STOPPED") {
    close_task(task, now);
    // Give the lane back, so the instance's lanes stay as few as its busiest moment needs.
    tracks_.at(task.track).lanes_used[static_cast<std::size_t>(task.lane - 1)] = false;
    tasks_.erase(it);
  }
}

void TraceJson::close_task(OpenTask& task, std::int64_t end) {
  // The task slice first, then its states: viewers nest by containment, and writing the parent
  // first keeps equal-start slices in the right order for every importer. Written by hand: this
  // is the trace's hot path, and every string in it was quoted once, when the task appeared.
  const std::string where =
      ",\"pid\":" + std::to_string(task.pid) + ",\"tid\":" + std::to_string(task.lane) + ",\"ts\":";
  std::string parent = "{\"ph\":\"X\",\"name\":" + task.definition + ",\"cat\":" + task.group +
                       where + std::to_string(task.created) +
                       ",\"dur\":" + std::to_string(end - task.created) +
                       ",\"args\":{\"task\":" + task.id + ",\"group\":" + task.group +
                       ",\"launchType\":" + task.launch_type;
  if (!task.stop_code.empty())
    parent += ",\"stopCode\":" + json_string(task.stop_code) +
              ",\"stoppedReason\":" + json_string(task.stopped_reason);
  parent += "}}";
  write(parent);
  for (const Slice& s : task.states) {
    if (s.dur == 0) continue;  // a state left at the instant it was entered shows nothing
    write("{\"ph\":\"X\",\"name\":" + json_string(s.name) + ",\"cat\":\"task state\"" + where +
          std::to_string(s.ts) + ",\"dur\":" + std::to_string(s.dur) + "}");
  }
}

void TraceJson::finish(TimePoint end_time) {
  const std::int64_t end = micros(end_time);
  flush_counter();
  for (auto& [arn, task] : tasks_) {
    if (end > task.state_since)
      task.states.push_back({task.state, task.state_since, end - task.state_since});
    close_task(task, end);
  }
  tasks_.clear();
  for (auto& [id, t] : tracks_) {
    if (t.status.empty() || end <= t.status_since) continue;
    Json j;
    j["ph"] = "X";
    j["name"] = t.status;
    j["cat"] = "instance";
    j["pid"] = t.pid;
    j["tid"] = 0;
    j["ts"] = t.status_since;
    j["dur"] = end - t.status_since;
    write(dump(j));
  }
  Json other;
  other["scenario"] = scenario_name_;
  other["generator"] = std::string("ecsim ") + version();
  out_ << "\n],\"otherData\":" << dump(other) << "}\n";
}

}  // namespace ecsim::detail
