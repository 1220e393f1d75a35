// Strict, typed reading of scenario JSON.
//
// ObjectReader wraps one JSON object at a known JSON Pointer. Every accessor checks type and range
// and records a Problem instead of throwing, so a whole document is checked in one pass and the
// user sees every mistake at once. finish() reports keys nobody read, with a "did you mean" for
// near misses. Values are returned fully defaulted, so the typed scenario never holds "unset".
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecsim/scenario_error.hpp"
#include "ecsim/time.hpp"

namespace ecsim::detail {

using Json = nlohmann::json;

class Diagnostics {
 public:
  void add(std::string pointer, std::string message);
  bool ok() const { return problems_.empty(); }
  const std::vector<Problem>& problems() const { return problems_; }
  // Throws ScenarioError if any problem was recorded.
  void throw_if_any() const;

 private:
  std::vector<Problem> problems_;
};

// Describes a JSON value's type for messages: "a string", "an object", "null" ...
std::string json_type_name(const Json& value);

// A short rendering of a value for messages, cut to a readable length.
std::string json_excerpt(const Json& value);

// The closest candidate to `word` within a small edit distance, or "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Parses JSON text strictly: reports syntax errors with line and column, duplicate keys, and
// nesting deeper than max_depth, as Problems. Returns nullopt when the text is unusable.
std::optional<Json> parse_json_text(std::string_view text, Diagnostics& diag,
                                    std::string_view source_name, int max_depth = 128);

class ObjectReader {
 public:
  // If `value` is not an object, records a problem and every accessor returns its default.
  ObjectReader(const Json& value, std::string pointer, Diagnostics& diag);
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  ~ObjectReader() = default;

  bool valid() const { return object_ != nullptr; }
  const std::string& pointer() const { return pointer_; }
  std::string pointer_to(std::string_view key) const;
  Diagnostics& diagnostics() const { return diag_; }
  bool has(std::string_view key) const;
  // The raw value (marks the key as read), or nullptr when absent.
  const Json* raw(std::string_view key);

  std::string string(std::string_view key, std::string fallback);
  std::optional<std::string> optional_string(std::string_view key);
  std::string required_string(std::string_view key);
  // A string restricted to a set of values (AWS enums); case-sensitive like AWS.
  std::string enumeration(std::string_view key, std::string fallback,
                          std::initializer_list<std::string_view> allowed);

  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);
  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                               std::int64_t max);
  std::int64_t required_integer(std::string_view key, std::int64_t min, std::int64_t max);
  double number(std::string_view key, double fallback, double min, double max);
  std::optional<double> optional_number(std::string_view key, double min, double max);
  bool boolean(std::string_view key, bool fallback);

  // A duration: a JSON number of seconds or a string with units ("250ms", "5m").
  Duration duration(std::string_view key, Duration fallback, Duration min = Duration{0},
                    Duration max = kMaxScenarioDuration);
  std::optional<Duration> optional_duration(std::string_view key, Duration min = Duration{0},
                                            Duration max = kMaxScenarioDuration);

  // Calls `each(element, pointer)` for each element of an array member; absent means empty.
  void array(std::string_view key, const std::function<void(const Json&, const std::string&)>& each,
             std::size_t max_size = 100000);
  // Calls `each(reader)` for each object in an array member.
  void objects(std::string_view key, const std::function<void(ObjectReader&)>& each,
               std::size_t max_size = 100000);
  // Calls `each(reader)` with the object member, if present.
  bool object(std::string_view key, const std::function<void(ObjectReader&)>& each);
  std::vector<std::string> string_list(std::string_view key, std::size_t max_size = 10000);

  // Every member, all marked as read: for objects whose keys are data (custom attributes).
  std::vector<std::pair<std::string, const Json*>> raw_items();
  // Marks keys as known but without meaning to ecsim (AWS read-only fields such as
  // taskDefinitionArn): present or not, they are accepted and ignored.
  void ignore(std::initializer_list<std::string_view> keys);
  // Records an unknown-key problem for every key no accessor read, with a "did you mean".
  void finish();

  void problem(std::string_view key, std::string message);

 private:
  const Json* member(std::string_view key);
  void wrong_type(std::string_view key, const Json& value, std::string_view expected);

  const Json* object_;
  std::string pointer_;
  Diagnostics& diag_;
  std::set<std::string, std::less<>> read_;
  bool finished_ = false;
};

// Duration from a JSON value (number of seconds or unit string); message on failure.
Result<Duration> duration_from_json(const Json& value);

}  // namespace ecsim::detail
