#include "lb/period_latencies.hpp"

namespace ecsim::detail {

void PeriodLatencies::apply() const {
  for (const Pending& p : pending_)
    histograms_[p.group].record(p.value);
  pending_.clear();
}

std::size_t PeriodLatencies::memory_bytes() const {
  std::size_t bytes = pending_.capacity() * sizeof(Pending);
  for (const Histogram& h : histograms_)
    bytes += h.memory_bytes();
  return bytes;
}

}  // namespace ecsim::detail
