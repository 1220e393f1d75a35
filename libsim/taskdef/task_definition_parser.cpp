// Reads task definitions in AWS's RegisterTaskDefinition shape (and describe-task-definition's
// output) with ObjectReader, then validates them. See task_definition_parser.hpp.
#include "taskdef/task_definition_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace ecsim {
namespace {

using detail::Diagnostics;
using detail::Json;
using detail::ObjectReader;

// AWS fields that do not change what the simulation does. They are accepted, so that real task
// definitions paste in unchanged, and ignored. This is the one place that lists them.
constexpr std::string_view kIgnoredTaskKeys[] = {
    // RegisterTaskDefinition input with no simulated effect.
    "taskRoleArn", "executionRoleArn", "volumes", "tags", "pidMode", "ipcMode",
    "proxyConfiguration", "inferenceAccelerators", "enableFaultInjection",
    // Read-only fields that describe-task-definition prints. `revision` is among them: a
    // TaskDefinitionRegistry numbers revisions itself, as ECS does on registration.
    "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
    "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt"};
constexpr std::string_view kIgnoredContainerKeys[] = {
    // Process, environment, storage, logging and security settings: they matter to the program
    // in the container, not to scheduling. restartPolicy (in-place restarts) is not modelled.
    "repositoryCredentials",
    "links",
    "entryPoint",
    "command",
    "environment",
    "environmentFiles",
    "mountPoints",
    "volumesFrom",
    "linuxParameters",
    "secrets",
    "hostname",
    "user",
    "workingDirectory",
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "dockerSecurityOptions",
    "interactive",
    "pseudoTerminal",
    "dockerLabels",
    "ulimits",
    "logConfiguration",
    "systemControls",
    "firelensConfiguration",
    "credentialSpecs",
    "versionConsistency",
    "restartPolicy"};
// Service Connect naming only.
constexpr std::string_view kIgnoredPortMappingKeys[] = {"name", "appProtocol"};
// describe-task-definition prints the definition's tags beside it.
constexpr std::string_view kIgnoredDescribeKeys[] = {"tags"};

template <std::size_t N>
void ignore_all(ObjectReader& r, const std::string_view (&keys)[N]) {
  for (std::string_view k : keys)
    r.ignore({k});
}

// RegisterTaskDefinition: EC2 task cpu from 128 (0.125 vCPU) to 196608 (192 vCPU) CPU units.
constexpr std::int64_t kMinTaskCpu = 128;
constexpr std::int64_t kMaxCpu = 196608;
// AWS documents no task memory bounds outside Fargate; 6 MiB is the container minimum (2.1) and
// 32 TiB is above any EC2 instance, so anything outside is a typo [INFERRED].
constexpr std::int64_t kMinTaskMemory = 6;
constexpr std::int64_t kMaxMemory = std::int64_t{32} << 20;
constexpr std::int64_t kMaxGpus = 64;  // [INFERRED] well above any instance (8 on p4d/p5)
constexpr double kMaxImageSizeMib = 1 << 20;

std::string missing(std::string_view key, std::string_view what) {
  // Same wording as ObjectReader, so the parser's suppression of follow-on problems recognises it.
  return "is missing required key \"" + std::string(key) + "\" (" + std::string(what) + ")";
}

// --- task cpu and memory strings -----------------------------------------------------------

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

struct SizeUnit {
  std::string_view name;  // lower case
  std::int64_t factor;
};

// "<number>[ ]<unit>" to a whole number of base units, exactly: the number is read as a decimal
// fraction (mantissa / 10^scale), never as a double, so "0.25 vCPU" is exactly 256.
std::optional<std::int64_t> parse_size(std::string_view text, std::initializer_list<SizeUnit> units,
                                       bool& fractional) {
  fractional = false;
  text = trim(text);
  std::size_t i = 0;
  std::int64_t mantissa = 0;
  int int_digits = 0, frac_digits = 0;
  bool dot = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    if (dot ? ++frac_digits > 6 : ++int_digits > 9) return std::nullopt;
    mantissa = mantissa * 10 + (c - '0');
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  const std::string unit = lower(trim(text.substr(i)));
  std::int64_t factor = 0;
  for (const SizeUnit& u : units)
    if (u.name == unit) factor = u.factor;
  if (factor == 0) return std::nullopt;
  std::int64_t scale = 1;
  for (int k = 0; k < frac_digits; ++k)
    scale *= 10;
  // At most 15 digits and a factor of 1024: below 1.1e18, so no overflow. Nine integer digits
  // are far above any valid size.
  const std::int64_t scaled = mantissa * factor;
  if (scaled % scale != 0) {
    fractional = true;
    return std::nullopt;
  }
  return scaled / scale;
}

const char* const kCpuForms =
    "expected CPU units such as \"256\" or 1024, or vCPUs such as \"0.25 vCPU\" or \"2 vCPU\"";
const char* const kMemoryForms =
    "expected MiB such as \"512\" or 2048, or GB such as \"0.5 GB\" or \"4 GB\" (1 GB = 1024 MiB)";

// A task-level cpu or memory value: a string in one of AWS's forms, or a JSON integer.
std::optional<std::int64_t> read_task_size(ObjectReader& r, std::string_view key, bool cpu) {
  const Json* v = r.raw(key);
  if (v == nullptr) return std::nullopt;
  const std::int64_t min = cpu ? kMinTaskCpu : kMinTaskMemory;
  const std::int64_t max = cpu ? kMaxCpu : kMaxMemory;
  std::optional<std::int64_t> value;
  if (v->is_string()) {
    auto parsed =
        cpu ? parse_cpu_units(v->get<std::string>()) : parse_memory_mib(v->get<std::string>());
    if (!parsed) {
      r.problem(key, parsed.error());
      return std::nullopt;
    }
    value = *parsed;
  } else if (v->is_number_integer() || v->is_number_unsigned()) {
    if (v->is_number_unsigned() &&
        v->get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      value = std::numeric_limits<std::int64_t>::max();
    else
      value = v->get<std::int64_t>();
  } else if (v->is_number_float() && std::isfinite(v->get<double>()) &&
             v->get<double>() == std::floor(v->get<double>()) &&
             std::abs(v->get<double>()) < 1e15) {
    value = static_cast<std::int64_t>(v->get<double>());
  } else {
    r.problem(key, "is " + detail::json_type_name(*v) + " (" + detail::json_excerpt(*v) + "); " +
                       (cpu ? kCpuForms : kMemoryForms));
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    r.problem(key, detail::json_excerpt(*v) + " is out of range; task " + (cpu ? "cpu" : "memory") +
                       " must be from " + std::to_string(min) + " to " + std::to_string(max) +
                       (cpu ? " CPU units (0.125 to 192 vCPU)" : " MiB"));
    return std::nullopt;
  }
  return value;
}

// --- the pieces of a container definition --------------------------------------------------

// Reads each element of an object array, keeping a default element where one is not an object so
// that element i of the typed vector is always element i of the JSON array (validation names
// elements by index).
template <class T, class Read>
void read_elements(ObjectReader& r, std::string_view key, std::vector<T>& out, Read read_one,
                   std::size_t max_size) {
  r.array(
      key,
      [&](const Json& element, const std::string& pointer) {
        ObjectReader er(element, pointer, r.diagnostics());
        T item{};
        if (er.valid()) {
          item = read_one(er);
          er.finish();
        }
        out.push_back(std::move(item));
      },
      max_size);
}

std::optional<PortRange> parse_port_range(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == text.size() || dash > 5 ||
      text.size() - dash - 1 > 5)
    return std::nullopt;
  auto number = [](std::string_view digits) {
    int n = 0;
    for (char c : digits) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  const int first = number(text.substr(0, dash));
  const int last = number(text.substr(dash + 1));
  if (first < 0 || last < 0) return std::nullopt;
  return PortRange{first, last};
}

PortMapping read_port_mapping(ObjectReader& r) {
  PortMapping m;
  m.container_port = static_cast<int>(r.integer("containerPort", 0, 1, 65535));
  if (auto host = r.optional_integer("hostPort", 0, 65535)) m.host_port = static_cast<int>(*host);
  m.protocol = r.enumeration("protocol", "tcp", {"tcp", "udp"}) == "udp" ? TransportProtocol::kUdp
                                                                         : TransportProtocol::kTcp;
  if (auto text = r.optional_string("containerPortRange")) {
    const auto range = parse_port_range(*text);
    if (!range)
      r.problem(
          "containerPortRange",
          "\"" + *text + "\" is not a port range; expected \"first-last\" such as \"8000-8100\"");
    else if (range->first < 1 || range->last > 65535)
      r.problem("containerPortRange",
                "\"" + *text + "\" is out of range; ports must be from 1 to 65535");
    else if (range->first >= range->last)
      r.problem("containerPortRange",
                "\"" + *text + "\": the first port must be less than the last port");
    else
      m.container_port_range = range;
  }
  ignore_all(r, kIgnoredPortMappingKeys);
  return m;
}

ContainerDependency read_dependency(ObjectReader& r) {
  ContainerDependency d;
  d.container_name = r.required_string("containerName");
  if (!r.has("condition")) {
    r.ignore({"condition"});
    r.diagnostics().add(r.pointer(), missing("condition", "START, COMPLETE, SUCCESS or HEALTHY"));
    return d;
  }
  const std::string condition =
      r.enumeration("condition", "START", {"START", "COMPLETE", "SUCCESS", "HEALTHY"});
  if (condition == "COMPLETE")
    d.condition = DependencyCondition::kComplete;
  else if (condition == "SUCCESS")
    d.condition = DependencyCondition::kSuccess;
  else if (condition == "HEALTHY")
    d.condition = DependencyCondition::kHealthy;
  return d;
}

HealthCheck read_health_check(ObjectReader& r) {
  HealthCheck h;
  if (!r.has("command")) {
    r.ignore({"command"});
    r.diagnostics().add(r.pointer(), missing("command",
                                             "an array such as [\"CMD-SHELL\", "
                                             "\"curl -f http://localhost/ || exit 1\"]"));
  }
  h.command = r.string_list("command", 1000);
  // Ranges of ecs-reference 2.6.
  h.interval = r.duration("interval", seconds(30), seconds(5), seconds(300));
  h.timeout = r.duration("timeout", seconds(5), seconds(2), seconds(60));
  h.retries = static_cast<int>(r.integer("retries", 3, 1, 10));
  h.start_period = r.duration("startPeriod", Duration{0}, Duration{0}, seconds(300));
  return h;
}

// resourceRequirements: GPU counts are what placement needs; InferenceAccelerator (Elastic
// Inference, retired by AWS) is accepted and ignored.
std::int64_t read_gpus(ObjectReader& r) {
  std::int64_t gpus = 0;
  r.objects(
      "resourceRequirements",
      [&](ObjectReader& rr) {
        if (!rr.has("type"))
          rr.diagnostics().add(rr.pointer(), missing("type", "GPU or InferenceAccelerator"));
        const std::string type = rr.enumeration("type", "", {"GPU", "InferenceAccelerator"});
        const Json* value = rr.raw("value");
        if (value == nullptr) {
          rr.diagnostics().add(rr.pointer(), missing("value", "a string such as \"1\""));
          return;
        }
        if (type != "GPU") return;
        std::optional<std::int64_t> n;
        if (value->is_string()) {
          const std::string text = value->get<std::string>();
          if (!text.empty() && text.size() <= 3 &&
              std::all_of(text.begin(), text.end(),
                          [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            n = std::stoll(text);
        } else if (value->is_number_integer()) {
          n = value->get<std::int64_t>();
        }
        if (!n || *n < 1 || *n > kMaxGpus) {
          rr.problem("value", detail::json_excerpt(*value) +
                                  " is not a GPU count; expected a string with a whole number from "
                                  "1 to " +
                                  std::to_string(kMaxGpus) + ", such as \"1\"");
          return;
        }
        gpus += *n;
      },
      100);
  return gpus;
}

ContainerSimulation read_simulation(ObjectReader& r) {
  ContainerSimulation s;
  s.image_size_mib = r.optional_number("imageSizeMiB", 0, kMaxImageSizeMib);
  s.start_duration = r.optional_duration("startDuration");
  s.stop_duration = r.optional_duration("stopDuration");
  s.exit_after = r.optional_duration("exitAfter");
  s.exit_code = static_cast<int>(r.integer("exitCode", 0, 0, 255));
  s.healthy = r.boolean("healthy", true);
  s.error_rate = r.number("errorRate", 0, 0, 1);
  return s;
}

ContainerDefinition read_container(ObjectReader& r) {
  ContainerDefinition c;
  c.name = r.required_string("name");
  c.image = r.required_string("image");
  c.cpu_units = r.optional_integer("cpu", 0, kMaxCpu);
  c.memory_mib = r.optional_integer("memory", 0, kMaxMemory);
  c.memory_reservation_mib = r.optional_integer("memoryReservation", 0, kMaxMemory);
  c.gpus = read_gpus(r);
  c.essential = r.boolean("essential", true);
  read_elements(r, "portMappings", c.port_mappings, read_port_mapping, 10000);
  read_elements(r, "dependsOn", c.depends_on, read_dependency, 100);
  r.object("healthCheck", [&](ObjectReader& h) { c.health_check = read_health_check(h); });
  c.start_timeout = r.optional_duration("startTimeout");
  c.stop_timeout = r.optional_duration("stopTimeout");
  r.object("ecsim", [&](ObjectReader& e) { c.simulation = read_simulation(e); });
  ignore_all(r, kIgnoredContainerKeys);
  return c;
}

// --- the task definition -----------------------------------------------------------------------

void read_compatibilities(ObjectReader& r, TaskDefinition& td) {
  static const std::vector<std::string> names = {"EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"};
  r.array(
      "requiresCompatibilities",
      [&](const Json& element, const std::string& pointer) {
        if (!element.is_string()) {
          r.diagnostics().add(pointer, "is " + detail::json_type_name(element) +
                                           "; expected \"EC2\", \"FARGATE\", \"EXTERNAL\" or "
                                           "\"MANAGED_INSTANCES\"");
          return;
        }
        const std::string name = element.get<std::string>();
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
          std::string message = "\"" + name +
                                "\" is not one of \"EC2\", \"FARGATE\", \"EXTERNAL\" or "
                                "\"MANAGED_INSTANCES\"";
          if (const std::string near = detail::closest_match(name, names); !near.empty())
            message += "; did you mean \"" + near + "\"?";
          r.diagnostics().add(pointer, message);
          return;
        }
        const auto c = static_cast<Compatibility>(it - names.begin());
        if (!td.requires_compatibility(c)) td.requires_compatibilities.push_back(c);
      },
      10);
}

void read_runtime_platform(ObjectReader& r, RuntimePlatform& platform) {
  const std::string arch = r.enumeration("cpuArchitecture", "", {"X86_64", "ARM64"});
  if (arch == "X86_64") platform.cpu_architecture = CpuArchitecture::kX86_64;
  if (arch == "ARM64") platform.cpu_architecture = CpuArchitecture::kArm64;
  platform.operating_system_family = r.enumeration(
      "operatingSystemFamily", "LINUX",
      {"LINUX", "WINDOWS_SERVER_2016_FULL", "WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE",
       "WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2022_CORE", "WINDOWS_SERVER_2025_FULL",
       "WINDOWS_SERVER_2025_CORE", "WINDOWS_SERVER_2004_CORE", "WINDOWS_SERVER_20H2_CORE"});
}

TaskDefinition read_task_definition(ObjectReader& r) {
  TaskDefinition td;
  td.family = r.required_string("family");
  const std::string mode =
      r.enumeration("networkMode", "bridge", {"bridge", "awsvpc", "host", "none"});
  td.network_mode = mode == "awsvpc" ? NetworkMode::kAwsvpc
                    : mode == "host" ? NetworkMode::kHost
                    : mode == "none" ? NetworkMode::kNone
                                     : NetworkMode::kBridge;
  read_compatibilities(r, td);
  td.cpu_units = read_task_size(r, "cpu", true);
  td.memory_mib = read_task_size(r, "memory", false);
  if (!r.has("containerDefinitions")) {
    r.ignore({"containerDefinitions"});
    r.diagnostics().add(
        r.pointer(), missing("containerDefinitions", "an array of 1 to 10 container definitions"));
  }
  read_elements(r, "containerDefinitions", td.container_definitions, read_container, 1000);
  read_elements(
      r, "placementConstraints", td.placement_constraints,
      [](ObjectReader& c) {
        TaskPlacementConstraint constraint;
        constraint.type = c.required_string("type");
        constraint.expression = c.string("expression", "");
        return constraint;
      },
      1000);
  r.object("runtimePlatform",
           [&](ObjectReader& p) { read_runtime_platform(p, td.runtime_platform); });
  r.object("ephemeralStorage", [&](ObjectReader& e) {
    // Fargate task storage (platform 1.4.0+); 20 GiB when absent.
    td.ephemeral_storage_gib = e.required_integer("sizeInGiB", 21, 200);
  });
  ignore_all(r, kIgnoredTaskKeys);
  return td;
}

// --- leaving out problems that follow from a parse problem ----------------------------------

bool within(std::string_view outer, std::string_view inner) {
  return inner.substr(0, outer.size()) == outer &&
         (inner.size() == outer.size() || inner[outer.size()] == '/');
}

bool ends_with_index(std::string_view pointer) {
  const auto slash = pointer.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == pointer.size()) return false;
  return std::all_of(pointer.begin() + static_cast<std::ptrdiff_t>(slash) + 1, pointer.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// True when validation problem `v` is a consequence of parse problem `p`: both name the same
// value; `v` lies inside a value that failed to parse; `v` is about an array element as a whole
// ("needs memory or memoryReservation") and something inside that element failed; or `p` says a
// required key is missing and `v` is about that key.
bool follows_from(const Problem& p, const std::string& v, const std::string& root) {
  constexpr std::string_view kMissing = "is missing required key \"";
  if (p.message.rfind(kMissing, 0) == 0) {
    const auto end = p.message.find('"', kMissing.size());
    const std::string key = p.message.substr(kMissing.size(), end - kMissing.size());
    return within(p.pointer + "/" + json_pointer_token(key), v);
  }
  if (p.pointer == v) return true;
  if (p.pointer != root && within(p.pointer, v)) return true;
  return ends_with_index(v) && within(v, p.pointer);
}

TaskDefinition read_and_validate(ObjectReader& r) {
  Diagnostics& diag = r.diagnostics();
  const std::size_t before = diag.problems().size();
  TaskDefinition td = read_task_definition(r);
  r.finish();
  const std::vector<Problem> parse_problems(
      diag.problems().begin() + static_cast<std::ptrdiff_t>(before), diag.problems().end());
  Diagnostics checks;
  detail::validate_task_definition(td, r.pointer(), checks);
  for (const Problem& v : checks.problems()) {
    const bool consequence =
        std::any_of(parse_problems.begin(), parse_problems.end(),
                    [&](const Problem& p) { return follows_from(p, v.pointer, r.pointer()); });
    if (!consequence) diag.add(v.pointer, v.message);
  }
  return td;
}

}  // namespace

Result<std::int64_t> parse_cpu_units(std::string_view text) {
  bool fractional = false;
  if (auto units = parse_size(text, {{"", 1}, {"vcpu", 1024}}, fractional)) return *units;
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (fractional)
    return Result<std::int64_t>::failure(
        quoted + " is not a whole number of CPU units (1 vCPU = 1024 units); " + kCpuForms);
  return Result<std::int64_t>::failure(quoted + " is not a task cpu value; " + kCpuForms);
}

Result<std::int64_t> parse_memory_mib(std::string_view text) {
  bool fractional = false;
  if (auto mib = parse_size(text, {{"", 1}, {"mib", 1}, {"mb", 1}, {"gb", 1024}, {"gib", 1024}},
                            fractional))
    return *mib;
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (fractional)
    return Result<std::int64_t>::failure(quoted + " is not a whole number of MiB; " + kMemoryForms);
  return Result<std::int64_t>::failure(quoted + " is not a task memory value; " + kMemoryForms);
}

namespace detail {

TaskDefinition parse_task_definition(ObjectReader& reader) {
  if (!reader.valid()) return {};
  if (!reader.has("taskDefinition")) return read_and_validate(reader);
  // describe-task-definition output: {"taskDefinition": {...}, "tags": [...]}.
  TaskDefinition td;
  reader.object("taskDefinition", [&](ObjectReader& inner) { td = read_and_validate(inner); });
  ignore_all(reader, kIgnoredDescribeKeys);
  reader.finish();
  return td;
}

}  // namespace detail
}  // namespace ecsim
