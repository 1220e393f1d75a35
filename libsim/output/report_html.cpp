#include "output/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ecsim/simulation.hpp"

namespace ecsim::detail {
namespace {

using Json = nlohmann::ordered_json;

std::int64_t micros(TimePoint t) {
  return t.time_since_epoch().count();
}

double secs(std::int64_t us) {
  return static_cast<double>(us) / 1e6;
}

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
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
    if (v > (std::int64_t{1} << 50)) return 0;
  }
  return v;
}

std::int64_t resource(const Json& detail, const char* list, const char* name) {
  const auto it = detail.find(list);
  if (it == detail.end() || !it->is_array()) return 0;
  for (const auto& r : *it)
    if (r.value("name", "") == name && r.contains("integerValue") &&
        r["integerValue"].is_number_integer())
      return r["integerValue"].get<std::int64_t>();
  return 0;
}

// Rounds a metric value for the page: four decimals are more than a chart can show, and they
// keep the page small.
double rounded(double v) {
  return std::round(v * 1e4) / 1e4;
}

std::string format_number(double v) {
  char buf[64];
  if (v == std::floor(v) && std::abs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string format_seconds(double s) {
  char buf[64];
  if (s < 120)
    std::snprintf(buf, sizeof buf, "%g s", s);
  else if (s < 2 * 3600)
    std::snprintf(buf, sizeof buf, "%g min", std::round(s / 6.0) / 10.0);
  else
    std::snprintf(buf, sizeof buf, "%g h", std::round(s / 360.0) / 10.0);
  return buf;
}

// Figures on top of the page: label, value, a line of detail.
struct Figure {
  std::string label;
  std::string value;
  std::string detail;
};

std::string join_counts(const Json& object) {
  std::string out;
  if (!object.is_object()) return out;
  for (const auto& [k, v] : object.items()) {
    if (!out.empty()) out += ", ";
    out += k + " " + (v.is_number() ? format_number(v.get<double>()) : v.dump());
  }
  return out;
}

double sum_counts(const Json& object) {
  double total = 0;
  if (object.is_object())
    for (const auto& [k, v] : object.items())
      if (v.is_number()) total += v.get<double>();
  return total;
}

double num(const Json& j) {
  return j.is_number() ? j.get<double>() : 0.0;
}

std::vector<Figure> summary_figures(const Json& s) {
  std::vector<Figure> out;
  auto get = [&](const Json& j, const char* key) -> const Json& {
    static const Json kNull;
    return j.is_object() && j.contains(key) ? j[key] : kNull;
  };
  const Json& tasks = get(s, "tasks");
  if (tasks.is_object()) {
    out.push_back({"tasks started", format_number(num(get(tasks, "started"))),
                   format_number(num(get(tasks, "reachedRunning"))) + " reached RUNNING"});
    const Json& by_code = get(tasks, "byStopCode");
    out.push_back({"tasks stopped", format_number(sum_counts(by_code)),
                   by_code.empty() ? "none" : join_counts(by_code)});
  }
  const Json& inst = get(s, "containerInstances");
  if (inst.is_object())
    out.push_back({"container instances", format_number(num(get(inst, "total"))),
                   join_counts(get(inst, "byStatus"))});
  const Json& failures = get(s, "placementFailures");
  if (failures.is_object())
    out.push_back({"placement failures", format_number(sum_counts(failures)),
                   failures.empty() ? "every task found a place" : join_counts(failures)});
  const Json& services = get(s, "services");
  if (services.is_object() && !services.empty()) {
    int deployments = 0, failed = 0;
    std::string detail;
    for (const auto& [name, svc] : services.items()) {
      if (!detail.empty()) detail += "; ";
      detail += name + ": " + format_number(num(get(svc, "runningCount"))) + " of " +
                format_number(num(get(svc, "desiredCount"))) + " running";
      for (const auto& d : get(svc, "deployments")) {
        ++deployments;
        failed += d.value("rolloutState", "") == "FAILED";
      }
    }
    out.push_back({"services", std::to_string(services.size()), detail});
    out.push_back({"deployments", std::to_string(deployments),
                   failed == 0 ? "none failed" : std::to_string(failed) + " failed"});
  }
  const Json& requests = get(s, "requests");
  if (requests.is_object() && get(requests, "total").is_number()) {
    std::string detail = format_number(num(get(requests, "failed"))) + " failed";
    const Json& latency = get(requests, "latencyMs");
    if (latency.is_object() && get(latency, "p50").is_number())
      detail += "; p50 " + format_number(num(get(latency, "p50"))) + " ms, p99 " +
                format_number(num(get(latency, "p99"))) + " ms";
    out.push_back({"requests", format_number(num(get(requests, "total"))), detail});
  }
  const Json& cost = get(s, "cost");
  const Json& cost_total = cost.is_number() ? cost : get(cost, "totalUSD");
  if (cost_total.is_number()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "$%.2f", cost_total.get<double>());
    out.push_back({"cost", buf, "USD over the run"});
  }
  return out;
}

}  // namespace

std::string html_escape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string json_for_script(const nlohmann::ordered_json& value) {
  const std::string raw = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    // Outside strings JSON has none of these characters, so escaping them everywhere is exact.
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < raw.size() && raw[i + 1] == '\x80' &&
               (raw[i + 2] == '\xA8' || raw[i + 2] == '\xA9')) {
      out += raw[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// --- StepSeries -------------------------------------------------------------------------------

void StepSeries::close_through(std::int64_t bucket) {
  auto push = [&](std::int64_t b, std::int64_t v) {
    if (points_.empty() || points_.back().second != v) points_.emplace_back(b, v);
  };
  push(bucket_, bucket_max_);
  if (bucket > bucket_ + 1) push(bucket_ + 1, value_);
  bucket_ = bucket;
  bucket_max_ = value_;
}

void StepSeries::set(std::int64_t t_us, std::int64_t value) {
  const std::int64_t b = t_us / bucket_us_;
  if (b > bucket_) close_through(b);
  value_ = value;
  bucket_max_ = std::max(bucket_max_, value);
}

nlohmann::ordered_json StepSeries::to_json(std::int64_t end_us) const {
  std::vector<std::pair<std::int64_t, std::int64_t>> points = points_;
  auto push = [&](std::int64_t b, std::int64_t v) {
    if (points.empty() || points.back().second != v) points.emplace_back(b, v);
  };
  push(bucket_, bucket_max_);
  const std::int64_t last = std::max<std::int64_t>(0, (end_us - 1) / bucket_us_);
  if (last > bucket_) push(bucket_ + 1, value_);
  Json out = Json::array();
  for (const auto& [b, v] : points)
    out.push_back(Json::array({b, v}));
  return out;
}

// --- ReportHtml: collecting -------------------------------------------------------------------

ReportHtml::ReportHtml(const Scenario& scenario)
    : name_(scenario.name),
      description_(scenario.description),
      cluster_name_(scenario.cluster.cluster_name),
      seed_(scenario.seed),
      duration_us_(scenario.duration.count()),
      metrics_period_us_(scenario.metrics_period.count()),
      zones_(scenario.cluster.availability_zones) {
  // Intervals of a whole number of seconds (at least one), at most kMaxBuckets of them.
  const std::int64_t second = kSecond.count();
  const std::int64_t seconds_per_bucket =
      std::max<std::int64_t>(1, (duration_us_ / second + kMaxBuckets - 1) / kMaxBuckets);
  bucket_us_ = seconds_per_bucket * second;

  for (const ServiceSpec& s : scenario.services)
    desired_changes_.push_back(
        {0, s.service_name, s.scheduling_strategy == "DAEMON" ? -1 : s.desired_count});
  for (const TimelineAction& a : scenario.timeline) {
    const std::int64_t at = a.at.count();
    if (const auto* c = std::get_if<CreateServiceAction>(&a.input))
      desired_changes_.push_back(
          {at, c->service.service_name,
           c->service.scheduling_strategy == "DAEMON" ? -1 : c->service.desired_count});
    else if (const auto* u = std::get_if<UpdateServiceAction>(&a.input); u && u->desired_count)
      desired_changes_.push_back({at, u->service, *u->desired_count});
    else if (const auto* d = std::get_if<DeleteServiceAction>(&a.input))
      desired_changes_.push_back({at, d->service, -2});
  }
  std::stable_sort(desired_changes_.begin(), desired_changes_.end(),
                   [](const DesiredChange& a, const DesiredChange& b) { return a.t < b.t; });
}

std::size_t ReportHtml::group_index(const std::string& group) {
  if (auto it = group_by_name_.find(group); it != group_by_name_.end()) return it->second;
  const bool service = group.rfind("service:", 0) == 0;
  if (groups_.size() >= kMaxGroups) {
    if (overflow_group_ == SIZE_MAX) {
      overflow_group_ = groups_.size();
      GroupSeries g;
      g.name = "(other groups)";
      g.running = StepSeries(bucket_us_);
      groups_.push_back(std::move(g));
    }
    group_by_name_[group] = overflow_group_;
    return overflow_group_;
  }
  GroupSeries g;
  g.name = service ? group.substr(8) : group;
  g.service = service;
  g.running = StepSeries(bucket_us_);
  g.desired = StepSeries(bucket_us_);
  groups_.push_back(std::move(g));
  group_by_name_[group] = groups_.size() - 1;
  return groups_.size() - 1;
}

void ReportHtml::apply_timeline_until(std::int64_t t) {
  for (; next_desired_ < desired_changes_.size() && desired_changes_[next_desired_].t <= t;
       ++next_desired_) {
    const DesiredChange& c = desired_changes_[next_desired_];
    GroupSeries& g = groups_[group_index("service:" + c.service)];
    if (c.desired == -1) {
      g.daemon = true;
      g.desired.set(c.t, active_instances_);
    } else if (c.desired == -2) {
      g.daemon = false;  // deleted: a daemon follows the instances no more
      g.desired.set(c.t, 0);
    } else {
      g.desired.set(c.t, c.desired);
    }
  }
}

void ReportHtml::update_daemon_desired(std::int64_t t) {
  for (GroupSeries& g : groups_)
    if (g.daemon) g.desired.set(t, active_instances_);
}

void ReportHtml::on_event(const EventRecord& e) {
  const std::int64_t t = micros(e.time);
  apply_timeline_until(t);
  if (e.detail_type == "ECS Task State Change") {
    on_task(e, t);
    return;
  }
  if (e.detail_type == "ECS Container Instance State Change") {
    on_instance(e, t);
    return;
  }
  if (e.detail_type.find("Target Health") != std::string::npos) return;  // charted from metrics
  if (events_.size() >= kMaxTableRows) {
    ++events_left_out_;
    return;
  }
  Json row;
  row["t"] = secs(t);
  row["type"] = e.detail_type;
  const std::string event_name = text(e.detail, "eventName");
  row["name"] = event_name.empty() ? text(e.detail, "action") : event_name;
  row["service"] = after_slash(text(e.detail, "serviceArn"));
  std::string message = text(e.detail, "message");
  if (message.empty()) message = text(e.detail, "reason");
  if (const auto f = e.detail.find("failures"); f != e.detail.end() && f->is_array()) {
    for (const auto& failure : *f) {
      if (!message.empty()) message += " ";
      message += failure.value("reason", "") + ": " + failure.value("detail", "");
    }
  }
  row["message"] = message;
  if (event_name == "SERVICE_TASK_PLACEMENT_FAILURE") {
    row["reason"] = text(e.detail, "reason");
    row["closest"] = after_slash(text(e.detail, "closestContainerInstanceArn"));
    if (e.detail.contains("required")) row["required"] = e.detail["required"];
    if (e.detail.contains("available")) row["available"] = e.detail["available"];
  }
  if (const std::string d = text(e.detail, "deploymentId"); !d.empty()) {
    row["deployment"] = d;
    // Deployment state changes carry no message: say which deployment of what.
    if (text(e.detail, "message").empty())
      row["message"] = "deployment " + d + " of " +
                       after_slash(text(e.detail, "taskDefinitionArn")) +
                       (message.empty() ? "" : ": " + message);
  }
  events_.push_back(std::move(row));
}

void ReportHtml::on_instance(const EventRecord& e, std::int64_t t) {
  const std::string id = text(e.detail, "ec2InstanceId");
  auto [it, inserted] = instance_by_id_.try_emplace(id, instances_.size());
  if (inserted) {
    InstanceInfo info;
    info.id = id;
    info.type = text(e.detail, "instanceType");
    info.az = text(e.detail, "availabilityZone");
    instances_.push_back(std::move(info));
  }
  InstanceInfo& inst = instances_[it->second];
  inst.cpu = std::max(inst.cpu, resource(e.detail, "registeredResources", "CPU"));
  inst.memory = std::max(inst.memory, resource(e.detail, "registeredResources", "MEMORY"));
  const std::string status = text(e.detail, "status");
  if (inst.statuses.empty() || inst.statuses.back().second != status)
    inst.statuses.emplace_back(t, status);

  const bool counted = status == "ACTIVE" && e.detail.value("agentConnected", false);
  bool& was = instance_counts_[id];
  if (counted != was) {
    active_instances_ += counted ? 1 : -1;
    was = counted;
    update_daemon_desired(t);
  }
}

void ReportHtml::on_task(const EventRecord& e, std::int64_t t) {
  const std::string arn = text(e.detail, "taskArn");
  const std::string state = text(e.detail, "lastStatus");
  const bool desired_running = text(e.detail, "desiredStatus") == "RUNNING";
  auto it = live_.find(arn);
  if (it == live_.end()) {
    LiveTask live;
    live.group = group_index(text(e.detail, "group"));
    live.deployment = text(e.detail, "startedBy");
    GroupSeries& g = groups_[live.group];
    if (g.service && !live.deployment.empty()) {
      g.by_deployment.try_emplace(live.deployment, StepSeries(bucket_us_));
      g.deployment_definition[live.deployment] = after_slash(text(e.detail, "taskDefinitionArn"));
    }
    if (tasks_.size() < kMaxPlacementTasks) {
      TaskInfo info;
      info.group = static_cast<std::int64_t>(live.group);
      const std::string instance = text(e.detail, "ec2InstanceId");
      if (auto i = instance_by_id_.find(instance); i != instance_by_id_.end())
        info.instance = static_cast<std::int64_t>(i->second);
      info.az = text(e.detail, "availabilityZone");
      info.id = short_task_id(arn);
      info.definition = after_slash(text(e.detail, "taskDefinitionArn"));
      info.cpu = integer_text(e.detail, "cpu");
      info.memory = integer_text(e.detail, "memory");
      live.placement_index = static_cast<std::int64_t>(tasks_.size());
      tasks_.push_back(std::move(info));
    } else {
      ++tasks_left_out_;
    }
    it = live_.emplace(arn, std::move(live)).first;
    if (g.service && !it->second.deployment.empty())
      g.by_deployment.at(it->second.deployment).add(t, 1);
  }
  LiveTask& live = it->second;
  GroupSeries& g = groups_[live.group];
  if (state != live.state) {
    if (!live.state.empty()) g.by_state.at(live.state).add(t, -1);
    if (state != "STOPPED")
      g.by_state.try_emplace(state, StepSeries(bucket_us_)).first->second.add(t, 1);
    if (live.placement_index >= 0)
      tasks_[static_cast<std::size_t>(live.placement_index)].states.emplace_back(t, state);
    live.state = state;
  }
  const bool running = state == "RUNNING" && desired_running;
  if (running != live.running) {
    g.running.add(t, running ? 1 : -1);
    live.running = running;
  }
  if (state == "STOPPED") {
    if (g.service && !live.deployment.empty()) g.by_deployment.at(live.deployment).add(t, -1);
    live_.erase(it);
  }
}

void ReportHtml::finish(TimePoint end) {
  apply_timeline_until(micros(end));
}

// --- ReportHtml: rendering --------------------------------------------------------------------

nlohmann::ordered_json ReportHtml::metrics_json(const MetricsTable& metrics) const {
  // One array per (entity, metric) over the columns, null where a value is missing or does not
  // apply; metrics an entity never reports are left out. A long run's periods are averaged in
  // groups so that there are at most kMaxMetricColumns columns, and each entity type keeps as
  // many entities as fit kMaxMetricCells (at least kMinMetricEntities): the page stays a few MB.
  std::vector<double> periods;
  for (const auto& row : metrics.rows)
    if (periods.empty() || periods.back() != row.t) periods.push_back(row.t);
  const std::size_t per_column =
      std::max<std::size_t>(1, (periods.size() + kMaxMetricColumns - 1) / kMaxMetricColumns);
  const std::size_t columns = (periods.size() + per_column - 1) / per_column;
  const std::size_t entity_cap = std::clamp<std::size_t>(
      kMaxMetricCells / std::max<std::size_t>(1, columns), kMinMetricEntities, kMaxMetricEntities);
  Json m;
  Json column_starts = Json::array();
  for (std::size_t c = 0; c < columns; ++c)
    column_starts.push_back(periods[c * per_column]);
  m["periods"] = std::move(column_starts);
  m["periodsPerColumn"] = per_column;
  m["names"] = metrics.metric_names;

  struct Sums {
    std::vector<std::vector<double>> sum;  // metric, column
    std::vector<std::vector<int>> count;
  };
  std::map<std::pair<std::string, std::string>, std::size_t> entity_index;
  std::vector<std::pair<std::string, std::string>> entity_order;
  std::map<std::string, std::size_t> per_type;
  Json left_out = Json::object();
  std::vector<Sums> sums;
  std::size_t period = 0;
  const std::size_t names = metrics.metric_names.size();
  for (const auto& row : metrics.rows) {
    while (period < periods.size() && periods[period] != row.t)
      ++period;
    const auto key = std::make_pair(row.entity_type, row.entity);
    auto it = entity_index.find(key);
    if (it == entity_index.end()) {
      if (per_type[row.entity_type] >= entity_cap) {
        left_out[row.entity_type] = left_out.value(row.entity_type, 0) + 1;
        entity_index.emplace(key, SIZE_MAX);
        continue;
      }
      ++per_type[row.entity_type];
      it = entity_index.emplace(key, sums.size()).first;
      entity_order.push_back(key);
      sums.push_back({std::vector<std::vector<double>>(names, std::vector<double>(columns, 0)),
                      std::vector<std::vector<int>>(names, std::vector<int>(columns, 0))});
    }
    if (it->second == SIZE_MAX) continue;
    Sums& e = sums[it->second];
    const std::size_t column = period / per_column;
    for (std::size_t c = 0; c < row.values.size() && c < names; ++c) {
      if (!std::isfinite(row.values[c])) continue;
      e.sum[c][column] += row.values[c];
      ++e.count[c][column];
    }
  }
  Json entities = Json::array();
  for (std::size_t e = 0; e < entity_order.size(); ++e) {
    Json j;
    j["type"] = entity_order[e].first;
    j["name"] = entity_order[e].second;
    Json v = Json::object();
    for (std::size_t c = 0; c < names; ++c) {
      const auto& count = sums[e].count[c];
      if (std::all_of(count.begin(), count.end(), [](int n) { return n == 0; })) continue;
      Json arr = Json::array();
      for (std::size_t col = 0; col < columns; ++col)
        arr.push_back(count[col] ? Json(rounded(sums[e].sum[c][col] / count[col])) : Json(nullptr));
      v[metrics.metric_names[c]] = std::move(arr);
    }
    j["values"] = std::move(v);
    entities.push_back(std::move(j));
  }
  m["entities"] = std::move(entities);
  m["leftOut"] = std::move(left_out);
  return m;
}

std::string ReportHtml::render(const nlohmann::ordered_json& summary, const MetricsTable& metrics,
                               TimePoint end_time) const {
  const std::int64_t end = micros(end_time);
  Json data;
  data["generator"] = std::string("ecsim ") + version();
  Json scenario;
  scenario["name"] = name_;
  scenario["description"] = description_;
  scenario["cluster"] = cluster_name_;
  scenario["seed"] = summary.value("seed", seed_);
  scenario["durationSeconds"] = secs(duration_us_);
  scenario["metricsPeriodSeconds"] = secs(metrics_period_us_);
  scenario["zones"] = zones_;
  data["scenario"] = std::move(scenario);
  data["endSeconds"] = secs(end);
  data["bucketSeconds"] = secs(bucket_us_);

  Json groups = Json::array();
  for (const GroupSeries& g : groups_) {
    Json j;
    j["name"] = g.name;
    j["service"] = g.service;
    Json states = Json::object();
    for (const auto& [state, series] : g.by_state)
      states[state] = series.to_json(end);
    j["states"] = std::move(states);
    j["running"] = g.running.to_json(end);
    j["desired"] = g.service ? g.desired.to_json(end) : Json(nullptr);
    Json deployments = Json::array();
    for (const auto& [id, series] : g.by_deployment) {
      Json d;
      d["id"] = id;
      d["definition"] = g.deployment_definition.at(id);
      d["series"] = series.to_json(end);
      deployments.push_back(std::move(d));
    }
    j["deployments"] = std::move(deployments);
    groups.push_back(std::move(j));
  }
  data["groups"] = std::move(groups);

  Json instances = Json::array();
  for (const InstanceInfo& i : instances_) {
    Json j;
    j["id"] = i.id;
    j["type"] = i.type;
    j["az"] = i.az;
    j["cpu"] = i.cpu;
    j["memory"] = i.memory;
    Json statuses = Json::array();
    for (const auto& [t, s] : i.statuses)
      statuses.push_back(Json::array({secs(t), s}));
    j["statuses"] = std::move(statuses);
    instances.push_back(std::move(j));
  }
  data["instances"] = std::move(instances);

  // Tasks, compactly: names of states, task definitions and zones are indexes into tables, and
  // each task's states are a flat [time, state, time, state, ...] list.
  std::vector<std::string> state_names, definitions, zones;
  std::map<std::string, std::size_t> state_index, definition_index, zone_index;
  auto intern = [](const std::string& name, std::vector<std::string>& table,
                   std::map<std::string, std::size_t>& index) {
    auto [it, inserted] = index.try_emplace(name, table.size());
    if (inserted) table.push_back(name);
    return it->second;
  };
  Json tasks = Json::array();
  for (const TaskInfo& t : tasks_) {
    Json j;
    j["g"] = t.group;
    j["i"] = t.instance;
    j["z"] = intern(t.az, zones, zone_index);
    j["id"] = t.id;
    j["d"] = intern(t.definition, definitions, definition_index);
    j["cpu"] = t.cpu;
    j["mem"] = t.memory;
    Json states = Json::array();
    for (const auto& [at, state] : t.states) {
      states.push_back(secs(at));
      states.push_back(intern(state, state_names, state_index));
    }
    j["s"] = std::move(states);
    tasks.push_back(std::move(j));
  }
  data["tasks"] = std::move(tasks);
  data["taskTables"] = {{"states", state_names}, {"definitions", definitions}, {"zones", zones}};
  data["tasksLeftOut"] = tasks_left_out_;
  data["events"] = events_;
  data["eventsLeftOut"] = events_left_out_;
  data["summary"] = summary;
  data["metrics"] = metrics_json(metrics);

  // The page. Scenario strings reach markup only through html_escape().
  std::string html;
  html.reserve(64 * 1024);
  const std::string title = html_escape(name_);
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<meta name=\"generator\" content=\"" +
          html_escape(data["generator"].get<std::string>()) + "\">\n";
  html += "<title>" + title + " \xE2\x80\x94 ecsim report</title>\n<style>\n";
  html += report_style();
  html += "</style>\n</head>\n<body data-rendered=\"0\">\n<header>\n";
  html += "<p class=\"kicker\">ecsim run report \xC2\xB7 cluster " + html_escape(cluster_name_) +
          "</p>\n";
  html += "<h1 id=\"title\">" + title + "</h1>\n";
  if (!description_.empty())
    html += "<p class=\"description\">" + html_escape(description_) + "</p>\n";
  html += "<p class=\"meta\">seed " + html_escape(summary.value("seed", Json(seed_)).dump()) +
          " \xC2\xB7 " + html_escape(format_seconds(secs(end))) + " simulated \xC2\xB7 " +
          html_escape(summary.value("eventsProcessed", Json(0)).dump()) +
          " events \xC2\xB7 generated by " + html_escape(data["generator"].get<std::string>()) +
          "</p>\n</header>\n";
  html += "<section id=\"summary\" class=\"figures\" data-chart=\"summary\">\n";
  for (const Figure& f : summary_figures(summary))
    html += "<div class=\"figure\"><div class=\"label\">" + html_escape(f.label) +
            "</div><div class=\"value\">" + html_escape(f.value) + "</div><div class=\"detail\">" +
            html_escape(f.detail) + "</div></div>\n";
  html += "</section>\n";
  html += "<nav id=\"toc\"></nav>\n<main id=\"charts\"></main>\n";
  html +=
      "<noscript><p class=\"note\">The charts of this report are drawn by its inline script; "
      "turn on JavaScript to see them.</p></noscript>\n";
  html +=
      "<footer>Times are simulated time since the start of the run. Data: summary.json, "
      "metrics.csv and events.jsonl beside this file.</footer>\n";
  html += "<script type=\"application/json\" id=\"ecsim-data\">";
  html += json_for_script(data);
  html += "</script>\n<script>\n";
  html += report_script();
  html += "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace ecsim::detail
