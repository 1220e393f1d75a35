// report.html and trace.json (libsim/output): escaping, the bounded series behind the charts, the
// data the page embeds, the Chrome trace's shape, and run_to_directory writing both, byte for byte
// the same on every run, and its hooks. The page in a real browser: test_report_browser.cpp.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/simulation.hpp"

#include "output/report_html.hpp"
#include "output/trace_json.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace ecsim;

namespace {

using ecsim::testing::scratch;
using ecsim::testing::slurp;

Scenario scenario_file(const std::string& name) {
  return load_scenario_file(fs::path(ECSIM_SOURCE_DIR) / "scenarios" / (name + ".json"));
}

// The JSON the page embeds in <script type="application/json" id="ecsim-data">.
json embedded_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"ecsim-data\">";
  const auto begin = html.find(open);
  REQUIRE(begin != std::string::npos);
  const auto end = html.find("</script>", begin);
  REQUIRE(end != std::string::npos);
  return json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

// A scenario whose every free-text field tries to break out of the page.
const char* const kHostile = R"({
  "name": "<script>alert(1)</script>",
  "description": "</script><script>alert(2)</script> & <!-- \u2028 \u2029 done",
  "duration": "5m",
  "cluster": {"clusterName": "<b>bold</b>", "containerInstances": [
    {"instanceType": "m5.large", "availabilityZone": "us-east-1a"}]},
  "taskDefinitions": [{"family": "web", "containerDefinitions": [
    {"name": "app", "image": "<img src=x onerror=alert(4)>", "memory": 256}]}],
  "timeline": [
    {"at": "10s", "action": "RunTask", "input": {"taskDefinition": "web", "count": 2,
      "group": "<img src=x onerror=alert(3)>", "startedBy": "</script>"}},
    {"at": "20s", "action": "RunTask", "input": {"taskDefinition": "web", "group": "g",
      "placementConstraints": [{"type": "memberOf", "expression": "attribute:x == none"}]}}]
})";

}  // namespace

TEST_CASE("html_escape turns every markup character into an entity") {
  CHECK(detail::html_escape("<a href=\"x\">Tom & Jerry's</a>") ==
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  CHECK(detail::html_escape("plain text") == "plain text");
  CHECK(detail::html_escape("") == "");
}

TEST_CASE("json_for_script escapes what could end or change a script element") {
  nlohmann::ordered_json j;
  j["name"] = "</script><!-- a&b \xE2\x80\xA8 \xE2\x80\xA9 >";
  const std::string out = detail::json_for_script(j);
  CHECK(out.find('<') == std::string::npos);
  CHECK(out.find('>') == std::string::npos);
  CHECK(out.find('&') == std::string::npos);
  CHECK(out.find("\xE2\x80\xA8") == std::string::npos);
  CHECK(out.find("\xE2\x80\xA9") == std::string::npos);
  CHECK(out.find("\\u003c/script\\u003e") != std::string::npos);
  CHECK(out.find("\\u2028") != std::string::npos);
  // Still JSON, and the same value once parsed.
  CHECK(json::parse(out)["name"] == j["name"]);
  // Invalid UTF-8 from a scenario cannot make it throw.
  nlohmann::ordered_json bad;
  bad["x"] = std::string(
      "a\xFF"
      "b");
  CHECK_NOTHROW(detail::json_for_script(bad));
}

TEST_CASE("StepSeries keeps each interval's largest value, run-length encoded") {
  detail::StepSeries s(10);  // intervals of 10 us
  s.set(0, 2);
  s.set(3, 5);   // interval 0 reaches 5
  s.set(4, 1);   // ... and ends at 1
  s.set(25, 3);  // interval 1 holds 1; interval 2 from 1 up to 3
  s.set(27, 0);
  // Interval 3 onward: 0, to the end at 60 us (interval 5).
  const json j = s.to_json(60);
  CHECK(j == json::parse("[[0,5],[1,1],[2,3],[3,0]]"));
  detail::StepSeries flat(10);
  CHECK(flat.to_json(100) == json::parse("[[0,0]]"));
  // A value that comes and goes within one interval still shows.
  detail::StepSeries blip(1000);
  blip.set(100, 1);
  blip.set(200, 0);
  CHECK(blip.to_json(5000) == json::parse("[[0,1],[1,0]]"));
}

TEST_CASE("the report of a service run embeds per-state, desired and per-deployment series") {
  const Scenario scenario = scenario_file("service-rolling-surge");
  Simulation sim(scenario);
  detail::ReportHtml report(scenario);
  sim.on_event().connect([&](const EventRecord& e) { report.on_event(e); });
  sim.run();
  report.finish(sim.now());
  const std::string html = report.render(sim.summary(), sim.metrics(), sim.now());
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<title>service-rolling-surge") != std::string::npos);
  // Self-contained: nothing is fetched (the SVG namespace URI is a name, not a request).
  for (const char* fetch :
       {"src=", "href=\"http", "url(", "@import", "fetch(", "XMLHttpRequest", "<link", "<iframe"})
    CHECK_MESSAGE(html.find(fetch) == std::string::npos, fetch);
  CHECK(html.find("data-chart=\"summary\"") != std::string::npos);

  const json data = embedded_data(html);
  CHECK(data["scenario"]["name"] == "service-rolling-surge");
  REQUIRE(data["groups"].size() == 1);
  const json& web = data["groups"][0];
  CHECK(web["name"] == "web");
  CHECK(web["service"] == true);
  // 4 desired; the rolling update (maximumPercent 200) runs 8 at its peak, then 4 again.
  auto max_of = [](const json& rle) {
    std::int64_t m = 0;
    for (const auto& p : rle)
      m = std::max(m, p[1].get<std::int64_t>());
    return m;
  };
  CHECK(max_of(web["desired"]) == 4);
  CHECK(web["desired"].back()[1] == 4);
  CHECK(max_of(web["running"]) == 8);
  CHECK(web["running"].back()[1] == 4);
  CHECK(max_of(web["states"]["RUNNING"]) == 8);
  CHECK(web["states"].contains("PENDING"));
  REQUIRE(web["deployments"].size() == 2);
  CHECK(web["deployments"][0]["definition"] == "web:1");
  CHECK(web["deployments"][1]["definition"] == "web:2");
  CHECK(web["deployments"][0]["series"].back()[1] == 0);  // the old version is gone
  CHECK(web["deployments"][1]["series"].back()[1] == 4);
  CHECK(data["instances"].size() == 4);
  CHECK(data["tasks"].size() == 8);
  // Each task's states: [time, state index, ...] into taskTables.states.
  const json& first = data["tasks"][0];
  REQUIRE(first["s"].size() >= 4);
  CHECK(first["s"][0] == 0.0);
  CHECK(data["taskTables"]["states"][first["s"][1].get<std::size_t>()] == "PENDING");
  CHECK(data["taskTables"]["definitions"][first["d"].get<std::size_t>()] == "web:1");
  CHECK(data["summary"]["services"]["web"]["deployments"].size() == 2);
  // Metrics: the cluster and each instance, with their reservation columns.
  bool cluster = false;
  for (const auto& e : data["metrics"]["entities"])
    if (e["type"] == "cluster") cluster = e["values"].contains("CPUReservation");
  CHECK(cluster);
}

TEST_CASE("a scenario's strings are text in the page, never markup") {
  const Scenario scenario = load_scenario_text(kHostile);
  const fs::path dir = scratch("report-hostile");
  run_to_directory(scenario, dir);
  const std::string html = slurp(dir / "report.html");
  // Exactly the page's own two script elements; no image element at all.
  std::size_t scripts = 0;
  for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1))
    ++scripts;
  CHECK(scripts == 2);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<b>") == std::string::npos);
  CHECK(html.find("<h1 id=\"title\">&lt;script&gt;alert(1)&lt;/script&gt;</h1>") !=
        std::string::npos);
  CHECK(html.find("<title>&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  // The data still says exactly what the scenario said, and its text holds no raw U+2028/2029
  // (line terminators to older JavaScript parsers).
  const json data = embedded_data(html);
  const auto data_at = html.find("id=\"ecsim-data\">");
  const std::string data_text = html.substr(data_at, html.find("</script>", data_at) - data_at);
  CHECK(data_text.find("\xE2\x80\xA8") == std::string::npos);
  CHECK(data_text.find("\xE2\x80\xA9") == std::string::npos);
  CHECK(data["scenario"]["description"].get<std::string>().find("\xE2\x80\xA8") !=
        std::string::npos);
  CHECK(data["scenario"]["name"] == "<script>alert(1)</script>");
  CHECK(data["scenario"]["cluster"] == "<b>bold</b>");
  bool group = false;
  for (const auto& g : data["groups"])
    group = group || g["name"] == "<img src=x onerror=alert(3)>";
  CHECK(group);
  // trace.json is JSON whatever the names.
  CHECK_NOTHROW(json::parse(slurp(dir / "trace.json")));
}

TEST_CASE("trace.json: a process per instance, lanes without overlaps, a slice per task state") {
  const Scenario scenario = scenario_file("default");
  std::ostringstream out;
  Simulation sim(scenario);
  detail::TraceJson trace(out, scenario);
  // task ARN -> (lastStatus, since) at each change
  std::map<std::string, std::vector<std::pair<std::string, std::int64_t>>> states_of;
  sim.on_event().connect([&](const EventRecord& e) {
    trace.on_event(e);
    if (e.detail_type != "ECS Task State Change") return;
    auto& v = states_of[e.detail["taskArn"].get<std::string>()];
    const std::string s = e.detail["lastStatus"].get<std::string>();
    if (v.empty() || v.back().first != s) v.emplace_back(s, e.time.time_since_epoch().count());
  });
  sim.run();
  trace.finish(sim.now());
  const json doc = json::parse(out.str());
  REQUIRE(doc["traceEvents"].is_array());
  CHECK(doc["otherData"]["scenario"] == "default");

  std::map<int, std::string> process_names;
  struct Slice {
    std::int64_t ts, dur;
    std::string name, cat;
  };
  std::map<std::pair<int, int>, std::vector<Slice>> by_thread;
  int task_slices = 0, state_slices = 0, instance_slices = 0;
  for (const auto& e : doc["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph == "M" && e["name"] == "process_name")
      process_names[e["pid"].get<int>()] = e["args"]["name"];
    if (ph != "X") continue;
    REQUIRE(e["ts"].is_number_integer());
    REQUIRE(e["dur"].is_number_integer());
    CHECK(e["dur"].get<std::int64_t>() >= 0);
    CHECK(e["ts"].get<std::int64_t>() + e["dur"].get<std::int64_t>() <= 30 * 60 * 1000000LL);
    const std::string cat = e.value("cat", "");
    if (cat == "task state")
      ++state_slices;
    else if (cat == "instance")
      ++instance_slices;
    else
      ++task_slices;
    by_thread[{e["pid"].get<int>(), e["tid"].get<int>()}].push_back(
        {e["ts"].get<std::int64_t>(), e["dur"].get<std::int64_t>(), e["name"], cat});
  }
  // The cluster, six instances and Fargate in two zones (two Fargate tasks in the scenario).
  CHECK(process_names.size() >= 7);
  CHECK(process_names.at(2).rfind("i-00000000000000001 m5.large us-east-1a", 0) == 0);
  // One task slice per task; one state slice per state each task passed through (zero-length
  // states excepted), and each instance's statuses.
  CHECK(task_slices == static_cast<int>(states_of.size()));
  int expected_states = 0;
  const std::int64_t end = sim.now().time_since_epoch().count();
  for (const auto& [arn, v] : states_of)
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i].first == "STOPPED") continue;
      const std::int64_t until = i + 1 < v.size() ? v[i + 1].second : end;
      expected_states += until > v[i].second;
    }
  CHECK(state_slices == expected_states);
  CHECK(instance_slices >= 6);
  // On every lane, slices either nest (a task and its states) or do not overlap at all.
  for (auto& [key, slices] : by_thread) {
    std::sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
      return a.ts != b.ts ? a.ts < b.ts : a.dur > b.dur;
    });
    std::vector<std::int64_t> open_ends;
    for (const Slice& s : slices) {
      while (!open_ends.empty() && open_ends.back() <= s.ts)
        open_ends.pop_back();
      if (!open_ends.empty()) CHECK_MESSAGE(s.ts + s.dur <= open_ends.back(), s.name);
      open_ends.push_back(s.ts + s.dur);
    }
  }
}

TEST_CASE("run_to_directory writes report.html and trace.json, the same bytes every run") {
  const Scenario scenario = scenario_file("service-circuit-breaker-rollback");
  const fs::path a = scratch("report-determinism-a");
  const fs::path b = scratch("report-determinism-b");
  std::vector<std::int64_t> seen;
  run_to_directory(scenario, a, {}, [&](TimePoint now, TimePoint end) {
    CHECK(end == TimePoint(scenario.duration));
    seen.push_back(now.time_since_epoch().count());
  });
  run_to_directory(scenario, b);
  for (const char* file : {"report.html", "trace.json", "events.jsonl"}) {
    CAPTURE(file);
    const std::string text = slurp(a / file);
    CHECK(text.size() > 1000);
    CHECK(text == slurp(b / file));
  }
  // The progress callback follows simulated time to the end.
  REQUIRE(seen.size() > 10);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(seen.back() == scenario.duration.count());
  // The page shows the failed deployment and the rollback.
  const json data = embedded_data(slurp(a / "report.html"));
  const auto& deployments = data["summary"]["services"]["web"]["deployments"];
  REQUIRE(deployments.size() == 3);
  CHECK(deployments[1]["rolloutState"] == "FAILED");
  bool failed_event = false;
  for (const auto& row : data["events"])
    failed_event = failed_event || row["name"] == "SERVICE_DEPLOYMENT_FAILED";
  CHECK(failed_event);
}

TEST_CASE("run_to_directory's hooks see the run it writes; a throwing hook leaves nothing") {
  const Scenario scenario = scenario_file("service-circuit-breaker-rollback");
  const fs::path dir = scratch("report-hooks");
  std::string events;
  std::uint64_t processed = 0;
  std::size_t metric_rows = 0;
  RunHooks hooks;
  hooks.attach = [&](Simulation& sim) {
    sim.on_event().connect([&](const EventRecord& r) { events += to_json_line(r) + "\n"; });
  };
  hooks.finished = [&](const Simulation& sim) {
    processed = sim.events_processed();
    metric_rows = sim.metrics().rows.size();
    CHECK_FALSE(fs::exists(dir / "summary.json"));  // not committed yet
  };
  const auto summary = run_to_directory(scenario, dir, {}, {}, hooks);
  CHECK(events == slurp(dir / "events.jsonl"));
  CHECK(processed == summary["eventsProcessed"].get<std::uint64_t>());
  CHECK(metric_rows > 0);

  const fs::path failed = scratch("report-hooks-throw");
  hooks.finished = [](const Simulation&) { throw std::runtime_error("hook failed"); };
  CHECK_THROWS_WITH(run_to_directory(scenario, failed, {}, {}, hooks), "hook failed");
  CHECK(fs::is_empty(failed));
}

TEST_CASE("a long run keeps the page bounded") {
  // 3 days of one-minute metrics; for the first 2, a task every 5 minutes (576 tasks, each
  // stopping after a minute).
  std::string timeline;
  for (int i = 0; i < 576; ++i)
    timeline += std::string(i ? "," : "") + "{\"at\": " + std::to_string(i * 300) +
                ", \"action\": \"RunTask\", \"input\": {\"taskDefinition\": \"job\"}}";
  const std::string text = R"({"name": "long", "duration": "3d", "metricsPeriod": "1m",
    "cluster": {"containerInstances": [{"instanceType": "m5.large", "availabilityZone": "a"}]},
    "taskDefinitions": [{"family": "job", "containerDefinitions": [{"name": "j", "image": "j",
      "memory": 128, "ecsim": {"exitAfter": "1m"}}]}],
    "timeline": [)" + timeline +
                           "]}";
  const Scenario scenario = load_scenario_text(text);
  Simulation sim(scenario);
  detail::ReportHtml report(scenario);
  sim.on_event().connect([&](const EventRecord& e) { report.on_event(e); });
  sim.run();
  report.finish(sim.now());
  const json data = embedded_data(report.render(sim.summary(), sim.metrics(), sim.now()));
  // Intervals of whole seconds, at most 1200 of them: 3 days / 1200 = 216 s.
  CHECK(data["bucketSeconds"] == 216.0);
  const json& running = data["groups"][0]["states"]["RUNNING"];
  for (const auto& p : running)
    CHECK(p[0].get<std::int64_t>() < detail::ReportHtml::kMaxBuckets);
  // Each task's minute of RUNNING still shows as a 1 in its interval: task i runs from about
  // i x 300 + 5 s for 60 s, so the interval holding i x 300 + 30 s reads 1.
  auto value_at = [&](std::int64_t bucket) {
    std::int64_t v = 0;
    for (const auto& p : running)
      if (p[0].get<std::int64_t>() <= bucket) v = p[1].get<std::int64_t>();
    return v;
  };
  int shown = 0;
  for (int i = 0; i < 576; ++i)
    shown += value_at((i * 300 + 30) / 216) == 1;
  CHECK(shown == 576);
  // And the page does not hold one point per event: at most two per interval.
  CHECK(running.size() <= 2 * static_cast<std::size_t>(detail::ReportHtml::kMaxBuckets));
  // 4320 one-minute periods become 1440 columns of 3 periods each.
  const json& m = data["metrics"];
  CHECK(m["periodsPerColumn"] == 3);
  CHECK(m["periods"].size() == 1440);
  CHECK(m["periods"][1] == 180.0);
  for (const auto& e : m["entities"])
    for (const auto& [name, values] : e["values"].items())
      CHECK(values.size() == 1440);
}
