#include "lb/arrivals.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ecsim::detail {
namespace {

// Gaps longer than this (about 31 years) mean "no more arrivals": it keeps time arithmetic far
// from overflow when a rate is tiny.
constexpr double kLongestGapSeconds = 1e9;

std::int64_t micros(Duration d) {
  return d.count();
}

}  // namespace

RateFunction::RateFunction(const TrafficPattern& pattern) {
  auto set_points = [this](const std::vector<RatePoint>& points, double scale) {
    for (const RatePoint& p : points) {
      times_.push_back(micros(p.at));
      rates_.push_back(p.rate * scale);
    }
  };
  std::visit(
      [&](const auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, ConstantPattern> || std::is_same_v<P, PoissonPattern>) {
          before_ = p.rate;
        } else if constexpr (std::is_same_v<P, RampPattern>) {
          before_ = p.from;
          times_ = {micros(p.start), micros(p.start + p.duration)};
          rates_ = {p.from, p.to};
          linear_ = true;
        } else if constexpr (std::is_same_v<P, StepsPattern>) {
          set_points(p.steps, 1.0);
        } else if constexpr (std::is_same_v<P, DailyCyclePattern>) {
          kind_ = Kind::kCycle;
          mean_ = p.mean;
          amplitude_ = p.amplitude;
          period_ = std::max<std::int64_t>(micros(p.period), 1);
          peak_ = micros(p.peak_at);
        } else if constexpr (std::is_same_v<P, SpikePattern>) {
          before_ = p.base;
          times_ = {micros(p.at), micros(p.at + p.duration)};
          rates_ = {p.peak, p.base};
        } else if constexpr (std::is_same_v<P, ReplayPattern>) {
          set_points(p.points, p.scale);
          linear_ = p.linear;
        }
      },
      pattern);
}

std::size_t RateFunction::segment(std::int64_t t) const {
  return static_cast<std::size_t>(std::upper_bound(times_.begin(), times_.end(), t) -
                                  times_.begin()) -
         1;
}

double RateFunction::rate(std::int64_t t) const {
  if (kind_ == Kind::kCycle) {
    std::int64_t m = (t - peak_) % period_;
    if (m < 0) m += period_;
    const double phase =
        2 * std::numbers::pi * static_cast<double>(m) / static_cast<double>(period_);
    return mean_ * (1 + amplitude_ * std::cos(phase));
  }
  const std::size_t n = times_.size();
  if (n == 0 || t < times_[0]) return before_;
  const std::size_t i = segment(t);
  if (i + 1 >= n) return rates_[n - 1];
  if (!linear_) return rates_[i];
  const double f =
      static_cast<double>(t - times_[i]) / static_cast<double>(times_[i + 1] - times_[i]);
  return rates_[i] + (rates_[i + 1] - rates_[i]) * f;
}

RateFunction::Bound RateFunction::bound(std::int64_t t) {
  if (kind_ == Kind::kCycle) {
    if (!(mean_ > 0)) return {0, kNever};  // mean 0: no arrivals ever
    const std::int64_t window = std::max<std::int64_t>(period_ / 64, 1);
    std::int64_t m = (t - peak_) % period_;
    if (m < 0) m += period_;
    // cos has no interior maximum in the window unless a peak falls inside it.
    const bool peak_inside = m == 0 || m + window > period_;
    const double top = peak_inside ? mean_ * (1 + amplitude_) : std::max(rate(t), rate(t + window));
    return {top, t + window};
  }
  const std::size_t n = times_.size();
  if (n == 0) return {before_, kNever};
  if (t < times_[0]) return {before_, times_[0]};
  while (cursor_ + 1 < n && times_[cursor_ + 1] <= t)
    ++cursor_;
  const std::size_t i = cursor_;
  if (i + 1 >= n) return {rates_[n - 1], kNever};
  return {linear_ ? std::max(rates_[i], rates_[i + 1]) : rates_[i], times_[i + 1]};
}

ArrivalProcess::ArrivalProcess(const TrafficSourceSpec& spec, Rng rng)
    : rng_(rng), start_(micros(spec.start)), end_(spec.end ? micros(*spec.end) : kNever) {
  if (const auto* c = std::get_if<ConstantPattern>(&spec.pattern)) {
    kind_ = Kind::kConstant;
    base_rate_ = c->rate;
  } else if (const auto* p = std::get_if<PoissonPattern>(&spec.pattern)) {
    kind_ = Kind::kPoisson;
    base_rate_ = p->rate;
  } else {
    kind_ = Kind::kThinned;
    function_.emplace(spec.pattern);
  }
}

std::optional<std::int64_t> ArrivalProcess::first(std::int64_t from) {
  const std::int64_t t = std::max(from, start_);
  if (kind_ == Kind::kConstant) {
    anchor_ = t;
    k_ = 0;
  }
  return draw_after(t);
}

std::optional<std::int64_t> ArrivalProcess::next(std::int64_t now) {
  return draw_after(now);
}

std::optional<std::int64_t> ArrivalProcess::draw_after(std::int64_t t) {
  if (t >= end_) return std::nullopt;
  switch (kind_) {
    case Kind::kConstant: {
      const double rate = base_rate_ * multiplier_;
      if (!(rate > 0)) return std::nullopt;
      const double offset = static_cast<double>(++k_) * 1e6 / rate;
      if (offset > kLongestGapSeconds * 1e6) return std::nullopt;
      return within_window(anchor_ + std::llround(offset));
    }
    case Kind::kPoisson: {
      const double rate = base_rate_ * multiplier_;
      if (!(rate > 0)) return std::nullopt;
      const double gap = exponential(rng_, rate);
      if (gap > kLongestGapSeconds) return std::nullopt;
      return within_window(t + std::llround(gap * 1e6));
    }
    case Kind::kThinned: {
      RateFunction& f = *function_;
      while (t < end_) {
        const RateFunction::Bound b = f.bound(t);
        const double top = b.rate * multiplier_;
        if (!(top > 0)) {
          // Zero from here on: a zero multiplier (SetTrafficRate 0) used to walk a dailyCycle
          // window by window until the end of time (found by tests/test_chaos.cpp).
          if (b.until == kNever || !(multiplier_ > 0)) return std::nullopt;
          t = b.until;
          continue;
        }
        const double gap = exponential(rng_, top);
        if (gap > kLongestGapSeconds) {
          if (b.until == kNever) return std::nullopt;
          t = b.until;
          continue;
        }
        const std::int64_t candidate = t + std::llround(gap * 1e6);
        if (candidate >= b.until) {
          t = b.until;  // memoryless: start afresh at the next piece
          continue;
        }
        t = candidate;
        const double r = f.rate(candidate) * multiplier_;
        // A flat piece needs no acceptance draw; that also keeps step patterns cheap.
        if (r >= top || uniform01(rng_) * top < r) return within_window(candidate);
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace ecsim::detail
