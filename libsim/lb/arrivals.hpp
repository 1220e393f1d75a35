// Arrival processes of traffic sources: when the next request of a source arrives.
//
// `constant` spaces arrivals evenly (the k-th after an anchor at anchor + round(k / rate)), so it
// never drifts. Every other pattern is a Poisson process: `poisson` by exponential gaps, the
// time-varying ones (ramp, steps, dailyCycle, spike, csv) by thinning (Lewis and Shedler): gaps are
// drawn at an upper bound of the rate over the current piece of the rate function and each
// candidate is kept with probability rate / bound. Pieces are the segments between breakpoints,
// or 1/64 of a daily cycle's period, so the bound stays tight and few candidates are thrown away.
// A multiplier (an ecsim fault) scales the rate from the moment it is set; the memoryless property
// makes restarting the draw at that moment exact.
//
// Deterministic: the draws come from the source's own stream, and only IEEE arithmetic, log1p and
// cos are used. Complexity: O(1) expected per arrival (O(log points) once when a csv source
// starts late).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "ecsim/load_balancing.hpp"
#include "ecsim/random.hpp"

namespace ecsim::detail {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

// A rate function of time (requests per second at microsecond t).
class RateFunction {
 public:
  struct Bound {
    double rate;         // >= the rate everywhere on [t, until)
    std::int64_t until;  // > t, or kNever
  };

  explicit RateFunction(const TrafficPattern& pattern);

  double rate(std::int64_t t) const;
  // Valid for non-decreasing t across calls (a cursor walks the breakpoints).
  Bound bound(std::int64_t t);

 private:
  enum class Kind { kPiecewise, kCycle };
  std::size_t segment(std::int64_t t) const;  // index i with times_[i] <= t < times_[i+1]

  Kind kind_ = Kind::kPiecewise;
  // Piecewise: rate before_ before times_[0]; linear_ interpolates, else each rate holds.
  std::vector<std::int64_t> times_;
  std::vector<double> rates_;
  bool linear_ = false;
  double before_ = 0;
  std::size_t cursor_ = 0;
  // Daily cycle.
  double mean_ = 0, amplitude_ = 0;
  std::int64_t period_ = 1, peak_ = 0;
};

class ArrivalProcess {
 public:
  ArrivalProcess(const TrafficSourceSpec& spec, Rng rng);

  // The first arrival at or after `from` (for the source's start), or nullopt if none is left.
  std::optional<std::int64_t> first(std::int64_t from);
  // The arrival after the one at `now`.
  std::optional<std::int64_t> next(std::int64_t now);
  // Scales the rate; call first(now) afterwards for the next arrival from there.
  void set_multiplier(double multiplier) { multiplier_ = multiplier; }
  double multiplier() const { return multiplier_; }

 private:
  std::optional<std::int64_t> draw_after(std::int64_t t);
  std::optional<std::int64_t> within_window(std::int64_t t) const {
    if (t >= end_) return std::nullopt;
    return t;
  }

  enum class Kind { kConstant, kPoisson, kThinned };
  Kind kind_;
  double base_rate_ = 0;  // constant and poisson
  std::optional<RateFunction> function_;
  Rng rng_;
  double multiplier_ = 1;
  std::int64_t start_ = 0, end_ = kNever;
  std::int64_t anchor_ = 0;  // constant: arrivals at anchor_ + round(k * spacing)
  std::uint64_t k_ = 0;
};

}  // namespace ecsim::detail
