#include "ecsim/histogram.hpp"

namespace ecsim {

void Histogram::merge(const Histogram& other) {
  if (other.total_ == 0) return;
  if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (std::size_t i = 0; i < other.counts_.size(); ++i)
    counts_[i] += other.counts_[i];
  if (total_ == 0 || other.min_ < min_) min_ = other.min_;
  if (total_ == 0 || other.max_ > max_) max_ = other.max_;
  total_ += other.total_;
  sum_ += other.sum_;
}

std::uint64_t Histogram::percentile_rank(double p, std::uint64_t n) {
  if (n == 0) return 0;
  if (!(p > 0)) return 1;  // also NaN
  if (p >= 100) return n;
  const double exact = p / 100.0 * static_cast<double>(n);
  // Round away the representation error of p / 100 (99.9 / 100 * 1000 is 999.0000000000001).
  const double rounded = std::round(exact * 1e9) / 1e9;
  const auto rank = static_cast<std::uint64_t>(std::ceil(rounded));
  return std::clamp<std::uint64_t>(rank, 1, n);
}

std::int64_t Histogram::percentile(double p) const {
  if (total_ == 0) return 0;
  const std::uint64_t rank = percentile_rank(p, total_);
  if (rank == total_) return max_;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The middle of the bucket: at most half a width from any value in it.
      const std::int64_t mid = bucket_lower(i) + (bucket_width(i) - 1) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

bool operator==(const Histogram& a, const Histogram& b) {
  if (a.total_ != b.total_ || a.min_ != b.min_ || a.max_ != b.max_ || a.sum_ != b.sum_)
    return false;
  const std::size_t n = std::max(a.counts_.size(), b.counts_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = i < a.counts_.size() ? a.counts_[i] : 0;
    const std::uint64_t y = i < b.counts_.size() ? b.counts_[i] : 0;
    if (x != y) return false;
  }
  return true;
}

}  // namespace ecsim
