// ProgressBar: a one-line progress bar on stderr for `ecsim run`, in simulated time.
//
// Shown only when stderr is a terminal, the run is not --quiet and the run has taken more than a
// second of wall time; redrawn at most ten times a second; erased when the run ends (or fails),
// so nothing of it stays in a terminal or reaches a file. It reads the wall clock, so it must
// never reach the outputs; it only observes the run through run_to_directory's callback.
#pragma once

#include <chrono>
#include <cstdint>

#include "ecsim/simulation.hpp"

namespace ecsim::cli {

class ProgressBar {
 public:
  explicit ProgressBar(bool wanted);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // For run_to_directory: empty when no bar will be shown, so the run pays nothing.
  ProgressCallback callback();
  void update(TimePoint now, TimePoint end);
  // Erases the bar if it was drawn.
  void clear();

 private:
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
  std::uint32_t calls_ = 0;
};

}  // namespace ecsim::cli
