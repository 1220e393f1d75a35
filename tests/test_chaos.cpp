// Chaos runs (docs/reliability.md): every scenario in scenarios/, with a seeded random sequence of
// faults added to its timeline, runs to the end with the invariant checks on (run_helpers.hpp:
// every model event, every metrics tick), and the same seed twice gives byte-identical events,
// summary and metrics. A failing run's scenario is written to <build>/chaos-failures/ so that
// `ecsim run` replays it.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/ids.hpp"
#include "ecsim/random.hpp"

#include "support/run_helpers.hpp"

using namespace ecsim;
using ecsim::testing::Run;
using ecsim::testing::run_scenario;

namespace {

// The sanitizer build (ECSIM_SANITIZER_BUILD, tests/CMakeLists.txt) runs fewer and shorter chaos
// runs and each only once: determinism is proven by the release build.
#ifdef ECSIM_SANITIZER_BUILD
constexpr std::uint64_t kSeedsPerScenario = 1;
constexpr Duration kMaxDuration = 20 * kMinute;
constexpr bool kCheckDeterminism = false;
#else
constexpr std::uint64_t kSeedsPerScenario = 3;
constexpr Duration kMaxDuration = kHour;
constexpr bool kCheckDeterminism = true;
#endif

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(ECSIM_SOURCE_DIR "/scenarios"))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

Duration json_duration(const nlohmann::json& v) {
  if (v.is_number()) return Duration(static_cast<std::int64_t>(v.get<double>() * 1e6));
  auto d = parse_duration(v.get<std::string>());
  REQUIRE(d.ok());
  return *d;
}

std::string secs(Duration d) {
  return std::to_string(d.count() / kSecond.count()) + "s";
}

// What faults can name in a scenario, read from the loaded scenario.
struct FaultTargets {
  int instances = 0;  // containerInstances are i-00000000000000001 ... in order (ids.hpp)
  std::vector<std::string> zones, services, images, sources;
  Duration duration{0};
};

FaultTargets fault_targets(const Scenario& s) {
  FaultTargets f;
  for (const InstanceGroupSpec& g : s.cluster.container_instances)
    f.instances += g.count;
  f.zones = s.cluster.availability_zones;
  std::set<std::string> services, images;
  for (const ServiceSpec& svc : s.services)
    services.insert(svc.service_name);
  for (const TaskDefinition& td : s.task_definitions)
    for (const auto& c : td.container_definitions)
      images.insert(c.image);
  for (const TimelineAction& a : s.timeline) {
    if (const auto* c = std::get_if<CreateServiceAction>(&a.input))
      services.insert(c->service.service_name);
    if (const auto* r = std::get_if<RegisterTaskDefinitionAction>(&a.input))
      for (const auto& c : r->task_definition.container_definitions)
        images.insert(c.image);
  }
  f.services.assign(services.begin(), services.end());
  f.images.assign(images.begin(), images.end());
  for (const TrafficSourceSpec& t : s.load_balancing.traffic)
    f.sources.push_back(t.name);
  f.duration = s.duration;
  return f;
}

template <class T>
const T& pick(Rng& rng, const std::vector<T>& from) {
  return from[uniform_uint(rng, 0, from.size() - 1)];
}

// `doc` (scenarios/<name>.json) with its duration capped and a random fault sequence appended to
// its timeline: 6 to 10 faults between 5 % and 90 % of the run, always one zone outage. The
// faults are drawn from the stream "chaos/<name>" of `chaos_seed`.
nlohmann::json with_chaos(nlohmann::json doc, const std::string& name, std::uint64_t chaos_seed) {
  // Cap the duration; actions after the cap go.
  if (json_duration(doc["duration"]) > kMaxDuration) {
    doc["duration"] = secs(kMaxDuration);
    if (doc.contains("timeline")) {
      nlohmann::json kept = nlohmann::json::array();
      for (const auto& a : doc["timeline"])
        if (json_duration(a.value("at", nlohmann::json("0s"))) <= kMaxDuration) kept.push_back(a);
      doc["timeline"] = kept;
    }
  }
  const FaultTargets f = fault_targets(load_scenario_text(doc.dump()));
  Rng rng = RandomStreams(chaos_seed).stream("chaos/" + name);
  const std::int64_t lo = f.duration.count() / kSecond.count() / 20;
  const std::int64_t hi = f.duration.count() / kSecond.count() * 9 / 10;
  auto at = [&] { return seconds(uniform_int(rng, lo, hi)); };
  auto window = [&] { return seconds(uniform_int(rng, 30, 600)); };
  nlohmann::json& timeline = doc["timeline"];
  if (timeline.is_null()) timeline = nlohmann::json::array();
  auto add = [&](Duration when, const char* action, nlohmann::json input) {
    timeline.push_back({{"at", secs(when)}, {"action", action}, {"input", std::move(input)}});
  };
  int terminations_left = std::max(1, f.instances / 3);  // chaos, not a cluster wiped out
  const int faults = static_cast<int>(uniform_int(rng, 6, 10));
  for (int i = 0; i < faults; ++i) {
    // The first fault is a zone outage, so every run has one.
    const int kind = i == 0 ? 1 : static_cast<int>(uniform_int(rng, 0, 6));
    const Duration when = at();
    switch (kind) {
      case 0:
        if (f.instances > 0 && terminations_left-- > 0) {
          const auto n = static_cast<std::uint64_t>(uniform_int(rng, 1, f.instances));
          add(when, "TerminateInstance", {{"instanceId", ec2_instance_id(n)}});
        }
        break;
      case 1: {
        const std::string& zone = pick(rng, f.zones);
        if (bernoulli(rng, 0.5)) {
          add(when, "FailAvailabilityZone",
              {{"availabilityZone", zone}, {"duration", secs(window())}});
        } else {  // an outage ended by RecoverAvailabilityZone (or by the end of the run)
          add(when, "FailAvailabilityZone", {{"availabilityZone", zone}});
          const Duration back = when + window();
          if (back < f.duration) add(back, "RecoverAvailabilityZone", {{"availabilityZone", zone}});
        }
        break;
      }
      case 2:
        if (!f.services.empty())
          add(when, "FailHealthChecks",
              {{"service", pick(rng, f.services)}, {"duration", secs(window())}});
        break;
      case 3:
        if (!f.images.empty())
          add(when, "FailImagePull",
              {{"image", pick(rng, f.images)}, {"duration", secs(window())}});
        break;
      case 4:
        if (!f.sources.empty()) {
          const std::vector<double> multipliers = {0, 0.5, 3, 5};
          add(when, "SetTrafficRate",
              {{"source", pick(rng, f.sources)},
               {"multiplier", pick(rng, multipliers)},
               {"duration", secs(window())}});
        }
        break;
      case 5:
        if (f.instances > 0) {
          const auto n = static_cast<std::uint64_t>(uniform_int(rng, 1, f.instances));
          add(when, "DisconnectAgent",
              {{"instanceId", ec2_instance_id(n)}, {"duration", secs(window())}});
        }
        break;
      case 6:  // Fargate reclaims Spot capacity in a zone (a no-op where no Spot task runs)
        add(when, "InterruptSpotTasks",
            {{"availabilityZone", pick(rng, f.zones)}, {"capacityUnavailableFor", secs(window())}});
        break;
    }
  }
  return doc;
}

std::string first_difference(const Run& a, const Run& b) {
  if (a.events.size() != b.events.size())
    return "event counts " + std::to_string(a.events.size()) + " and " +
           std::to_string(b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i)
    if (to_json_line(a.events[i]) != to_json_line(b.events[i]))
      return "event " + std::to_string(i) + ": " + to_json_line(a.events[i]) + " vs " +
             to_json_line(b.events[i]);
  if (a.summary.dump() != b.summary.dump()) return "summary.json";
  if (a.metrics.to_csv() != b.metrics.to_csv()) return "metrics.csv";
  return "";
}

void keep_failure(const std::string& name, std::uint64_t seed, const nlohmann::json& doc) {
  const std::filesystem::path dir = ECSIM_BINARY_DIR "/chaos-failures";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / (name + "-" + std::to_string(seed) + ".json")) << doc.dump(2) << "\n";
}

}  // namespace

TEST_CASE("chaos: every scenario survives random faults with its invariants, deterministically") {
  const auto names = scenario_names();
  REQUIRE(names.size() >= 9);
  for (const std::string& name : names) {
    for (std::uint64_t chaos_seed = 1; chaos_seed <= kSeedsPerScenario; ++chaos_seed) {
      CAPTURE(name);
      CAPTURE(chaos_seed);
      const nlohmann::json doc = with_chaos(ecsim::testing::scenario_json(name), name, chaos_seed);
      Scenario scenario;
      try {
        scenario = load_scenario_text(doc.dump());
      } catch (const ScenarioError& e) {
        keep_failure(name, chaos_seed, doc);
        FAIL("the chaos scenario does not load: " << e.what());
      }
      std::string problem;
      Run a, b;
      try {
        a = run_scenario(scenario);
        if (kCheckDeterminism) {
          b = run_scenario(scenario);
          if (auto diff = first_difference(a, b); !diff.empty())
            problem = "two runs differ: " + diff;
        }
      } catch (const std::exception& e) {
        problem = e.what();
      }
      if (!problem.empty()) keep_failure(name, chaos_seed, doc);
      CHECK_MESSAGE(problem.empty(), problem);
      // The faults happened: at least the zone outage every run has.
      if (problem.empty()) CHECK(!a.of_type("ecsim Availability Zone Change").empty());
    }
  }
}
