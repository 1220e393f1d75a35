// A small JSON Schema (draft 2020-12) validator for the tests: just the keywords
// schema/scenario.schema.json uses.
//
// Supported: boolean schemas, $ref (JSON Pointers into the same document, e.g. "#/$defs/x"), type,
// enum, const, properties, required, additionalProperties, propertyNames, minimum, maximum,
// minLength, maxLength (in code points), pattern (ECMAScript std::regex, unanchored as the spec
// says), items, prefixItems, minItems, maxItems, uniqueItems, allOf, anyOf, oneOf, not,
// if/then/else. Annotations ($schema, $id, $defs, title, description, default, examples,
// $comment) are skipped. Any other keyword throws, so the schema cannot use a keyword this
// validator would silently ignore.
//
// Errors carry the JSON Pointer of the failing value, as the loader's problems do. A failing
// anyOf/oneOf reports one error at its own value (the branches' details would only confuse).
#pragma once

#include <cmath>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecsim::testing {

struct SchemaError {
  std::string pointer;
  std::string message;
};

class JsonSchema {
 public:
  explicit JsonSchema(nlohmann::json root) : root_(std::move(root)) {}

  std::vector<SchemaError> validate(const nlohmann::json& instance) const {
    std::vector<SchemaError> errors;
    check(root_, instance, "", errors);
    return errors;
  }

 private:
  static std::string token(const std::string& key) {
    std::string out;
    for (char c : key) {
      if (c == '~')
        out += "~0";
      else if (c == '/')
        out += "~1";
      else
        out += c;
    }
    return out;
  }

  static std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
      n += (c & 0xC0) != 0x80;
    return n;
  }

  static bool is_integer(const nlohmann::json& v) {
    if (v.is_number_integer() || v.is_number_unsigned()) return true;
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && d == std::floor(d);
  }

  static bool has_type(const nlohmann::json& v, const std::string& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    if (type == "number") return v.is_number();
    if (type == "integer") return is_integer(v);
    throw std::logic_error("unknown JSON Schema type \"" + type + "\"");
  }

  // JSON Schema equality: numbers compare by value (1 == 1.0).
  static bool equal(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
    return a == b;
  }

  const nlohmann::json& resolve(const std::string& ref) const {
    if (ref.rfind("#", 0) != 0) throw std::logic_error("only local $refs are supported: " + ref);
    return root_.at(nlohmann::json::json_pointer(ref.substr(1)));
  }

  bool valid(const nlohmann::json& schema, const nlohmann::json& v, const std::string& at) const {
    std::vector<SchemaError> scratch;
    check(schema, v, at, scratch);
    return scratch.empty();
  }

  void check(const nlohmann::json& schema, const nlohmann::json& v, const std::string& at,
             std::vector<SchemaError>& errors) const {
    auto fail = [&](const std::string& where, const std::string& message) {
      errors.push_back({where, message});
    };
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) fail(at, "is not allowed here");
      return;
    }
    if (!schema.is_object()) throw std::logic_error("a schema must be an object or a boolean");
    for (const auto& [key, value] : schema.items()) {
      if (key == "$schema" || key == "$id" || key == "$defs" || key == "title" ||
          key == "description" || key == "default" || key == "examples" || key == "$comment") {
        continue;
      } else if (key == "$ref") {
        check(resolve(value.get<std::string>()), v, at, errors);
      } else if (key == "type") {
        bool ok = false;
        if (value.is_string()) {
          ok = has_type(v, value.get<std::string>());
        } else {
          for (const auto& t : value)
            ok = ok || has_type(v, t.get<std::string>());
        }
        if (!ok) fail(at, "has the wrong type; expected " + value.dump());
      } else if (key == "enum") {
        bool ok = false;
        for (const auto& e : value)
          ok = ok || equal(e, v);
        if (!ok) fail(at, v.dump() + " is not one of " + value.dump());
      } else if (key == "const") {
        if (!equal(value, v)) fail(at, v.dump() + " is not " + value.dump());
      } else if (key == "properties") {
        if (!v.is_object()) continue;
        for (const auto& [name, sub] : value.items())
          if (v.contains(name)) check(sub, v.at(name), at + "/" + token(name), errors);
      } else if (key == "required") {
        if (!v.is_object()) continue;
        for (const auto& name : value)
          if (!v.contains(name.get<std::string>()))
            fail(at, "is missing required key \"" + name.get<std::string>() + "\"");
      } else if (key == "additionalProperties") {
        if (!v.is_object()) continue;
        const auto props = schema.value("properties", nlohmann::json::object());
        for (const auto& [name, sub] : v.items()) {
          if (props.contains(name)) continue;
          if (value.is_boolean() && !value.get<bool>())
            fail(at + "/" + token(name), "unknown key \"" + name + "\"");
          else
            check(value, sub, at + "/" + token(name), errors);
        }
      } else if (key == "propertyNames") {
        if (!v.is_object()) continue;
        for (const auto& [name, sub] : v.items())
          if (!valid(value, nlohmann::json(name), at))
            fail(at + "/" + token(name), "key \"" + name + "\" is not an allowed name");
      } else if (key == "minimum") {
        if (v.is_number() && v.get<double>() < value.get<double>())
          fail(at, v.dump() + " is less than " + value.dump());
      } else if (key == "maximum") {
        if (v.is_number() && v.get<double>() > value.get<double>())
          fail(at, v.dump() + " is more than " + value.dump());
      } else if (key == "minLength") {
        if (v.is_string() && code_points(v.get<std::string>()) < value.get<std::size_t>())
          fail(at, "is shorter than " + value.dump() + " characters");
      } else if (key == "maxLength") {
        if (v.is_string() && code_points(v.get<std::string>()) > value.get<std::size_t>())
          fail(at, "is longer than " + value.dump() + " characters");
      } else if (key == "pattern") {
        if (v.is_string() &&
            !std::regex_search(v.get<std::string>(), std::regex(value.get<std::string>())))
          fail(at, v.dump() + " does not match " + value.dump());
      } else if (key == "prefixItems") {
        if (!v.is_array()) continue;
        for (std::size_t i = 0; i < value.size() && i < v.size(); ++i)
          check(value[i], v[i], at + "/" + std::to_string(i), errors);
      } else if (key == "items") {
        if (!v.is_array()) continue;
        const std::size_t first = schema.contains("prefixItems") ? schema["prefixItems"].size() : 0;
        for (std::size_t i = first; i < v.size(); ++i)
          check(value, v[i], at + "/" + std::to_string(i), errors);
      } else if (key == "minItems") {
        if (v.is_array() && v.size() < value.get<std::size_t>())
          fail(at, "has fewer than " + value.dump() + " items");
      } else if (key == "maxItems") {
        if (v.is_array() && v.size() > value.get<std::size_t>())
          fail(at, "has more than " + value.dump() + " items");
      } else if (key == "uniqueItems") {
        if (!v.is_array() || !value.get<bool>()) continue;
        std::set<std::string> seen;
        for (const auto& e : v)
          if (!seen.insert(e.dump()).second) fail(at, "has duplicate items");
      } else if (key == "allOf") {
        for (const auto& sub : value)
          check(sub, v, at, errors);
      } else if (key == "anyOf") {
        bool ok = false;
        for (const auto& sub : value)
          ok = ok || valid(sub, v, at);
        if (!ok) fail(at, "matches none of the allowed forms (anyOf)");
      } else if (key == "oneOf") {
        int matches = 0;
        for (const auto& sub : value)
          matches += valid(sub, v, at);
        if (matches != 1)
          fail(at, "matches " + std::to_string(matches) + " of the forms; expected exactly one");
      } else if (key == "not") {
        if (valid(value, v, at)) fail(at, "matches a form that is not allowed");
      } else if (key == "if") {
        const bool cond = valid(value, v, at);
        if (cond && schema.contains("then")) check(schema["then"], v, at, errors);
        if (!cond && schema.contains("else")) check(schema["else"], v, at, errors);
      } else if (key == "then" || key == "else") {
        continue;  // with "if"
      } else {
        throw std::logic_error("JSON Schema keyword \"" + key + "\" is not supported by the tests");
      }
    }
  }

  nlohmann::json root_;
};

}  // namespace ecsim::testing
