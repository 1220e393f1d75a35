// Parameter sweeps: one base scenario, values to vary at JSON Pointers, replications; one row of
// results per run.
//
// A sweep file (SWEEP.json, docs in README.md "Python and sweeps") names the base scenario (a path,
// relative to the sweep file, or the scenario object itself), a list of axes (each a JSON Pointer,
// or several pointers set together, and the list of values to put there) and a number of
// replications. A pointer may add a member to an object (missing parent objects are created) or
// replace an existing array element; the seed is the sweep's to set. What it guarantees:
// * Order. Runs are the Cartesian product of the axes' values in file order, the first axis
//   varying slowest, with the replication innermost: run = variant * replications + replication,
//   exactly like Python's itertools.product(axis0, axis1, ..., range(replications)).
// * Common random numbers. Replication r runs with seed = base seed + r, whatever the variant, so
//   every variant sees the same random streams and differences between variants are the model's,
//   not noise ("commonRandomNumbers": false gives every run its own seed, base seed + run index).
//   The base seed is the sweep's "seed", else the base scenario's. Each run's scenario
//   document carries its seed, so `ecsim run` on that document reproduces the run exactly.
// * Identical results for any number of jobs. Runs share nothing; the results table is written in
//   run order after every run has finished, so results.csv is byte-identical for --jobs 1 or 32,
//   and for the Python pool and Dask front ends, which use the same functions.
// * Resume. Each finished run is stored as runs/<hash>.json (written to a temporary file and
//   renamed, so it is complete or absent). hash is the 64-bit FNV-1a, in 16 hex digits, of
//   "ecsim <version>\n" + the canonical text of the run's scenario (sorted keys, seed included).
//   A later sweep into the same folder takes a run as done only when runs/<hash>.json parses and
//   holds the same scenario text; temporary files are never read. One sweep at a time per output
//   folder.
//
// Cost: expanding validates the base, each axis value on its own and every variant (one scenario
// load each, so a bad value is reported at its own JSON Pointer). Running costs one scenario load
// plus one simulation per run that is not already done.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecsim {

// One thing to vary: every pointer in `pointers` is set to the same value, one value per variant.
struct SweepAxis {
  std::string name;                   // the results column; defaults to the first pointer
  std::vector<std::string> pointers;  // JSON Pointers into the base scenario (RFC 6901)
  std::vector<nlohmann::json> values;
};

struct SweepSpec {
  std::string name = "sweep";
  std::string description;
  nlohmann::json base;             // the base scenario document
  std::string base_source;         // where it came from, for messages ("inline" or a path)
  std::filesystem::path base_dir;  // the base scenario's folder: its relative paths resolve here
  std::vector<SweepAxis> axes;
  int replications = 1;
  std::uint64_t seed = 1;  // the base seed (see sweep_seed)
  // true (the default): replication r has the same seed in every variant. false: every run has
  // its own seed, base seed + run index.
  bool common_random_numbers = true;
};

// The seed of replication `replication` with common random numbers: base_seed + replication, the
// same for every variant.
std::uint64_t sweep_seed(std::uint64_t base_seed, int replication);

// Parse and validate a sweep document; throw ScenarioError with every problem by JSON Pointer into
// the sweep document (a problem inside the base scenario is reported under /base, with the
// scenario's own pointer in the message when the base is a file). `dir` is where a relative base
// path resolves.
SweepSpec load_sweep_file(const std::filesystem::path& path);
SweepSpec load_sweep_text(std::string_view json_text, std::string_view source_name = "sweep",
                          const std::filesystem::path& dir = ".");
SweepSpec load_sweep_json(const nlohmann::json& document, const std::filesystem::path& dir = ".");

// One run of a sweep.
struct SweepRun {
  std::size_t index = 0;    // position in run order (the results row)
  std::size_t variant = 0;  // which combination of axis values
  int replication = 0;
  std::uint64_t seed = 0;
  std::vector<nlohmann::json> values;  // one per axis
  std::string scenario_json;           // canonical text of the run's scenario, seed included
  std::string hash;                    // 16 lower-case hex digits
};

// Every run in run order. Validates every variant (ScenarioError: a value that makes the scenario
// invalid is reported at /vary/<axis>/values/<i>, a combination at /vary).
std::vector<SweepRun> expand_sweep(const SweepSpec& spec);

// "ecsim <version>\n" + scenario_json, hashed with 64-bit FNV-1a, as 16 hex digits.
std::string sweep_run_hash(std::string_view scenario_json);

// Loads and runs one run's scenario (its seed is in the document); returns the summary.
// `base_dir` as in SweepSpec; `cancel` as RunOptions::cancel (RunCancelled).
nlohmann::ordered_json run_sweep_run(std::string_view scenario_json,
                                     const std::filesystem::path& base_dir = ".",
                                     const std::atomic<bool>* cancel = nullptr);

// The summary as (dotted name, scalar) pairs in document order: {"tasks": {"started": 3}} gives
// ("tasks.started", 3). Arrays are kept whole (written as compact JSON in the table).
std::vector<std::pair<std::string, nlohmann::ordered_json>> flatten_summary(
    const nlohmann::ordered_json& summary);

// The results table: columns run, variant, replication, seed, hash, one per axis, then the
// flattened summary columns in order of first appearance over the runs (a summary column whose
// name is already taken is left out: the sweep's own value is the same). Missing cells are null.
struct SweepTable {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::ordered_json>> rows;  // scalars; arrays/objects as JSON text

  // RFC 4180 CSV with "\n" line ends; numbers as nlohmann prints them (shortest round trip),
  // null as an empty cell.
  std::string to_csv() const;
  // An array of row objects, column order kept.
  nlohmann::ordered_json to_json() const;
};
SweepTable sweep_table(const SweepSpec& spec, const std::vector<SweepRun>& runs,
                       const std::vector<nlohmann::ordered_json>& summaries);

// The output folder of a sweep: runs/<hash>.json per finished run, results.csv at the end.
class SweepStore {
 public:
  // Creates dir and dir/runs if needed (OutputError when it cannot).
  explicit SweepStore(std::filesystem::path dir);

  // The stored summary of a finished run, or nullopt when the run is not (validly) done.
  std::optional<nlohmann::ordered_json> load(const SweepRun& run) const;
  // Stores a finished run atomically (temporary file, rename). Thread-safe for distinct runs.
  // OutputError on failure.
  void save(const SweepRun& run, const nlohmann::ordered_json& summary) const;
  // Writes dir/name atomically.
  void write_file(const std::string& name, std::string_view content) const;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path run_path(const SweepRun& run) const;

 private:
  std::filesystem::path dir_;
};

struct SweepOptions {
  int jobs = 1;               // worker threads
  std::filesystem::path out;  // empty: keep nothing on disk
  // Called after each run finishes (from the worker thread, one call at a time).
  std::function<void(const SweepRun&, bool reused)> on_run_done;
  // Cooperative cancellation (see RunOptions::cancel): no run starts after the flag is set, the
  // runs in flight stop at their next instant, and run_sweep throws RunCancelled. Finished runs
  // stay stored (a later sweep resumes); results.csv is not written.
  const std::atomic<bool>* cancel = nullptr;
};

struct SweepOutcome {
  std::vector<SweepRun> runs;
  std::vector<nlohmann::ordered_json> summaries;  // in run order
  SweepTable table;
  std::size_t ran = 0;     // simulated now
  std::size_t reused = 0;  // found done in the output folder
};

// Expands, skips finished runs, runs the rest on `jobs` threads, stores each run as it finishes
// and, with an output folder, writes results.csv. If a run throws, no new runs start, the runs in
// flight finish (and are stored), and the first exception is rethrown.
SweepOutcome run_sweep(const SweepSpec& spec, const SweepOptions& options);

}  // namespace ecsim
