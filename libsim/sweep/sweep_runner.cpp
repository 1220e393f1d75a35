// Running a sweep: the output folder (one file per finished run, written atomically) and a pool of
// threads that takes runs in order from a shared counter. Results never depend on which thread ran
// what: each run is a separate Simulation, and the table is assembled in run order at the end.
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "ecsim/output_directory.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/simulation.hpp"
#include "ecsim/sweep.hpp"

namespace ecsim {
namespace {

using OJson = nlohmann::ordered_json;

// Writes `content` to `path` so that `path` is either absent, its old self, or complete: the bytes
// go to a temporary file in the same folder, which is then renamed over `path` (rename is atomic
// within a file system). Temporary names start with "." and hold ".tmp-", so they never look like
// a finished run. There is no fsync: it cost more than a whole run (about 3 ms each), and it is
// not what makes resume safe. SweepStore::load checks every record (it must parse and hold the
// run's hash and scenario), so even a file torn by a power cut is simply run again.
void write_atomically(const std::filesystem::path& path, std::string_view content) {
  static std::atomic<std::uint64_t> counter{0};
  std::string temp_name = ".";
  temp_name += path.filename().string();
  temp_name += ".tmp-";
  temp_name += std::to_string(::getpid());
  temp_name += '-';
  temp_name += std::to_string(counter.fetch_add(1));
  const std::filesystem::path temp = path.parent_path() / temp_name;
  auto fail = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    std::string message = "cannot write ";
    message += path.string();
    message += ": ";
    message += what;
    message += ": ";
    message += reason;
    throw OutputError(message);
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create a temporary file");
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      fail("write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) fail("close failed");
  if (::rename(temp.c_str(), path.c_str()) != 0) fail("rename failed");
}

std::optional<std::string> slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

}  // namespace

nlohmann::ordered_json run_sweep_run(std::string_view scenario_json,
                                     const std::filesystem::path& base_dir,
                                     const std::atomic<bool>* cancel) {
  const Scenario scenario = load_scenario_text(scenario_json, "sweep run", base_dir);
  RunOptions options;
  options.cancel = cancel;
  Simulation sim(scenario, options);
  sim.run();
  return sim.summary();
}

SweepStore::SweepStore(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_ / "runs", ec);
  if (ec) throw OutputError("cannot create " + (dir_ / "runs").string() + ": " + ec.message());
}

std::filesystem::path SweepStore::run_path(const SweepRun& run) const {
  return dir_ / "runs" / (run.hash + ".json");
}

std::optional<nlohmann::ordered_json> SweepStore::load(const SweepRun& run) const {
  const std::filesystem::path path = run_path(run);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  const std::optional<std::string> text = slurp(path);
  if (!text) return std::nullopt;
  // Anything but a complete, matching record means "not done": the run is simply run again.
  OJson record = OJson::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object() || !record.contains("hash") || record["hash"] != run.hash ||
      !record.contains("scenario") || !record.contains("summary") || !record["summary"].is_object())
    return std::nullopt;
  // The same hash with another scenario would be an FNV collision: never reuse it.
  if (nlohmann::json(record["scenario"]).dump() != run.scenario_json) return std::nullopt;
  return std::move(record["summary"]);
}

void SweepStore::save(const SweepRun& run, const nlohmann::ordered_json& summary) const {
  OJson record = OJson::object();
  record["hash"] = run.hash;
  record["ecsimVersion"] = version();
  record["seed"] = run.seed;
  record["summary"] = summary;
  record["scenario"] = OJson::parse(run.scenario_json);
  write_atomically(run_path(run), record.dump(1) + "\n");
}

void SweepStore::write_file(const std::string& name, std::string_view content) const {
  write_atomically(dir_ / name, content);
}

SweepOutcome run_sweep(const SweepSpec& spec, const SweepOptions& options) {
  SweepOutcome outcome;
  outcome.runs = expand_sweep(spec);
  const std::vector<SweepRun>& runs = outcome.runs;
  outcome.summaries.resize(runs.size());

  std::optional<SweepStore> store;
  if (!options.out.empty()) store.emplace(options.out);

  std::mutex mutex;  // guards the counters, the callback and first_error
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::optional<OJson> done = store ? store->load(runs[i]) : std::nullopt;
    if (!done) {
      todo.push_back(i);
      continue;
    }
    outcome.summaries[i] = std::move(*done);
    ++outcome.reused;
    if (options.on_run_done) options.on_run_done(runs[i], true);
  }

  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  auto work = [&] {
    while (!failed.load()) {
      const std::size_t k = next.fetch_add(1);
      if (k >= todo.size()) return;
      const SweepRun& run = runs[todo[k]];
      try {
        if (options.cancel != nullptr && options.cancel->load()) throw RunCancelled();
        OJson summary = run_sweep_run(run.scenario_json, spec.base_dir, options.cancel);
        if (store) store->save(run, summary);
        outcome.summaries[run.index] = std::move(summary);
        const std::lock_guard lock(mutex);
        ++outcome.ran;
        if (options.on_run_done) options.on_run_done(run, false);
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
        failed.store(true);
      }
    }
  };
  const std::size_t threads =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(options.jobs, 1)), todo.size());
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < threads; ++t)
      pool.emplace_back(work);
  }  // the jthreads join here
  if (first_error) std::rethrow_exception(first_error);

  outcome.table = sweep_table(spec, runs, outcome.summaries);
  if (store) store->write_file("results.csv", outcome.table.to_csv());
  return outcome;
}

}  // namespace ecsim
