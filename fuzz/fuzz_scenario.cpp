// libFuzzer target: scenario JSON text -> load and validate -> a short run with the invariant
// checks on, through every output observer (fuzz/scenario_harness.hpp). Build and run it with
// scripts/fuzz.sh; docs/reliability.md says what it covers and what it found.
//
// Byte-level mutations rarely keep a scenario valid JSON, let alone a valid scenario, so most of
// the model would stay out of reach. A custom mutator therefore parses the input and changes one
// value in the document (a boundary number, a string from the dictionary or from elsewhere in the
// document, a copied or dropped array element or member), keeping it JSON and usually keeping it
// a scenario; one mutation in eight is libFuzzer's own on the raw bytes, for the JSON parser.
//
// ECSIM_FUZZ_VERBOSE=1 prints how each input ended (with -runs=0 to see a corpus's outcomes).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario_harness.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

using Json = nlohmann::json;

struct Dictionary {
  std::vector<std::string> keys;    // "name" from lines "\"name\":"
  std::vector<std::string> values;  // "m5.large" from lines "\"m5.large\""
};

// fuzz/scenario.dict: one JSON string literal a line (libFuzzer's escapes are JSON's).
const Dictionary& dictionary() {
  static const Dictionary dict = [] {
    Dictionary d;
    std::ifstream in(ECSIM_FUZZ_DICT);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] != '"') continue;
      const Json literal = Json::parse(line, nullptr, false);
      if (!literal.is_string()) continue;
      const std::string s = literal.get<std::string>();
      if (s.size() >= 3 && s.front() == '"' && s.ends_with("\":"))
        d.keys.push_back(s.substr(1, s.size() - 3));
      else if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        d.values.push_back(s.substr(1, s.size() - 2));
    }
    if (d.keys.empty()) d.keys.push_back("name");
    if (d.values.empty()) d.values.push_back("x");
    return d;
  }();
  return dict;
}

void collect(Json& node, std::vector<Json*>& nodes) {
  nodes.push_back(&node);
  if (node.is_object() || node.is_array())
    for (auto& child : node)
      collect(child, nodes);
}

Json interesting_number(std::minstd_rand& rng, const Json& old) {
  static const double kValues[] = {
      0,    1,     -1,    2,     3,   10,  0.5,        1e-6,         60,
      3600, 86400, 65535, 65536, 1e7, 1e9, 2147483647, 4294967296.0, 9007199254740993.0,
      1e15, 1e308, -1e308};
  const double d = old.is_number() ? old.get<double>() : 1;
  switch (rng() % 4) {
    case 0:
      return Json(d * 2);
    case 1:
      if (std::abs(d / 2) < 9e18) return Json(static_cast<std::int64_t>(d / 2));
      return Json(d / 2);
    default: {
      const double v = kValues[rng() % std::size(kValues)];
      if (v == std::floor(v) && std::abs(v) < 9e18) return Json(static_cast<std::int64_t>(v));
      return Json(v);
    }
  }
}

std::string some_string(std::minstd_rand& rng, const std::vector<Json*>& nodes) {
  const Dictionary& dict = dictionary();
  if (rng() % 3 == 0) {
    // A string from elsewhere in the document: names that refer to each other.
    std::vector<const Json*> strings;
    for (const Json* n : nodes)
      if (n->is_string()) strings.push_back(n);
    if (!strings.empty()) return strings[rng() % strings.size()]->get<std::string>();
  }
  return dict.values[rng() % dict.values.size()];
}

// One structural change to the document; false when nothing could be done.
bool mutate_document(Json& doc, std::minstd_rand& rng) {
  std::vector<Json*> nodes;
  collect(doc, nodes);
  Json& node = *nodes[rng() % nodes.size()];
  const Dictionary& dict = dictionary();
  switch (rng() % 8) {
    case 0:
    case 1:  // a new value of the same kind
      if (node.is_number())
        node = interesting_number(rng, node);
      else if (node.is_string())
        node = some_string(rng, nodes);
      else if (node.is_boolean())
        node = !node.get<bool>();
      else
        return false;
      return true;
    case 2:  // a value of another kind
      switch (rng() % 5) {
        case 0:
          node = interesting_number(rng, node);
          break;
        case 1:
          node = some_string(rng, nodes);
          break;
        case 2:
          node = Json::array();
          break;
        case 3:
          node = Json::object();
          break;
        default:
          node = nullptr;
          break;
      }
      return true;
    case 3:  // copy an element of an array (more instances, tasks, services ...)
    {
      if (!node.is_array() || node.empty()) return false;
      Json element = node[rng() % node.size()];  // a copy: push_back may move the elements
      node.push_back(std::move(element));
      return true;
    }
    case 4:  // drop an array element or an object member
      if (node.is_array() && !node.empty()) {
        node.erase(rng() % node.size());
        return true;
      }
      if (node.is_object() && !node.empty()) {
        auto it = node.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(rng() % node.size()));
        node.erase(it);
        return true;
      }
      return false;
    case 5:  // a member from the dictionary, with a copy of some value as its value
    {
      if (!node.is_object()) return false;
      Json value = *nodes[rng() % nodes.size()];  // a copy: it may be `node` itself
      node[dict.keys[rng() % dict.keys.size()]] = std::move(value);
      return true;
    }
    case 6:  // a member from the dictionary with a simple value
      if (!node.is_object()) return false;
      node[dict.keys[rng() % dict.keys.size()]] =
          rng() % 2 ? Json(some_string(rng, nodes)) : interesting_number(rng, Json(1));
      return true;
    default:  // a subtree copied over another (a service's shape into a timeline input ...)
    {
      const Json copy = *nodes[rng() % nodes.size()];
      if (copy.dump().size() > 4096) return false;
      node = copy;
      return true;
    }
  }
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  std::minstd_rand rng(seed);
  if (rng() % 8 != 0) {
    Json doc = Json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded() && (doc.is_object() || doc.is_array())) {
      const int changes = 1 + static_cast<int>(rng() % 3);
      bool changed = false;
      for (int i = 0; i < changes; ++i)
        changed = mutate_document(doc, rng) || changed;
      if (changed) {
        const std::string text = doc.dump(rng() % 2 ? -1 : 1);
        if (text.size() <= max_size) {
          std::memcpy(data, text.data(), text.size());
          return text.size();
        }
      }
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool verbose = std::getenv("ECSIM_FUZZ_VERBOSE") != nullptr;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string problems;
  // Any exception that escapes is a finding: libFuzzer reports the uncaught exception's abort.
  const auto outcome = ecsim::fuzzing::run_scenario_input(text, ECSIM_FUZZ_DATA_DIR, 50'000,
                                                          verbose ? &problems : nullptr);
  if (verbose) {
    static const char* const kNames[] = {"invalid", "finished", "stopped (event budget)"};
    std::fprintf(stderr, "ecsim fuzz: %zu bytes: %s\n%s", size, kNames[static_cast<int>(outcome)],
                 problems.substr(0, 400).c_str());
  }
  return 0;
}
