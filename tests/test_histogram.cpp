// Tests for ecsim::Histogram: bucket arithmetic, percentiles within 1 % of the exact nearest-rank
// percentiles of the sorted values, exact count/min/max, merging, bounded memory.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/histogram.hpp"
#include "ecsim/random.hpp"

namespace {

using ecsim::Histogram;

// The nearest-rank percentile of sorted values, with the same rank rule as the histogram.
std::int64_t exact_percentile(const std::vector<std::int64_t>& sorted, double p) {
  return sorted[Histogram::percentile_rank(p, sorted.size()) - 1];
}

void check_against_exact(std::vector<std::int64_t> values) {
  Histogram h;
  for (auto v : values)
    h.record(v);
  std::sort(values.begin(), values.end());
  REQUIRE(h.count() == values.size());
  CHECK(h.min() == values.front());
  CHECK(h.max() == values.back());
  for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.99, 100.0}) {
    const auto exact = static_cast<double>(exact_percentile(values, p));
    const auto got = static_cast<double>(h.percentile(p));
    INFO("p" << p << ": exact " << exact << ", histogram " << got);
    CHECK(std::abs(got - exact) <= Histogram::kMaxRelativeError * exact);
    CHECK(std::abs(got - exact) <= 0.01 * exact);  // the bound: at most 1 %
  }
}

}  // namespace

TEST_CASE("small values are exact and every bucket is at most 1/128 of its lower bound wide") {
  for (std::int64_t v = 0; v < 256; ++v) {
    CHECK(Histogram::bucket_index(v) == static_cast<std::size_t>(v));
    CHECK(Histogram::bucket_width(static_cast<std::size_t>(v)) == 1);
  }
  // Buckets tile the integers without gaps or overlaps, and stay narrow.
  for (std::size_t i = 256; i + 1 < Histogram::kMaxBuckets; ++i) {
    const std::int64_t lo = Histogram::bucket_lower(i);
    const std::int64_t w = Histogram::bucket_width(i);
    REQUIRE(Histogram::bucket_lower(i + 1) == lo + w);
    REQUIRE(Histogram::bucket_index(lo) == i);
    REQUIRE(Histogram::bucket_index(lo + w - 1) == i);
    REQUIRE(w * 128 <= lo);
  }
  CHECK(Histogram::bucket_index(INT64_MAX) == Histogram::kMaxBuckets - 1);
}

TEST_CASE("percentile ranks follow the nearest-rank rule") {
  CHECK(Histogram::percentile_rank(50, 1000) == 500);
  CHECK(Histogram::percentile_rank(99.9, 1000) == 999);  // not 1000: 99.9 / 100 is inexact
  CHECK(Histogram::percentile_rank(99, 101) == 100);     // ceil(99.99)
  CHECK(Histogram::percentile_rank(0, 10) == 1);
  CHECK(Histogram::percentile_rank(100, 10) == 10);
  CHECK(Histogram::percentile_rank(50, 0) == 0);
}

TEST_CASE("percentiles are within 1 % of exact sorted percentiles") {
  ecsim::Rng rng(20261124);
  SUBCASE("lognormal latencies over six orders of magnitude") {
    std::vector<std::int64_t> values;
    for (int i = 0; i < 200000; ++i)
      values.push_back(std::llround(ecsim::lognormal(rng, std::log(20000.0), 2.0)));
    check_against_exact(values);
  }
  SUBCASE("exponential") {
    std::vector<std::int64_t> values;
    for (int i = 0; i < 100000; ++i)
      values.push_back(std::llround(ecsim::exponential(rng, 1e-5)));
    check_against_exact(values);
  }
  SUBCASE("few values, some repeated, some tiny") {
    check_against_exact({0, 0, 1, 7, 255, 256, 257, 1000, 1001, 999999, 5000000000});
  }
  SUBCASE("huge values near the int64 limit") {
    check_against_exact({INT64_MAX, INT64_MAX / 3, std::int64_t{1} << 62, 123456789012345});
  }
}

TEST_CASE("count, min, max and mean are exact; negative values count as zero") {
  Histogram h;
  CHECK(h.empty());
  CHECK(h.percentile(50) == 0);
  h.record(10);
  h.record(30, 3);
  h.record(-5);
  CHECK(h.count() == 5);
  CHECK(h.min() == 0);
  CHECK(h.max() == 30);
  CHECK(h.mean() == doctest::Approx((10 + 90 + 0) / 5.0));
  CHECK(h.percentile(100) == 30);
  h.clear();
  CHECK(h.empty());
  CHECK(h.max() == 0);
}

TEST_CASE("merging equals recording everything in one histogram") {
  ecsim::Rng rng(7);
  Histogram a, b, all;
  for (int i = 0; i < 50000; ++i) {
    const auto v = std::llround(ecsim::lognormal(rng, 9.0, 1.5));
    (i % 3 == 0 ? a : b).record(v);
    all.record(v);
  }
  Histogram merged = a;
  merged.merge(b);
  CHECK(merged == all);
  for (double p : {50.0, 99.0, 99.9})
    CHECK(merged.percentile(p) == all.percentile(p));
  Histogram empty;
  merged.merge(empty);
  CHECK(merged == all);
  empty.merge(all);
  CHECK(empty == all);
}

TEST_CASE("memory stays bounded whatever is recorded") {
  Histogram h;
  ecsim::Rng rng(3);
  for (int i = 0; i < 100000; ++i)
    h.record(static_cast<std::int64_t>(rng.next_u64() >> 1));
  CHECK(h.memory_bytes() <= 2 * Histogram::kMaxBuckets * sizeof(std::uint64_t));
  Histogram hour;  // latencies up to an hour in microseconds
  hour.record(3'600'000'000);
  CHECK(hour.memory_bytes() <= 2 * 3400 * sizeof(std::uint64_t));
}
