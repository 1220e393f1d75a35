// What the run-time invariant checks (invariants.cpp, docs/reliability.md) remember between the
// start and the end of one event.
#pragma once

#include <cstddef>
#include <vector>

namespace ecsim::detail {

struct InvariantProbe {
  // Set when the event is a reconcile pass of a REPLICA service under a rolling update: its
  // bounds (ecs-reference 6.1) and the tasks that counted as healthy before the pass.
  bool rolling_reconcile = false;
  std::size_t service = 0;
  std::size_t primary = 0;
  int min_healthy = 0;
  int max_total = 0;
  std::size_t tasks_before = 0;  // tasks_.size(): the tasks at or above it are new
  std::vector<std::size_t> healthy_before;
};

}  // namespace ecsim::detail
