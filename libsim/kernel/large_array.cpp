// Storage for the simulator's big arrays (large_array.hpp): cache-line aligned, with transparent
// huge pages for large blocks where the platform offers them.
#include "ecsim/large_array.hpp"

#include <cstddef>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ecsim::detail {
namespace {

constexpr std::size_t kCacheLine = 64;
constexpr std::size_t kHugePage = std::size_t{2} << 20;
// Below two huge pages the rounding would waste too much for too little gain.
constexpr std::size_t kHugeThreshold = 2 * kHugePage;

std::align_val_t alignment_for(std::size_t bytes) {
  return std::align_val_t{bytes >= kHugeThreshold ? kHugePage : kCacheLine};
}

}  // namespace

void* allocate_large_array(std::size_t bytes) {
  void* block = ::operator new(bytes, alignment_for(bytes));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= kHugeThreshold) {
    // Only whole huge pages inside the block; the tail keeps small pages. A hint: if THP is
    // disabled the call fails and nothing changes.
    (void)::madvise(block, bytes & ~(kHugePage - 1), MADV_HUGEPAGE);
  }
#endif
  return block;
}

void deallocate_large_array(void* block, std::size_t bytes) noexcept {
  ::operator delete(block, alignment_for(bytes));
}

}  // namespace ecsim::detail
