// The results table of a sweep: one row per run, in run order, with flattened summary columns.
#include <map>

#include "ecsim/sweep.hpp"

namespace ecsim {
namespace {

using OJson = nlohmann::ordered_json;

void flatten_into(const OJson& value, const std::string& prefix,
                  std::vector<std::pair<std::string, OJson>>& out) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.items())
      flatten_into(member, prefix.empty() ? key : prefix + "." + key, out);
    return;
  }
  out.emplace_back(prefix, value);
}

// Table cells are scalars: arrays and objects become their compact JSON text.
OJson cell(const OJson& value) {
  if (value.is_structured()) return value.dump();
  return value;
}

std::string csv_field(const OJson& value) {
  if (value.is_null()) return "";
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::vector<std::pair<std::string, nlohmann::ordered_json>> flatten_summary(
    const nlohmann::ordered_json& summary) {
  std::vector<std::pair<std::string, OJson>> out;
  if (summary.is_object()) flatten_into(summary, "", out);
  return out;
}

SweepTable sweep_table(const SweepSpec& spec, const std::vector<SweepRun>& runs,
                       const std::vector<nlohmann::ordered_json>& summaries) {
  SweepTable table;
  table.columns = {"run", "variant", "replication", "seed", "hash"};
  for (const SweepAxis& axis : spec.axes)
    table.columns.push_back(axis.name);
  const std::size_t fixed = table.columns.size();
  // A lookup only: the column order is the order of first appearance, never the map's.
  std::map<std::string, std::size_t, std::less<>> column_of;
  for (std::size_t c = 0; c < fixed; ++c)
    column_of.emplace(table.columns[c], c);

  std::vector<std::vector<std::pair<std::string, OJson>>> flat;
  flat.reserve(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    flat.push_back(i < summaries.size() ? flatten_summary(summaries[i])
                                        : std::vector<std::pair<std::string, OJson>>{});
    for (const auto& [name, value] : flat.back())
      if (column_of.emplace(name, table.columns.size()).second) table.columns.push_back(name);
  }

  table.rows.reserve(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const SweepRun& run = runs[i];
    std::vector<OJson> row(table.columns.size());
    row[0] = run.index;
    row[1] = run.variant;
    row[2] = run.replication;
    row[3] = run.seed;
    row[4] = run.hash;
    for (std::size_t a = 0; a < run.values.size() && 5 + a < fixed; ++a)
      row[5 + a] = cell(OJson(run.values[a]));
    for (const auto& [name, value] : flat[i]) {
      const std::size_t c = column_of.find(name)->second;
      if (c >= fixed) row[c] = cell(value);  // a summary column named like a sweep column: skip
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string SweepTable::to_csv() const {
  std::string out;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (c > 0) out += ',';
    out += csv_field(OJson(columns[c]));
  }
  out += "\n";
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      out += csv_field(row[c]);
    }
    out += "\n";
  }
  return out;
}

nlohmann::ordered_json SweepTable::to_json() const {
  OJson out = OJson::array();
  for (const auto& row : rows) {
    OJson object = OJson::object();
    for (std::size_t c = 0; c < columns.size() && c < row.size(); ++c)
      object[columns[c]] = row[c];
    out.push_back(std::move(object));
  }
  return out;
}

}  // namespace ecsim
