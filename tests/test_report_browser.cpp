// report.html in a real browser: headless Chromium (Debian's `chromium` package) opens the report
// of several scenarios. A report fails when the browser logs anything to the console (the page
// logs nothing when all is well, and every chart failure is logged), when the page marks an error
// (data-errors, data-chart-error), when a chart it should draw is missing or has no drawing, or
// when a scenario's string became markup. The scenarios: the default, placement failures, two
// service deployments, the load balancer walk-through, and one whose strings are all markup. A
// screenshot of each report is kept as a test artifact in <build>/test-artifacts/. Skipped, saying
// so, only when /usr/bin/chromium is absent.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/simulation.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kChromium = "/usr/bin/chromium";

bool have_chromium() {
  return fs::exists(kChromium);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Browser {
  int exit_code;
  std::string out;  // the DOM after the scripts ran (--dump-dom)
  std::string log;  // Chromium's log on stderr, console messages included
};

// Runs headless Chromium on `page` with its own profile folder. `timeout` only guards against a
// browser that hangs; nothing here depends on how long a run takes.
Browser chromium(const fs::path& work, const std::string& label, const std::string& mode,
                 const fs::path& page) {
  const fs::path profile = work / "profile";
  fs::create_directories(profile);
  const std::string cmd =
      "timeout 300 '" + kChromium.string() +
      "' --headless --no-sandbox --disable-gpu --disable-background-networking "
      "--disable-component-update --disable-sync --no-first-run --disable-extensions "
      "--hide-scrollbars --user-data-dir='" +
      profile.string() + "' --enable-logging=stderr --v=0 --virtual-time-budget=5000 " + mode +
      " 'file://" + page.string() + "' >'" + (work / (label + ".out")).string() + "' 2>'" +
      (work / (label + ".log")).string() + "'";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(work / (label + ".out")),
          slurp(work / (label + ".log"))};
}

// Console messages in Chromium's log: "...:INFO:CONSOLE(12)] ..." or "...:CONSOLE:1] ...".
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos)
      out.push_back(line);
  return out;
}

// The element that carries data-chart="id", from its opening tag to the end of its figure.
std::string chart_markup(const std::string& dom, const std::string& id) {
  const std::string attr = "data-chart=\"" + id + "\"";
  const auto at = dom.find(attr);
  if (at == std::string::npos) return "";
  const auto open = dom.rfind('<', at);
  const auto end = dom.find("</figure>", at);
  return dom.substr(open, (end == std::string::npos ? dom.size() : end) - open);
}

struct Case {
  std::string name;
  std::string scenario_text;
  // Charts that must be drawn: the figure exists and holds an <svg> (or its table or boxes).
  std::vector<std::string> drawn;
  // One-line notes that must be there instead of a chart.
  std::vector<std::string> notes;
};

std::string file_text(const std::string& name) {
  return slurp(fs::path(ECSIM_SOURCE_DIR) / "scenarios" / (name + ".json"));
}

std::vector<Case> cases() {
  const std::vector<std::string> capacity = {"cluster-reservation", "instance-count",
                                             "cluster-tasks", "heatmap:CPUReservation",
                                             "heatmap:MemoryReservation"};
  auto with = [&](std::vector<std::string> v) {
    v.insert(v.end(), capacity.begin(), capacity.end());
    return v;
  };
  return {
      {"default",
       std::string(ecsim::default_scenario_text()),
       with({"tasks-by-state:family:web", "tasks-by-state:family:worker", "placement"}),
       {"deployments", "requests", "cost"}},
      {"placement-failures",
       file_text("placement-failures"),
       with({"tasks-by-state:family:static-port", "placement", "events-table"}),
       {"requests", "cost"}},
      {"service-rolling-surge",
       file_text("service-rolling-surge"),
       with({"tasks-by-state:web", "desired-running:web", "tasks-by-version:web", "deployments:web",
             "placement", "events-table"}),
       {"traffic-weights", "requests", "cost"}},
      {"service-circuit-breaker-rollback",
       file_text("service-circuit-breaker-rollback"),
       with({"tasks-by-state:web", "desired-running:web", "tasks-by-version:web", "deployments:web",
             "events-table"}),
       {"requests"}},
      {"tutorial-walkthrough",
       file_text("tutorial-walkthrough"),
       with({"tasks-by-state:hello", "desired-running:hello", "tasks-by-version:hello",
             "deployments:hello", "placement", "requests", "latency", "errors", "target-health",
             "service-utilization", "events-table"}),
       {"cost"}},
      {"hostile-names",
       R"({
         "name": "<script>alert(1)</script>",
         "description": "</script><script>alert(2)</script><img src=x onerror=alert(5)>",
         "duration": "5m",
         "cluster": {"clusterName": "<b>bold</b>", "containerInstances": [
           {"instanceType": "m5.large", "availabilityZone": "us-east-1a"}]},
         "taskDefinitions": [{"family": "web", "containerDefinitions": [
           {"name": "app", "image": "<img src=x onerror=alert(4)>", "memory": 256}]}],
         "timeline": [{"at": "10s", "action": "RunTask", "input": {"taskDefinition": "web",
           "count": 2, "group": "<img src=x onerror=alert(3)>", "startedBy": "</script>"}}]})",
       with({"tasks-by-state:<img src=x onerror=alert(3)>", "placement"}),
       {"requests"}},
  };
}

}  // namespace

TEST_CASE("the browser test runs only where Debian's chromium is installed") {
  if (!have_chromium())
    MESSAGE(
        "SKIPPED: /usr/bin/chromium is absent; install Debian's `chromium` package "
        "(scripts/install-deps.sh) to test report.html in a real browser");
  CHECK(true);
}

TEST_CASE("report.html renders every chart in headless Chromium, without a console message" *
          doctest::skip(!have_chromium())) {
  const fs::path artifacts = fs::path(ECSIM_BINARY_DIR) / "test-artifacts";
  fs::create_directories(artifacts);
  for (const Case& c : cases()) {
    CAPTURE(c.name);
    const fs::path work = fs::path(ECSIM_BINARY_DIR) / "test-scratch" / ("browser-" + c.name);
    fs::remove_all(work);
    fs::create_directories(work);
    const ecsim::Scenario scenario = ecsim::load_scenario_text(c.scenario_text);
    ecsim::run_to_directory(scenario, work / "out");
    const fs::path page = work / "out" / "report.html";
    REQUIRE(fs::exists(page));

    const Browser dom = chromium(work, "dom", "--dump-dom", page);
    REQUIRE_MESSAGE(dom.exit_code == 0, dom.log);
    const auto console = console_lines(dom.log);
    CHECK_MESSAGE(console.empty(), "console: " << (console.empty() ? "" : console.front()));

    // The script finished: it marks the body with the number of charts and notes it drew.
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_search(dom.out, m, std::regex("data-rendered=\"([0-9]+)\"")),
                    dom.out.substr(0, 2000));
    const int rendered = std::stoi(m[1]);
    CHECK(rendered >= static_cast<int>(c.drawn.size() + c.notes.size()));
    // (The page's own script text names these attributes too; look for them as attributes.)
    CHECK_FALSE(std::regex_search(dom.out, std::regex("<body[^>]*data-errors=")));
    CHECK(dom.out.find("data-chart-error=\"") == std::string::npos);
    for (const std::string& id : c.drawn) {
      CAPTURE(id);
      // Scenario strings are attribute text: the DOM serializer escapes them (< and > too).
      std::string escaped;
      for (char ch : id)
        escaped += ch == '<' ? "&lt;" : ch == '>' ? "&gt;" : std::string(1, ch);
      std::string markup = chart_markup(dom.out, escaped);
      if (markup.empty()) markup = chart_markup(dom.out, id);
      REQUIRE_MESSAGE(!markup.empty(), "missing chart");
      CHECK(markup.rfind("<figure", 0) == 0);
      const bool drawing = markup.find("<svg") != std::string::npos ||
                           markup.find("class=\"zones\"") != std::string::npos ||
                           markup.find("<table") != std::string::npos;
      CHECK_MESSAGE(drawing, markup.substr(0, 300));
      if (markup.find("<svg") != std::string::npos)
        CHECK((markup.find("<path") != std::string::npos ||
               markup.find("<rect") != std::string::npos));
    }
    for (const std::string& id : c.notes) {
      CAPTURE(id);
      const std::string markup = chart_markup(dom.out, id);
      REQUIRE_MESSAGE(!markup.empty(), "missing note");
      CHECK(markup.find("data-empty=\"true\"") != std::string::npos);
    }
    // The title is the scenario's name, as text.
    std::string title = scenario.name;
    title = std::regex_replace(title, std::regex("&"), "&amp;");
    title = std::regex_replace(title, std::regex("<"), "&lt;");
    title = std::regex_replace(title, std::regex(">"), "&gt;");
    CHECK(dom.out.find("<h1 id=\"title\">" + title + "</h1>") != std::string::npos);
    if (c.name == "hostile-names") {
      // No element came from a scenario string: two scripts (the page's), no image, no bold.
      std::size_t scripts = 0;
      for (auto at = dom.out.find("<script"); at != std::string::npos;
           at = dom.out.find("<script", at + 1))
        ++scripts;
      CHECK(scripts == 2);
      CHECK(dom.out.find("<img") == std::string::npos);
      CHECK(dom.out.find("<b>bold") == std::string::npos);
      CHECK(dom.out.find("&lt;b&gt;bold&lt;/b&gt;") != std::string::npos);
      CHECK(dom.out.find("&lt;/script&gt;&lt;script&gt;alert(2)") != std::string::npos);
    }

    const fs::path shot = artifacts / ("report-" + c.name + ".png");
    fs::remove(shot);
    const Browser png = chromium(
        work, "screenshot", "--window-size=1400,4000 --screenshot='" + shot.string() + "'", page);
    CHECK_MESSAGE(png.exit_code == 0, png.log);
    REQUIRE(fs::exists(shot));
    CHECK(fs::file_size(shot) > 20000);  // a blank page is a few kB
    const auto console2 = console_lines(png.log);
    CHECK_MESSAGE(console2.empty(), "console: " << (console2.empty() ? "" : console2.front()));
  }
}
