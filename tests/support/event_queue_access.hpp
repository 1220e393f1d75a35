// Test access to EventQueue internals (the friend EventQueue declares), shared by the queue tests.
#pragma once

#include <cstdint>

#include "ecsim/event_queue.hpp"

namespace ecsim::detail {

struct EventQueueTestAccess {
  template <class P>
  static void set_hint_window(EventQueue<P>& q, std::uint64_t window) {
    q.hint_window_ = window;
  }
};

}  // namespace ecsim::detail
