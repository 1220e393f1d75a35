// Reading SWEEP.json and expanding it into runs. Every problem is collected with the project's
// strict reader, so a sweep file is checked in one pass like a scenario: first the file itself,
// then the base scenario, then each axis value applied alone (blamed on that value's pointer), then
// every combination.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "ecsim/random.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"
#include "ecsim/sweep.hpp"

#include "scenario/json_reader.hpp"

namespace ecsim {
namespace {

using detail::Diagnostics;
using detail::Json;
using detail::ObjectReader;

constexpr std::uintmax_t kMaxFileBytes = 64u << 20;       // as for scenario files
constexpr std::int64_t kMaxSeed = std::int64_t{1} << 53;  // the scenario format's limit
constexpr std::size_t kMaxRuns = 1'000'000;
constexpr std::size_t kMaxAxes = 32;
constexpr std::size_t kMaxValuesPerAxis = 10'000;
constexpr int kMaxReplications = 100'000;
// Combination problems can repeat for many variants; beyond this many variants the rest are
// counted.
constexpr std::size_t kMaxReportedVariants = 10;

const std::set<std::string, std::less<>> kMetaColumns = {"run", "variant", "replication", "seed",
                                                         "hash"};

// Reads a whole file, or records why not.
std::optional<std::string> read_file(const std::filesystem::path& path, const std::string& pointer,
                                     Diagnostics& diag) {
  std::error_code ec;
  const std::string shown = path.string();
  if (!std::filesystem::exists(path, ec)) {
    diag.add(pointer, "cannot read " + shown + ": no such file");
    return std::nullopt;
  }
  if (std::filesystem::is_directory(path, ec)) {
    diag.add(pointer, "cannot read " + shown + ": it is a folder; expected a .json file");
    return std::nullopt;
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxFileBytes) {
    diag.add(pointer, "cannot read " + shown + (ec ? ": " + ec.message() : ": larger than 64 MiB"));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diag.add(pointer, "cannot read " + shown + ": permission denied or unreadable");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Reports a base-scenario problem in the sweep document: under /base for an inline scenario, at
// /base with the file and the scenario's own pointer for a file.
void add_base_problem(Diagnostics& diag, const SweepSpec& s, const Problem& p) {
  if (s.base_source == "inline")
    diag.add("/base" + p.pointer, p.message);
  else
    diag.add("/base",
             s.base_source + (p.pointer.empty() ? "" : " at " + p.pointer) + ": " + p.message);
}

bool is_array_index(const std::string& token) {
  if (token.empty() || token.size() > 9) return false;
  if (token.size() > 1 && token[0] == '0') return false;
  for (char c : token)
    if (c < '0' || c > '9') return false;
  return true;
}

// What is wrong with varying `pointer` in `base`, or "". Walking the pointer, a missing member of
// an object is created (as an object, for the rest of the path), so "/placement/tieBreak" works on
// a scenario without "placement"; a mistyped member name is then an unknown key to the scenario
// loader, blamed on the value. Array elements must exist: an index past the end would pad the
// array with nulls, which is never what a sweep means.
std::string pointer_problem(const Json& base, const std::string& pointer) {
  Json::json_pointer jp;
  try {
    jp = Json::json_pointer(pointer);
  } catch (const Json::exception&) {
    return "\"" + pointer +
           "\" is not a JSON Pointer (RFC 6901: \"/key/0/key\", with ~0 for ~ and "
           "~1 for /)";
  }
  if (jp.empty()) return "the whole scenario cannot be varied; name a member such as \"/duration\"";
  if (pointer == "/seed")
    return "the seed is set by the sweep (seed + replication, the same for every variant); use "
           "\"replications\" and \"seed\" instead";
  std::vector<std::string> tokens;
  for (Json::json_pointer rest = jp; !rest.empty(); rest.pop_back())
    tokens.push_back(rest.back());
  std::reverse(tokens.begin(), tokens.end());

  const Json* at = &base;  // nullptr once the path leaves the base (members to be created)
  std::string walked;
  for (const std::string& token : tokens) {
    if (at != nullptr && at->is_array()) {
      if (!is_array_index(token) || std::stoul(token) >= at->size())
        return (walked.empty() ? std::string("the document") : walked) + " is an array of " +
               std::to_string(at->size()) + " elements; \"" + token +
               "\" is not one of their indexes" +
               (at->empty() ? "" : " (0.." + std::to_string(at->size() - 1) + ")");
      at = &(*at)[std::stoul(token)];
    } else if (at != nullptr && at->is_object()) {
      const auto it = at->find(token);
      at = it == at->end() ? nullptr : &*it;
    } else if (at != nullptr && !at->is_null()) {
      return (walked.empty() ? std::string("the document") : walked) + " is " +
             detail::json_type_name(*at) + ", which has no members to set";
    }
    walked += "/" + json_pointer_token(token);
  }
  return "";
}

void read_axis(ObjectReader& a, SweepSpec& s) {
  SweepAxis axis;
  const Json* pointer = a.raw("pointer");
  const Json* pointers = a.raw("pointers");
  if ((pointer == nullptr) == (pointers == nullptr)) {
    a.diagnostics().add(
        a.pointer(),
        "give exactly one of \"pointer\" (a JSON Pointer into the base scenario) and "
        "\"pointers\" (several set to the same value)");
  } else if (pointer != nullptr) {
    if (pointer->is_string())
      axis.pointers.push_back(pointer->get<std::string>());
    else
      a.problem("pointer", "is " + detail::json_type_name(*pointer) +
                               "; expected a JSON Pointer string such as "
                               "\"/cluster/containerInstances/0/instanceType\"");
  } else {
    axis.pointers = a.string_list("pointers", 1000);
    if (pointers->is_array() && pointers->empty())
      a.problem("pointers", "is empty; list at least one JSON Pointer");
  }
  const Json* values = a.raw("values");
  if (values == nullptr) {
    a.problem("values", "is required: the list of values to put at the pointer");
  } else if (!values->is_array() || values->empty()) {
    a.problem("values", "is " + detail::json_type_name(*values) +
                            (values->is_array() ? " (empty)" : "") +
                            "; expected a non-empty array of values");
  } else if (values->size() > kMaxValuesPerAxis) {
    a.problem("values", "has " + std::to_string(values->size()) + " values; at most " +
                            std::to_string(kMaxValuesPerAxis));
  } else {
    for (std::size_t i = 0; i < values->size(); ++i) {
      for (std::size_t j = 0; j < i; ++j)
        if ((*values)[j] == (*values)[i]) {
          a.diagnostics().add(a.pointer() + "/values/" + std::to_string(i),
                              "repeats value " + std::to_string(j) + " (" +
                                  detail::json_excerpt((*values)[i]) +
                                  "); each value may appear once");
          break;
        }
      axis.values.push_back((*values)[i]);
    }
  }
  axis.name = a.string("name", axis.pointers.empty() ? std::string() : axis.pointers.front());
  if (kMetaColumns.count(axis.name))
    a.problem("name", "\"" + axis.name +
                          "\" is one of the results table's own columns (run, variant, "
                          "replication, seed, hash); choose another name");
  s.axes.push_back(std::move(axis));
}

// Pointers must be distinct and must not contain one another: the result would depend on the
// order in which they are set.
void check_overlaps(const SweepSpec& s, Diagnostics& diag) {
  std::vector<std::pair<std::string, std::string>> seen;  // pointer, where it was named
  std::set<std::string> names;
  for (std::size_t a = 0; a < s.axes.size(); ++a) {
    const SweepAxis& axis = s.axes[a];
    if (!axis.name.empty() && !names.insert(axis.name).second)
      diag.add("/vary/" + std::to_string(a) + "/name",
               "\"" + axis.name +
                   "\" names another axis too; names are results columns "
                   "and must differ");
    for (std::size_t p = 0; p < axis.pointers.size(); ++p) {
      const std::string& ptr = axis.pointers[p];
      if (ptr.empty()) continue;  // reported by pointer_problem
      const std::string where = "/vary/" + std::to_string(a) +
                                (axis.pointers.size() == 1 ? "" : "/pointers/" + std::to_string(p));
      for (const auto& [other, other_where] : seen) {
        const bool same = other == ptr;
        const bool nested = ptr.starts_with(other + "/") || other.starts_with(ptr + "/");
        if (same || nested) {
          diag.add(where, "\"" + ptr + "\" " +
                              (same ? "is also set at " : "overlaps \"" + other + "\" set at ") +
                              other_where + "; each place may be varied by one axis only");
          break;
        }
      }
      seen.emplace_back(ptr, where);
    }
  }
}

void apply(Json& document, const SweepAxis& axis, const Json& value) {
  for (const std::string& p : axis.pointers)
    document[Json::json_pointer(p)] = value;
}

// The scenario's problems, or none.
std::vector<Problem> scenario_problems(const Json& document, const std::filesystem::path& dir) {
  try {
    (void)load_scenario_json(document, dir);
    return {};
  } catch (const ScenarioError& e) {
    return e.problems();
  }
}

void load_base(ObjectReader& root, SweepSpec& s, const std::filesystem::path& dir,
               Diagnostics& diag) {
  const Json* base = root.raw("base");
  if (base == nullptr) {
    diag.add("/base",
             "is required: the path of the base scenario (relative to the sweep file) "
             "or the scenario object itself");
    return;
  }
  if (base->is_object()) {
    s.base = *base;
    s.base_source = "inline";
    s.base_dir = dir;
    return;
  }
  if (!base->is_string() || base->get<std::string>().empty()) {
    diag.add("/base", "is " + detail::json_type_name(*base) +
                          "; expected the path of the base "
                          "scenario (relative to the sweep file) or the scenario object itself");
    return;
  }
  std::filesystem::path path = base->get<std::string>();
  if (path.is_relative()) path = dir / path;
  s.base_source = base->get<std::string>();
  Diagnostics file_diag;
  if (auto text = read_file(path, "/base", diag)) {
    if (auto parsed = detail::parse_json_text(*text, file_diag, path.filename().string())) {
      s.base = std::move(*parsed);
      std::error_code ec;
      s.base_dir = std::filesystem::absolute(path, ec).parent_path();
    }
    for (const Problem& p : file_diag.problems())
      add_base_problem(diag, s, p);
  }
}

}  // namespace

std::uint64_t sweep_seed(std::uint64_t base_seed, int replication) {
  return base_seed + static_cast<std::uint64_t>(replication);
}

SweepSpec load_sweep_json(const nlohmann::json& document, const std::filesystem::path& dir) {
  Diagnostics diag;
  SweepSpec s;
  ObjectReader root(document, "", diag);
  if (!root.valid()) diag.throw_if_any();
  root.ignore({"$schema"});
  s.name = root.string("name", "sweep");
  s.description = root.string("description", "");
  load_base(root, s, dir, diag);
  root.objects(
      "vary", [&](ObjectReader& a) { read_axis(a, s); }, kMaxAxes);
  s.replications = static_cast<int>(root.integer("replications", 1, 1, kMaxReplications));
  const std::optional<std::int64_t> seed = root.optional_integer("seed", 0, kMaxSeed);
  s.common_random_numbers = root.boolean("commonRandomNumbers", true);
  root.finish();
  if (s.axes.empty() && !root.has("vary"))
    diag.add("/vary",
             "is required: a list of {\"pointer\", \"values\"} to vary (an empty list "
             "runs the base scenario alone)");
  // Pointers are checked against the base document's shape; its contents come next.
  for (std::size_t a = 0; a < s.axes.size() && s.base.is_object(); ++a) {
    const SweepAxis& axis = s.axes[a];
    for (std::size_t p = 0; p < axis.pointers.size(); ++p) {
      if (std::string why = pointer_problem(s.base, axis.pointers[p]); !why.empty()) {
        diag.add("/vary/" + std::to_string(a) +
                     (axis.pointers.size() == 1 ? "/pointer" : "/pointers/" + std::to_string(p)),
                 why);
      }
    }
  }
  check_overlaps(s, diag);
  if (!diag.ok()) diag.throw_if_any();

  // The base seed: the sweep's, else the base scenario's (its own loader checks that value).
  if (seed) {
    s.seed = static_cast<std::uint64_t>(*seed);
  } else if (s.base.is_object() && s.base.contains("seed") && s.base["seed"].is_number_unsigned()) {
    s.seed = s.base["seed"].get<std::uint64_t>();
  }
  std::size_t runs = static_cast<std::size_t>(s.replications);
  for (const SweepAxis& axis : s.axes) {
    runs *= std::max<std::size_t>(axis.values.size(), 1);
    if (runs > kMaxRuns) {
      diag.add("/vary", "the sweep has more than " + std::to_string(kMaxRuns) +
                            " runs; split it into several sweeps");
      break;
    }
  }
  const std::uint64_t seeds =
      s.common_random_numbers ? static_cast<std::uint64_t>(s.replications) : runs;
  if (s.seed + seeds - 1 > static_cast<std::uint64_t>(kMaxSeed))
    diag.add(seed ? "/seed" : "/replications", "the largest seed of the sweep, " +
                                                   std::to_string(s.seed + seeds - 1) +
                                                   ", is above 2^53, the largest scenario seed");

  // The base alone, then each value alone, so a bad value is blamed on its own pointer.
  for (const Problem& p : scenario_problems(s.base, s.base_dir))
    add_base_problem(diag, s, p);
  if (!diag.ok()) diag.throw_if_any();
  for (std::size_t a = 0; a < s.axes.size(); ++a) {
    const SweepAxis& axis = s.axes[a];
    for (std::size_t v = 0; v < axis.values.size(); ++v) {
      Json variant = s.base;
      apply(variant, axis, axis.values[v]);
      for (const Problem& p : scenario_problems(variant, s.base_dir))
        diag.add("/vary/" + std::to_string(a) + "/values/" + std::to_string(v),
                 "with " + axis.name + " = " + detail::json_excerpt(axis.values[v]) +
                     ", the scenario is invalid: " + p.to_string());
    }
  }
  diag.throw_if_any();
  return s;
}

SweepSpec load_sweep_text(std::string_view json_text, std::string_view source_name,
                          const std::filesystem::path& dir) {
  Diagnostics diag;
  auto document = detail::parse_json_text(json_text, diag, source_name);
  diag.throw_if_any();
  return load_sweep_json(*document, dir);
}

SweepSpec load_sweep_file(const std::filesystem::path& path) {
  Diagnostics diag;
  auto text = read_file(path, "", diag);
  diag.throw_if_any();
  std::error_code ec;
  return load_sweep_text(*text, path.filename().string(),
                         std::filesystem::absolute(path, ec).parent_path());
}

std::string sweep_run_hash(std::string_view scenario_json) {
  std::uint64_t h = detail::fnv1a64(std::string("ecsim ") + version() + "\n");
  h = detail::fnv1a64(scenario_json, h);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::vector<SweepRun> expand_sweep(const SweepSpec& spec) {
  std::size_t variants = 1;
  for (const SweepAxis& axis : spec.axes)
    variants *= axis.values.size();

  std::vector<SweepRun> runs;
  runs.reserve(variants * static_cast<std::size_t>(spec.replications));
  Diagnostics diag;
  std::size_t bad_variants = 0;
  std::vector<std::size_t> digit(spec.axes.size(), 0);  // mixed-radix counter, last axis fastest
  for (std::size_t v = 0; v < variants; ++v) {
    Json document = spec.base;
    std::vector<nlohmann::json> values;
    std::string label;
    for (std::size_t a = 0; a < spec.axes.size(); ++a) {
      const Json& value = spec.axes[a].values[digit[a]];
      apply(document, spec.axes[a], value);
      values.push_back(value);
      label += (a ? ", " : "") + spec.axes[a].name + " = " + detail::json_excerpt(value);
    }
    if (const auto problems = scenario_problems(document, spec.base_dir); !problems.empty()) {
      if (++bad_variants <= kMaxReportedVariants)
        for (const Problem& p : problems)
          diag.add("/vary", "variant " + std::to_string(v) + " (" + label +
                                ") makes the scenario invalid: " + p.to_string());
    } else {
      for (int r = 0; r < spec.replications; ++r) {
        SweepRun run;
        run.index = v * static_cast<std::size_t>(spec.replications) + static_cast<std::size_t>(r);
        run.variant = v;
        run.replication = r;
        run.seed = spec.common_random_numbers ? sweep_seed(spec.seed, r)
                                              : spec.seed + static_cast<std::uint64_t>(run.index);
        run.values = values;
        document["seed"] = run.seed;
        run.scenario_json = document.dump();  // nlohmann::json keeps keys sorted: canonical
        run.hash = sweep_run_hash(run.scenario_json);
        runs.push_back(std::move(run));
      }
    }
    for (std::size_t a = spec.axes.size(); a-- > 0;) {
      if (++digit[a] < spec.axes[a].values.size()) break;
      digit[a] = 0;
    }
  }
  if (bad_variants > kMaxReportedVariants)
    diag.add("/vary", std::to_string(bad_variants - kMaxReportedVariants) +
                          " more variants make the scenario invalid");
  diag.throw_if_any();
  return runs;
}

}  // namespace ecsim
