// RunExplainer (include/ecsim/explain.hpp): the run as the ECS console tells it, with "why:" lines.
#include "ecsim/explain.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "ecsim/task_definition.hpp"

namespace ecsim {
namespace {

using Json = nlohmann::ordered_json;

std::string text(const Json& detail, const char* key) {
  const auto it = detail.find(key);
  return it != detail.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string after_slash(const std::string& arn) {
  const auto slash = arn.rfind('/');
  return slash == std::string::npos ? arn : arn.substr(slash + 1);
}

std::string short_task_id(const std::string& arn) {
  std::string id = after_slash(arn);
  const auto nonzero = id.find_first_not_of('0');
  return nonzero == std::string::npos ? "0" : id.substr(nonzero);
}

std::int64_t integer_text(const Json& detail, const char* key) {
  const std::string s = text(detail, key);
  if (s.empty() || s.size() > 15) return 0;
  for (char c : s)
    if (c < '0' || c > '9') return 0;
  return std::stoll(s);
}

std::int64_t resource(const Json& detail, const char* name) {
  const auto it = detail.find("registeredResources");
  if (it == detail.end() || !it->is_array()) return 0;
  for (const auto& r : *it)
    if (r.is_object() && r.value("name", "") == name && r.contains("integerValue") &&
        r["integerValue"].is_number_integer())
      return r["integerValue"].get<std::int64_t>();
  return 0;
}

// "h:mm:ss.s" or "m:ss.s": simulated time since the start.
std::string clock(TimePoint t) {
  const std::int64_t us = t.time_since_epoch().count();
  const std::int64_t tenths = us / 100000;
  const std::int64_t h = tenths / 36000, m = tenths / 600 % 60, s = tenths / 10 % 60,
                     f = tenths % 10;
  char buf[48];
  if (h > 0)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld.%lld", static_cast<long long>(h),
                  static_cast<long long>(m), static_cast<long long>(s), static_cast<long long>(f));
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld.%lld", static_cast<long long>(m),
                  static_cast<long long>(s), static_cast<long long>(f));
  return buf;
}

std::string plural(std::int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The unit of a RESOURCE:* reason's numbers.
std::string resource_unit(const std::string& reason) {
  if (reason == "RESOURCE:CPU") return "CPU units";
  if (reason == "RESOURCE:MEMORY") return "MiB of memory";
  if (reason == "RESOURCE:GPU") return "GPUs";
  if (reason == "RESOURCE:ENI") return "ENI slots";
  if (reason == "RESOURCE:PORTS" || reason == "RESOURCE:PORTS_UDP") return "ports";
  return "";
}

std::string reason_explanation(const std::string& reason) {
  if (reason == "RESOURCE:CPU")
    return "no container instance that meets the task's other requirements has enough unreserved "
           "CPU units for it. Tasks reserve CPU from placement until they are STOPPED.";
  if (reason == "RESOURCE:MEMORY")
    return "no container instance that meets the task's other requirements has enough unreserved "
           "memory for it. A task reserves its memory (or memoryReservation) from placement "
           "until it is STOPPED.";
  if (reason == "RESOURCE:GPU") return "no container instance has enough free GPUs for the task.";
  if (reason == "RESOURCE:PORTS" || reason == "RESOURCE:PORTS_UDP")
    return "the task needs a host port that is already taken on the instances with room for it "
           "(a static hostPort can be used by one task per instance), or the instance ran out "
           "of ports.";
  if (reason == "RESOURCE:ENI")
    return "awsvpc tasks take an elastic network interface each; the instances have no free ENI "
           "slot (maxEnis less the primary one, more with awsvpcTrunking).";
  if (reason == "ATTRIBUTE")
    return "no container instance satisfies the placement constraints (memberOf expressions, "
           "distinctInstance) or the task definition's requirements.";
  if (reason == "AGENT")
    return "the cluster's instances are ACTIVE but their ECS agents are disconnected, so ECS "
           "cannot hand them tasks.";
  if (reason == "NO_INSTANCES")
    return "the cluster has no ACTIVE container instance at this moment: instances still "
           "launching or registering cannot take tasks yet.";
  if (reason == "MISSING")
    return "the call names a task definition (or revision) that is not registered.";
  if (reason == "INVALID_LAUNCH_TYPE")
    return "the task definition is not compatible with the launch type the call asked for.";
  return "";
}

std::string stop_code_explanation(const std::string& code) {
  if (code == "ServiceSchedulerInitiated")
    return "the service scheduler stopped it: the service scaled in, or a deployment replaced "
           "it with a task of the new task definition, or it was unhealthy or on a DRAINING "
           "instance.";
  if (code == "UserInitiated")
    return "a StopTask call stopped it. ECS sends SIGTERM, then SIGKILL after the container's "
           "stopTimeout.";
  if (code == "EssentialContainerExited")
    return "an essential container exited, and when an essential container stops ECS stops the "
           "whole task. A batch job ending with exit code 0 ends this way too.";
  if (code == "TaskFailedToStart")
    return "the task never reached RUNNING, here because an image could not be pulled "
           "(CannotPullContainerError). A service backs off before starting the next task.";
  if (code == "TerminationNotice")
    return "the instance it ran on was lost, so the task stopped at once, without a graceful "
           "stop.";
  if (code == "SpotInterruption")
    return "the Spot capacity it ran on was reclaimed, after a two-minute notice.";
  return "";
}

}  // namespace

struct RunExplainer::Impl {
  std::ostream& out;
  const Scenario* scenario;

  struct Instance {
    std::string id, type, az, status;
    std::int64_t cpu = 0, memory = 0;            // registered
    std::int64_t cpu_used = 0, memory_used = 0;  // reserved by live tasks
    std::int64_t tasks = 0;
  };
  std::map<std::string, Instance> instances;  // by EC2 id
  std::map<std::string, std::string> id_by_arn;

  struct Task {
    std::string id, definition, group, instance, desired = "RUNNING", health;
    std::int64_t cpu = 0, memory = 0;
    bool ran = false;
  };
  std::map<std::string, Task> tasks;  // live tasks by ARN

  // Lines the console groups by instant: "has started N tasks", "has stopped N running tasks".
  TimePoint pending_at{};
  std::map<std::string, std::vector<std::string>> started, stopping;  // by group: task ids
  std::map<std::string, std::set<std::string>> started_on;            // instances they went to

  std::set<std::string> explained;  // keys of explanations already given
  std::int64_t lines = 0;

  Impl(std::ostream& o, const Scenario* s) : out(o), scenario(s) {}

  void line(TimePoint t, const std::string& what) {
    out << clock(t);
    for (std::size_t n = clock(t).size(); n < 10; ++n)
      out << ' ';
    out << what << '\n';
    ++lines;
  }
  // A "why:" line, once per key.
  void why(const std::string& key, const std::string& explanation) {
    if (explanation.empty() || !explained.insert(key).second) return;
    out << "          why: " << explanation << '\n';
  }
  void also(const std::string& detail) { out << "          " << detail << '\n'; }

  static std::string group_subject(const std::string& group) {
    if (group.rfind("service:", 0) == 0) return "service " + group.substr(8);
    return "task group " + group;
  }

  void flush() {
    for (const auto& [group, ids] : started) {
      std::string msg;
      if (group.rfind("service:", 0) == 0) {
        msg = group_subject(group) + " has started " +
              plural(static_cast<std::int64_t>(ids.size()), "task", "tasks") + ":";
      } else {
        msg = "RunTask started " + plural(static_cast<std::int64_t>(ids.size()), "task", "tasks") +
              " of " + group + ":";
      }
      for (const auto& id : ids)
        msg += " (task " + id + ")";
      std::string where;
      for (const auto& i : started_on[group])
        where += (where.empty() ? "" : ", ") + i;
      line(pending_at, msg + ".");
      if (!where.empty()) also("placed on " + where);
    }
    for (const auto& [group, ids] : stopping) {
      std::string msg =
          group_subject(group) + " has stopped " +
          plural(static_cast<std::int64_t>(ids.size()), "running task", "running tasks") + ":";
      for (const auto& id : ids)
        msg += " (task " + id + ")";
      line(pending_at, msg + ".");
    }
    started.clear();
    started_on.clear();
    stopping.clear();
  }

  void on_event(const EventRecord& e) {
    if (e.time != pending_at) flush();
    pending_at = e.time;
    const Json& d = e.detail;
    if (e.detail_type == "ECS Task State Change") {
      on_task(e);
      return;
    }
    flush();  // what the console grouped at this instant comes before the event that follows
    if (e.detail_type == "ECS Container Instance State Change") {
      on_instance(e);
    } else if (e.detail_type == "ECS Service Action") {
      on_service_action(e);
    } else if (e.detail_type == "ECS Deployment State Change") {
      on_deployment(e);
    } else if (e.detail_type == "ecsim API Call Failure") {
      on_api_failure(e);
    } else if (e.detail_type == "ecsim Target Health Change") {
      on_target_health(e);
    } else {
      // A kind of event this version does not know (a later model's): say what it is.
      std::string msg = text(d, "message");
      if (msg.empty()) msg = text(d, "eventName");
      line(e.time, e.detail_type + (msg.empty() ? "" : ": " + msg));
    }
  }

  void on_instance(const EventRecord& e) {
    const Json& d = e.detail;
    const std::string id = text(d, "ec2InstanceId");
    Instance& inst = instances[id];
    const std::string status = text(d, "status");
    const bool first = inst.id.empty();
    inst.id = id;
    inst.type = text(d, "instanceType");
    inst.az = text(d, "availabilityZone");
    id_by_arn[text(d, "containerInstanceArn")] = id;
    inst.cpu = std::max(inst.cpu, resource(d, "CPU"));
    inst.memory = std::max(inst.memory, resource(d, "MEMORY"));
    if (status == inst.status && !first) return;
    const std::string previous = inst.status;
    inst.status = status;
    const std::string name = id + " (" + inst.type + ", " + inst.az + ")";
    if (status == "ACTIVE" && (previous.empty() || previous == "REGISTERING")) {
      line(e.time, "Container instance " + name + " registered with " + std::to_string(inst.cpu) +
                       " CPU units and " + std::to_string(inst.memory) + " MiB of memory.");
      why("instance-active",
          "an ACTIVE container instance with a connected agent takes tasks. Its registered "
          "CPU is 1024 units per vCPU; its memory is what the ECS agent registers, a little "
          "less than the instance type's.");
    } else if (status == "ACTIVE") {
      line(e.time, "Container instance " + id + " is ACTIVE again.");
    } else if (status == "REGISTERING") {
      line(e.time, "Container instance " + name + " launched; its ECS agent is registering.");
      why("instance-registering",
          "a new instance boots, its agent starts and registers with the cluster; only then is it "
          "ACTIVE and able to take tasks.");
    } else if (status == "DRAINING") {
      line(e.time, "Container instance " + id + " is DRAINING.");
      why("instance-draining",
          "a DRAINING instance gets no new tasks. The service scheduler replaces the service "
          "tasks on it; standalone tasks keep running until they stop.");
    } else if (status == "DEREGISTERING") {
      line(e.time, "Container instance " + id + " was lost: its agent disconnected.");
      why("instance-lost",
          "the EC2 instance was terminated. Its tasks stop at once (stopCode TerminationNotice) "
          "and services start replacements elsewhere.");
    } else if (status == "INACTIVE") {
      line(e.time, "Container instance " + id + " is INACTIVE (deregistered).");
    } else {
      line(e.time, "Container instance " + id + " is " + status + ".");
    }
  }

  void on_task(const EventRecord& e) {
    const Json& d = e.detail;
    const std::string arn = text(d, "taskArn");
    const std::string state = text(d, "lastStatus");
    const std::string desired = text(d, "desiredStatus");
    auto it = tasks.find(arn);
    if (it == tasks.end()) {
      Task t;
      t.id = short_task_id(arn);
      t.definition = after_slash(text(d, "taskDefinitionArn"));
      t.group = text(d, "group");
      t.instance = text(d, "ec2InstanceId");
      t.cpu = integer_text(d, "cpu");
      t.memory = integer_text(d, "memory");
      if (auto i = instances.find(t.instance); i != instances.end()) {
        i->second.cpu_used += t.cpu;
        i->second.memory_used += t.memory;
        ++i->second.tasks;
      }
      started[t.group].push_back(t.id);
      started_on[t.group].insert(t.instance.empty() ? "Fargate in " + text(d, "availabilityZone")
                                                    : t.instance);
      it = tasks.emplace(arn, std::move(t)).first;
    }
    Task& t = it->second;
    if (state == "RUNNING") t.ran = true;
    if (desired == "STOPPED" && t.desired != "STOPPED") {
      t.desired = "STOPPED";
      if (t.group.rfind("service:", 0) == 0 && text(d, "stopCode") == "ServiceSchedulerInitiated" &&
          t.ran)
        stopping[t.group].push_back(t.id);
    }
    const std::string health = text(d, "healthStatus");
    if (!health.empty() && health != t.health) {
      t.health = health;
      if (health == "UNHEALTHY") {
        flush();
        line(e.time, "task " + t.id + " (" + t.definition + ", " + group_subject(t.group) +
                         ") is UNHEALTHY.");
        why("unhealthy",
            "an essential container's health check failed its retries. A service replaces an "
            "unhealthy task once its healthCheckGracePeriodSeconds is over; a standalone task "
            "keeps running.");
      }
    }
    if (state != "STOPPED") return;
    flush();
    if (auto i = instances.find(t.instance); i != instances.end()) {
      i->second.cpu_used -= t.cpu;
      i->second.memory_used -= t.memory;
      --i->second.tasks;
    }
    const std::string code = text(d, "stopCode");
    const std::string reason = text(d, "stoppedReason");
    std::string where = t.instance.empty() ? "Fargate" : t.instance;
    line(e.time, "task " + t.id + " (" + t.definition + ", " + group_subject(t.group) + ", on " +
                     where + ") STOPPED" + (t.ran ? "" : " without ever RUNNING") +
                     (code.empty() ? "" : ": " + code) +
                     (reason.empty() ? "." : " \xE2\x80\x94 \"" + reason + "\""));
    for (const auto& c : d.value("containers", Json::array()))
      if (c.is_object() && c.contains("exitCode") && c["exitCode"].is_number_integer() &&
          c["exitCode"].get<int>() != 0)
        also("container " + c.value("name", std::string("?")) + " exited with code " +
             std::to_string(c["exitCode"].get<int>()) +
             (c["exitCode"].get<int>() == 137 ? " (SIGKILL)" : ""));
    why("stop:" + code, stop_code_explanation(code));
    tasks.erase(it);
  }

  void placement_numbers(const std::string& reason, const std::string& closest,
                         std::optional<std::int64_t> required,
                         std::optional<std::int64_t> available) {
    const std::string unit = resource_unit(reason);
    if (unit.empty() || closest.empty()) return;
    // What the closest instance registered and what its live tasks reserve, from the events.
    std::string books;
    if (auto i = instances.find(closest);
        i != instances.end() && (reason == "RESOURCE:CPU" || reason == "RESOURCE:MEMORY")) {
      const bool cpu = reason == "RESOURCE:CPU";
      const std::int64_t reg = cpu ? i->second.cpu : i->second.memory;
      const std::int64_t used = cpu ? i->second.cpu_used : i->second.memory_used;
      if (!available) available = reg - used;
      books = " (" + std::to_string(reg) + " registered, " + std::to_string(used) +
              " reserved by " + plural(i->second.tasks, "task", "tasks") + ")";
    }
    if (!required && !available) return;
    std::string s;
    if (required) s = "the task needs " + std::to_string(*required) + " " + unit + "; ";
    s += "the closest instance, " + closest + ", has ";
    s += available ? std::to_string(*available) + " " + unit + " available" + books
                   : "less available";
    if (!required) s += "; the task needs more";
    also(s + ".");
  }

  void on_service_action(const EventRecord& e) {
    const Json& d = e.detail;
    const std::string name = text(d, "eventName");
    line(e.time, text(d, "message") + (name.empty() ? "" : "  [" + name + "]"));
    if (name == "SERVICE_STEADY_STATE") {
      why("steady",
          "every desired task of the service is RUNNING and counted healthy, and no "
          "deployment is in progress.");
    } else if (name == "SERVICE_TASK_PLACEMENT_FAILURE") {
      const std::string reason = text(d, "reason");
      const std::string closest = id_by_arn.count(text(d, "closestContainerInstanceArn"))
                                      ? id_by_arn[text(d, "closestContainerInstanceArn")]
                                      : after_slash(text(d, "closestContainerInstanceArn"));
      std::optional<std::int64_t> required, available;
      if (d.contains("required") && d["required"].is_number_integer())
        required = d["required"].get<std::int64_t>();
      if (d.contains("available") && d["available"].is_number_integer())
        available = d["available"].get<std::int64_t>();
      if (reason.rfind("RESOURCE:", 0) == 0)
        placement_numbers(reason, closest, required, available);
      why("placement:" + reason, reason.empty() ? "" : reason + ": " + reason_explanation(reason));
      why("placement-retry",
          "the scheduler tries again every timing.schedulerRetry (15 s by default); the console "
          "repeats the message only after a placement succeeds or six hours pass.");
    } else if (name == "SERVICE_DEPLOYMENT_STALLED") {
      why("stalled",
          "starting another task would exceed maximumPercent and stopping one would take the "
          "service below minimumHealthyPercent, so the deployment cannot move. Raise "
          "maximumPercent, lower minimumHealthyPercent, or add capacity.");
    } else if (name == "SERVICE_TASK_START_IMPAIRED") {
      why("impaired",
          "tasks keep stopping before they reach RUNNING. ECS throttles new starts, doubling the "
          "wait up to 15 minutes, until a task starts or the task definition changes.");
    }
  }

  void on_deployment(const EventRecord& e) {
    const Json& d = e.detail;
    const std::string service = after_slash(text(d, "serviceArn"));
    const std::string name = text(d, "eventName");
    const std::string id = text(d, "deploymentId");
    const std::string def = after_slash(text(d, "taskDefinitionArn"));
    const std::string reason = text(d, "reason");
    if (name == "SERVICE_DEPLOYMENT_IN_PROGRESS") {
      line(e.time, "service " + service + ": deployment " + id + " of " + def + " started" +
                       (reason.empty() ? "" : " (" + reason + ")") + ".  [" + name + "]");
      if (reason.rfind("rolling back", 0) == 0)
        why("rollback",
            "the circuit breaker failed the previous deployment and its rollback "
            "option is on, so ECS deploys the last completed task definition again.");
      else
        why("deployment",
            "a rolling deployment starts tasks of the new task definition while keeping at least "
            "minimumHealthyPercent of desiredCount healthy and at most maximumPercent running, "
            "then stops the old ones.");
    } else if (name == "SERVICE_DEPLOYMENT_COMPLETED") {
      line(e.time, "service " + service + ": deployment " + id +
                       " completed; all of its tasks run " + def + ".  [" + name + "]");
    } else if (name == "SERVICE_DEPLOYMENT_FAILED") {
      line(e.time, "service " + service + ": deployment " + id + " of " + def + " FAILED" +
                       (reason.empty() ? "" : ": " + reason) + "  [" + name + "]");
      why("circuit-breaker",
          "the deployment circuit breaker counts tasks that fail to start or turn unhealthy; at "
          "half the desired count (at least 10, at most 200) it fails the deployment and starts "
          "nothing more for it.");
    } else {
      line(e.time, "service " + service + ": deployment " + id + " " + name + ".");
    }
  }

  void on_target_health(const EventRecord& e) {
    const Json& d = e.detail;
    const Json target = d.value("target", Json::object());
    std::string who = target.value("id", std::string("?"));
    if (target.contains("port") && target["port"].is_number_integer())
      who += ":" + std::to_string(target["port"].get<int>());
    const Json health = d.value("targetHealth", Json::object());
    const std::string state = health.value("state", std::string());
    const std::string reason = health.value("reason", std::string());
    const std::string description = health.value("description", std::string());
    const std::string group = text(d, "targetGroupName");
    std::string msg = "target group " + group + ": target " + who + " is " + state;
    if (!reason.empty())
      msg += " (" + reason + (description.empty() ? "" : ": " + description) + ")";
    line(e.time, msg + ".");
    if (state == "initial")
      why("target-initial",
          "a new target receives no requests until it passes HealthyThresholdCount health checks "
          "in a row, one every HealthCheckIntervalSeconds.");
    else if (state == "healthy")
      why("target-healthy",
          "it passed its health checks, so the load balancer sends it requests; a service behind "
          "a load balancer counts the task as healthy only from now on.");
    else if (state == "unhealthy")
      why("target-unhealthy",
          "it failed UnhealthyThresholdCount health checks in a row. The load balancer stops "
          "sending it requests (unless every target is unhealthy: then it fails open) and the "
          "service replaces the task once its grace period is over.");
    else if (state == "draining")
      why("target-draining",
          "its task is stopping: the target gets no new requests, requests in flight may finish, "
          "and ECS stops the task after deregistration_delay.timeout_seconds at most.");
  }

  void on_api_failure(const EventRecord& e) {
    const Json& d = e.detail;
    const std::string action = text(d, "action");
    const std::string pointer = text(d, "scenarioPointer");
    const auto failures = d.value("failures", Json::array());
    // What the task needs, from the scenario when there is one.
    std::optional<TaskReservation> needs;
    std::string definition;
    if (scenario != nullptr && !pointer.empty()) {
      for (const TimelineAction& a : scenario->timeline) {
        if (a.pointer != pointer) continue;
        if (const auto* run = std::get_if<RunTaskAction>(&a.input)) {
          definition = run->task_definition;
          const auto colon = definition.rfind(':');
          const std::string family =
              colon == std::string::npos ? definition : definition.substr(0, colon);
          int revision = 0;
          const int wanted =
              colon == std::string::npos ? 0 : std::atoi(definition.c_str() + colon + 1);
          auto consider = [&](const TaskDefinition& td) {
            if (td.family != family) return;
            ++revision;
            if (wanted == 0 || wanted == revision) needs = reservation_for(td);
          };
          for (const TaskDefinition& td : scenario->task_definitions)
            consider(td);
          for (const TimelineAction& b : scenario->timeline) {
            if (b.at > a.at) break;
            if (const auto* reg = std::get_if<RegisterTaskDefinitionAction>(&b.input))
              consider(reg->task_definition);
          }
        }
      }
    }
    line(e.time,
         action + (pointer.empty() ? "" : " (scenario " + pointer + ")") + " could not " +
             (failures.size() == 1 ? "place a task"
                                   : "place " + plural(static_cast<std::int64_t>(failures.size()),
                                                       "task", "tasks")) +
             (definition.empty() ? "" : " of " + definition) + ".");
    std::set<std::string> said;
    for (const auto& f : failures) {
      if (!f.is_object()) continue;
      const std::string reason = f.value("reason", std::string());
      const std::string detail = f.value("detail", std::string());
      if (!said.insert(reason + detail).second) continue;  // identical failures: say it once
      also(reason + ": " + detail);
      if (reason.rfind("RESOURCE:", 0) == 0) {
        std::optional<std::int64_t> required;
        if (needs && reason == "RESOURCE:CPU") required = needs->cpu_units;
        if (needs && reason == "RESOURCE:MEMORY") required = needs->memory_mib;
        if (needs && reason == "RESOURCE:GPU") required = needs->gpus;
        const std::string arn = f.value("arn", std::string());
        placement_numbers(reason, id_by_arn.count(arn) ? id_by_arn[arn] : after_slash(arn),
                          required, std::nullopt);
      }
      why("placement:" + reason, reason_explanation(reason));
    }
    why("api-failure",
        "a RunTask call returns the tasks it could not place as failures[]; unlike a service, "
        "nothing retries them.");
  }

  void finish(const Json& summary) {
    flush();
    if (!summary.is_object()) return;
    out << "\nIn all: ";
    const Json tasks_j = summary.value("tasks", Json::object());
    out << tasks_j.value("started", 0) << " tasks started, " << tasks_j.value("reachedRunning", 0)
        << " reached RUNNING";
    const Json codes = tasks_j.value("byStopCode", Json::object());
    if (!codes.empty()) {
      out << "; stopped:";
      for (const auto& [code, n] : codes.items())
        out << " " << code << " " << n.dump();
    }
    const Json failures = summary.value("placementFailures", Json::object());
    if (!failures.empty()) {
      out << "; placement failures:";
      for (const auto& [reason, n] : failures.items())
        out << " " << reason << " " << n.dump();
    }
    out << ".\n";
    const Json services = summary.value("services", Json::object());
    for (const auto& [name, svc] : services.items()) {
      out << "service " << name << ": " << svc.value("runningCount", 0) << " of "
          << svc.value("desiredCount", 0) << " desired tasks running at the end";
      const auto deployments = svc.value("deployments", Json::array());
      if (!deployments.empty()) {
        const Json& last = deployments.back();
        out << "; last deployment " << last.value("id", "") << " ("
            << after_slash(last.value("taskDefinition", "")) << ") "
            << last.value("rolloutState", "");
      }
      out << ".\n";
    }
  }
};

RunExplainer::RunExplainer(std::ostream& out, const Scenario* scenario)
    : impl_(std::make_unique<Impl>(out, scenario)) {}
RunExplainer::~RunExplainer() = default;

void RunExplainer::on_event(const EventRecord& event) {
  impl_->on_event(event);
}

void RunExplainer::finish(const nlohmann::ordered_json& summary) {
  impl_->finish(summary);
}

EventRecord event_from_json_line(std::string_view line) {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("t") || !j["t"].is_number() ||
      !j.contains("detail-type") || !j["detail-type"].is_string() || !j.contains("detail") ||
      !j["detail"].is_object())
    throw std::invalid_argument(
        "not an events.jsonl line: expected {\"t\": seconds, \"detail-type\": ..., \"detail\": "
        "{...}}");
  const double t = j["t"].get<double>();
  if (!std::isfinite(t) || t < 0 || t > 1e12)
    throw std::invalid_argument("events.jsonl line has an invalid time");
  EventRecord r;
  r.time = TimePoint(Duration(std::llround(t * 1e6)));
  r.detail_type = j["detail-type"].get<std::string>();
  r.detail = std::move(j["detail"]);
  return r;
}

}  // namespace ecsim
