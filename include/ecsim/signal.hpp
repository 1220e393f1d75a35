// Signal<Args...>: typed publish/subscribe between models and whoever observes them.
//
// Models fire signals; outputs (event log, metrics, traces, Python callbacks) subscribe. Slots run
// in subscription order, synchronously, so observation never reorders or perturbs the simulation.
// Firing costs one branch when nobody listens. Models never write files themselves.
#pragma once

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace ecsim {

template <class... Args>
class Signal {
 public:
  using Slot = std::function<void(const Args&...)>;

  // Returns an id for disconnect(). Slots connected while firing run from the next emit on.
  std::size_t connect(Slot slot) {
    slots_.push_back({next_id_, std::move(slot)});
    return next_id_++;
  }

  void disconnect(std::size_t id) {
    for (auto& entry : slots_)
      if (entry.id == id) entry.slot = nullptr;
  }

  bool has_slots() const { return !slots_.empty(); }

  void emit(const Args&... args) const {
    const std::size_t n = slots_.size();
    for (std::size_t i = 0; i < n; ++i)
      if (slots_[i].slot) slots_[i].slot(args...);
  }

 private:
  struct Entry {
    std::size_t id;
    Slot slot;
  };
  std::vector<Entry> slots_;
  std::size_t next_id_ = 0;
};

}  // namespace ecsim
