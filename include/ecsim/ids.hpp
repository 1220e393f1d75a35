// Identifiers that ecsim gives the things it creates, in AWS's formats.
//
// They are sequential, so a scenario can name an instance before the run ("i-00000000000000003" is
// the third instance launched) and a run's ids are the same on every machine.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace ecsim {

// EC2 instance id: "i-" and 17 hex digits; ordinal counts from 1 in launch order.
inline std::string ec2_instance_id(std::uint64_t ordinal) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "i-%017llx", static_cast<unsigned long long>(ordinal));
  return buf;
}

// The 32-hex-digit id ECS uses for tasks and container instances.
inline std::string ecs_hex_id(std::uint64_t ordinal) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%032llx", static_cast<unsigned long long>(ordinal));
  return buf;
}

}  // namespace ecsim
