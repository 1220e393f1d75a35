// The open metrics period's latency histogram of every target group, recorded in batches.
//
// A request's latency lands in one of about two thousand buckets of its group's histogram; with
// hundreds of groups those buckets span megabytes, and incrementing one on the request path is a
// cache miss that stalls it. Here a record is appended to a small buffer instead, and the buffer
// is applied to the histograms when it fills or before any histogram is read: a tight loop of
// independent increments whose misses overlap. The histograms are the same as if each value had
// been recorded at once (same values, same order per group).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ecsim/histogram.hpp"

namespace ecsim::detail {

class PeriodLatencies {
 public:
  explicit PeriodLatencies(std::size_t groups = 0) : histograms_(groups) {}

  void record(std::uint32_t group, std::int64_t value) {
    pending_.push_back({group, value});
    if (pending_.size() == kBatch) apply();
  }

  // The group's histogram with every value recorded so far.
  const Histogram& of(std::size_t group) const {
    apply();
    return histograms_[group];
  }

  void clear(std::size_t group) {
    apply();
    histograms_[group].clear();
  }

  std::size_t memory_bytes() const;

 private:
  struct Pending {
    std::uint32_t group;
    std::int64_t value;
  };
  // 64 KiB of pending values: enough to overlap the misses, small enough to stay in L2.
  static constexpr std::size_t kBatch = 4096;

  void apply() const;

  // Reading applies the pending values first, which changes no observable state.
  mutable std::vector<Histogram> histograms_;
  mutable std::vector<Pending> pending_;
};

}  // namespace ecsim::detail
