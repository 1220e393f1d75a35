// Memory for the simulator's big arrays (the event queue's heaps and slots, the load balancer's
// targets and requests): cache-line aligned blocks, transparent huge pages for large ones, and a
// prefetch hint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ecsim::detail {

// Read-prefetches the cache lines covering [address, address + bytes): a hint, never a fault.
inline void prefetch(const void* address, std::size_t bytes = 1) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  // GCC 12's dead-code elimination silently drops __builtin_prefetch when its address is chosen
  // through a branch; passing the address through an empty asm keeps the prefetches alive.
  asm volatile("" : "+r"(address));
  constexpr std::uintptr_t kLine = 64;
  const auto first = reinterpret_cast<std::uintptr_t>(address);
  for (std::uintptr_t line = first & ~(kLine - 1); line < first + bytes; line += kLine) {
    __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
#else
  (void)address;
  (void)bytes;
#endif
}

// Blocks are 64-byte aligned, so that an array can place its elements on cache-line boundaries
// (the event queue puts each group of four heap siblings on one line). Blocks of 4 MiB and more
// are 2 MiB aligned and, on Linux, advised to use transparent huge pages: randomly accessed
// arrays of tens of megabytes (a million queued events, 50,000 load balancer targets) otherwise
// miss the TLB on nearly every access. Defined in libsim/kernel/large_array.cpp.
void* allocate_large_array(std::size_t bytes);
void deallocate_large_array(void* block, std::size_t bytes) noexcept;

template <class T>
struct LargeArrayAllocator {
  static_assert(alignof(T) <= 64, "large arrays hold elements aligned to at most 64 bytes");
  using value_type = T;

  LargeArrayAllocator() = default;
  template <class U>
  LargeArrayAllocator(const LargeArrayAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit

  T* allocate(std::size_t n) { return static_cast<T*>(allocate_large_array(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { deallocate_large_array(p, n * sizeof(T)); }

  friend bool operator==(const LargeArrayAllocator&, const LargeArrayAllocator&) { return true; }
};

template <class T>
using LargeVector = std::vector<T, LargeArrayAllocator<T>>;

}  // namespace ecsim::detail
