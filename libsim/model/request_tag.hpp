// The tag the model gives each load balancer target (TargetInfo::tag): the service and
// deployment of the target's task, so that the per-request RequestFinished names them without a
// look at the task (a cache miss per request on a large cluster). 0 means "no service".
#pragma once

#include <cstddef>
#include <cstdint>

namespace ecsim::detail {

inline std::uint64_t service_target_tag(std::size_t service, std::size_t deployment) {
  return (static_cast<std::uint64_t>(service + 1) << 32) | static_cast<std::uint64_t>(deployment);
}
inline std::size_t tag_service(std::uint64_t tag) {
  return static_cast<std::size_t>(tag >> 32) - 1;
}
inline std::size_t tag_deployment(std::uint64_t tag) {
  return static_cast<std::size_t>(tag & 0xffffffffu);
}

}  // namespace ecsim::detail
