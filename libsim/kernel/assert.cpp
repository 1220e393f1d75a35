#include "ecsim/assert.hpp"

namespace ecsim::detail {

void assertion_failed(const char* condition, const char* file, int line,
                      const std::string& message) {
  throw InternalError(std::string("ecsim internal error: ") + message + " [" + condition + " at " +
                      file + ":" + std::to_string(line) + "]");
}

}  // namespace ecsim::detail
