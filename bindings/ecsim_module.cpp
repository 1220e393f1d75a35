// _ecsim: the compiled half of the `ecsim` Python package (bindings/python/ecsim/ is the other).
//
// The Python API (ecsim.run, ecsim.validate, ecsim.sweep ...) lives in the pure-Python modules;
// this module gives them what must be C++: loading and running scenarios with the GIL released,
// the sweep engine (expansion, hashes, the results table, the run store) so that every front end
// (the CLI, a process or thread pool, Dask) produces the same bytes, and the placement engine for
// experiments. C++ names are kept (STYLE.md 12). Errors: ecsim::ScenarioError becomes
// ecsim.ScenarioError (with .problems), OutputError becomes OSError, anything else RuntimeError.
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "ecsim/instance_types.hpp"
#include "ecsim/output_directory.hpp"
#include "ecsim/placement.hpp"
#include "ecsim/placement_quality.hpp"
#include "ecsim/random.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"
#include "ecsim/sweep.hpp"

namespace py = pybind11;

namespace {

using ecsim::ClusterView;
using ecsim::InstanceIndex;

// ---- scenarios ----------------------------------------------------------------------------------

// Exactly one of text and path is given; see ecsim/_run.py for how Python values map onto them.
ecsim::Scenario load(const std::optional<std::string>& text, const std::optional<std::string>& path,
                     const std::string& base_dir, const std::string& source_name) {
  if (path) return ecsim::load_scenario_file(*path);
  return ecsim::load_scenario_text(text.value_or(""), source_name, base_dir);
}

// What one run hands back to Python, built without the GIL.
struct RunOutput {
  std::string summary_json;
  std::string events_jsonl;  // empty unless events were kept
  std::uint64_t seed = 0;
  std::uint64_t events_processed = 0;
  ecsim::MetricsTable metrics;
};

RunOutput run_scenario(const ecsim::Scenario& scenario, std::optional<std::uint64_t> seed,
                       const std::optional<std::string>& out, bool keep_events) {
  RunOutput result;
  ecsim::RunOptions options;
  options.seed = seed;
  // Events are kept by an observer of our own; the rest is read from the finished simulation.
  const auto keep = [&result](ecsim::Simulation& sim) {
    sim.on_event().connect([&result](const ecsim::EventRecord& r) {
      result.events_jsonl += ecsim::to_json_line(r);
      result.events_jsonl += '\n';
    });
  };
  const auto collect = [&result](const ecsim::Simulation& sim) {
    result.seed = sim.seed();
    result.events_processed = sim.events_processed();
    result.metrics = sim.metrics();
  };
  nlohmann::ordered_json summary;
  if (out) {
    // What `ecsim run --out` writes (events.jsonl, summary.json, metrics.csv, report.html,
    // trace.json), by the same function, so byte for byte the same and atomic: a failed run
    // leaves nothing in the folder.
    ecsim::RunHooks hooks;
    if (keep_events) hooks.attach = keep;
    hooks.finished = collect;
    summary = ecsim::run_to_directory(scenario, *out, options, {}, hooks);
  } else {
    ecsim::Simulation sim(scenario, options);
    if (keep_events) keep(sim);
    sim.run();
    summary = sim.summary();
    collect(sim);
  }
  result.summary_json = summary.dump();
  return result;
}

py::dict metrics_to_numpy(const ecsim::MetricsTable& table) {
  const std::size_t rows = table.rows.size();
  const std::size_t columns = table.metric_names.size();
  py::array_t<double> t(static_cast<py::ssize_t>(rows));
  py::array_t<double> values({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(columns)});
  py::list entity_types;
  py::list entities;
  auto tv = t.mutable_unchecked<1>();
  auto vv = values.mutable_unchecked<2>();
  for (std::size_t r = 0; r < rows; ++r) {
    const auto& row = table.rows[r];
    tv(static_cast<py::ssize_t>(r)) = row.t;
    entity_types.append(row.entity_type);
    entities.append(row.entity);
    for (std::size_t c = 0; c < columns; ++c)
      vv(static_cast<py::ssize_t>(r), static_cast<py::ssize_t>(c)) =
          c < row.values.size() ? row.values[c] : std::numeric_limits<double>::quiet_NaN();
  }
  py::dict out;
  out["names"] = table.metric_names;
  out["t"] = t;
  out["entity_type"] = entity_types;
  out["entity"] = entities;
  out["values"] = values;
  return out;
}

py::dict run_binding(const std::optional<std::string>& text, const std::optional<std::string>& path,
                     const std::string& base_dir, const std::string& source_name,
                     std::optional<std::uint64_t> seed, const std::optional<std::string>& out,
                     bool keep_events) {
  RunOutput result;
  {
    // Loading, running and writing touch no Python object: other Python threads run meanwhile.
    py::gil_scoped_release release;
    const ecsim::Scenario scenario = load(text, path, base_dir, source_name);
    result = run_scenario(scenario, seed, out, keep_events);
  }
  py::dict d;
  d["summary"] = result.summary_json;
  d["events"] = keep_events ? py::object(py::str(result.events_jsonl)) : py::object(py::none());
  d["seed"] = result.seed;
  d["events_processed"] = result.events_processed;
  d["metrics"] = metrics_to_numpy(result.metrics);
  return d;
}

std::string validate_binding(const std::optional<std::string>& text,
                             const std::optional<std::string>& path, const std::string& base_dir,
                             const std::string& source_name) {
  py::gil_scoped_release release;
  return load(text, path, base_dir, source_name).name;
}

py::list instance_types_binding() {
  py::list out;
  for (const ecsim::InstanceType& t : ecsim::builtin_instance_types()) {
    py::dict d;
    d["name"] = t.name;
    d["vcpu"] = t.vcpu;
    d["memoryGiB"] = t.memory_gib;
    d["cpuArchitecture"] = std::string(ecsim::to_string(t.architecture));
    d["maxEnis"] = t.max_enis;
    d["awsvpcTasks"] = t.awsvpc_tasks_no_trunk;
    d["awsvpcTasksWithTrunking"] = t.awsvpc_tasks_trunk;
    d["pricePerHourUSD"] = t.price_per_hour_usd;
    d["registeredCpu"] = t.registered_cpu_units();
    d["registeredMemoryMiB"] = t.registered_memory_mib(0);
    d["registeredMemoryIsEstimate"] = t.registered_memory_is_estimate();
    out.append(std::move(d));
  }
  return out;
}

// ---- sweeps -------------------------------------------------------------------------------------

// A loaded sweep and its runs, in run order.
struct SweepPlan {
  ecsim::SweepSpec spec;
  std::vector<ecsim::SweepRun> runs;

  const ecsim::SweepRun& at(std::size_t i) const {
    if (i >= runs.size()) throw py::index_error("run index out of range");
    return runs[i];
  }
};

std::shared_ptr<SweepPlan> plan_binding(const std::optional<std::string>& text,
                                        const std::optional<std::string>& path,
                                        const std::string& base_dir,
                                        const std::string& source_name) {
  auto plan = std::make_shared<SweepPlan>();
  py::gil_scoped_release release;
  plan->spec = path ? ecsim::load_sweep_file(*path)
                    : ecsim::load_sweep_text(text.value_or(""), source_name, base_dir);
  plan->runs = ecsim::expand_sweep(plan->spec);
  return plan;
}

std::vector<nlohmann::ordered_json> parse_summaries(const std::vector<std::string>& texts) {
  std::vector<nlohmann::ordered_json> out;
  out.reserve(texts.size());
  for (const std::string& t : texts)
    out.push_back(nlohmann::ordered_json::parse(t));
  return out;
}

// ---- placement ----------------------------------------------------------------------------------

ClusterView::Status parse_status(const std::string& s) {
  using S = ClusterView::Status;
  for (S v : {S::kRegistering, S::kRegistrationFailed, S::kActive, S::kDraining, S::kDeregistering,
              S::kInactive})
    if (ecsim::to_string(v) == s) return v;
  throw py::value_error("unknown container instance status \"" + s +
                        "\"; expected ACTIVE, DRAINING, REGISTERING, REGISTRATION_FAILED, "
                        "DEREGISTERING or INACTIVE");
}

ecsim::NetworkMode parse_network_mode(const std::string& s) {
  using M = ecsim::NetworkMode;
  for (M v : {M::kBridge, M::kAwsvpc, M::kHost, M::kNone})
    if (ecsim::to_string(v) == s) return v;
  throw py::value_error("unknown network mode \"" + s +
                        "\"; expected bridge, awsvpc, host or none");
}

ecsim::TieBreak parse_tie_break(const std::string& s) {
  if (s == "random") return ecsim::TieBreak::kRandom;
  if (s == "lowestId") return ecsim::TieBreak::kLowestId;
  throw py::value_error("unknown tie break \"" + s + "\"; expected random or lowestId");
}

ecsim::PlacementStrategy make_strategy(const std::string& type, const std::string& field) {
  auto r = ecsim::parse_placement_strategy(type, field);
  if (!r) throw py::value_error(r.error());
  return *r;
}

ecsim::PlacementConstraint make_constraint(const std::string& type, const std::string& expression) {
  auto r = ecsim::parse_placement_constraint(type, expression);
  if (!r) throw py::value_error(r.error());
  return *r;
}

// A Python callable as a custom placement strategy (ecsim::CustomPlacementStrategy):
// fn(view, request, candidates) -> one score per candidate, the least preferred. place_task and
// place_tasks release the GIL, so score() holds it only while it calls fn. The view and request
// passed are the caller's own objects (not copies), valid during the call only.
class PyStrategy final : public ecsim::CustomPlacementStrategy {
 public:
  PyStrategy(py::object fn, std::string name) : fn_(std::move(fn)), name_(std::move(name)) {}
  ~PyStrategy() override {
    py::gil_scoped_acquire gil;  // the last reference may go in a thread without the GIL
    fn_ = py::object();
  }
  PyStrategy(const PyStrategy&) = delete;
  PyStrategy& operator=(const PyStrategy&) = delete;

  std::string name() const override { return name_; }

  void score(const ClusterView& view, const ecsim::PlacementRequest& request,
             std::span<const InstanceIndex> candidates, std::span<double> scores) const override {
    py::gil_scoped_acquire gil;
    py::list rows(candidates.size());
    for (std::size_t k = 0; k < candidates.size(); ++k)
      rows[k] = py::int_(candidates[k]);
    const py::object result = fn_(py::cast(&view, py::return_value_policy::reference),
                                  py::cast(&request, py::return_value_policy::reference), rows);
    const auto values =
        py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(result);
    if (!values || values.ndim() != 1 ||
        static_cast<std::size_t>(values.size()) != candidates.size())
      throw py::value_error(
          "custom placement strategy " + name_ + " must return one number per candidate (" +
          std::to_string(candidates.size()) + "), got " + py::repr(result).cast<std::string>());
    std::copy(values.data(), values.data() + candidates.size(), scores.begin());
  }

 private:
  py::object fn_;
  std::string name_;
};

ecsim::PlacementStrategy make_custom(const py::object& fn, const std::optional<std::string>& name) {
  if (!PyCallable_Check(fn.ptr()))
    throw py::type_error(
        "a custom placement strategy must be callable: "
        "fn(view, request, candidates) -> scores");
  std::string label;
  if (name) {
    label = *name;
  } else if (py::hasattr(fn, "__name__")) {
    label = py::str(fn.attr("__name__"));
  } else {
    label = py::str(py::type::of(fn).attr("__name__"));
  }
  return ecsim::PlacementStrategy::custom_of(std::make_shared<const PyStrategy>(fn, label));
}

// Strategies may be given as PlacementStrategy objects, (type, field) tuples, AWS-shaped dicts or
// Python callables (custom strategies, see PyStrategy).
std::vector<ecsim::PlacementStrategy> to_strategies(const py::iterable& items) {
  std::vector<ecsim::PlacementStrategy> out;
  for (const py::handle item : items) {
    if (py::isinstance<ecsim::PlacementStrategy>(item)) {
      out.push_back(item.cast<ecsim::PlacementStrategy>());
    } else if (PyCallable_Check(item.ptr())) {
      out.push_back(make_custom(py::reinterpret_borrow<py::object>(item), std::nullopt));
    } else if (py::isinstance<py::dict>(item)) {
      const auto d = item.cast<py::dict>();
      out.push_back(make_strategy(d["type"].cast<std::string>(),
                                  d.contains("field") ? d["field"].cast<std::string>() : ""));
    } else {
      const auto t = item.cast<py::tuple>();
      out.push_back(make_strategy(t[0].cast<std::string>(),
                                  t.size() > 1 ? t[1].cast<std::string>() : std::string()));
    }
  }
  return out;
}

std::vector<ecsim::PlacementConstraint> to_constraints(const py::iterable& items) {
  std::vector<ecsim::PlacementConstraint> out;
  for (const py::handle item : items) {
    if (py::isinstance<ecsim::PlacementConstraint>(item)) {
      out.push_back(item.cast<ecsim::PlacementConstraint>());
    } else if (py::isinstance<py::dict>(item)) {
      const auto d = item.cast<py::dict>();
      out.push_back(
          make_constraint(d["type"].cast<std::string>(),
                          d.contains("expression") ? d["expression"].cast<std::string>() : ""));
    } else {
      const auto t = item.cast<py::tuple>();
      out.push_back(make_constraint(t[0].cast<std::string>(),
                                    t.size() > 1 ? t[1].cast<std::string>() : std::string()));
    }
  }
  return out;
}

void check_row(const ClusterView& view, InstanceIndex i) {
  if (i >= view.size()) throw py::index_error("instance index out of range");
}

// Like the simulation does for an instance of a catalog type (libsim/model/cluster_instances.cpp):
// registered CPU and memory, ENI slots and the built-in attributes.
ecsim::InstanceInfo info_of_type(const std::string& type_name, const std::string& id,
                                 const std::string& zone, const ecsim::Attributes& attributes,
                                 bool awsvpc_trunking, std::int64_t ecs_reserved_memory_mib) {
  const ecsim::InstanceType* type = ecsim::find_instance_type(type_name);
  if (type == nullptr) throw py::value_error("unknown instance type \"" + type_name + "\"");
  ecsim::InstanceInfo info;
  info.id = id;
  info.availability_zone = zone;
  info.cpu = type->registered_cpu_units();
  info.memory_mib = type->registered_memory_mib(ecs_reserved_memory_mib);
  const bool trunk = awsvpc_trunking && type->supports_trunking();
  info.eni_slots = trunk ? type->awsvpc_tasks_trunk : type->awsvpc_tasks_no_trunk;
  info.attributes = attributes;
  info.attributes["ecs.availability-zone"] = zone;
  info.attributes["ecs.instance-type"] = type->name;
  info.attributes.emplace("ecs.os-type", "linux");
  info.attributes["ecs.cpu-architecture"] = std::string(ecsim::to_string(type->architecture));
  info.attributes.emplace("ecs.ami-id", "ami-ecs-optimized");
  return info;
}

InstanceIndex add_instance(ClusterView& view, const ecsim::InstanceInfo& info) {
  if (info.id.empty() || info.availability_zone.empty())
    throw py::value_error("an instance needs a non-empty id and availability zone");
  if (view.find(info.id))
    throw py::value_error("instance id \"" + info.id + "\" is already in the view");
  if (info.cpu < 0 || info.memory_mib < 0 || info.gpus < 0 || info.eni_slots < 0)
    throw py::value_error("instance amounts must not be negative");
  return view.add_instance(info);
}

py::dict instance_record(const ClusterView& v, InstanceIndex i) {
  py::dict d;
  d["index"] = i;
  d["id"] = v.id(i);
  d["availabilityZone"] = v.availability_zone(i);
  d["status"] = std::string(ecsim::to_string(v.status(i)));
  d["agentConnected"] = v.agent_connected(i);
  d["registeredCpu"] = v.registered_cpu(i);
  d["remainingCpu"] = v.remaining_cpu(i);
  d["registeredMemoryMiB"] = v.registered_memory(i);
  d["remainingMemoryMiB"] = v.remaining_memory(i);
  d["registeredGpus"] = v.registered_gpus(i);
  d["remainingGpus"] = v.remaining_gpus(i);
  d["eniSlots"] = v.eni_slots(i);
  d["eniUsed"] = v.eni_used(i);
  d["taskGroups"] = v.task_groups(i);
  return d;
}

void bind_placement(py::module_& m) {
  py::class_<ecsim::PlacedPorts>(m, "PlacedPorts", "Host ports one task holds on its instance.")
      .def(py::init<>())
      .def_readwrite("tcp", &ecsim::PlacedPorts::tcp)
      .def_readwrite("udp", &ecsim::PlacedPorts::udp)
      .def("__eq__",
           [](const ecsim::PlacedPorts& a, const ecsim::PlacedPorts& b) { return a == b; })
      .def("__repr__", [](const ecsim::PlacedPorts& p) {
        return "PlacedPorts(tcp=" + py::repr(py::cast(p.tcp)).cast<std::string>() +
               ", udp=" + py::repr(py::cast(p.udp)).cast<std::string>() + ")";
      });

  py::class_<ecsim::TaskFootprint>(m, "TaskFootprint",
                                   "What one task takes from an instance: CPU units, MiB, GPUs, "
                                   "host ports, an ENI in awsvpc mode.")
      .def(py::init([](std::int64_t cpu, std::int64_t memory_mib, std::int64_t gpus,
                       const std::string& network_mode, std::vector<int> static_tcp_ports,
                       std::vector<int> static_udp_ports, std::int64_t dynamic_tcp_ports,
                       std::int64_t dynamic_udp_ports, std::optional<bool> needs_eni) {
             ecsim::TaskFootprint f;
             f.cpu = cpu;
             f.memory_mib = memory_mib;
             f.gpus = gpus;
             f.network_mode = parse_network_mode(network_mode);
             f.static_tcp_ports = std::move(static_tcp_ports);
             f.static_udp_ports = std::move(static_udp_ports);
             f.dynamic_tcp_ports = dynamic_tcp_ports;
             f.dynamic_udp_ports = dynamic_udp_ports;
             f.needs_eni = needs_eni.value_or(f.network_mode == ecsim::NetworkMode::kAwsvpc);
             return f;
           }),
           py::kw_only(), py::arg("cpu") = 0, py::arg("memory_mib") = 0, py::arg("gpus") = 0,
           py::arg("network_mode") = "bridge", py::arg("static_tcp_ports") = std::vector<int>{},
           py::arg("static_udp_ports") = std::vector<int>{}, py::arg("dynamic_tcp_ports") = 0,
           py::arg("dynamic_udp_ports") = 0, py::arg("needs_eni") = py::none())
      .def_readwrite("cpu", &ecsim::TaskFootprint::cpu)
      .def_readwrite("memory_mib", &ecsim::TaskFootprint::memory_mib)
      .def_readwrite("gpus", &ecsim::TaskFootprint::gpus)
      .def_property(
          "network_mode",
          [](const ecsim::TaskFootprint& f) {
            return std::string(ecsim::to_string(f.network_mode));
          },
          [](ecsim::TaskFootprint& f, const std::string& s) {
            f.network_mode = parse_network_mode(s);
          })
      .def_readwrite("static_tcp_ports", &ecsim::TaskFootprint::static_tcp_ports)
      .def_readwrite("static_udp_ports", &ecsim::TaskFootprint::static_udp_ports)
      .def_readwrite("dynamic_tcp_ports", &ecsim::TaskFootprint::dynamic_tcp_ports)
      .def_readwrite("dynamic_udp_ports", &ecsim::TaskFootprint::dynamic_udp_ports)
      .def_readwrite("needs_eni", &ecsim::TaskFootprint::needs_eni)
      .def("__repr__", [](const ecsim::TaskFootprint& f) {
        return "TaskFootprint(cpu=" + std::to_string(f.cpu) +
               ", memory_mib=" + std::to_string(f.memory_mib) + ", network_mode='" +
               std::string(ecsim::to_string(f.network_mode)) + "')";
      });

  py::class_<ecsim::PlacementStrategy>(m, "PlacementStrategy",
                                       "A placement strategy in the API's terms: "
                                       "PlacementStrategy('binpack', 'memory'), ('spread', "
                                       "'attribute:ecs.availability-zone'), ('random').")
      .def(py::init(&make_strategy), py::arg("type"), py::arg("field") = "")
      .def_static("custom", &make_custom, py::arg("fn"), py::arg("name") = py::none(),
                  "A strategy of your own: fn(view, request, candidates) returns one number per "
                  "candidate instance index; the least wins, ties go to the next strategy. It runs "
                  "with the GIL held; the rest of the placement without.")
      .def("__str__", &ecsim::PlacementStrategy::to_string)
      .def("__repr__",
           [](const ecsim::PlacementStrategy& s) {
             return "PlacementStrategy(" + s.to_string() + ")";
           })
      .def("__eq__", [](const ecsim::PlacementStrategy& a, const ecsim::PlacementStrategy& b) {
        return a == b;
      });

  py::class_<ecsim::PlacementConstraint>(m, "PlacementConstraint",
                                         "PlacementConstraint('distinctInstance') or "
                                         "PlacementConstraint('memberOf', 'attribute:stack == "
                                         "prod'); a bad expression raises ValueError.")
      .def(py::init(&make_constraint), py::arg("type"), py::arg("expression") = "");

  py::class_<ecsim::PlacementRequest>(m, "PlacementRequest",
                                      "One task to place: footprint, task group, constraints "
                                      "(binding) and strategies (best effort, in order).")
      .def(py::init([](const ecsim::TaskFootprint& footprint, const std::string& group,
                       const py::iterable& strategies, const py::iterable& constraints,
                       bool service_default) {
             ecsim::PlacementRequest r;
             r.footprint = footprint;
             r.group = group;
             r.strategies = to_strategies(strategies);
             r.constraints = to_constraints(constraints);
             r.service_default = service_default;
             return r;
           }),
           py::arg("footprint"), py::arg("group") = "family:task",
           py::arg("strategies") = py::list(), py::arg("constraints") = py::list(),
           py::arg("service_default") = false)
      .def_readwrite("footprint", &ecsim::PlacementRequest::footprint)
      .def_readwrite("group", &ecsim::PlacementRequest::group)
      .def_readwrite("service_default", &ecsim::PlacementRequest::service_default)
      .def_property_readonly("strategies",
                             [](const ecsim::PlacementRequest& r) { return r.strategies; })
      .def(
          "problem",
          [](const ecsim::PlacementRequest& r) { return ecsim::placement_request_problem(r); },
          "What is wrong with the request, or None.");

  py::class_<ecsim::PlacementDecision>(m, "PlacementDecision",
                                       "The instance chosen, or why none could be (ECS's reason "
                                       "and wording).")
      .def_property_readonly("placed", &ecsim::PlacementDecision::placed)
      .def_readonly("instance", &ecsim::PlacementDecision::instance)
      .def_readonly("reason", &ecsim::PlacementDecision::reason)
      .def_readonly("message", &ecsim::PlacementDecision::message)
      .def_readonly("closest_instance", &ecsim::PlacementDecision::closest_instance)
      .def_readonly("closest_instance_id", &ecsim::PlacementDecision::closest_instance_id)
      .def_readonly("required", &ecsim::PlacementDecision::required)
      .def_readonly("available", &ecsim::PlacementDecision::available)
      .def_readonly("port_problem", &ecsim::PlacementDecision::port_problem)
      .def_readonly("conflicting_ports", &ecsim::PlacementDecision::conflicting_ports)
      .def("__bool__", &ecsim::PlacementDecision::placed)
      .def("__repr__", [](const ecsim::PlacementDecision& d) {
        if (d.placed()) return "PlacementDecision(instance=" + std::to_string(*d.instance) + ")";
        return "PlacementDecision(reason='" + d.reason + "', message='" + d.message + "')";
      });

  py::class_<ecsim::PlacedTask>(m, "PlacedTask")
      .def_readonly("instance", &ecsim::PlacedTask::instance)
      .def_readonly("ports", &ecsim::PlacedTask::ports);
  py::class_<ecsim::PlacementBatch>(m, "PlacementBatch")
      .def_readonly("placed", &ecsim::PlacementBatch::placed)
      .def_readonly("failure", &ecsim::PlacementBatch::failure);

  py::class_<ecsim::Rng>(m, "Rng",
                         "ecsim's seeded generator (xoshiro256**); draws are the same "
                         "on every machine.")
      .def(py::init<std::uint64_t>(), py::arg("seed"))
      .def("next_u64", &ecsim::Rng::next_u64);

  py::class_<ClusterView>(m, "ClusterView",
                          "The container instances of one cluster, as the placement engine sees "
                          "them. Rows are never removed; copy() gives an independent deep copy "
                          "for dry runs.")
      .def(py::init<>())
      .def(
          "add_instance",
          [](ClusterView& v, const std::string& id, const std::string& availability_zone,
             std::int64_t cpu, std::int64_t memory_mib, std::int64_t gpus, int eni_slots,
             const ecsim::Attributes& attributes, const std::string& status, bool agent_connected,
             std::optional<std::vector<int>> reserved_tcp_ports,
             std::vector<int> reserved_udp_ports) {
            ecsim::InstanceInfo info;
            info.id = id;
            info.availability_zone = availability_zone;
            info.cpu = cpu;
            info.memory_mib = memory_mib;
            info.gpus = gpus;
            info.eni_slots = eni_slots;
            info.attributes = attributes;
            info.status = parse_status(status);
            info.agent_connected = agent_connected;
            if (reserved_tcp_ports) info.reserved_tcp_ports = std::move(*reserved_tcp_ports);
            info.reserved_udp_ports = std::move(reserved_udp_ports);
            return add_instance(v, info);
          },
          py::arg("id"), py::arg("availability_zone"), py::kw_only(), py::arg("cpu"),
          py::arg("memory_mib"), py::arg("gpus") = 0, py::arg("eni_slots") = 0,
          py::arg("attributes") = ecsim::Attributes{}, py::arg("status") = "ACTIVE",
          py::arg("agent_connected") = true, py::arg("reserved_tcp_ports") = py::none(),
          py::arg("reserved_udp_ports") = std::vector<int>{},
          "Adds an instance with explicit registered amounts; returns its row index.")
      .def(
          "add_instance_of_type",
          [](ClusterView& v, const std::string& instance_type, const std::string& id,
             const std::string& availability_zone, const ecsim::Attributes& attributes,
             bool awsvpc_trunking, std::int64_t ecs_reserved_memory_mib) {
            return add_instance(v, info_of_type(instance_type, id, availability_zone, attributes,
                                                awsvpc_trunking, ecs_reserved_memory_mib));
          },
          py::arg("instance_type"), py::arg("id"), py::arg("availability_zone"), py::kw_only(),
          py::arg("attributes") = ecsim::Attributes{}, py::arg("awsvpc_trunking") = false,
          py::arg("ecs_reserved_memory_mib") = 0,
          "Adds an ACTIVE instance of a built-in type as the simulation registers it (CPU, memory, "
          "ENI slots, built-in attributes); returns its row index.")
      .def(
          "reserve",
          [](ClusterView& v, InstanceIndex i, const ecsim::TaskFootprint& f,
             const std::string& group) {
            check_row(v, i);
            return v.reserve(i, f, group);
          },
          py::arg("instance"), py::arg("footprint"), py::arg("group"),
          "Takes a placed task's resources on the instance; returns the host ports it holds.")
      .def(
          "release",
          [](ClusterView& v, InstanceIndex i, const ecsim::TaskFootprint& f,
             const std::string& group, const ecsim::PlacedPorts& ports) {
            check_row(v, i);
            v.release(i, f, group, ports);
          },
          py::arg("instance"), py::arg("footprint"), py::arg("group"), py::arg("ports"),
          "Gives back exactly what reserve took.")
      .def(
          "set_status",
          [](ClusterView& v, InstanceIndex i, const std::string& s) {
            check_row(v, i);
            v.set_status(i, parse_status(s));
          },
          py::arg("instance"), py::arg("status"))
      .def(
          "set_agent_connected",
          [](ClusterView& v, InstanceIndex i, bool c) {
            check_row(v, i);
            v.set_agent_connected(i, c);
          },
          py::arg("instance"), py::arg("connected"))
      .def(
          "set_attribute",
          [](ClusterView& v, InstanceIndex i, const std::string& name, const std::string& value) {
            check_row(v, i);
            v.set_attribute(i, name, value);
          },
          py::arg("instance"), py::arg("name"), py::arg("value"))
      // Single fields, cheaper than instance() in a custom strategy's loop.
      .def(
          "id",
          [](const ClusterView& v, InstanceIndex i) {
            check_row(v, i);
            return v.id(i);
          },
          py::arg("instance"))
      .def(
          "availability_zone",
          [](const ClusterView& v, InstanceIndex i) {
            check_row(v, i);
            return v.availability_zone(i);
          },
          py::arg("instance"))
      .def(
          "registered_cpu",
          [](const ClusterView& v, InstanceIndex i) {
            check_row(v, i);
            return v.registered_cpu(i);
          },
          py::arg("instance"))
      .def(
          "remaining_cpu",
          [](const ClusterView& v, InstanceIndex i) {
            check_row(v, i);
            return v.remaining_cpu(i);
          },
          py::arg("instance"))
      .def(
          "registered_memory",
          [](const ClusterView& v, InstanceIndex i) {
            check_row(v, i);
            return v.registered_memory(i);
          },
          py::arg("instance"))
      .def(
          "remaining_memory",
          [](const ClusterView& v, InstanceIndex i) {
            check_row(v, i);
            return v.remaining_memory(i);
          },
          py::arg("instance"))
      .def("__len__", &ClusterView::size)
      .def(
          "find", [](const ClusterView& v, const std::string& id) { return v.find(id); },
          py::arg("id"), "The row index of an instance id, or None.")
      .def(
          "instance",
          [](const ClusterView& v, InstanceIndex i) {
            check_row(v, i);
            return instance_record(v, i);
          },
          py::arg("instance"), "One row as a dict (status, registered and remaining amounts ...).")
      .def(
          "instances",
          [](const ClusterView& v) {
            py::list out;
            for (InstanceIndex i = 0; i < v.size(); ++i)
              out.append(instance_record(v, i));
            return out;
          },
          "Every row as a dict, e.g. for pandas.DataFrame(view.instances()).")
      .def(
          "attributes",
          [](const ClusterView& v, InstanceIndex i) {
            check_row(v, i);
            return v.attributes(i);
          },
          py::arg("instance"))
      .def(
          "task_count",
          [](const ClusterView& v, InstanceIndex i, const std::string& g) {
            check_row(v, i);
            return v.task_count(i, g);
          },
          py::arg("instance"), py::arg("group"))
      .def("group_task_count", &ClusterView::group_task_count, py::arg("group"))
      .def(
          "ports_in_use",
          [](const ClusterView& v, InstanceIndex i) {
            check_row(v, i);
            return std::make_pair(v.tcp_ports_in_use(i), v.udp_ports_in_use(i));
          },
          py::arg("instance"), "(tcp, udp) host ports in use, sorted.")
      .def("availability_zones", &ClusterView::availability_zones)
      .def("check_invariants", &ClusterView::check_invariants,
           "Recomputes every index; the first mismatch, or None.")
      .def("copy", [](const ClusterView& v) { return ClusterView(v); })
      .def("__copy__", [](const ClusterView& v) { return ClusterView(v); })
      .def(
          "__deepcopy__", [](const ClusterView& v, const py::dict&) { return ClusterView(v); },
          py::arg("memo"));

  m.def(
      "place_task",
      [](const ClusterView& view, const ecsim::PlacementRequest& request, ecsim::Rng& rng,
         const std::string& tie_break) {
        const ecsim::TieBreak tie = parse_tie_break(tie_break);
        // Without the GIL (a custom strategy takes it back for its call only): the view, request
        // and rng must not be changed from another thread meanwhile.
        py::gil_scoped_release release;
        return ecsim::place_task(view, request, rng, tie);
      },
      py::arg("view"), py::arg("request"), py::arg("rng"), py::arg("tie_break") = "random",
      "Chooses an instance for one task, or explains why none fits; changes nothing but rng. "
      "Releases the GIL: do not change view, request or rng from another thread meanwhile.");
  m.def(
      "place_tasks",
      [](ClusterView& view, const ecsim::PlacementRequest& request, int count, ecsim::Rng& rng,
         const std::string& tie_break) {
        const ecsim::TieBreak tie = parse_tie_break(tie_break);
        py::gil_scoped_release release;  // as place_task
        return ecsim::place_tasks(view, request, count, rng, tie);
      },
      py::arg("view"), py::arg("request"), py::arg("count"), py::arg("rng"),
      py::arg("tie_break") = "random",
      "Places count tasks one after another, reserving each in view; stops at the first failure.");

  // The placement-quality corpus (ecsim/placement_quality.hpp).
  m.def(
      "placement_quality_workloads",
      [] {
        py::list out;
        for (const ecsim::QualityWorkload& w : ecsim::quality_workloads()) {
          py::dict d;
          d["name"] = w.name;
          d["description"] = w.description;
          out.append(d);
        }
        return out;
      },
      "The corpus's workloads: [{'name', 'description'}], in a fixed order.");
  m.def(
      "standard_quality_chains",
      [] {
        py::list out;
        for (const ecsim::QualityChain& c : ecsim::standard_quality_chains()) {
          py::dict d;
          d["name"] = c.name;
          d["strategies"] = c.strategies;
          d["service_default"] = c.service_default;
          out.append(d);
        }
        return out;
      },
      "The built-in chains the corpus is measured with: [{'name', 'strategies', "
      "'service_default'}].");
  m.def(
      "placement_quality",
      [](const std::string& workload, const py::iterable& strategies, bool service_default,
         const std::optional<std::string>& name, std::uint64_t seed, const std::string& tie_break) {
        ecsim::QualityChain chain;
        chain.strategies = to_strategies(strategies);
        chain.service_default = service_default;
        if (name) {
          chain.name = *name;
        } else if (service_default) {
          chain.name = "service-default";
        } else {
          for (const ecsim::PlacementStrategy& s : chain.strategies)
            chain.name += (chain.name.empty() ? "" : ",") + s.to_string();
        }
        const ecsim::TieBreak tie = parse_tie_break(tie_break);
        ecsim::QualityResult q;
        {
          py::gil_scoped_release release;  // a custom strategy takes it back for its calls
          q = ecsim::run_quality_workload(workload, chain, seed, tie);
        }
        py::dict d;
        d["workload"] = q.workload;
        d["chain"] = q.chain;
        d["instances"] = q.instances;
        d["instances_used"] = q.instances_used;
        d["tasks"] = q.tasks;
        d["placements"] = q.placements;
        d["failures"] = q.failures;
        d["stranded_cpu"] = q.stranded_cpu;
        d["stranded_memory_mib"] = q.stranded_memory_mib;
        d["stranded_cpu_percent"] = q.stranded_cpu_percent;
        d["stranded_memory_percent"] = q.stranded_memory_percent;
        d["az_skew"] = q.az_skew;
        d["placing_seconds"] = q.placing_seconds;
        d["micros_per_placement"] = q.micros_per_placement();
        return d;
      },
      py::arg("workload"), py::arg("strategies") = py::list(), py::kw_only(),
      py::arg("service_default") = false, py::arg("name") = py::none(), py::arg("seed") = 1,
      py::arg("tie_break") = "random",
      "Runs one workload of the placement-quality corpus with one strategy chain (the same forms "
      "as PlacementRequest's strategies, custom callables included) and returns its figures: "
      "instances_used, stranded_cpu_percent, stranded_memory_percent, az_skew, failures, "
      "micros_per_placement ...");
}

}  // namespace

PYBIND11_MODULE(_ecsim, m) {
  m.doc() = "ecsim's compiled core; use the `ecsim` package.";

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ecsim::ScenarioError& e) {
      py::list problems;
      for (const ecsim::Problem& problem : e.problems())
        problems.append(py::make_tuple(problem.pointer, problem.message));
      try {
        py::object cls = py::module_::import("ecsim._errors").attr("ScenarioError");
        py::object error = cls(problems);
        PyErr_SetObject(cls.ptr(), error.ptr());
      } catch (py::error_already_set&) {
        // Imported without the package: still an error with every problem in its text.
        PyErr_SetString(PyExc_ValueError, e.what());
      }
    } catch (const ecsim::OutputError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    }
  });

  m.def("version", &ecsim::version);
  m.def("run", &run_binding, py::arg("text"), py::arg("path"), py::arg("base_dir"),
        py::arg("source_name"), py::arg("seed"), py::arg("out"), py::arg("keep_events"));
  m.def("validate", &validate_binding, py::arg("text"), py::arg("path"), py::arg("base_dir"),
        py::arg("source_name"));
  m.def("instance_types", &instance_types_binding);

  py::class_<SweepPlan, std::shared_ptr<SweepPlan>>(m, "SweepPlan")
      .def_property_readonly("name", [](const SweepPlan& p) { return p.spec.name; })
      .def_property_readonly("description", [](const SweepPlan& p) { return p.spec.description; })
      .def_property_readonly("replications", [](const SweepPlan& p) { return p.spec.replications; })
      .def_property_readonly("seed", [](const SweepPlan& p) { return p.spec.seed; })
      .def_property_readonly("base_dir",
                             [](const SweepPlan& p) { return p.spec.base_dir.string(); })
      .def_property_readonly("axis_names",
                             [](const SweepPlan& p) {
                               std::vector<std::string> names;
                               for (const auto& a : p.spec.axes)
                                 names.push_back(a.name);
                               return names;
                             })
      .def("__len__", [](const SweepPlan& p) { return p.runs.size(); })
      .def("run_info",
           [](const SweepPlan& p, std::size_t i) {
             const ecsim::SweepRun& r = p.at(i);
             nlohmann::json values = r.values;
             py::dict d;
             d["index"] = r.index;
             d["variant"] = r.variant;
             d["replication"] = r.replication;
             d["seed"] = r.seed;
             d["hash"] = r.hash;
             d["values_json"] = values.dump();
             return d;
           })
      .def("scenario_json", [](const SweepPlan& p, std::size_t i) { return p.at(i).scenario_json; })
      .def(
          "table",
          [](const SweepPlan& p, const std::vector<std::string>& summaries) {
            if (summaries.size() != p.runs.size())
              throw py::value_error("one summary per run is needed");
            const ecsim::SweepTable t =
                ecsim::sweep_table(p.spec, p.runs, parse_summaries(summaries));
            return py::make_tuple(t.columns, t.to_csv(), t.to_json().dump());
          },
          "(columns, csv text, rows as JSON) of the results table.");

  m.def("load_sweep", &plan_binding, py::arg("text"), py::arg("path"), py::arg("base_dir"),
        py::arg("source_name"));
  m.def(
      "run_sweep_run",
      [](const std::string& scenario_json, const std::string& base_dir) {
        py::gil_scoped_release release;
        return ecsim::run_sweep_run(scenario_json, base_dir).dump();
      },
      py::arg("scenario_json"), py::arg("base_dir"),
      "Runs one sweep run's scenario (its seed is in it); returns the summary as JSON text.");

  py::class_<ecsim::SweepStore>(m, "SweepStore")
      .def(py::init<std::string>(), py::arg("dir"))
      .def("load",
           [](const ecsim::SweepStore& s, const SweepPlan& p,
              std::size_t i) -> std::optional<std::string> {
             auto summary = s.load(p.at(i));
             if (!summary) return std::nullopt;
             return summary->dump();
           })
      .def("save",
           [](const ecsim::SweepStore& s, const SweepPlan& p, std::size_t i,
              const std::string& summary_json) {
             const ecsim::SweepRun& run = p.at(i);
             const auto summary = nlohmann::ordered_json::parse(summary_json);
             py::gil_scoped_release release;
             s.save(run, summary);
           })
      .def("write_file", [](const ecsim::SweepStore& s, const std::string& name,
                            const std::string& content) { s.write_file(name, content); });

  bind_placement(m);
}
