#include "scenario/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace ecsim {

ScenarioError::ScenarioError(std::vector<Problem> problems)
    : std::runtime_error([&] {
        std::string text;
        for (const Problem& p : problems)
          text += p.to_string() + "\n";
        return text;
      }()),
      problems_(std::move(problems)) {}

std::string json_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

}  // namespace ecsim

namespace ecsim::detail {

void Diagnostics::add(std::string pointer, std::string message) {
  problems_.push_back({std::move(pointer), std::move(message)});
}

void Diagnostics::throw_if_any() const {
  if (!problems_.empty()) throw ScenarioError(problems_);
}

std::string json_type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

std::string json_excerpt(const Json& value) {
  std::string text;
  if (value.is_number_float() && !std::isfinite(value.get<double>()))
    text = value.get<double>() > 0 ? "Infinity" : "-Infinity";
  else
    text = value.dump(-1, ' ', true, Json::error_handler_t::replace);
  constexpr std::size_t kMax = 60;
  if (text.size() > kMax) text = text.substr(0, kMax - 3) + "...";
  return text;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const auto lower = [](char c) { return static_cast<char>(std::tolower(c)); };
      const std::size_t sub = prev[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += i + 1 == items.size() ? " or " : ", ";
    out += "\"" + items[i] + "\"";
  }
  return out;
}

// Tracks where the parser is, so duplicate keys and excessive depth can be named by pointer.
class StrictParseTracker {
 public:
  explicit StrictParseTracker(Diagnostics& diag, int max_depth)
      : diag_(diag), max_depth_(max_depth) {}

  struct TooDeep {};

  bool on_event(Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (static_cast<int>(stack_.size()) >= max_depth_) {
          diag_.add(pointer(),
                    "nesting is deeper than " + std::to_string(max_depth_) +
                        " levels; a scenario needs far fewer (check for runaway brackets)");
          throw TooDeep{};
        }
        stack_.push_back({event == Json::parse_event_t::object_start, {}, 0, ""});
        break;
      case Json::parse_event_t::key: {
        Frame& top = stack_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second)
          diag_.add(pointer(),
                    "duplicate key \"" + top.key + "\"; each key may appear once in an object");
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        stack_.pop_back();
        advance_array_index();
        break;
      case Json::parse_event_t::value:
        advance_array_index();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> keys;
    std::size_t index;
    std::string key;
  };

  void advance_array_index() {
    if (!stack_.empty() && !stack_.back().is_object) ++stack_.back().index;
  }

  std::string pointer() const {
    std::string out;
    for (const Frame& f : stack_)
      out += "/" + (f.is_object ? json_pointer_token(f.key) : std::to_string(f.index));
    return out;
  }

  Diagnostics& diag_;
  int max_depth_;
  std::vector<Frame> stack_;
};

std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t byte) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  const std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d <= allowed) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::optional<Json> parse_json_text(std::string_view text, Diagnostics& diag,
                                    std::string_view source_name, int max_depth) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    diag.add("",
             std::string(source_name) + " is empty; expected a JSON object describing a scenario");
    return std::nullopt;
  }
  StrictParseTracker tracker(diag, max_depth);
  const std::size_t problems_before = diag.problems().size();
  try {
    Json parsed = Json::parse(
        text.begin(), text.end(),
        [&tracker](int, Json::parse_event_t event, Json& value) {
          return tracker.on_event(event, value);
        },
        /*allow_exceptions=*/true, /*ignore_comments=*/false);
    if (diag.problems().size() != problems_before) return std::nullopt;
    return parsed;
  } catch (const StrictParseTracker::TooDeep&) {
    return std::nullopt;
  } catch (const Json::parse_error& e) {
    const auto [line, column] = line_and_column(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1, column 2:
    // syntax error while parsing value - invalid literal; last read: 'x'"; keep the part after
    // the position, which says what was wrong.
    const auto colon = what.find(": ", what.find("column"));
    if (colon != std::string::npos) what = what.substr(colon + 2);
    diag.add("", std::string(source_name) + " is not valid JSON at line " + std::to_string(line) +
                     ", column " + std::to_string(column) + ": " + what);
    return std::nullopt;
  } catch (const Json::out_of_range& e) {
    // A number beyond a double's range (1e400) is nlohmann's out_of_range 406, not a
    // parse_error: no position, and the message quotes the number. Found by fuzzing
    // (tests/fuzz_regressions/number-overflow.json).
    const std::string what = e.what();
    const auto open = what.find('\'');
    const auto close = open == std::string::npos ? open : what.find('\'', open + 1);
    const std::string number =
        close == std::string::npos ? "" : what.substr(open + 1, close - open - 1);
    std::string where;
    if (const auto at = number.empty() ? std::string_view::npos : text.find(number);
        at != std::string_view::npos) {
      const auto [line, column] = line_and_column(text, at);
      where = " at line " + std::to_string(line) + ", column " + std::to_string(column);
    }
    diag.add("", std::string(source_name) + " is not valid JSON" + where + ": the number " +
                     (number.empty() ? std::string("there") : number) +
                     " is out of range; numbers must lie within +-1.7e308");
    return std::nullopt;
  }
}

Result<Duration> duration_from_json(const Json& value) {
  if (value.is_number()) {
    const double s = value.get<double>();
    if (auto d = duration_from_seconds(s)) return *d;
    if (!std::isfinite(s)) return Result<Duration>::failure("is not a finite number of seconds");
    if (s < 0)
      return Result<Duration>::failure(json_excerpt(value) +
                                       " is negative; expected 0 or more seconds");
    return Result<Duration>::failure(json_excerpt(value) + " seconds is longer than 100 years");
  }
  if (value.is_string()) return parse_duration(value.get<std::string>());
  return Result<Duration>::failure(
      "is " + json_type_name(value) +
      "; expected a number of seconds or a string such as \"250ms\", \"30s\", \"5m\", \"2h\"");
}

ObjectReader::ObjectReader(const Json& value, std::string pointer, Diagnostics& diag)
    : object_(value.is_object() ? &value : nullptr), pointer_(std::move(pointer)), diag_(diag) {
  if (object_ == nullptr)
    diag_.add(pointer_, "is " + json_type_name(value) + "; expected an object");
}

std::string ObjectReader::pointer_to(std::string_view key) const {
  return pointer_ + "/" + json_pointer_token(key);
}

bool ObjectReader::has(std::string_view key) const {
  return object_ != nullptr && object_->find(key) != object_->end();
}

const Json* ObjectReader::member(std::string_view key) {
  read_.emplace(key);
  if (object_ == nullptr) return nullptr;
  const auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

const Json* ObjectReader::raw(std::string_view key) {
  return member(key);
}

void ObjectReader::problem(std::string_view key, std::string message) {
  diag_.add(pointer_to(key), std::move(message));
}

void ObjectReader::wrong_type(std::string_view key, const Json& value, std::string_view expected) {
  problem(key, "is " + json_type_name(value) + " (" + json_excerpt(value) + "); expected " +
                   std::string(expected));
}

std::optional<std::string> ObjectReader::optional_string(std::string_view key) {
  const Json* v = member(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    wrong_type(key, *v, "a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::string ObjectReader::string(std::string_view key, std::string fallback) {
  return optional_string(key).value_or(std::move(fallback));
}

std::string ObjectReader::required_string(std::string_view key) {
  if (object_ != nullptr && !has(key)) {
    read_.emplace(key);
    diag_.add(pointer_, "is missing required key \"" + std::string(key) + "\" (a string)");
    return {};
  }
  return string(key, {});
}

std::string ObjectReader::enumeration(std::string_view key, std::string fallback,
                                      std::initializer_list<std::string_view> allowed) {
  auto value = optional_string(key);
  if (!value) return fallback;
  std::vector<std::string> names(allowed.begin(), allowed.end());
  if (std::find(names.begin(), names.end(), *value) != names.end()) return *value;
  std::string message = "\"" + *value + "\" is not one of " + quoted_list(names);
  if (const std::string near = closest_match(*value, names); !near.empty())
    message += "; did you mean \"" + near + "\"?";
  problem(key, message);
  return fallback;
}

std::optional<std::int64_t> ObjectReader::optional_integer(std::string_view key, std::int64_t min,
                                                           std::int64_t max) {
  const Json* v = member(key);
  if (v == nullptr) return std::nullopt;
  std::optional<std::int64_t> value;
  if (v->is_number_integer()) {
    value = v->get<std::int64_t>();
  } else if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      value = static_cast<std::int64_t>(u);
  } else if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9e15)
      value = static_cast<std::int64_t>(d);
    else if (std::isfinite(d) && std::abs(d) < 9e15) {
      wrong_type(key, *v, "a whole number");
      return std::nullopt;
    }
  } else {
    wrong_type(key, *v, "an integer");
    return std::nullopt;
  }
  if (!value || *value < min || *value > max) {
    problem(key, json_excerpt(*v) + " is out of range; expected an integer from " +
                     std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::int64_t ObjectReader::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) {
  return optional_integer(key, min, max).value_or(fallback);
}

std::int64_t ObjectReader::required_integer(std::string_view key, std::int64_t min,
                                            std::int64_t max) {
  if (object_ != nullptr && !has(key)) {
    read_.emplace(key);
    diag_.add(pointer_, "is missing required key \"" + std::string(key) + "\" (an integer from " +
                            std::to_string(min) + " to " + std::to_string(max) + ")");
    return min;
  }
  return integer(key, min, min, max);
}

std::optional<double> ObjectReader::optional_number(std::string_view key, double min, double max) {
  const Json* v = member(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) {
    wrong_type(key, *v, "a number");
    return std::nullopt;
  }
  const double d = v->get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    std::ostringstream range;
    range << "expected a number from " << min << " to " << max;
    problem(key, json_excerpt(*v) + " is out of range; " + range.str());
    return std::nullopt;
  }
  return d;
}

double ObjectReader::number(std::string_view key, double fallback, double min, double max) {
  return optional_number(key, min, max).value_or(fallback);
}

bool ObjectReader::boolean(std::string_view key, bool fallback) {
  const Json* v = member(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) {
    wrong_type(key, *v, "true or false");
    return fallback;
  }
  return v->get<bool>();
}

std::optional<Duration> ObjectReader::optional_duration(std::string_view key, Duration min,
                                                        Duration max) {
  const Json* v = member(key);
  if (v == nullptr) return std::nullopt;
  auto parsed = duration_from_json(*v);
  if (!parsed) {
    problem(key, parsed.error());
    return std::nullopt;
  }
  if (*parsed < min || *parsed > max) {
    problem(key, json_excerpt(*v) + " is out of range; expected a duration from " +
                     format_duration(min) + " to " + format_duration(max));
    return std::nullopt;
  }
  return *parsed;
}

Duration ObjectReader::duration(std::string_view key, Duration fallback, Duration min,
                                Duration max) {
  return optional_duration(key, min, max).value_or(fallback);
}

void ObjectReader::array(std::string_view key,
                         const std::function<void(const Json&, const std::string&)>& each,
                         std::size_t max_size) {
  const Json* v = member(key);
  if (v == nullptr) return;
  if (!v->is_array()) {
    wrong_type(key, *v, "an array");
    return;
  }
  if (v->size() > max_size) {
    problem(key, "has " + std::to_string(v->size()) + " elements; at most " +
                     std::to_string(max_size) + " are allowed");
    return;
  }
  const std::string base = pointer_to(key);
  for (std::size_t i = 0; i < v->size(); ++i)
    each((*v)[i], base + "/" + std::to_string(i));
}

void ObjectReader::objects(std::string_view key, const std::function<void(ObjectReader&)>& each,
                           std::size_t max_size) {
  array(
      key,
      [&](const Json& element, const std::string& ptr) {
        ObjectReader reader(element, ptr, diag_);
        if (!reader.valid()) return;
        each(reader);
        reader.finish();
      },
      max_size);
}

bool ObjectReader::object(std::string_view key, const std::function<void(ObjectReader&)>& each) {
  const Json* v = member(key);
  if (v == nullptr) return false;
  ObjectReader reader(*v, pointer_to(key), diag_);
  if (!reader.valid()) return false;
  each(reader);
  reader.finish();
  return true;
}

std::vector<std::string> ObjectReader::string_list(std::string_view key, std::size_t max_size) {
  std::vector<std::string> out;
  array(
      key,
      [&](const Json& element, const std::string& ptr) {
        if (element.is_string())
          out.push_back(element.get<std::string>());
        else
          diag_.add(ptr, "is " + json_type_name(element) + "; expected a string");
      },
      max_size);
  return out;
}

std::vector<std::pair<std::string, const Json*>> ObjectReader::raw_items() {
  std::vector<std::pair<std::string, const Json*>> out;
  if (object_ == nullptr) return out;
  for (const auto& [key, value] : object_->items()) {
    read_.insert(key);
    out.emplace_back(key, &value);
  }
  return out;
}

void ObjectReader::ignore(std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys)
    read_.emplace(k);
}

void ObjectReader::finish() {
  if (finished_ || object_ == nullptr) return;
  finished_ = true;
  std::vector<std::string> known(read_.begin(), read_.end());
  for (const auto& [key, value] : object_->items()) {
    if (read_.count(key)) continue;
    std::string message = "unknown key \"" + key + "\"";
    if (const std::string near = closest_match(key, known); !near.empty())
      message += "; did you mean \"" + near + "\"?";
    else
      message += "; valid keys here are " + quoted_list(known);
    diag_.add(pointer_to(key), message);
  }
}

}  // namespace ecsim::detail
