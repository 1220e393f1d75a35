// The sweep engine (include/ecsim/sweep.hpp): expansion order, errors by JSON Pointer, common
// random numbers, results independent of the number of jobs, and resume that never trusts a partial
// file.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/sweep.hpp"

using namespace ecsim;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(ECSIM_BINARY_DIR) / "test-scratch" / "sweep" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// The built-in default scenario (random placement tie-breaks, so the seed matters), inline.
Json default_base() {
  return Json::parse(default_scenario_text());
}

// A sweep over the default scenario: 2 tie-breaks x 3 sizes of the first group, `reps`
// replications.
Json small_sweep(int reps = 2) {
  Json s;
  s["name"] = "small";
  s["base"] = default_base();
  s["vary"] = Json::array(
      {{{"name", "tieBreak"},
        {"pointer", "/placement/tieBreak"},
        {"values", {"random", "lowestId"}}},
       {{"name", "n"}, {"pointer", "/cluster/containerInstances/0/count"}, {"values", {1, 2, 3}}}});
  s["replications"] = reps;
  return s;
}

std::vector<Problem> problems_of(const Json& sweep) {
  try {
    (void)expand_sweep(load_sweep_json(sweep));
    return {};
  } catch (const ScenarioError& e) {
    return e.problems();
  }
}

bool has_problem(const std::vector<Problem>& ps, const std::string& pointer,
                 const std::string& fragment) {
  for (const auto& p : ps)
    if (p.pointer == pointer && p.message.find(fragment) != std::string::npos) return true;
  return false;
}

std::string dump(const std::vector<Problem>& ps) {
  std::string out;
  for (const auto& p : ps)
    out += p.to_string() + "\n";
  return out;
}

int run_cli(const std::string& args, const fs::path& cwd) {
  const std::string cmd = "cd '" + cwd.string() + "' && '" ECSIM_CLI_PATH "' " + args + " >'" +
                          (cwd / "stdout.txt").string() + "' 2>'" + (cwd / "stderr.txt").string() +
                          "'";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE(
    "runs are the Cartesian product in file order, first axis slowest, replication innermost") {
  const SweepSpec spec = load_sweep_json(small_sweep(2));
  const std::vector<SweepRun> runs = expand_sweep(spec);
  REQUIRE(runs.size() == 2 * 3 * 2);  // 2 tie-breaks x 3 sizes x 2 replications
  std::size_t i = 0;
  for (const char* tie : {"random", "lowestId"})
    for (int n : {1, 2, 3})
      for (int r : {0, 1}) {
        CAPTURE(i);
        CHECK(runs[i].index == i);
        CHECK(runs[i].variant == i / 2);
        CHECK(runs[i].replication == r);
        CHECK(runs[i].values == std::vector<Json>{tie, n});
        const Json scenario = Json::parse(runs[i].scenario_json);
        CHECK(scenario["placement"]["tieBreak"] == tie);  // created: the base has no "placement"
        CHECK(scenario["cluster"]["containerInstances"][0]["count"] == n);
        ++i;
      }
}

TEST_CASE("common random numbers: replication r has seed base + r in every variant") {
  const SweepSpec spec = load_sweep_json(small_sweep(3));
  CHECK(spec.seed == 42);  // the base scenario's seed, as the sweep gives none
  CHECK(sweep_seed(42, 0) == 42);
  CHECK(sweep_seed(42, 2) == 44);
  std::set<std::string> hashes;
  for (const SweepRun& run : expand_sweep(spec)) {
    CHECK(run.seed == 42 + static_cast<std::uint64_t>(run.replication));
    CHECK(Json::parse(run.scenario_json)["seed"] == run.seed);  // `ecsim run` reproduces it
    CHECK(run.hash.size() == 16);
    CHECK(run.hash == sweep_run_hash(run.scenario_json));
    hashes.insert(run.hash);
  }
  CHECK(hashes.size() == 2 * 3 * 3);  // every run is a different scenario

  // The sweep's own seed replaces the base scenario's.
  Json with_seed = small_sweep(2);
  with_seed["seed"] = 1000;
  for (const SweepRun& run : expand_sweep(load_sweep_json(with_seed)))
    CHECK(run.seed == 1000 + static_cast<std::uint64_t>(run.replication));

  // Without common random numbers every run has its own seed: base seed + run index.
  Json independent = small_sweep(2);
  independent["commonRandomNumbers"] = false;
  std::uint64_t expected = 42;
  for (const SweepRun& run : expand_sweep(load_sweep_json(independent)))
    CHECK(run.seed == expected++);

  // Variants that differ in nothing the model reads see the same random numbers, so their
  // results are equal replication by replication, while replications differ from each other.
  Json same = small_sweep(2);
  same["vary"] = Json::array({{{"pointer", "/description"}, {"values", {"first", "second"}}}});
  const SweepOutcome outcome = run_sweep(load_sweep_json(same), {});
  REQUIRE(outcome.summaries.size() == 4);
  CHECK(outcome.summaries[0] == outcome.summaries[2]);  // replication 0 of both variants
  CHECK(outcome.summaries[1] == outcome.summaries[3]);  // replication 1 of both variants
  CHECK(outcome.summaries[0] != outcome.summaries[1]);  // seeds 42 and 43 place differently
}

TEST_CASE("sweep problems are reported by JSON Pointer into the sweep document") {
  SUBCASE("pointers that cannot be set") {
    Json s = small_sweep();
    s["vary"] = Json::array({
        {{"pointer", "cluster/clusterName"}, {"values", {"a"}}},                // no leading slash
        {{"pointer", "/cluster/containerInstances/9/count"}, {"values", {1}}},  // no element 9
        {{"pointer", "/seed"}, {"values", {1, 2}}},                             // the sweep's job
        {{"pointer", "/name/x"}, {"values", {1}}},                              // inside a string
        {{"pointer", ""}, {"values", {1}}},                                     // everything
    });
    const auto ps = problems_of(s);
    CHECK_MESSAGE(has_problem(ps, "/vary/0/pointer", "is not a JSON Pointer"), dump(ps));
    CHECK_MESSAGE(has_problem(ps, "/vary/1/pointer", "is not one of their indexes (0..3)"),
                  dump(ps));
    CHECK_MESSAGE(has_problem(ps, "/vary/2/pointer", "use \"replications\""), dump(ps));
    CHECK_MESSAGE(has_problem(ps, "/vary/3/pointer", "/name is a string"), dump(ps));
    CHECK_MESSAGE(has_problem(ps, "/vary/4/pointer", "whole scenario"), dump(ps));
  }
  SUBCASE("a value that makes the scenario invalid is blamed on that value") {
    Json s = small_sweep();
    s["vary"][1] = {{"pointer", "/cluster/containerInstances/0/instanceType"},
                    {"values", {"m5.large", "m5.huge"}}};
    const auto ps = problems_of(s);
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].pointer == "/vary/1/values/1");
    CHECK(ps[0].message.find("/cluster/containerInstances/0/instanceType: unknown instance type "
                             "\"m5.huge\"") != std::string::npos);
  }
  SUBCASE("a mistyped member name is an unknown key of the scenario") {
    Json s = small_sweep();
    s["vary"] = Json::array({{{"pointer", "/placment/tieBreak"}, {"values", {"random"}}}});
    const auto ps = problems_of(s);
    CHECK_MESSAGE(has_problem(ps, "/vary/0/values/0", "did you mean \"placement\"?"), dump(ps));
  }
  SUBCASE("the sweep file itself: unknown keys, ranges, repeats and overlaps") {
    Json s = small_sweep();
    s["replicatons"] = 3;
    s["replications"] = 0;
    s["vary"][0]["values"] = {"random", "random"};
    s["vary"][1]["pointer"] = "/placement";
    s["vary"].push_back(
        {{"pointer", "/duration"}, {"pointers", {"/duration"}}, {"values", {"1h"}}});
    s["vary"].push_back({{"name", "run"}, {"pointer", "/description"}, {"values", {"x"}}});
    const auto ps = problems_of(s);
    CHECK_MESSAGE(has_problem(ps, "/replicatons", "did you mean \"replications\"?"), dump(ps));
    CHECK_MESSAGE(has_problem(ps, "/replications", ""), dump(ps));
    CHECK_MESSAGE(has_problem(ps, "/vary/0/values/1", "repeats value 0"), dump(ps));
    CHECK_MESSAGE(has_problem(ps, "/vary/1", "overlaps \"/placement/tieBreak\""), dump(ps));
    CHECK_MESSAGE(has_problem(ps, "/vary/2", "exactly one of \"pointer\""), dump(ps));
    CHECK_MESSAGE(has_problem(ps, "/vary/3/name", "results table's own columns"), dump(ps));
  }
  SUBCASE("an inline base scenario's problems are under /base") {
    Json s = small_sweep();
    s["base"]["duraton"] = "5m";
    const auto ps = problems_of(s);
    CHECK_MESSAGE(has_problem(ps, "/base/duraton", "did you mean \"duration\"?"), dump(ps));
  }
  SUBCASE("a base file that does not exist, or that is invalid") {
    const fs::path dir = scratch("bad-base");
    std::ofstream(dir / "bad.json") << R"({"name": "b", "duraton": "5m"})";
    Json s = small_sweep();
    s["base"] = "bad.json";
    s["vary"] = Json::array();
    auto ps = problems_of(s);  // resolved against the current folder, not the scratch folder
    CHECK_MESSAGE(has_problem(ps, "/base", "no such file"), dump(ps));
    try {
      (void)load_sweep_json(s, dir);
      FAIL("expected a ScenarioError");
    } catch (const ScenarioError& e) {
      CHECK_MESSAGE(has_problem(e.problems(), "/base", "bad.json at /duraton: unknown key"),
                    dump(e.problems()));
    }
  }
}

TEST_CASE("a sweep file's base path resolves against the sweep file's folder") {
  const SweepSpec spec = load_sweep_file(ECSIM_SOURCE_DIR "/sweeps/default-tiebreak.json");
  CHECK(spec.base_source == "../scenarios/default.json");
  CHECK(fs::equivalent(spec.base_dir, ECSIM_SOURCE_DIR "/scenarios"));
  CHECK(expand_sweep(spec).size() == 8);
  for (const auto& entry : fs::directory_iterator(ECSIM_SOURCE_DIR "/sweeps")) {
    if (entry.path().extension() != ".json") continue;
    CAPTURE(entry.path().string());
    CHECK_NOTHROW(expand_sweep(load_sweep_file(entry.path())));
  }
}

TEST_CASE("summaries flatten to dotted columns; the table keeps run order and CSV quoting") {
  const auto flat = flatten_summary(nlohmann::ordered_json::parse(
      R"({"z": 1, "a": {"b": 2, "c": [1, 2], "d": {}}, "s": "x,y"})"));
  REQUIRE(flat.size() == 4);
  CHECK(flat[0].first == "z");
  CHECK(flat[1].first == "a.b");
  CHECK(flat[2].first == "a.c");
  CHECK(flat[3].first == "s");

  SweepSpec spec;
  spec.axes.push_back({"strategy", {"/placement/runTaskDefaultStrategy"}, {"binpack", "spread"}});
  std::vector<SweepRun> runs(2);
  runs[0] = {0, 0, 0, 7, {Json("binpack")}, "{}", "00000000000000aa"};
  runs[1] = {1, 1, 0, 7, {Json("spread")}, "{}", "00000000000000bb"};
  const std::vector<nlohmann::ordered_json> summaries = {
      nlohmann::ordered_json::parse(R"({"seed": 7, "failures": {"RESOURCE:CPU": 2}})"),
      nlohmann::ordered_json::parse(R"({"seed": 7, "note": "a \"b\", c", "failures": {}})")};
  const SweepTable table = sweep_table(spec, runs, summaries);
  // "seed" is the sweep's own column, so the summary's copy is left out.
  CHECK(table.to_csv() ==
        "run,variant,replication,seed,hash,strategy,failures.RESOURCE:CPU,note\n"
        "0,0,0,7,00000000000000aa,binpack,2,\n"
        "1,1,0,7,00000000000000bb,spread,,\"a \"\"b\"\", c\"\n");
}

TEST_CASE("results.csv is byte-identical for any number of jobs") {
  const SweepSpec spec = load_sweep_json(small_sweep(3));
  std::string first;
  for (int jobs : {1, 2, 4}) {
    CAPTURE(jobs);
    const fs::path dir = scratch("jobs-" + std::to_string(jobs));
    SweepOptions options;
    options.jobs = jobs;
    options.out = dir;
    const SweepOutcome outcome = run_sweep(spec, options);
    CHECK(outcome.ran == 18);
    const std::string csv = slurp(dir / "results.csv");
    CHECK(csv == outcome.table.to_csv());
    if (first.empty())
      first = csv;
    else
      CHECK(csv == first);
  }
  CHECK(first.find("tasks.started") != std::string::npos);
}

TEST_CASE("resume: finished runs are not run again; torn and temporary files are never trusted") {
  const SweepSpec spec = load_sweep_json(small_sweep(2));
  const fs::path dir = scratch("resume");
  SweepOptions options;
  options.jobs = 2;
  options.out = dir;
  const SweepOutcome full = run_sweep(spec, options);
  REQUIRE(full.ran == 12);
  const std::string csv = slurp(dir / "results.csv");

  SUBCASE("everything done: nothing runs") {
    const SweepOutcome again = run_sweep(spec, options);
    CHECK(again.ran == 0);
    CHECK(again.reused == 12);
    CHECK(slurp(dir / "results.csv") == csv);
  }
  SUBCASE("an interrupted sweep resumes where it stopped") {
    const fs::path dir2 = scratch("resume-interrupted");
    SweepOptions interrupted = options;
    interrupted.out = dir2;
    interrupted.jobs = 1;
    int finished = 0;
    interrupted.on_run_done = [&](const SweepRun&, bool) {
      if (++finished == 5) throw std::runtime_error("interrupted");
    };
    CHECK_THROWS_WITH(run_sweep(spec, interrupted), "interrupted");
    CHECK_FALSE(fs::exists(dir2 / "results.csv"));
    interrupted.on_run_done = nullptr;
    const SweepOutcome resumed = run_sweep(spec, interrupted);
    CHECK(resumed.reused == 5);
    CHECK(resumed.ran == 7);
    CHECK(slurp(dir2 / "results.csv") == csv);
  }
  SUBCASE("a stray temporary file and a torn run file are run again") {
    const SweepRun& deleted = full.runs[3];
    const SweepRun& torn = full.runs[7];
    const std::string record = slurp(dir / "runs" / (deleted.hash + ".json"));
    fs::remove(dir / "runs" / (deleted.hash + ".json"));
    // What a crash in the middle of writing leaves: a temporary file with half a record ...
    const fs::path temp = dir / "runs" / ("." + deleted.hash + ".json.tmp-99999-0");
    std::ofstream(temp, std::ios::binary) << record.substr(0, record.size() / 2);
    // ... and, from a writer that is not atomic, a run file cut short.
    const fs::path torn_path = dir / "runs" / (torn.hash + ".json");
    const std::string torn_record = slurp(torn_path);
    std::ofstream(torn_path, std::ios::binary | std::ios::trunc)
        << torn_record.substr(0, torn_record.size() - 40);

    std::set<std::size_t> ran;
    SweepOptions resume = options;
    resume.on_run_done = [&](const SweepRun& run, bool reused) {
      if (!reused) ran.insert(run.index);
    };
    const SweepOutcome again = run_sweep(spec, resume);
    CHECK(ran == std::set<std::size_t>{3, 7});
    CHECK(again.reused == 10);
    CHECK(slurp(dir / "results.csv") == csv);
    CHECK(slurp(torn_path) == torn_record);  // rewritten whole
    CHECK(slurp(dir / "runs" / (deleted.hash + ".json")) == record);
    CHECK(fs::exists(temp));  // left alone: not ours to delete (another writer may own it)
  }
  SUBCASE("a record whose scenario does not match its name is not trusted") {
    const SweepRun& run = full.runs[0];
    const fs::path path = dir / "runs" / (run.hash + ".json");
    auto record = nlohmann::ordered_json::parse(slurp(path));
    record["scenario"]["name"] = "something else";  // as if two scenarios shared a hash
    std::ofstream(path, std::ios::binary | std::ios::trunc) << record.dump(1);
    CHECK_FALSE(SweepStore(dir).load(run).has_value());
    CHECK(run_sweep(spec, options).ran == 1);
  }
}

TEST_CASE("ecsim sweep: --jobs 1 and 2 write the same results.csv; a bad sweep exits 1") {
  const fs::path dir = scratch("cli");
  const std::string sweep = "'" ECSIM_SOURCE_DIR "/sweeps/default-tiebreak.json'";
  CHECK(run_cli("sweep " + sweep + " --jobs 1 --out j1", dir) == 0);
  CHECK(run_cli("sweep " + sweep + " --jobs 2 --out j2 --quiet", dir) == 0);
  CHECK(slurp(dir / "stdout.txt").empty());
  const std::string csv = slurp(dir / "j1" / "results.csv");
  CHECK(csv.find("tieBreak,zoneAInstances") != std::string::npos);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 9);  // header + 2 x 2 variants x 2 replications
  CHECK(slurp(dir / "j2" / "results.csv") == csv);
  // The same sweep through the library gives the same bytes.
  CHECK(run_sweep(load_sweep_file(ECSIM_SOURCE_DIR "/sweeps/default-tiebreak.json"), {})
            .table.to_csv() == csv);

  std::ofstream(dir / "bad.json") << R"({"base": "nowhere.json", "vary": [], "jobs": 2})";
  CHECK(run_cli("sweep bad.json --out bad", dir) == 1);
  const std::string err = slurp(dir / "stderr.txt");
  CHECK(err.find("/base: cannot read") != std::string::npos);
  CHECK(err.find("/jobs: unknown key") != std::string::npos);
  CHECK(run_cli("sweep", dir) == 2);
  CHECK(run_cli("sweep bad.json --jobs 0", dir) == 2);
}
