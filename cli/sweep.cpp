// `ecsim sweep SWEEP.json --jobs N --out DIR`: runs a parameter sweep (include/ecsim/sweep.hpp) and
// writes DIR/results.csv, one row per run. Runs already finished in DIR are not run again.
#include "ecsim/sweep.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "ecsim/output_directory.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

#include "default_out.hpp"
#include "interrupt.hpp"

namespace ecsim::cli {

// Same exit codes as the other subcommands (cli/main.cpp).
int run_sweep_command(const std::string& sweep_path, int jobs, std::string out_dir, bool quiet,
                      const std::atomic<bool>* cancel) {
  try {
    const SweepSpec spec = load_sweep_file(sweep_path);
    if (out_dir.empty()) out_dir = default_out_folder(spec.name);
    std::size_t variants = 1;
    for (const SweepAxis& axis : spec.axes)
      variants *= axis.values.size();
    if (!quiet)
      std::cout << "ecsim: sweep \"" << spec.name << "\": " << variants * spec.replications
                << " runs (" << variants << " variants x " << spec.replications
                << " replications), " << jobs << (jobs == 1 ? " job" : " jobs") << std::endl;

    SweepOptions options;
    options.jobs = jobs;
    options.out = out_dir;
    options.cancel = cancel;
    const auto start = std::chrono::steady_clock::now();
    const SweepOutcome outcome = run_sweep(spec, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!quiet) {
      char rate[64] = "";
      if (outcome.ran > 0 && seconds > 0)
        std::snprintf(rate, sizeof rate, " (%.1f runs/s)",
                      static_cast<double>(outcome.ran) / seconds);
      char took[32];
      std::snprintf(took, sizeof took, "%.2f", seconds);
      std::cout << "ecsim: ran " << outcome.ran << ", reused " << outcome.reused
                << " already done, in " << took << " s" << rate << "\n"
                << "ecsim: results in " << (std::filesystem::path(out_dir) / "results.csv").string()
                << " (" << outcome.table.rows.size() << " rows)\n";
    }
    return 0;
  } catch (const ScenarioError& e) {
    for (const auto& p : e.problems())
      std::cerr << p.to_string() << "\n";
    return 1;
  } catch (const RunCancelled&) {
    std::cerr << "ecsim: interrupted; finished runs are kept (run the same command again to "
                 "resume), results.csv was not written\n";
    return interrupted_exit_code();
  } catch (const OutputError& e) {
    std::cerr << "ecsim: " << e.what() << "\n";
    return 3;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "ecsim: cannot write outputs: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "ecsim: a run failed: " << e.what()
              << "\necsim: finished runs are kept; run the same command again to resume\n";
    return 4;
  }
}

}  // namespace ecsim::cli
