// ECSIM_ASSERT: checks an invariant of the simulator's own bookkeeping.
//
// A failed assertion throws ecsim::InternalError (the library never terminates the process), with
// the condition, the place and a message, so a run stops with a report instead of going on wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace ecsim {

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {
[[noreturn]] void assertion_failed(const char* condition, const char* file, int line,
                                   const std::string& message);
}

}  // namespace ecsim

#define ECSIM_ASSERT(condition, message)                                            \
  do {                                                                              \
    if (!(condition))                                                               \
      ::ecsim::detail::assertion_failed(#condition, __FILE__, __LINE__, (message)); \
  } while (false)
