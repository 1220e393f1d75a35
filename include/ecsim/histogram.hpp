// Histogram: a log-linear histogram of non-negative integers (latencies in microseconds), in the
// manner of HdrHistogram, with bounded memory and a fixed bound on the relative error.
//
// What it guarantees:
// * Values 0 to 255 are counted exactly. Above that, each power of two [2^m, 2^(m+1)) is split
//   into 128 equal buckets, so a bucket is at most 1/128 of its lower bound wide. A percentile is
//   reported as the middle of its bucket, clamped to the exact minimum and maximum recorded, so it
//   is within 1/256 (0.39 %) of the true nearest-rank percentile (kMaxRelativeError). min(), max()
//   and count() are exact; mean() is exact up to double rounding of the running sum.
// * Memory is bounded whatever is recorded: the counts grow only up to the highest bucket used, at
//   most 7,296 buckets of 8 bytes (58 KiB) for the whole int64 range, 27 KiB for values up to an
//   hour in microseconds.
// * Deterministic: the result depends only on the multiset of values recorded, never on the order
//   or on the platform. merge() of two histograms equals one histogram of both value sets.
//
// Complexity: record O(1) (amortised: the first value in a new top bucket grows the vector),
// merge O(buckets), percentile O(buckets) (a cumulative walk), min/max/count/mean O(1).
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace ecsim {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr std::int64_t kSubBuckets = std::int64_t{1} << kSubBucketBits;  // 128
  static constexpr std::int64_t kExactBelow = 2 * kSubBuckets;                    // 256
  // Half a bucket's width over its lower bound: 1 / (2 * 128).
  static constexpr double kMaxRelativeError = 1.0 / (2.0 * static_cast<double>(kSubBuckets));
  static constexpr std::size_t kMaxBuckets =
      static_cast<std::size_t>(kExactBelow + (63 - kSubBucketBits - 1) * kSubBuckets);

  // Records `value` `count` times. Negative values are recorded as 0 (a latency cannot be
  // negative; clamping keeps a caller's bug from corrupting the buckets).
  void record(std::int64_t value, std::uint64_t count = 1) {
    if (count == 0) return;
    if (value < 0) value = 0;
    const std::size_t i = bucket_index(value);
    if (i >= counts_.size()) counts_.resize(i + 1, 0);
    counts_[i] += count;
    if (total_ == 0 || value < min_) min_ = value;
    if (total_ == 0 || value > max_) max_ = value;
    total_ += count;
    sum_ += static_cast<double>(value) * static_cast<double>(count);
  }

  // Adds every value of `other`.
  void merge(const Histogram& other);

  // Forgets every value; keeps the allocated buckets for reuse.
  void clear() {
    std::fill(counts_.begin(), counts_.end(), 0);
    total_ = 0;
    min_ = max_ = 0;
    sum_ = 0;
  }

  std::uint64_t count() const { return total_; }
  bool empty() const { return total_ == 0; }
  // Exact smallest and largest value recorded; 0 when empty.
  std::int64_t min() const { return min_; }
  std::int64_t max() const { return max_; }
  double mean() const { return total_ == 0 ? 0.0 : sum_ / static_cast<double>(total_); }

  // The nearest-rank percentile, p in [0, 100]: the value of rank percentile_rank(p, count()) in
  // sorted order, within kMaxRelativeError. 0 when empty.
  std::int64_t percentile(double p) const;

  // Nearest rank (1-based) of percentile p among n values: ceil(p / 100 * n), at least 1 and at
  // most n. Exact for the percentiles people ask for (50, 90, 99, 99.9 ...): the product is
  // rounded to 1e-9 before the ceiling so that 99.9 % of 1000 is rank 999, not 1000.
  static std::uint64_t percentile_rank(double p, std::uint64_t n);

  // Bytes held by the buckets (the histogram's only allocation).
  std::size_t memory_bytes() const { return counts_.capacity() * sizeof(std::uint64_t); }

  // Bucket arithmetic, public for tests.
  static std::size_t bucket_index(std::int64_t value) {
    if (value < kExactBelow) return static_cast<std::size_t>(value);
    const int width = std::bit_width(static_cast<std::uint64_t>(value));  // >= 9
    const int shift = width - (kSubBucketBits + 1);                       // >= 1
    return static_cast<std::size_t>(kExactBelow + (shift - 1) * kSubBuckets +
                                    ((value >> shift) - kSubBuckets));
  }
  static std::int64_t bucket_lower(std::size_t index) {
    const auto i = static_cast<std::int64_t>(index);
    if (i < kExactBelow) return i;
    const std::int64_t shift = (i - kExactBelow) / kSubBuckets + 1;
    const std::int64_t q = (i - kExactBelow) % kSubBuckets + kSubBuckets;
    return q << shift;
  }
  static std::int64_t bucket_width(std::size_t index) {
    const auto i = static_cast<std::int64_t>(index);
    if (i < kExactBelow) return 1;
    return std::int64_t{1} << ((i - kExactBelow) / kSubBuckets + 1);
  }

  friend bool operator==(const Histogram& a, const Histogram& b);

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace ecsim
