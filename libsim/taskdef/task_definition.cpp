// Task definition validation (the rules RegisterTaskDefinition applies) and the facts the
// simulation derives from a definition: reservations, task health, the revision registry.
// Section numbers refer to ecs-reference.md.
#include "ecsim/task_definition.hpp"

#include <algorithm>
#include <cctype>

#include "taskdef/task_definition_parser.hpp"

namespace ecsim {

std::string_view to_string(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kBridge:
      return "bridge";
    case NetworkMode::kAwsvpc:
      return "awsvpc";
    case NetworkMode::kHost:
      return "host";
    case NetworkMode::kNone:
      return "none";
  }
  return "bridge";
}

std::string_view to_string(Compatibility compatibility) {
  switch (compatibility) {
    case Compatibility::kEc2:
      return "EC2";
    case Compatibility::kFargate:
      return "FARGATE";
    case Compatibility::kExternal:
      return "EXTERNAL";
    case Compatibility::kManagedInstances:
      return "MANAGED_INSTANCES";
  }
  return "EC2";
}

std::string_view to_string(TransportProtocol protocol) {
  return protocol == TransportProtocol::kUdp ? "udp" : "tcp";
}

std::string_view to_string(DependencyCondition condition) {
  switch (condition) {
    case DependencyCondition::kStart:
      return "START";
    case DependencyCondition::kComplete:
      return "COMPLETE";
    case DependencyCondition::kSuccess:
      return "SUCCESS";
    case DependencyCondition::kHealthy:
      return "HEALTHY";
  }
  return "START";
}

std::string_view to_string(HealthStatus status) {
  switch (status) {
    case HealthStatus::kHealthy:
      return "HEALTHY";
    case HealthStatus::kUnhealthy:
      return "UNHEALTHY";
    case HealthStatus::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string_view to_string(TaskDefinitionStatus status) {
  return status == TaskDefinitionStatus::kInactive ? "INACTIVE" : "ACTIVE";
}

bool TaskDefinition::requires_compatibility(Compatibility c) const {
  return std::find(requires_compatibilities.begin(), requires_compatibilities.end(), c) !=
         requires_compatibilities.end();
}

std::string TaskDefinition::family_revision() const {
  return family + ":" + std::to_string(revision);
}

std::optional<std::size_t> TaskDefinition::container_index(std::string_view name) const {
  for (std::size_t i = 0; i < container_definitions.size(); ++i)
    if (container_definitions[i].name == name) return i;
  return std::nullopt;
}

namespace {

using detail::Diagnostics;

constexpr std::size_t kMaxContainers = 10;                 // containers per task definition (12)
constexpr std::size_t kMaxPlacementConstraints = 10;       // per task, all sources together (2.1)
constexpr std::size_t kMaxPortRangesPerContainer = 100;    // (2.3)
constexpr std::int64_t kMinContainerMemoryMib = 6;         // Docker 20.10.0+ (2.1)
constexpr Duration kMaxFargateStopTimeout = seconds(120);  // (1.4)

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string mib(std::int64_t v) {
  return std::to_string(v) + " MiB";
}

// Family and container names: "Up to 255 letters (uppercase and lowercase), numbers, underscores,
// and hyphens are allowed" (RegisterTaskDefinition, ContainerDefinition).
bool is_aws_name(std::string_view s) {
  return !s.empty() && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::string name_list(const TaskDefinition& td) {
  std::string out;
  for (const auto& c : td.container_definitions) {
    if (c.name.empty()) continue;
    out += (out.empty() ? "" : ", ") + in_quotes(c.name);
  }
  return out;
}

class Validator {
 public:
  Validator(const TaskDefinition& td, const std::string& pointer, Diagnostics& diag)
      : td_(td), root_(pointer), diag_(diag) {}

  void run() {
    check_family();
    check_containers();
    check_memory_and_cpu();
    if (td_.requires_fargate()) check_fargate();
    check_ports();
    check_dependencies();
    check_health_checks();
    check_placement_constraints();
    check_simulation_properties();
  }

 private:
  std::string at(std::string_view suffix) const { return root_ + std::string(suffix); }
  std::string container(std::size_t i) const {
    return root_ + "/containerDefinitions/" + std::to_string(i);
  }
  void add(std::string pointer, std::string message) {
    diag_.add(std::move(pointer), std::move(message));
  }

  void check_family() {
    if (td_.family.empty())
      add(at("/family"), "is empty; expected a family name such as \"web\"");
    else if (!is_aws_name(td_.family))
      add(at("/family"), in_quotes(td_.family) +
                             " is not a valid family name; use up to 255 letters, numbers, "
                             "underscores and hyphens");
  }

  void check_containers() {
    const auto& cs = td_.container_definitions;
    if (cs.empty())
      add(at("/containerDefinitions"), "is empty; a task definition needs at least one container");
    if (cs.size() > kMaxContainers)
      add(at("/containerDefinitions"), "has " + std::to_string(cs.size()) +
                                           " containers; at most 10 are allowed per task "
                                           "definition (ECS quota)");
    bool any_essential = false;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const ContainerDefinition& c = cs[i];
      any_essential = any_essential || c.essential;
      if (c.name.empty()) {
        add(container(i) + "/name", "is empty; expected a container name such as \"app\"");
      } else if (!is_aws_name(c.name)) {
        add(container(i) + "/name", in_quotes(c.name) +
                                        " is not a valid container name; use up to 255 letters, "
                                        "numbers, underscores and hyphens");
      } else if (const std::size_t first = *td_.container_index(c.name); first != i) {
        add(container(i) + "/name", in_quotes(c.name) + " is also the name of " + container(first) +
                                        "; container names must be unique in a task definition");
      }
      if (c.image.empty())
        add(container(i) + "/image", "is empty; expected an image such as \"nginx:1.27\"");
    }
    if (!cs.empty() && !any_essential)
      add(at("/containerDefinitions"),
          "has no essential container; at least one container must be essential (\"essential\": "
          "true, the default)");
  }

  void check_memory_and_cpu() {
    const auto& cs = td_.container_definitions;
    std::int64_t memory_sum = 0, cpu_sum = 0;
    std::string memory_terms, cpu_terms;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const ContainerDefinition& c = cs[i];
      if (c.memory_mib && *c.memory_mib < kMinContainerMemoryMib)
        add(container(i) + "/memory",
            mib(*c.memory_mib) + " is below the minimum of 6 MiB for a container");
      if (c.memory_reservation_mib && *c.memory_reservation_mib < kMinContainerMemoryMib)
        add(container(i) + "/memoryReservation",
            mib(*c.memory_reservation_mib) + " is below the minimum of 6 MiB for a container");
      if (c.memory_mib && c.memory_reservation_mib && *c.memory_mib <= *c.memory_reservation_mib)
        add(container(i) + "/memoryReservation",
            mib(*c.memory_reservation_mib) + " must be less than memory (" + mib(*c.memory_mib) +
                "): memoryReservation is the soft limit and memory the hard limit");
      if (!td_.memory_mib && !c.memory_mib && !c.memory_reservation_mib)
        add(container(i),
            "needs \"memory\" or \"memoryReservation\" (MiB), because the task "
            "definition has no task-level memory");
      // A hard limit above the whole task's memory can never be honoured [INFERRED: AWS rejects
      // it at registration; the reference only states the sum rule].
      if (td_.memory_mib && c.memory_mib && *c.memory_mib > *td_.memory_mib)
        add(container(i) + "/memory",
            mib(*c.memory_mib) + " is above the task memory of " + mib(*td_.memory_mib));
      if (const std::int64_t m = c.reserved_memory_mib(); m > 0) {
        memory_sum += m;
        memory_terms += (memory_terms.empty() ? "" : " + ") + c.name + " " + std::to_string(m);
      }
      if (c.cpu_units && *c.cpu_units > 0) {
        cpu_sum += *c.cpu_units;
        cpu_terms += (cpu_terms.empty() ? "" : " + ") + c.name + " " + std::to_string(*c.cpu_units);
      }
    }
    if (td_.memory_mib && memory_sum > *td_.memory_mib)
      add(at("/memory"), mib(*td_.memory_mib) + " is less than the " + mib(memory_sum) +
                             " the containers reserve (" + memory_terms +
                             "; memoryReservation if set, else memory); the containers must fit "
                             "in the task memory");
    if (td_.cpu_units && cpu_sum > *td_.cpu_units)
      add(at("/cpu"), std::to_string(*td_.cpu_units) + " CPU units is less than the " +
                          std::to_string(cpu_sum) + " the containers reserve (" + cpu_terms +
                          "); the containers' cpu must fit in the task cpu");
  }

  void check_fargate() {
    const std::string why = "requiresCompatibilities includes FARGATE";
    if (td_.network_mode != NetworkMode::kAwsvpc)
      add(at("/networkMode"), "is " + in_quotes(to_string(td_.network_mode)) +
                                  (td_.network_mode == NetworkMode::kBridge
                                       ? " (the default when networkMode is absent)"
                                       : "") +
                                  "; " + why + ", which requires \"awsvpc\"");
    const bool windows = td_.runtime_platform.is_windows();
    const std::string cpu_values = detail::describe_values(fargate_cpu_values(windows));
    if (!td_.cpu_units)
      add(at("/cpu"), "is missing; " + why + ", which requires a task cpu: one of " + cpu_values +
                          " CPU units, e.g. \"256\" or \"1 vCPU\"");
    if (!td_.memory_mib)
      add(at("/memory"), "is missing; " + why +
                             ", which requires a task memory that fits the task cpu, e.g. "
                             "\"512\" with cpu \"256\"");
    if (td_.cpu_units && td_.memory_mib) check_fargate_size(windows, cpu_values);
    const auto& cs = td_.container_definitions;
    for (std::size_t i = 0; i < cs.size(); ++i)
      if (cs[i].stop_timeout && *cs[i].stop_timeout > kMaxFargateStopTimeout)
        add(container(i) + "/stopTimeout",
            format_duration(*cs[i].stop_timeout) + " is above the Fargate maximum of 120s");
  }

  // AWS answers every invalid pair with "Invalid 'cpu' setting for task." (2.2); the rest of the
  // message says which values would be valid.
  void check_fargate_size(bool windows, const std::string& cpu_values) {
    const std::int64_t cpu = *td_.cpu_units;
    const std::int64_t memory = *td_.memory_mib;
    if (is_valid_fargate_size(cpu, memory, windows)) return;
    const std::string prefix = "Invalid 'cpu' setting for task. ";
    const std::vector<std::int64_t> cpus_for_memory =
        fargate_cpu_values_for_memory(memory, windows);
    const std::string memory_hint =
        cpus_for_memory.empty()
            ? "no Fargate cpu value takes memory " + mib(memory)
            : "memory " + mib(memory) + " needs cpu " + detail::describe_values(cpus_for_memory);
    const std::vector<std::int64_t> cpus = fargate_cpu_values(windows);
    if (std::find(cpus.begin(), cpus.end(), cpu) == cpus.end()) {
      add(at("/cpu"), prefix + std::to_string(cpu) + " CPU units is not a Fargate task size" +
                          (windows ? " for Windows" : "") + "; valid cpu values are " + cpu_values +
                          " CPU units (" + memory_hint + ")");
      return;
    }
    add(at("/memory"),
        prefix + "Fargate has no size with cpu " + std::to_string(cpu) + " and memory " +
            mib(memory) + "; with cpu " + std::to_string(cpu) + ", memory must be " +
            detail::describe_values(fargate_memory_values(cpu)) + " MiB (" + memory_hint + ")");
  }

  // A port (or range) a mapping occupies, for conflict checks.
  struct PortUse {
    TransportProtocol protocol;
    int first;
    int last;
    bool is_range;
    std::string pointer;  // of the value that names the port
    std::string owner;    // mapping pointer, for messages
  };

  static bool overlaps(const PortUse& a, const PortUse& b) {
    return a.protocol == b.protocol && a.first <= b.last && b.first <= a.last;
  }

  static std::string ports_text(const PortUse& u) {
    return (u.first == u.last ? "port " + std::to_string(u.first)
                              : "ports " + std::to_string(u.first) + "-" + std::to_string(u.last)) +
           "/" + std::string(to_string(u.protocol));
  }

  // ecs-reference 2.3 and 2.4. Static host ports (bridge hostPort, host-mode ports) and awsvpc
  // ports (all containers share the task's ENI) must be unique within the task, per protocol.
  void check_ports() {
    const NetworkMode mode = td_.network_mode;
    const auto& cs = td_.container_definitions;
    std::vector<PortUse> task_ports;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const std::string list = container(i) + "/portMappings";
      const auto& mappings = cs[i].port_mappings;
      if (mappings.empty()) continue;
      if (mode == NetworkMode::kNone) {
        add(list,
            "networkMode \"none\" allows no port mappings; remove them, or use \"bridge\", "
            "\"awsvpc\" or \"host\"");
        continue;
      }
      std::vector<PortUse> container_ports;
      std::size_t ranges = 0;
      for (std::size_t j = 0; j < mappings.size(); ++j) {
        const PortMapping& m = mappings[j];
        const std::string mp = list + "/" + std::to_string(j);
        PortUse use{m.protocol, m.container_port,      m.container_port,
                    false,      mp + "/containerPort", mp};
        if (m.container_port_range) {
          ++ranges;
          use = {m.protocol, m.container_port_range->first, m.container_port_range->last,
                 true,       mp + "/containerPortRange",    mp};
          if (mode == NetworkMode::kHost)
            add(mp + "/containerPortRange",
                "needs networkMode \"bridge\" or \"awsvpc\"; in \"host\" mode list each port with "
                "containerPort");
          if (m.container_port != 0)
            add(mp + "/containerPort",
                "cannot be set together with containerPortRange; use one or the other");
          if (m.host_port)
            add(mp + "/hostPort",
                "cannot be set with containerPortRange: ECS picks the host ports (bridge: from the "
                "ephemeral range; awsvpc: the container ports themselves)");
        } else if (m.container_port < 1 || m.container_port > 65535) {
          add(mp, "needs a containerPort from 1 to 65535, or a containerPortRange");
          continue;
        } else if ((mode == NetworkMode::kAwsvpc || mode == NetworkMode::kHost) && m.host_port &&
                   *m.host_port != m.container_port) {
          add(mp + "/hostPort", std::to_string(*m.host_port) + " must be absent or equal to " +
                                    "containerPort (" + std::to_string(m.container_port) + ") in " +
                                    in_quotes(to_string(mode)) + " network mode");
        }
        check_container_port(use, container_ports);
        container_ports.push_back(use);

        // The port this mapping holds in the task's shared space, if it is static.
        std::optional<PortUse> fixed;
        if (mode == NetworkMode::kBridge && !m.container_port_range && m.host_port &&
            *m.host_port > 0)
          fixed = PortUse{m.protocol, *m.host_port, *m.host_port, false, mp + "/hostPort", mp};
        else if (mode == NetworkMode::kHost && !m.container_port_range)
          fixed = PortUse{use.protocol,
                          use.first,
                          use.last,
                          false,
                          m.host_port ? mp + "/hostPort" : use.pointer,
                          mp};
        else if (mode == NetworkMode::kAwsvpc)
          fixed = use;
        if (!fixed) continue;
        for (const PortUse& other : task_ports) {
          if (!overlaps(*fixed, other)) continue;
          add(fixed->pointer,
              (mode == NetworkMode::kAwsvpc ? "" : "host ") + ports_text(*fixed) +
                  " is already taken by " + other.owner +
                  (mode == NetworkMode::kAwsvpc
                       ? "; containers of an awsvpc task share one network interface, so each port "
                         "can be used once"
                       : "; a host port can be used by one mapping of a task only"));
          break;
        }
        task_ports.push_back(*fixed);
      }
      if (ranges > kMaxPortRangesPerContainer)
        add(list, "has " + std::to_string(ranges) +
                      " containerPortRange mappings; at most 100 port ranges are allowed per "
                      "container");
    }
  }

  // Within one container: a port can be in one mapping only when ranges are involved (PortMapping
  // containerPortRange rules), and one container port cannot be exposed over both protocols
  // ("You can't expose the same container port for multiple protocols", API PortMapping).
  void check_container_port(const PortUse& use, const std::vector<PortUse>& earlier) {
    for (const PortUse& other : earlier) {
      if ((use.is_range || other.is_range) && overlaps(use, other)) {
        add(use.pointer, ports_text(use) + " overlaps " + ports_text(other) + " of " + other.owner +
                             "; a port can be included in one port mapping per container");
        return;
      }
      if (!use.is_range && !other.is_range && use.first == other.first &&
          use.protocol != other.protocol) {
        add(use.owner + "/protocol",
            "container port " + std::to_string(use.first) + " is already exposed over " +
                std::string(to_string(other.protocol)) + " by " + other.owner +
                "; ECS cannot expose one container port over two protocols");
        return;
      }
    }
  }

  // ecs-reference 2.5.
  void check_dependencies() {
    const auto& cs = td_.container_definitions;
    // A container whose name failed to parse could be the one named; do not guess.
    const bool names_known = std::none_of(
        cs.begin(), cs.end(), [](const ContainerDefinition& c) { return c.name.empty(); });
    std::vector<std::string> names;
    for (const auto& c : cs)
      names.push_back(c.name);
    for (std::size_t i = 0; i < cs.size(); ++i) {
      for (std::size_t k = 0; k < cs[i].depends_on.size(); ++k) {
        const ContainerDependency& d = cs[i].depends_on[k];
        const std::string dp = container(i) + "/dependsOn/" + std::to_string(k);
        if (d.container_name.empty()) {
          add(dp + "/containerName", "is empty; expected the name of another container");
          continue;
        }
        const auto j = td_.container_index(d.container_name);
        if (!j) {
          if (!names_known) continue;
          std::string message =
              "no container named " + in_quotes(d.container_name) + " in this task definition";
          if (const std::string near = detail::closest_match(d.container_name, names);
              !near.empty())
            message += "; did you mean " + in_quotes(near) + "?";
          else
            message += "; its containers are " + name_list(td_);
          add(dp + "/containerName", message);
          continue;
        }
        const ContainerDefinition& target = cs[*j];
        const std::string condition(to_string(d.condition));
        if (d.condition == DependencyCondition::kComplete ||
            d.condition == DependencyCondition::kSuccess) {
          if (target.essential)
            add(dp + "/condition", condition + " cannot be set on " + in_quotes(target.name) +
                                       ", an essential container (a task stops when one of its "
                                       "essential containers exits); make it \"essential\": "
                                       "false, or use START or HEALTHY");
          else if (!target.simulation.exit_after)
            add(dp + "/condition",
                condition + " waits for " + in_quotes(target.name) +
                    " to exit, but in the simulation it never does; give it \"ecsim\": "
                    "{\"exitAfter\": ...}");
        } else if (d.condition == DependencyCondition::kHealthy && !target.health_check) {
          add(dp + "/condition",
              "HEALTHY needs a healthCheck on " + in_quotes(target.name) + ", which has none");
        }
      }
    }
    const std::vector<std::size_t> cycle = detail::find_dependency_cycle(td_);
    if (!cycle.empty()) {
      std::string path;
      for (std::size_t v : cycle)
        path += cs[v].name + " -> ";
      path += cs[cycle.front()].name;
      add(container(cycle.front()) + "/dependsOn",
          "dependsOn forms a cycle: " + path + "; none of these containers could ever start");
    }
  }

  // Ranges of ecs-reference 2.6 (the parser enforces them too; this covers definitions built in
  // code) and the command form.
  void check_health_checks() {
    const auto& cs = td_.container_definitions;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (!cs[i].health_check) continue;
      const HealthCheck& h = *cs[i].health_check;
      const std::string hp = container(i) + "/healthCheck";
      if (h.command.empty())
        add(hp + "/command", "is empty; expected [\"CMD\", ...] or [\"CMD-SHELL\", \"...\"]");
      else if (h.command.front() != "CMD" && h.command.front() != "CMD-SHELL")
        add(hp + "/command/0", in_quotes(h.command.front()) +
                                   " must be \"CMD\" (run the arguments directly) or "
                                   "\"CMD-SHELL\" (run them with the container's shell)");
      auto range = [&](std::string_view key, Duration v, Duration lo, Duration hi) {
        if (v < lo || v > hi)
          add(hp + "/" + std::string(key), format_duration(v) + " is out of range; expected " +
                                               format_duration(lo) + " to " + format_duration(hi));
      };
      range("interval", h.interval, seconds(5), seconds(300));
      range("timeout", h.timeout, seconds(2), seconds(60));
      range("startPeriod", h.start_period, Duration{0}, seconds(300));
      if (h.retries < 1 || h.retries > 10)
        add(hp + "/retries", std::to_string(h.retries) + " is out of range; expected 1 to 10");
    }
  }

  void check_placement_constraints() {
    const auto& pcs = td_.placement_constraints;
    if (pcs.size() > kMaxPlacementConstraints)
      add(at("/placementConstraints"),
          "has " + std::to_string(pcs.size()) +
              " constraints; at most 10 are allowed per task (task definition and run-time "
              "constraints together)");
    for (std::size_t k = 0; k < pcs.size(); ++k) {
      const std::string pp = at("/placementConstraints/") + std::to_string(k);
      if (pcs[k].type.empty()) continue;  // reported as missing by the parser
      if (pcs[k].type == "distinctInstance") {
        add(pp + "/type",
            "distinctInstance is not allowed in a task definition, only memberOf; "
            "set distinctInstance on the service or the RunTask call");
      } else if (pcs[k].type != "memberOf") {
        std::string message = in_quotes(pcs[k].type) +
                              " is not a task definition constraint type; only \"memberOf\" is "
                              "allowed";
        if (!detail::closest_match(pcs[k].type, {"memberOf"}).empty())
          message += "; did you mean \"memberOf\"?";
        add(pp + "/type", message);
      } else if (pcs[k].expression.empty()) {
        add(pp + "/expression",
            "is required for memberOf: a cluster query such as \"attribute:ecs.instance-type =~ "
            "t3.*\"");
      }
    }
  }

  void check_simulation_properties() {
    const auto& cs = td_.container_definitions;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const ContainerSimulation& s = cs[i].simulation;
      const std::string sp = container(i) + "/ecsim";
      if (s.exit_code < 0 || s.exit_code > 255)
        add(sp + "/exitCode", std::to_string(s.exit_code) + " is out of range; expected 0 to 255");
      else if (s.exit_code != 0 && !s.exit_after)
        add(sp + "/exitCode",
            "has no effect without exitAfter: the container only exits on its own if exitAfter "
            "says when");
      if (!s.healthy && !cs[i].health_check)
        add(sp + "/healthy",
            "false has no effect: the container has no healthCheck, so its health is UNKNOWN");
    }
  }

  const TaskDefinition& td_;
  const std::string& root_;
  Diagnostics& diag_;
};

}  // namespace

namespace detail {

void validate_task_definition(const TaskDefinition& definition, const std::string& pointer,
                              Diagnostics& diag) {
  Validator(definition, pointer, diag).run();
}

}  // namespace detail

std::vector<Problem> task_definition_problems(const TaskDefinition& definition,
                                              std::string_view pointer) {
  detail::Diagnostics diag;
  detail::validate_task_definition(definition, std::string(pointer), diag);
  return diag.problems();
}

TaskReservation reservation_for(const TaskDefinition& definition) {
  TaskReservation r;
  std::int64_t cpu_sum = 0, memory_sum = 0;
  for (const ContainerDefinition& c : definition.container_definitions) {
    cpu_sum += c.cpu_units.value_or(0);
    memory_sum += c.reserved_memory_mib();  // memoryReservation if set, else memory [DOC-API]
    r.gpus += c.gpus;
    for (const PortMapping& m : c.port_mappings) {
      auto& fixed = m.protocol == TransportProtocol::kUdp ? r.static_udp_ports : r.static_tcp_ports;
      auto& dynamic =
          m.protocol == TransportProtocol::kUdp ? r.dynamic_udp_ports : r.dynamic_tcp_ports;
      switch (definition.network_mode) {
        case NetworkMode::kBridge:
          if (m.container_port_range)
            dynamic += m.container_port_range->size();  // the agent picks ephemeral host ports
          else if (m.host_port && *m.host_port > 0)
            fixed.push_back(*m.host_port);
          else
            dynamic += 1;  // hostPort 0 or absent: one ephemeral port
          break;
        case NetworkMode::kHost:
          if (m.container_port_range)
            for (int p = m.container_port_range->first; p <= m.container_port_range->last; ++p)
              fixed.push_back(p);
          else
            fixed.push_back(m.host_port.value_or(m.container_port));
          break;
        case NetworkMode::kAwsvpc:  // the task's own ENI: nothing is taken on the host
        case NetworkMode::kNone:
          break;
      }
    }
  }
  // Task-level values cap the containers [DOC-API]; that the instance then reserves the task-level
  // value rather than the containers' sum is INFERRED (ecs-reference 2.1).
  r.cpu_units = definition.cpu_units.value_or(cpu_sum);
  r.memory_mib = definition.memory_mib.value_or(memory_sum);
  r.needs_eni = definition.network_mode == NetworkMode::kAwsvpc;
  for (auto* ports : {&r.static_tcp_ports, &r.static_udp_ports}) {
    std::sort(ports->begin(), ports->end());
    ports->erase(std::unique(ports->begin(), ports->end()), ports->end());
  }
  return r;
}

HealthStatus aggregate_task_health(std::span<const HealthStatus> essential_container_statuses) {
  if (essential_container_statuses.empty()) return HealthStatus::kUnknown;
  bool unknown = false;
  for (HealthStatus s : essential_container_statuses) {
    if (s == HealthStatus::kUnhealthy) return HealthStatus::kUnhealthy;
    unknown = unknown || s == HealthStatus::kUnknown;
  }
  return unknown ? HealthStatus::kUnknown : HealthStatus::kHealthy;
}

HealthStatus task_health_status(const TaskDefinition& definition,
                                std::span<const HealthStatus> container_statuses) {
  std::vector<HealthStatus> essential;
  const auto& cs = definition.container_definitions;
  for (std::size_t i = 0; i < cs.size() && i < container_statuses.size(); ++i)
    if (cs[i].essential) essential.push_back(container_statuses[i]);
  return aggregate_task_health(essential);
}

// --- TaskDefinitionRegistry ----------------------------------------------------------------

namespace {

std::string revision_span(std::size_t n) {
  return n == 1 ? "only revision 1" : "revisions 1 to " + std::to_string(n);
}

std::optional<std::int64_t> parse_revision(std::string_view text) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const std::int64_t n = std::stoll(std::string(text));
  if (n < 1) return std::nullopt;
  return n;
}

}  // namespace

Result<const TaskDefinition*> TaskDefinitionRegistry::register_task_definition(
    TaskDefinition definition) {
  using R = Result<const TaskDefinition*>;
  if (definition.family.empty()) return R::failure("a task definition needs a family");
  auto it = families_.find(definition.family);
  if (it == families_.end())
    it = families_.emplace(definition.family, std::deque<TaskDefinition>{}).first;
  std::deque<TaskDefinition>& revisions = it->second;
  if (static_cast<std::int64_t>(revisions.size()) >= kMaxRevisionsPerFamily)
    return R::failure("family " + in_quotes(definition.family) +
                      " already has 1000000 revisions, the ECS maximum (deregistered revisions "
                      "count too)");
  definition.revision = static_cast<std::int64_t>(revisions.size()) + 1;
  definition.status = TaskDefinitionStatus::kActive;
  revisions.push_back(std::move(definition));
  ++size_;
  const TaskDefinition* stored = &revisions.back();
  return stored;
}

Result<const TaskDefinition*> TaskDefinitionRegistry::resolve(std::string_view reference) const {
  using R = Result<const TaskDefinition*>;
  std::string_view text = reference;
  if (text.rfind("arn:", 0) == 0) {
    constexpr std::string_view kMarker = ":task-definition/";
    const auto at = text.find(kMarker);
    if (at == std::string_view::npos)
      return R::failure(in_quotes(reference) +
                        " is not a task definition ARN; expected "
                        "arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION");
    text = text.substr(at + kMarker.size());
  }
  if (text.empty())
    return R::failure(
        "the task definition reference is empty; expected \"family\" or "
        "\"family:revision\"");
  const auto colon = text.find(':');
  const std::string family(text.substr(0, colon));
  std::optional<std::int64_t> revision;
  if (colon != std::string_view::npos) {
    revision = parse_revision(text.substr(colon + 1));
    if (!revision)
      return R::failure(in_quotes(reference) +
                        ": the revision must be a whole number from 1, as in \"" + family + ":1\"");
  }
  const auto it = families_.find(family);
  if (it == families_.end()) {
    std::string message = "no task definition family " + in_quotes(family) + " is registered";
    const std::vector<std::string> known = families();
    if (const std::string near = detail::closest_match(family, known); !near.empty())
      message += "; did you mean " + in_quotes(near) + "?";
    else if (known.empty())
      message += "; no task definitions are registered";
    else {
      message += "; registered families are ";
      for (std::size_t i = 0; i < known.size(); ++i)
        message += (i ? ", " : "") + in_quotes(known[i]);
    }
    return R::failure(message);
  }
  const std::deque<TaskDefinition>& revisions = it->second;
  std::vector<std::int64_t> active;
  for (const TaskDefinition& d : revisions)
    if (d.status == TaskDefinitionStatus::kActive) active.push_back(d.revision);
  const std::string active_text = active.empty()
                                      ? "it has no ACTIVE revision"
                                      : "ACTIVE revisions: " + detail::describe_values(active);
  if (revision) {
    if (*revision > static_cast<std::int64_t>(revisions.size()))
      return R::failure("task definition " + in_quotes(family + ":" + std::to_string(*revision)) +
                        " does not exist; family " + in_quotes(family) + " has " +
                        revision_span(revisions.size()));
    const TaskDefinition& d = revisions[static_cast<std::size_t>(*revision - 1)];
    if (d.status != TaskDefinitionStatus::kActive)
      return R::failure("task definition " + in_quotes(d.family_revision()) +
                        " is INACTIVE (deregistered) and cannot start new tasks or services; " +
                        active_text);
    return &d;
  }
  for (auto r = revisions.rbegin(); r != revisions.rend(); ++r)
    if (r->status == TaskDefinitionStatus::kActive) return &*r;
  return R::failure(
      "family " + in_quotes(family) + " has no ACTIVE revision: " +
      (revisions.size() == 1 ? "revision 1 is" : revision_span(revisions.size()) + " are all") +
      " INACTIVE (deregistered)");
}

const TaskDefinition* TaskDefinitionRegistry::find(std::string_view family,
                                                   std::int64_t revision) const {
  const auto it = families_.find(family);
  if (it == families_.end() || revision < 1 ||
      revision > static_cast<std::int64_t>(it->second.size()))
    return nullptr;
  return &it->second[static_cast<std::size_t>(revision - 1)];
}

bool TaskDefinitionRegistry::deregister(std::string_view family, std::int64_t revision) {
  const auto it = families_.find(family);
  if (it == families_.end() || revision < 1 ||
      revision > static_cast<std::int64_t>(it->second.size()))
    return false;
  it->second[static_cast<std::size_t>(revision - 1)].status = TaskDefinitionStatus::kInactive;
  return true;
}

std::int64_t TaskDefinitionRegistry::latest_revision(std::string_view family) const {
  const auto it = families_.find(family);
  return it == families_.end() ? 0 : static_cast<std::int64_t>(it->second.size());
}

std::vector<std::string> TaskDefinitionRegistry::families() const {
  std::vector<std::string> out;
  for (const auto& [name, revisions] : families_)
    out.push_back(name);
  return out;
}

}  // namespace ecsim
