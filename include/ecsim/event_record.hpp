// EventRecord: one line of events.jsonl, shaped like the EventBridge events ECS emits.
//
// detail_type is e.g. "ECS Task State Change"; detail holds the AWS field names (taskArn,
// lastStatus, desiredStatus, stopCode ...). Events AWS has no type for get their own detail-type in
// the same style ("ecsim Target Health Change"). Records are emitted in simulated-time order.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ecsim/time.hpp"

namespace ecsim {

struct EventRecord {
  TimePoint time;
  std::string detail_type;
  nlohmann::ordered_json detail;
};

// The JSON line for a record: {"t": seconds, "detail-type": ..., "detail": {...}}.
std::string to_json_line(const EventRecord& record);

}  // namespace ecsim
