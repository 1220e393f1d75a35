// ScenarioError: everything wrong with a scenario, reported at once.
//
// Each problem names the JSON Pointer (RFC 6901) of the offending value, says what is wrong and
// what would be valid, e.g. `/taskDefinitions/0/memory: 100000000 is above the maximum; expected
// ...`. The library throws ScenarioError at its boundary (loading, validation); it never
// terminates.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace ecsim {

struct Problem {
  std::string pointer;  // "" is the whole document
  std::string message;  // what is wrong; what would be valid

  std::string to_string() const { return (pointer.empty() ? "/" : pointer) + ": " + message; }
  bool operator==(const Problem&) const = default;
};

class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Problem> problems);
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::vector<Problem> problems_;
};

// Escapes one reference token for a JSON Pointer ("~" -> "~0", "/" -> "~1").
std::string json_pointer_token(std::string_view token);

}  // namespace ecsim
