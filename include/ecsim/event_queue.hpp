// EventQueue: the future-event set of the simulation kernel.
//
// A priority queue of (time, payload) pairs with one total order: earlier time first, then lower
// priority class, then earlier insertion (a per-queue 64-bit sequence number). The order never
// depends on addresses, heap shape or the standard library, so two runs that schedule the same
// events in the same order pop them in the same order, on every platform.
//
// Layout. The heap is a 4-ary min-heap of 16-byte entries {time, slot index, priority class,
// sequence hint}; each group of four siblings fills exactly one 64-byte cache line. Payloads and
// full 64-bit sequence numbers live out of line in a slot vector, recycled through an intrusive
// LIFO free list so that the slot freed by a pop is the one the next schedule reuses, still in
// cache. The sequence hint is the sequence number relative to a recent base (24 bits): it breaks
// ties on (time, priority) without leaving the heap array; only for two tied events that are both
// older than the base (more than 2^23 schedules ago) does a comparison read their slots. Sifts
// move a hole instead of swapping; on large heaps the sift-down prefetches the next level and pop
// prefetches the slot of the next top, so the cache misses of a big queue overlap.
//
// Near and far. With a far horizon set (set_far_horizon), an event scheduled at least that long
// after the last popped event goes into a second heap of the same kind, and pop takes the earlier
// of the two tops. The order is the same whichever heap an event is in; what the split buys is a
// small near heap: a simulation holds many events far ahead (a health check per target every 30
// s) and pops mostly near ones (request completions within milliseconds), and each pop then
// sifts through a heap that stays in L1 instead of one that spills to L3. Off by default.
//
// Cancellation is lazy: cancel() destroys the payload at once and leaves a tombstone in the heap,
// dropped (and its slot freed) when it reaches the top. The top of each heap is always a live
// event. When tombstones exceed half of the heap entries, the heaps are rebuilt without them, so
// memory stays within twice the live events.
//
// Handles are {slot, sequence}. A handle is stale once its event was popped or cancelled; because
// sequences are never reused (not even across clear()), a stale handle is recognised even after
// its slot has been reused by a newer event. A handle means something only to the queue that
// issued it.
//
// Complexity (n = events in the heap, live or tombstoned): schedule O(log n) (plus an O(n) pass
// over the heap every 2^23 schedules to move the hint base), pop O(log n) amortised, cancel O(1)
// amortised (plus O(log n) when it cancels the top), next_time, size and empty O(1), clear O(n).
//
// Payload must be nothrow-move-constructible (a std::variant of plain structs is). At most
// 2^32 - 1 events (live or tombstoned) at a time. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "ecsim/large_array.hpp"
#include "ecsim/time.hpp"

namespace ecsim {

// Priority classes order events that share a timestamp: a lower value runs first. The default
// sits in the middle so that kernels can put classes both before and after ordinary events.
inline constexpr std::uint8_t kDefaultPriority = 128;

template <class Payload>
class EventQueue;

namespace detail {

// Lets tests shrink the sequence-hint window so that rebasing and the slot tie-break run often.
struct EventQueueTestAccess;

}  // namespace detail

// Names one scheduled event so that it can be cancelled. Cheap to copy; does not own anything.
// A default-constructed handle names no event.
class EventHandle {
 public:
  constexpr EventHandle() = default;

  // The event's insertion sequence number (unique within its queue).
  constexpr std::uint64_t sequence() const { return seq_; }
  constexpr bool is_null() const { return seq_ == kNoSequence; }

  friend constexpr bool operator==(const EventHandle&, const EventHandle&) = default;

 private:
  template <class>
  friend class EventQueue;

  static constexpr std::uint64_t kNoSequence = std::numeric_limits<std::uint64_t>::max();

  constexpr EventHandle(std::uint32_t slot, std::uint64_t seq) : slot_(slot), seq_(seq) {}

  std::uint32_t slot_ = 0;
  std::uint64_t seq_ = kNoSequence;
};

template <class Payload>
struct PoppedEvent {
  TimePoint time;
  std::uint8_t priority;
  std::uint64_t sequence;
  Payload payload;
};

template <class Payload>
class EventQueue {
  static_assert(std::is_nothrow_move_constructible_v<Payload>,
                "EventQueue payloads must be nothrow-move-constructible");

 public:
  EventQueue() = default;
  EventQueue(const EventQueue&) = default;
  EventQueue& operator=(const EventQueue&) = default;
  // A moved-from queue is empty and usable.
  EventQueue(EventQueue&& other) noexcept
      : heap_(std::exchange(other.heap_, {})),
        far_(std::exchange(other.far_, {})),
        slots_(std::exchange(other.slots_, {})),
        free_head_(std::exchange(other.free_head_, kNoSlot)),
        size_(std::exchange(other.size_, 0)),
        next_seq_(other.next_seq_),
        hint_base_(other.hint_base_),
        hint_window_(other.hint_window_),
        far_horizon_(other.far_horizon_),
        far_from_(other.far_from_) {}
  EventQueue& operator=(EventQueue&& other) noexcept {
    if (this != &other) {
      heap_ = std::exchange(other.heap_, {});
      far_ = std::exchange(other.far_, {});
      slots_ = std::exchange(other.slots_, {});
      free_head_ = std::exchange(other.free_head_, kNoSlot);
      size_ = std::exchange(other.size_, 0);
      next_seq_ = other.next_seq_;
      hint_base_ = other.hint_base_;
      hint_window_ = other.hint_window_;
      far_horizon_ = other.far_horizon_;
      far_from_ = other.far_from_;
    }
    return *this;
  }
  ~EventQueue() = default;

  // Schedules `payload` at `at`. Scheduling in the past is the caller's concern: the queue orders
  // whatever it is given.
  EventHandle schedule(TimePoint at, Payload payload, std::uint8_t priority = kDefaultPriority) {
    const std::int64_t time = at.time_since_epoch().count();
    HeapVector& heap = time >= far_from_ ? far_ : heap_;
    // Allocate first, so that a failed allocation leaves the queue untouched.
    if (heap.size() == heap.capacity()) heap.reserve(std::max<std::size_t>(2 * heap.size(), 64));
    if (heap.empty()) heap.resize(kPad);
    const std::uint32_t slot = acquire_slot();
    const std::uint64_t seq = next_seq_++;
    if (seq - hint_base_ > hint_window_) rebase_hints();
    Slot& s = slots_[slot];
    s.seq = seq;
    s.payload.emplace(std::move(payload));
    const std::uint32_t order =
        (std::uint32_t{priority} << kHintBits) | static_cast<std::uint32_t>(seq - hint_base_);
    heap.emplace_back();
    sift_up(heap, heap.size() - 1 - kPad, Entry{time, slot, order});
    ++size_;
    return EventHandle(slot, seq);
  }

  // Cancels the event `handle` names. Returns false, and changes nothing, if that event was
  // already popped or cancelled (or the handle is null).
  bool cancel(EventHandle handle) {
    if (handle.slot_ >= slots_.size()) return false;
    Slot& s = slots_[handle.slot_];
    if (s.seq != handle.seq_ || !s.payload.has_value()) return false;
    // The slot stays with the tombstone until it leaves the heap: its sequence number still
    // orders the tombstone, and a reused slot would reorder it under the heap's feet.
    s.payload.reset();
    --size_;
    after_removal();
    return true;
  }

  // Removes and returns the earliest event, or nullopt if there is none.
  [[nodiscard]] std::optional<PoppedEvent<Payload>> pop() {
    if (size_ == 0) return std::nullopt;
    HeapVector& heap = top_heap();
    const Entry top = data(heap)[0];
    if (heap.size() > kPrefetchMinEntries) prefetch_next_top_slot(heap);
    Slot& s = slots_[top.slot];
    std::optional<PoppedEvent<Payload>> out(
        std::in_place, PoppedEvent<Payload>{TimePoint(Duration(top.time)),
                                            static_cast<std::uint8_t>(top.order >> kHintBits),
                                            s.seq, std::move(*s.payload)});
    s.payload.reset();
    release_slot(top.slot);
    --size_;
    remove_top(heap);
    if (far_horizon_ != kNoHorizon)
      far_from_ = top.time > kNoHorizon - far_horizon_ ? kNoHorizon : top.time + far_horizon_;
    if (entries() != size_) after_removal();
    return out;
  }

  // Time of the earliest live event, or nullopt if there is none.
  std::optional<TimePoint> next_time() const {
    if (size_ == 0) return std::nullopt;
    const std::size_t near = heap_size(heap_), far = heap_size(far_);
    if (far == 0) return TimePoint(Duration(data(heap_)[0].time));
    if (near == 0) return TimePoint(Duration(data(far_)[0].time));
    return TimePoint(Duration(std::min(data(heap_)[0].time, data(far_)[0].time)));
  }

  // Events scheduled at least `horizon` after the last popped event go to the far heap (see the
  // top of this file); Duration::max() (the default) keeps every event in one heap. Only speed
  // depends on it: the order is the same for any horizon.
  void set_far_horizon(Duration horizon) {
    far_horizon_ = std::max<std::int64_t>(horizon.count(), 0);
    if (far_horizon_ == kNoHorizon) far_from_ = kNoHorizon;
  }

  // Live events (cancelled ones are not counted).
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Cancelled events still occupying heap entries; never more than the live events.
  std::size_t tombstone_count() const { return entries() - size_; }

  // Drops every event. Handles issued before stay stale: sequence numbers keep counting.
  void clear() noexcept {
    heap_.clear();
    far_.clear();
    slots_.clear();
    free_head_ = kNoSlot;
    size_ = 0;
  }

  // Makes room for n pending events without reallocation.
  void reserve(std::size_t n) {
    heap_.reserve(n + kPad);
    slots_.reserve(n);
  }

 private:
  friend struct detail::EventQueueTestAccess;

  // `order` is the priority class in the top 8 bits over the 24-bit sequence hint, so that one
  // unsigned comparison decides (priority, hint). The hint is seq - hint_base_ for events
  // scheduled since the base, and 0 for older ones (their ties fall back to the slot).
  struct Entry {
    std::int64_t time;
    std::uint32_t slot;
    std::uint32_t order;
  };
  static_assert(sizeof(Entry) == 16);

  // A live slot holds its event's sequence and payload; a tombstone's slot keeps the sequence
  // but not the payload. A free slot holds kFreeBit | the index of the next free slot instead of
  // a sequence, so no handle matches it (real sequences stay below 2^63: at a billion events a
  // second that takes 292 years).
  struct Slot {
    std::uint64_t seq = kFreeBit | kNoSlot;
    std::optional<Payload> payload;
  };

  using HeapVector = std::vector<Entry, detail::LargeArrayAllocator<Entry>>;
  using SlotVector = std::vector<Slot, detail::LargeArrayAllocator<Slot>>;

  static constexpr std::size_t kArity = 4;
  // A non-empty heap array starts with three unused entries so that, in a 64-byte aligned buffer,
  // the children of node i (4i+1 .. 4i+4) sit at entries 4i+4 .. 4i+7: one whole cache line.
  static constexpr std::size_t kPad = 3;
  // Below this many entries the heap lives in L1/L2 and prefetching only costs instructions.
  static constexpr std::size_t kPrefetchMinEntries = 8192;
  static constexpr unsigned kHintBits = 24;
  static constexpr std::uint64_t kHintMask = (std::uint64_t{1} << kHintBits) - 1;
  static constexpr std::uint64_t kFreeBit = std::uint64_t{1} << 63;
  static constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::int64_t kNoHorizon = std::numeric_limits<std::int64_t>::max();

  // data() only once the padding exists, i.e. after the first schedule into that heap since
  // construction or clear().
  static Entry* data(HeapVector& heap) noexcept { return heap.data() + kPad; }
  static const Entry* data(const HeapVector& heap) noexcept { return heap.data() + kPad; }
  static std::size_t heap_size(const HeapVector& heap) noexcept {
    return heap.size() > kPad ? heap.size() - kPad : 0;
  }
  // Heap entries, live or tombstoned, in both heaps.
  std::size_t entries() const noexcept { return heap_size(heap_) + heap_size(far_); }

  // The heap whose top is the earliest event. Precondition: size_ > 0 (so a top is live).
  HeapVector& top_heap() noexcept {
    if (heap_size(far_) == 0) return heap_;
    if (heap_size(heap_) == 0) return far_;
    return before(data(far_)[0], data(heap_)[0]) ? far_ : heap_;
  }

  // The total order. Equal `order` means equal priority and both hints 0 (both events older than
  // the hint base), so only then are the full sequence numbers fetched from the slots.
  bool before(const Entry& a, const Entry& b) const noexcept {
    if (a.time != b.time) return a.time < b.time;
    if (a.order != b.order) return a.order < b.order;
    return slots_[a.slot].seq < slots_[b.slot].seq;
  }

  bool is_dead(const Entry& e) const noexcept { return !slots_[e.slot].payload.has_value(); }

  std::uint32_t acquire_slot() {
    if (free_head_ != kNoSlot) {
      const std::uint32_t slot = free_head_;
      free_head_ = static_cast<std::uint32_t>(slots_[slot].seq);  // drops kFreeBit
      return slot;
    }
    if (slots_.size() >= kNoSlot) {
      throw std::length_error("ecsim::EventQueue: more than 2^32 - 1 events");
    }
    slots_.emplace_back();
    return static_cast<std::uint32_t>(slots_.size() - 1);
  }

  // The free list lives inside the slots, so releasing never allocates and cannot fail.
  void release_slot(std::uint32_t slot) noexcept {
    slots_[slot].seq = kFreeBit | free_head_;
    free_head_ = slot;
  }

  // Moves the hint base to half a window behind the next sequence. A monotone map of every hint,
  // so the heap order is unchanged; entries pushed below the base get 0 and tie-break via slots.
  void rebase_hints() noexcept {
    const std::uint64_t new_base = next_seq_ - (hint_window_ + 1) / 2;
    const std::uint64_t shift = new_base - hint_base_;
    hint_base_ = new_base;
    for (HeapVector* heap : {&heap_, &far_}) {
      if (heap_size(*heap) == 0) continue;  // no padding yet: data() would offset a null pointer
      Entry* h = data(*heap);
      for (std::size_t i = 0, n = heap_size(*heap); i < n; ++i) {
        const std::uint64_t hint = h[i].order & kHintMask;
        const std::uint64_t moved = hint > shift ? hint - shift : 0;
        h[i].order = (h[i].order & ~static_cast<std::uint32_t>(kHintMask)) |
                     static_cast<std::uint32_t>(moved);
      }
    }
  }

  // Moves `e` up from the hole at `pos` and stores it where it belongs.
  void sift_up(HeapVector& heap, std::size_t pos, Entry e) noexcept {
    Entry* h = data(heap);
    while (pos > 0) {
      const std::size_t parent = (pos - 1) / kArity;
      if (!before(e, h[parent])) break;
      h[pos] = h[parent];
      pos = parent;
    }
    h[pos] = e;
  }

  // Index of the least child of the node whose children start at `first` (< n).
  std::size_t least_child(const HeapVector& heap, std::size_t first, std::size_t n) const noexcept {
    const Entry* h = data(heap);
    if (first + kArity <= n) {
      if (n > kPrefetchMinEntries) prefetch_children_of_group(heap, first, n);
      // All four children exist: a fixed tournament. Which child wins is a coin toss, so the
      // winners are selected arithmetically; a branch here would be mispredicted half the time.
      const std::size_t a = first + static_cast<std::size_t>(before(h[first + 1], h[first]));
      const std::size_t b =
          first + 2 + static_cast<std::size_t>(before(h[first + 3], h[first + 2]));
      const std::size_t b_wins = std::size_t{0} - static_cast<std::size_t>(before(h[b], h[a]));
      return a ^ ((a ^ b) & b_wins);
    }
    std::size_t best = first;
    for (std::size_t c = first + 1; c < n; ++c) {
      if (before(h[c], h[best])) best = c;
    }
    return best;
  }

  // Moves `e` down from the hole at `pos` and stores it where it belongs.
  void sift_down(HeapVector& heap, std::size_t pos, Entry e) noexcept {
    Entry* h = data(heap);
    const std::size_t n = heap_size(heap);
    for (std::size_t first = kArity * pos + 1; first < n; first = kArity * pos + 1) {
      const std::size_t best = least_child(heap, first, n);
      if (!before(h[best], e)) break;
      h[pos] = h[best];
      pos = best;
    }
    h[pos] = e;
  }

  // On a large heap each level of a sift-down is a cache miss, and because the branch-free
  // tournament makes the next address depend on the comparisons, those misses would be paid one
  // after another. Fetching all sixteen grandchildren (four cache lines) while the children are
  // compared overlaps them instead.
  static void prefetch_children_of_group(const HeapVector& heap, std::size_t first,
                                         std::size_t n) noexcept {
    const std::size_t grandchildren = kArity * first + 1;
    if (grandchildren >= n) return;
    detail::prefetch(data(heap) + grandchildren, kArity * kArity * sizeof(Entry));
  }

  // The next top is the least of the root's children (unless the entry that moves into the root
  // is smaller still). Its slot is a random place in a large slot vector: request it now, so the
  // miss overlaps this pop's sift-down instead of stalling the next pop.
  void prefetch_next_top_slot(const HeapVector& heap) const noexcept {
    const std::size_t n = heap_size(heap);
    if (n < 2) return;
    const std::size_t best = least_child(heap, 1, n);
    detail::prefetch(&slots_[data(heap)[best].slot]);
  }

  // Floyd's variant: the hole at the root sinks along least children all the way to a leaf, then
  // the former last entry rises from there. The last entry is usually among the latest events and
  // ends near the bottom anyway, so this saves a comparison per level.
  void remove_top(HeapVector& heap) noexcept {
    const Entry last = heap.back();
    heap.pop_back();
    const std::size_t n = heap_size(heap);
    if (n == 0) return;
    Entry* h = data(heap);
    std::size_t pos = 0;
    for (std::size_t first = 1; first < n; first = kArity * pos + 1) {
      const std::size_t best = least_child(heap, first, n);
      h[pos] = h[best];
      pos = best;
    }
    sift_up(heap, pos, last);
  }

  // After an event left (popped or cancelled): keep the tombstones bounded and the top live, so
  // that next_time() stays const and O(1).
  void after_removal() noexcept {
    if (2 * tombstone_count() > entries()) {
      compact(heap_);
      compact(far_);
      return;
    }
    for (HeapVector* heap : {&heap_, &far_}) {
      while (heap_size(*heap) != 0 && is_dead(data(*heap)[0])) {
        release_slot(data(*heap)[0].slot);
        remove_top(*heap);
      }
    }
  }

  // Rebuilds a heap from its live entries (Floyd's bottom-up heapify, O(n)).
  void compact(HeapVector& heap) noexcept {
    if (heap.size() <= kPad) return;
    auto live_end = std::remove_if(heap.begin() + kPad, heap.end(), [this](const Entry& e) {
      if (!is_dead(e)) return false;
      release_slot(e.slot);
      return true;
    });
    heap.erase(live_end, heap.end());
    const std::size_t n = heap_size(heap);
    if (n < 2) return;
    Entry* h = data(heap);
    for (std::size_t i = (n - 2) / kArity + 1; i-- > 0;)
      sift_down(heap, i, h[i]);
  }

  HeapVector heap_;  // the near heap
  HeapVector far_;   // events at or after far_from_ when they were scheduled
  SlotVector slots_;
  std::uint32_t free_head_ = kNoSlot;
  std::size_t size_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t hint_base_ = 0;
  std::uint64_t hint_window_ = kHintMask;  // the largest hint; smaller only in tests
  std::int64_t far_horizon_ = kNoHorizon;
  std::int64_t far_from_ = kNoHorizon;  // last popped time + far_horizon_
};

}  // namespace ecsim
