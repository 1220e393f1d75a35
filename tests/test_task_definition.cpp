// Task definitions: parsing AWS's RegisterTaskDefinition shape, AWS's validation rules (each
// problem at the pointer of the offending value), start order, reservations, task health and
// revision numbering. Section numbers refer to ecs-reference.md.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/task_definition.hpp"

#include "taskdef/task_definition_parser.hpp"

using namespace ecsim;
using detail::Json;

namespace {

struct Parsed {
  TaskDefinition td;
  std::vector<Problem> problems;

  std::string dump() const {
    std::string out;
    for (const Problem& p : problems)
      out += p.to_string() + "\n";
    return out;
  }
  // Problems at exactly `pointer` whose message contains `text`.
  bool has(std::string_view pointer, std::string_view text = "") const {
    return std::any_of(problems.begin(), problems.end(), [&](const Problem& p) {
      return p.pointer == pointer && p.message.find(text) != std::string::npos;
    });
  }
  std::size_t count_at(std::string_view pointer) const {
    return static_cast<std::size_t>(std::count_if(
        problems.begin(), problems.end(), [&](const Problem& p) { return p.pointer == pointer; }));
  }
};

Parsed parse(const Json& document, const std::string& pointer = "") {
  detail::Diagnostics diag;
  detail::ObjectReader reader(document, pointer, diag);
  Parsed out;
  out.td = detail::parse_task_definition(reader);
  out.problems = diag.problems();
  return out;
}

Parsed parse_text(std::string_view text) {
  return parse(Json::parse(text));
}

Json container(const std::string& name, int memory = 256) {
  return Json{{"name", name}, {"image", "nginx:1.27"}, {"memory", memory}};
}

// An EC2 task definition with the given containers.
Json ec2(std::vector<Json> containers, const std::string& mode = "bridge") {
  return Json{{"family", "web"}, {"networkMode", mode}, {"containerDefinitions", containers}};
}

Json fargate(const Json& cpu, const Json& memory) {
  return Json{{"family", "web"},
              {"requiresCompatibilities", {"FARGATE"}},
              {"networkMode", "awsvpc"},
              {"cpu", cpu},
              {"memory", memory},
              {"containerDefinitions", {{{"name", "app"}, {"image", "nginx:1.27"}}}}};
}

Json port(int container_port, std::optional<int> host_port = std::nullopt,
          const std::string& protocol = "tcp") {
  Json p{{"containerPort", container_port}, {"protocol", protocol}};
  if (host_port) p["hostPort"] = *host_port;
  return p;
}

}  // namespace

TEST_CASE(
    "ecs-reference 2.2: every valid Fargate cpu/memory pair is accepted and neighbours are not") {
  const auto& sizes = fargate_sizes();
  // 3 + 4 + 7 + 13 (4..16 GB) + 23 (8..30 GB) + 12 (16..60 GB by 4) + 12 (32..120 GB by 8).
  CHECK(sizes.size() == 74);
  CHECK(fargate_memory_values(256) == std::vector<std::int64_t>{512, 1024, 2048});
  CHECK(fargate_memory_values(512) == std::vector<std::int64_t>{1024, 2048, 3072, 4096});
  CHECK(fargate_memory_values(1024).front() == 2048);
  CHECK(fargate_memory_values(1024).back() == 8192);
  CHECK(fargate_memory_values(2048).size() == 13);
  CHECK(fargate_memory_values(4096).back() == 30720);
  CHECK(fargate_memory_values(8192).size() == 12);
  CHECK(fargate_memory_values(8192)[1] - fargate_memory_values(8192)[0] == 4096);
  CHECK(fargate_memory_values(16384).front() == 32768);
  CHECK(fargate_memory_values(16384).back() == 122880);
  CHECK(fargate_memory_values(300).empty());

  for (const FargateSize& size : sizes) {
    CAPTURE(size.cpu_units);
    CAPTURE(size.memory_mib);
    const Parsed ok =
        parse(fargate(std::to_string(size.cpu_units), std::to_string(size.memory_mib)));
    CHECK_MESSAGE(ok.problems.empty(), ok.dump());
    CHECK(ok.td.cpu_units == size.cpu_units);
    CHECK(ok.td.memory_mib == size.memory_mib);
    // Neighbours 512 MiB and 1024 MiB away are invalid unless they are themselves in the table.
    for (std::int64_t delta : {-1024, -512, 512, 1024}) {
      const std::int64_t m = size.memory_mib + delta;
      if (m < 6 || is_valid_fargate_size(size.cpu_units, m)) continue;
      CAPTURE(m);
      const Parsed bad = parse(fargate(std::to_string(size.cpu_units), std::to_string(m)));
      CHECK_MESSAGE(bad.has("/memory", "Invalid 'cpu' setting for task."), bad.dump());
    }
  }

  // The classic mistakes, with the valid values in the message.
  const Parsed p512 = parse(fargate("512", "5120"));
  CHECK_MESSAGE(p512.has("/memory", "Invalid 'cpu' setting for task."), p512.dump());
  CHECK(p512.has("/memory", "with cpu 512, memory must be 1024, 2048, 3072 or 4096 MiB"));
  CHECK(p512.has("/memory", "memory 5120 MiB needs cpu 1024 or 2048"));
  const Parsed p1024 = parse(fargate("1024", "9216"));
  CHECK(p1024.has("/memory", "memory must be 2048 to 8192 in steps of 1024 MiB"));
  CHECK(p1024.has("/memory", "needs cpu 2048 or 4096"));
  const Parsed p8192 = parse(fargate("8192", "18432"));  // 18 GB: between the 4 GB steps
  CHECK(p8192.has("/memory", "16384 to 61440 in steps of 4096"));
  // A cpu value that is no Fargate size is reported at /cpu with the valid cpu values.
  const Parsed p300 = parse(fargate("300", "1024"));
  CHECK(p300.has("/cpu", "Invalid 'cpu' setting for task."));
  CHECK(p300.has("/cpu", "256, 512, 1024, 2048, 4096, 8192 or 16384"));
  CHECK(p300.count_at("/memory") == 0);

  // Windows takes 1, 2 and 4 vCPU only.
  Json windows = fargate("256", "512");
  windows["runtimePlatform"] = {{"operatingSystemFamily", "WINDOWS_SERVER_2022_CORE"}};
  const Parsed w = parse(windows);
  CHECK_MESSAGE(w.has("/cpu", "for Windows; valid cpu values are 1024, 2048 or 4096"), w.dump());
  windows["cpu"] = "1024";
  windows["memory"] = "2048";
  CHECK(parse(windows).problems.empty());
  CHECK_FALSE(is_valid_fargate_size(8192, 16384, /*windows=*/true));
  CHECK(is_valid_fargate_size(8192, 16384));
}

TEST_CASE("ecs-reference 2.1: task cpu and memory accept AWS's string forms and integers") {
  CHECK(*parse_cpu_units("256") == 256);
  CHECK(*parse_cpu_units("1 vCPU") == 1024);
  CHECK(*parse_cpu_units("1 vcpu") == 1024);
  CHECK(*parse_cpu_units("0.25 vCPU") == 256);  // 0.25 x 1024, exactly
  CHECK(*parse_cpu_units(".5 vCPU") == 512);
  CHECK(*parse_cpu_units("2vCPU") == 2048);
  CHECK(*parse_cpu_units(" 4096 ") == 4096);
  CHECK(*parse_memory_mib("512") == 512);
  CHECK(*parse_memory_mib("512 MiB") == 512);
  CHECK(*parse_memory_mib("2 GB") == 2048);
  CHECK(*parse_memory_mib("2GB") == 2048);
  CHECK(*parse_memory_mib("0.5 GB") == 512);
  CHECK(*parse_memory_mib("1 GiB") == 1024);
  CHECK(*parse_memory_mib("120 GB") == 122880);

  CHECK_FALSE(parse_cpu_units("abc").ok());
  CHECK(parse_cpu_units("abc").error().find("\"0.25 vCPU\"") != std::string::npos);
  CHECK_FALSE(parse_cpu_units("").ok());
  CHECK_FALSE(parse_cpu_units("-256").ok());
  CHECK_FALSE(parse_cpu_units("1 GB").ok());
  CHECK_FALSE(parse_cpu_units("1.5").ok());  // fractional CPU units
  CHECK(parse_cpu_units("0.1 vCPU").error().find("not a whole number of CPU units") !=
        std::string::npos);  // 102.4 units
  CHECK_FALSE(parse_memory_mib("1 TB").ok());
  CHECK_FALSE(parse_memory_mib("0.3 GB").ok());  // 307.2 MiB
  CHECK_FALSE(parse_memory_mib("lots").ok());
  // Absurdly long numbers are rejected, never overflowed.
  CHECK_FALSE(parse_cpu_units("999999999999999999999 vCPU").ok());
  CHECK_FALSE(parse_memory_mib("123456789012.123456789 GB").ok());
  CHECK_FALSE(parse_cpu_units("1..5 vCPU").ok());
  CHECK_FALSE(parse_cpu_units("vCPU").ok());
  CHECK_FALSE(parse_cpu_units(".").ok());

  // In a definition: strings, integers, and clear errors at the value's pointer.
  const Parsed strings = parse(fargate("1 vCPU", "2 GB"));
  CHECK_MESSAGE(strings.problems.empty(), strings.dump());
  CHECK(strings.td.cpu_units == 1024);
  CHECK(strings.td.memory_mib == 2048);
  const Parsed integers = parse(fargate(256, 512));
  CHECK_MESSAGE(integers.problems.empty(), integers.dump());
  CHECK(integers.td.memory_mib == 512);
  const Parsed bad = parse(fargate("quarter", true));
  CHECK(bad.has("/cpu", "is not a task cpu value"));
  CHECK(bad.has("/memory", "is a boolean"));
  // The failed values are not reported a second time as "missing" for Fargate.
  CHECK(bad.count_at("/cpu") == 1);
  CHECK(bad.count_at("/memory") == 1);
  CHECK(parse(fargate(1.5, 512)).has("/cpu"));
  // EC2 task cpu: 128 to 196608 units (0.125 to 192 vCPU).
  Json ec2_small = ec2({container("app")});
  ec2_small["cpu"] = "64";
  CHECK(parse(ec2_small).has("/cpu", "out of range"));
  ec2_small["cpu"] = "0.125 vCPU";
  CHECK(parse(ec2_small).problems.empty());
  ec2_small["cpu"] = "193 vCPU";
  CHECK(parse(ec2_small).has("/cpu", "out of range"));
}

TEST_CASE("ecs-reference 2.1: a parsed definition is fully defaulted") {
  const Parsed p = parse_text(R"({"family": "web", "containerDefinitions": [
      {"name": "app", "image": "nginx", "memory": 512,
       "portMappings": [{"containerPort": 80}],
       "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}}]})");
  REQUIRE_MESSAGE(p.problems.empty(), p.dump());
  const TaskDefinition& td = p.td;
  CHECK(td.family == "web");
  CHECK(td.revision == 0);
  CHECK(td.network_mode == NetworkMode::kBridge);  // the Linux default
  CHECK(td.requires_compatibilities.empty());
  CHECK_FALSE(td.cpu_units);
  CHECK_FALSE(td.memory_mib);
  CHECK(td.runtime_platform.operating_system_family == "LINUX");
  const ContainerDefinition& c = td.container_definitions.at(0);
  CHECK(c.essential);
  CHECK(c.memory_mib == 512);
  CHECK_FALSE(c.memory_reservation_mib);
  CHECK(c.port_mappings.at(0).protocol == TransportProtocol::kTcp);
  CHECK_FALSE(c.port_mappings.at(0).host_port);
  REQUIRE(c.health_check);
  CHECK(c.health_check->interval == seconds(30));
  CHECK(c.health_check->timeout == seconds(5));
  CHECK(c.health_check->retries == 3);
  CHECK(c.health_check->start_period == Duration{0});
  CHECK(c.simulation == ContainerSimulation{});
}

TEST_CASE("ecs-reference 2.1: at least one essential container, with unique names") {
  Json a = container("app");
  a["essential"] = false;
  Json b = container("log");
  b["essential"] = false;
  const Parsed none = parse(ec2({a, b}));
  CHECK_MESSAGE(none.has("/containerDefinitions", "no essential container"), none.dump());

  const Parsed dup = parse(ec2({container("app"), container("app")}));
  CHECK_MESSAGE(dup.has("/containerDefinitions/1/name", "also the name of /containerDefinitions/0"),
                dup.dump());
  CHECK(dup.count_at("/containerDefinitions/0/name") == 0);

  const Parsed bad_name = parse(ec2({container("my app")}));
  CHECK(bad_name.has("/containerDefinitions/0/name", "not a valid container name"));
  Json bad_family = ec2({container("app")});
  bad_family["family"] = "web/v2";
  CHECK(parse(bad_family).has("/family", "not a valid family name"));

  Json empty = ec2({});
  CHECK(parse(empty).has("/containerDefinitions", "at least one container"));
  const Parsed missing = parse_text(R"({"family": "web"})");
  CHECK(missing.has("", "is missing required key \"containerDefinitions\""));
  CHECK(missing.count_at("/containerDefinitions") == 0);
}

TEST_CASE("ecs-reference 12: at most 10 containers per task definition") {
  std::vector<Json> containers;
  for (int i = 0; i < 10; ++i)
    containers.push_back(container("c" + std::to_string(i)));
  CHECK(parse(ec2(containers)).problems.empty());
  containers.push_back(container("c10"));
  const Parsed p = parse(ec2(containers));
  CHECK_MESSAGE(p.has("/containerDefinitions", "has 11 containers; at most 10"), p.dump());
}

TEST_CASE("ecs-reference 2.1: memory and memoryReservation rules") {
  SUBCASE("memory must be greater than memoryReservation") {
    Json c = container("app", 256);
    c["memoryReservation"] = 256;
    const Parsed p = parse(ec2({c}));
    CHECK_MESSAGE(p.has("/containerDefinitions/0/memoryReservation", "must be less than memory"),
                  p.dump());
    c["memoryReservation"] = 128;
    CHECK(parse(ec2({c})).problems.empty());
  }
  SUBCASE("without task memory every container needs memory or memoryReservation") {
    Json c{{"name", "app"}, {"image", "nginx"}};
    const Parsed p = parse(ec2({c}));
    CHECK_MESSAGE(p.has("/containerDefinitions/0", "needs \"memory\" or \"memoryReservation\""),
                  p.dump());
    c["memoryReservation"] = 128;
    CHECK(parse(ec2({c})).problems.empty());
    Json with_task_memory = ec2({Json{{"name", "app"}, {"image", "nginx"}}});
    with_task_memory["memory"] = "512";
    CHECK(parse(with_task_memory).problems.empty());
  }
  SUBCASE("the minimum is 6 MiB") {
    Json c = container("app", 4);
    CHECK(parse(ec2({c})).has("/containerDefinitions/0/memory", "minimum of 6 MiB"));
    c["memory"] = 6;
    CHECK(parse(ec2({c})).problems.empty());
    Json soft{{"name", "app"}, {"image", "nginx"}, {"memoryReservation", 5}};
    CHECK(parse(ec2({soft})).has("/containerDefinitions/0/memoryReservation", "minimum of 6 MiB"));
  }
  SUBCASE("containers must fit in the task memory and cpu") {
    Json a = container("app", 512);
    a["memoryReservation"] = 300;  // reserves 300, not 512
    a["cpu"] = 512;
    Json b = container("log", 300);
    b["cpu"] = 600;
    Json td = ec2({a, b});
    td["memory"] = "600";  // 300 + 300 fits exactly
    td["cpu"] = "1024";    // 512 + 600 = 1112 does not
    const Parsed p = parse(td);
    CHECK(p.count_at("/memory") == 0);
    CHECK_MESSAGE(p.has("/cpu", "less than the 1112 the containers reserve (app 512 + log 600)"),
                  p.dump());
    td["memory"] = "599";
    CHECK(parse(td).has("/memory", "less than the 600 MiB the containers reserve"));
    td["memory"] = "400";  // also below app's hard limit of 512
    CHECK(parse(td).has("/containerDefinitions/0/memory", "above the task memory of 400 MiB"));
  }
}

TEST_CASE(
    "ecs-reference 2.1, 2.2, 1.4: Fargate needs awsvpc, a task size and stopTimeout <= 120s") {
  Json td = fargate("256", "512");
  td["networkMode"] = "bridge";
  CHECK(parse(td).has("/networkMode", "requires \"awsvpc\""));
  td.erase("networkMode");
  CHECK(parse(td).has("/networkMode", "the default when networkMode is absent"));

  Json no_size = fargate("256", "512");
  no_size.erase("cpu");
  no_size.erase("memory");
  const Parsed p = parse(no_size);
  CHECK_MESSAGE(p.has("/cpu", "requires a task cpu"), p.dump());
  CHECK(p.has("/memory", "requires a task memory"));

  // FARGATE together with EC2 is still held to the Fargate table.
  Json both = fargate("512", "512");
  both["requiresCompatibilities"] = {"EC2", "FARGATE"};
  CHECK(parse(both).has("/memory", "Invalid 'cpu' setting for task."));
  CHECK(parse(both).td.requires_compatibility(Compatibility::kEc2));

  Json stop = fargate("256", "512");
  stop["containerDefinitions"][0]["stopTimeout"] = 121;
  CHECK(
      parse(stop).has("/containerDefinitions/0/stopTimeout", "above the Fargate maximum of 120s"));
  stop["containerDefinitions"][0]["stopTimeout"] = 120;
  const Parsed ok = parse(stop);
  CHECK_MESSAGE(ok.problems.empty(), ok.dump());
  CHECK(ok.td.container_definitions[0].stop_timeout == seconds(120));
  // On EC2 alone a longer stopTimeout is fine.
  Json ec2_stop = ec2({container("app")});
  ec2_stop["containerDefinitions"][0]["stopTimeout"] = 600;
  CHECK(parse(ec2_stop).problems.empty());

  Json compat = fargate("256", "512");
  compat["requiresCompatibilities"] = {"FARGAT"};
  CHECK(parse(compat).has("/requiresCompatibilities/0", "did you mean \"FARGATE\"?"));
}

TEST_CASE("ecs-reference 2.3, 2.4: port mapping rules per network mode") {
  SUBCASE("awsvpc and host: hostPort blank or equal to containerPort") {
    for (const std::string mode : {"awsvpc", "host"}) {
      CAPTURE(mode);
      Json c = container("app");
      c["portMappings"] = {port(80, 8080)};
      const Parsed p = parse(ec2({c}, mode));
      CHECK_MESSAGE(p.has("/containerDefinitions/0/portMappings/0/hostPort",
                          "must be absent or equal to containerPort (80)"),
                    p.dump());
      c["portMappings"] = {port(80, 80), port(443)};
      CHECK(parse(ec2({c}, mode)).problems.empty());
      c["portMappings"] = {port(80, 0)};  // no dynamic ports in these modes
      CHECK(parse(ec2({c}, mode)).has("/containerDefinitions/0/portMappings/0/hostPort"));
    }
  }
  SUBCASE("none: no port mappings") {
    Json c = container("app");
    c["portMappings"] = {port(80)};
    CHECK(
        parse(ec2({c}, "none")).has("/containerDefinitions/0/portMappings", "\"none\" allows no"));
  }
  SUBCASE("bridge: dynamic ports never collide, static host ports do") {
    Json a = container("a");
    Json b = container("b");
    a["portMappings"] = {port(80), port(80, 0)};  // two dynamic ports
    b["portMappings"] = {port(80)};
    CHECK(parse(ec2({a, b})).problems.empty());
    a["portMappings"] = {port(80, 8080)};
    b["portMappings"] = {port(81, 8080)};
    const Parsed p = parse(ec2({a, b}));
    CHECK_MESSAGE(
        p.has("/containerDefinitions/1/portMappings/0/hostPort",
              "host port 8080/tcp is already taken by /containerDefinitions/0/portMappings/0"),
        p.dump());
    b["portMappings"] = {port(81, 8080, "udp")};  // another protocol: no conflict
    CHECK(parse(ec2({a, b})).problems.empty());
  }
  SUBCASE("host: container ports are host ports") {
    Json a = container("a");
    Json b = container("b");
    a["portMappings"] = {port(9000)};
    b["portMappings"] = {port(9000, 9000)};
    CHECK(parse(ec2({a, b}, "host"))
              .has("/containerDefinitions/1/portMappings/0/hostPort", "already taken"));
  }
  SUBCASE("awsvpc: containers share the task's network interface") {
    Json a = container("a");
    Json b = container("b");
    a["portMappings"] = {port(8080)};
    b["portMappings"] = {port(8080)};
    CHECK(parse(ec2({a, b}, "awsvpc"))
              .has("/containerDefinitions/1/portMappings/0/containerPort", "already taken"));
  }
  SUBCASE("one container port cannot be exposed over tcp and udp") {
    Json a = container("dns");
    a["portMappings"] = {port(53, 53, "tcp"), port(53, 53, "udp")};
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/portMappings/1/protocol",
                              "cannot expose one container port over two protocols"));
  }
  SUBCASE("containerPortRange rules") {
    Json a = container("a");
    a["portMappings"] = {Json{{"containerPortRange", "8000-8099"}}};
    CHECK(parse(ec2({a})).problems.empty());
    CHECK(parse(ec2({a}, "awsvpc")).problems.empty());
    CHECK(parse(ec2({a}, "host"))
              .has("/containerDefinitions/0/portMappings/0/containerPortRange",
                   "\"bridge\" or \"awsvpc\""));
    a["portMappings"] = {Json{{"containerPortRange", "8000-8099"}, {"hostPort", 8000}}};
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/portMappings/0/hostPort", "ECS picks"));
    a["portMappings"] = {Json{{"containerPortRange", "8000-8099"}},
                         Json{{"containerPortRange", "8050-8150"}}};
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/portMappings/1/containerPortRange",
                              "overlaps ports 8000-8099/tcp"));
    a["portMappings"] = {Json{{"containerPortRange", "8000-8099"}}, port(8010)};
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/portMappings/1/containerPort", "overlaps"));
    a["portMappings"] = {Json{{"containerPortRange", "9000-8000"}}};
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/portMappings/0/containerPortRange",
                              "first port must be less than the last"));
    a["portMappings"] = {Json{{"containerPortRange", "8000"}}};
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/portMappings/0/containerPortRange",
                              "not a port range"));
    a["portMappings"] = {Json{{"containerPortRange", "0-10"}}};
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/portMappings/0/containerPortRange",
                              "from 1 to 65535"));
    std::vector<Json> many;
    for (int i = 0; i < 101; ++i)
      many.push_back(Json{{"containerPortRange",
                           std::to_string(10000 + 2 * i) + "-" + std::to_string(10001 + 2 * i)}});
    a["portMappings"] = many;
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/portMappings", "at most 100 port ranges"));
  }
  SUBCASE("a mapping needs a container port") {
    Json a = container("a");
    a["portMappings"] = {Json{{"protocol", "tcp"}}};
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/portMappings/0", "needs a containerPort"));
    a["portMappings"] = {port(70000)};
    const Parsed p = parse(ec2({a}));
    CHECK(p.has("/containerDefinitions/0/portMappings/0/containerPort", "out of range"));
    CHECK_MESSAGE(p.count_at("/containerDefinitions/0/portMappings/0") == 0, p.dump());
  }
}

TEST_CASE("ecs-reference 2.5: dependsOn names a container, with a condition its target allows") {
  Json app = container("app");
  Json db = container("db");
  Json init = container("init");
  init["essential"] = false;
  init["ecsim"] = {{"exitAfter", "5s"}};
  SUBCASE("a valid set of dependencies") {
    db["healthCheck"] = {{"command", {"CMD", "pg_isready"}}};
    app["dependsOn"] = {{{"containerName", "db"}, {"condition", "HEALTHY"}},
                        {{"containerName", "init"}, {"condition", "SUCCESS"}}};
    const Parsed p = parse(ec2({app, db, init}));
    CHECK_MESSAGE(p.problems.empty(), p.dump());
    CHECK(p.td.container_definitions[0].depends_on ==
          std::vector<ContainerDependency>{{"db", DependencyCondition::kHealthy},
                                           {"init", DependencyCondition::kSuccess}});
  }
  SUBCASE("unknown container, with did you mean") {
    app["dependsOn"] = {{{"containerName", "dbb"}, {"condition", "START"}}};
    const Parsed p = parse(ec2({app, db}));
    CHECK_MESSAGE(p.has("/containerDefinitions/0/dependsOn/0/containerName",
                        "no container named \"dbb\" in this task definition; did you mean \"db\"?"),
                  p.dump());
  }
  SUBCASE("COMPLETE and SUCCESS cannot be set on an essential container") {
    for (const std::string condition : {"COMPLETE", "SUCCESS"}) {
      app["dependsOn"] = {{{"containerName", "db"}, {"condition", condition}}};
      CHECK(parse(ec2({app, db}))
                .has("/containerDefinitions/0/dependsOn/0/condition",
                     condition + " cannot be set on \"db\", an essential container"));
    }
    // A non-essential dependency must exit in the simulation for the dependent to start.
    db["essential"] = false;
    app["dependsOn"] = {{{"containerName", "db"}, {"condition", "COMPLETE"}}};
    CHECK(parse(ec2({app, db})).has("/containerDefinitions/0/dependsOn/0/condition", "never does"));
  }
  SUBCASE("HEALTHY requires a health check on the dependency") {
    app["dependsOn"] = {{{"containerName", "db"}, {"condition", "HEALTHY"}}};
    CHECK(parse(ec2({app, db}))
              .has("/containerDefinitions/0/dependsOn/0/condition",
                   "HEALTHY needs a healthCheck on \"db\""));
  }
  SUBCASE("condition is required and is an AWS enum") {
    app["dependsOn"] = {{{"containerName", "db"}}};
    CHECK(parse(ec2({app, db}))
              .has("/containerDefinitions/0/dependsOn/0", "missing required key \"condition\""));
    app["dependsOn"] = {{{"containerName", "db"}, {"condition", "HEALTH"}}};
    const Parsed p = parse(ec2({app, db}));
    CHECK(p.has("/containerDefinitions/0/dependsOn/0/condition", "did you mean \"HEALTHY\"?"));
    CHECK(p.count_at("/containerDefinitions/0/dependsOn/0/condition") == 1);
  }
}

TEST_CASE("ecs-reference 2.5: a dependsOn cycle is an error that prints the cycle") {
  Json app = container("app");
  Json sidecar = container("sidecar");
  Json init = container("init");
  app["dependsOn"] = {{{"containerName", "sidecar"}, {"condition", "START"}}};
  sidecar["dependsOn"] = {{{"containerName", "init"}, {"condition", "START"}}};
  init["dependsOn"] = {{{"containerName", "app"}, {"condition", "START"}}};
  const Parsed p = parse(ec2({app, sidecar, init}), "/taskDefinitions/3");
  CHECK_MESSAGE(p.has("/taskDefinitions/3/containerDefinitions/0/dependsOn",
                      "dependsOn forms a cycle: app -> sidecar -> init -> app"),
                p.dump());
  CHECK(detail::find_dependency_cycle(p.td) == std::vector<std::size_t>{0, 1, 2});
  // With a cycle, the order falls back to definition order rather than failing.
  CHECK(container_start_order(p.td) == std::vector<std::size_t>{0, 1, 2});

  // A cycle that does not involve the first container, entered from outside.
  Json a = container("a");
  Json b = container("b");
  Json c = container("c");
  a["dependsOn"] = {{{"containerName", "c"}, {"condition", "START"}}};
  b["dependsOn"] = {{{"containerName", "c"}, {"condition", "START"}}};
  c["dependsOn"] = {{{"containerName", "b"}, {"condition", "START"}}};
  const Parsed q = parse(ec2({a, b, c}));
  CHECK_MESSAGE(q.has("/containerDefinitions/1/dependsOn", "cycle: b -> c -> b"), q.dump());

  // A container depending on itself.
  Json self = container("self");
  self["dependsOn"] = {{{"containerName", "self"}, {"condition", "START"}}};
  CHECK(parse(ec2({self})).has("/containerDefinitions/0/dependsOn", "cycle: self -> self"));
}

TEST_CASE("ecs-reference 2.5: start order respects dependsOn with ties in definition order") {
  SUBCASE("no dependencies: definition order") {
    const Parsed p = parse(ec2({container("x"), container("y"), container("z")}));
    CHECK(container_start_order(p.td) == std::vector<std::size_t>{0, 1, 2});
    CHECK(container_shutdown_order(p.td) == std::vector<std::size_t>{2, 1, 0});
  }
  SUBCASE("a chain starts from its end") {
    Json a = container("a");
    Json b = container("b");
    a["dependsOn"] = {{{"containerName", "b"}, {"condition", "START"}}};
    b["dependsOn"] = {{{"containerName", "c"}, {"condition", "START"}}};
    const Parsed p = parse(ec2({a, b, container("c")}));
    REQUIRE_MESSAGE(p.problems.empty(), p.dump());
    CHECK(container_start_order(p.td) == std::vector<std::size_t>{2, 1, 0});
    CHECK(container_shutdown_order(p.td) == std::vector<std::size_t>{0, 1, 2});
  }
  SUBCASE("waves: independent containers first, in definition order") {
    // app waits for db and init; proxy waits for app; log is independent.
    Json app = container("app");
    Json proxy = container("proxy");
    Json db = container("db");
    Json init = container("init");
    init["essential"] = false;
    init["ecsim"] = {{"exitAfter", "10s"}};
    db["healthCheck"] = {{"command", {"CMD", "pg_isready"}}};
    proxy["dependsOn"] = {{{"containerName", "app"}, {"condition", "START"}}};
    app["dependsOn"] = {{{"containerName", "db"}, {"condition", "HEALTHY"}},
                        {{"containerName", "init"}, {"condition", "SUCCESS"}}};
    const Parsed p = parse(ec2({proxy, app, db, container("log"), init}));
    REQUIRE_MESSAGE(p.problems.empty(), p.dump());
    // Wave 0: db (2), log (3), init (4); wave 1: app (1); wave 2: proxy (0).
    const std::vector<std::size_t> expected{2, 3, 4, 1, 0};
    CHECK(container_start_order(p.td) == expected);
    CHECK(container_shutdown_order(p.td) == std::vector<std::size_t>{0, 1, 4, 3, 2});
    // Deterministic: the same answer every time.
    for (int i = 0; i < 5; ++i)
      CHECK(container_start_order(p.td) == expected);
  }
}

TEST_CASE("ecs-reference 2.6: health check defaults and ranges") {
  Json c = container("app");
  c["healthCheck"] = {{"command", {"CMD-SHELL", "exit 0"}},
                      {"interval", 10},
                      {"timeout", "3s"},
                      {"retries", 5},
                      {"startPeriod", 60}};
  const Parsed ok = parse(ec2({c}));
  REQUIRE_MESSAGE(ok.problems.empty(), ok.dump());
  const HealthCheck& h = *ok.td.container_definitions[0].health_check;
  CHECK(h.interval == seconds(10));
  CHECK(h.timeout == seconds(3));
  CHECK(h.retries == 5);
  CHECK(h.start_period == seconds(60));

  const std::string hp = "/containerDefinitions/0/healthCheck";
  auto with = [&](const char* key, const Json& value) {
    Json copy = c;
    copy["healthCheck"][key] = value;
    return parse(ec2({copy}));
  };
  CHECK(with("interval", 4).has(hp + "/interval", "out of range"));
  CHECK(with("interval", 301).has(hp + "/interval", "out of range"));
  CHECK(with("interval", 5).problems.empty());
  CHECK(with("interval", 300).problems.empty());
  CHECK(with("timeout", 1).has(hp + "/timeout"));
  CHECK(with("timeout", 61).has(hp + "/timeout"));
  CHECK(with("retries", 0).has(hp + "/retries"));
  CHECK(with("retries", 11).has(hp + "/retries"));
  CHECK(with("retries", 10).problems.empty());
  CHECK(with("startPeriod", 301).has(hp + "/startPeriod"));
  CHECK(with("startPeriod", 300).problems.empty());
  CHECK(with("command", Json::array({"curl", "localhost"})).has(hp + "/command/0", "\"CMD\""));
  CHECK(with("command", Json::array()).has(hp + "/command", "is empty"));
  Json no_command = container("app");
  no_command["healthCheck"] = Json::object();
  const Parsed p = parse(ec2({no_command}));
  CHECK(p.has(hp, "missing required key \"command\""));
  CHECK_MESSAGE(p.count_at(hp + "/command") == 0, p.dump());
}

TEST_CASE(
    "ecs-reference 2.1: task definition placement constraints are memberOf only, at most 10") {
  Json td = ec2({container("app")});
  td["placementConstraints"] = {
      {{"type", "memberOf"}, {"expression", "attribute:ecs.instance-type =~ t3.*"}}};
  const Parsed ok = parse(td);
  REQUIRE_MESSAGE(ok.problems.empty(), ok.dump());
  CHECK(ok.td.placement_constraints.at(0).expression == "attribute:ecs.instance-type =~ t3.*");

  td["placementConstraints"] = {{{"type", "distinctInstance"}}};
  CHECK(parse(td).has("/placementConstraints/0/type", "only memberOf"));
  td["placementConstraints"] = {{{"type", "memberof"}, {"expression", "x"}}};
  CHECK(parse(td).has("/placementConstraints/0/type", "did you mean \"memberOf\"?"));
  td["placementConstraints"] = {{{"type", "memberOf"}}};
  CHECK(parse(td).has("/placementConstraints/0/expression", "is required for memberOf"));
  Json many = Json::array();
  for (int i = 0; i < 11; ++i)
    many.push_back({{"type", "memberOf"}, {"expression", "x"}});
  td["placementConstraints"] = many;
  CHECK(parse(td).has("/placementConstraints", "at most 10"));
}

TEST_CASE("ecs-reference 2.1: what a task reserves on an instance") {
  SUBCASE("memoryReservation (soft) wins over memory (hard); container sums without task values") {
    Json a = container("app", 512);
    a["memoryReservation"] = 256;
    a["cpu"] = 256;
    Json b = container("log", 128);  // hard limit only: reserves 128
    b["cpu"] = 64;
    Json c{{"name", "side"}, {"image", "x"}, {"memoryReservation", 64}};  // soft only
    const Parsed p = parse(ec2({a, b, c}));
    REQUIRE_MESSAGE(p.problems.empty(), p.dump());
    const TaskReservation r = reservation_for(p.td);
    CHECK(r.memory_mib == 256 + 128 + 64);
    CHECK(r.cpu_units == 256 + 64 + 0);
    CHECK_FALSE(r.needs_eni);
  }
  SUBCASE("task-level cpu and memory are what the instance reserves") {
    Json a = container("app", 512);
    a["cpu"] = 256;
    Json td = ec2({a});
    td["cpu"] = "1 vCPU";
    td["memory"] = "2 GB";
    const TaskReservation r = reservation_for(parse(td).td);
    CHECK(r.cpu_units == 1024);
    CHECK(r.memory_mib == 2048);
  }
  SUBCASE("bridge: static host ports are reserved, dynamic ones counted") {
    Json a = container("web");
    a["portMappings"] = {port(80, 80), port(8080), port(9090, 0), port(53, 5353, "udp"),
                         Json{{"containerPortRange", "7000-7009"}, {"protocol", "udp"}}};
    Json b = container("admin");
    b["portMappings"] = {port(443, 8443), port(80)};
    const Parsed p = parse(ec2({a, b}));
    REQUIRE_MESSAGE(p.problems.empty(), p.dump());
    const TaskReservation r = reservation_for(p.td);
    CHECK(r.static_tcp_ports == std::vector<int>{80, 8443});
    CHECK(r.static_udp_ports == std::vector<int>{5353});
    CHECK(r.dynamic_tcp_ports == 3);   // 8080, 9090 (hostPort 0), admin's 80
    CHECK(r.dynamic_udp_ports == 10);  // the 10-port range
    CHECK_FALSE(r.needs_eni);
  }
  SUBCASE("host: container ports are host ports") {
    Json a = container("web");
    a["portMappings"] = {port(80), port(443, 443)};
    const TaskReservation r = reservation_for(parse(ec2({a}, "host")).td);
    CHECK(r.static_tcp_ports == std::vector<int>{80, 443});
    CHECK(r.dynamic_tcp_ports == 0);
  }
  SUBCASE("awsvpc: one ENI and no host ports") {
    Json a = container("web");
    a["portMappings"] = {port(80), port(443, 443)};
    const TaskReservation r = reservation_for(parse(ec2({a}, "awsvpc")).td);
    CHECK(r.needs_eni);
    CHECK(r.static_tcp_ports.empty());
    CHECK(r.dynamic_tcp_ports == 0);
  }
  SUBCASE("GPUs from resourceRequirements") {
    Json a = container("train");
    a["resourceRequirements"] = {{{"type", "GPU"}, {"value", "2"}}};
    Json b = container("infer");
    b["resourceRequirements"] = {{{"type", "GPU"}, {"value", "1"}},
                                 {{"type", "InferenceAccelerator"}, {"value", "device_1"}}};
    const Parsed p = parse(ec2({a, b}));
    REQUIRE_MESSAGE(p.problems.empty(), p.dump());
    CHECK(reservation_for(p.td).gpus == 3);
    a["resourceRequirements"] = {{{"type", "GPU"}, {"value", "two"}}};
    CHECK(parse(ec2({a})).has("/containerDefinitions/0/resourceRequirements/0/value",
                              "not a GPU count"));
  }
}

TEST_CASE(
    "ecs-reference 2.6: task health is UNHEALTHY > UNKNOWN > HEALTHY over essential containers") {
  using H = HealthStatus;
  auto agg = [](std::vector<H> s) { return aggregate_task_health(s); };
  CHECK(agg({H::kHealthy, H::kHealthy}) == H::kHealthy);
  CHECK(agg({H::kHealthy, H::kUnknown}) == H::kUnknown);
  CHECK(agg({H::kUnknown, H::kUnhealthy}) == H::kUnhealthy);
  CHECK(agg({H::kHealthy, H::kUnhealthy, H::kUnknown}) == H::kUnhealthy);
  CHECK(agg({}) == H::kUnknown);

  Json app = container("app");
  Json sidecar = container("sidecar");
  sidecar["essential"] = false;
  const TaskDefinition td = parse(ec2({app, sidecar})).td;
  // The non-essential sidecar's status does not count.
  const std::vector<H> statuses{H::kHealthy, H::kUnhealthy};
  CHECK(task_health_status(td, statuses) == H::kHealthy);
  const std::vector<H> unknown{H::kUnknown, H::kHealthy};
  CHECK(task_health_status(td, unknown) == H::kUnknown);
  CHECK(to_string(H::kUnhealthy) == "UNHEALTHY");
}

TEST_CASE("ecs-reference 2.1: each registration of a family is revision n+1") {
  TaskDefinitionRegistry registry;
  const TaskDefinition web = parse(ec2({container("app")})).td;
  TaskDefinition worker = web;
  worker.family = "worker";

  const auto w1 = registry.register_task_definition(web);
  const auto w2 = registry.register_task_definition(web);
  const auto k1 = registry.register_task_definition(worker);
  REQUIRE(w1.ok());
  REQUIRE(w2.ok());
  REQUIRE(k1.ok());
  CHECK((*w1)->revision == 1);
  CHECK((*w2)->revision == 2);
  CHECK((*k1)->revision == 1);
  CHECK((*w2)->family_revision() == "web:2");
  CHECK(registry.latest_revision("web") == 2);
  CHECK(registry.latest_revision("nope") == 0);
  CHECK(registry.size() == 3);
  CHECK(registry.families() == std::vector<std::string>{"web", "worker"});

  CHECK(registry.resolve("web").ok());
  CHECK((*registry.resolve("web"))->revision == 2);
  CHECK((*registry.resolve("web:1"))->revision == 1);
  CHECK((*registry.resolve("arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"))->revision ==
        1);
  // Pointers stay valid while more revisions are registered.
  const TaskDefinition* first = *registry.resolve("web:1");
  for (int i = 0; i < 100; ++i)
    REQUIRE(registry.register_task_definition(web).ok());
  CHECK(first == registry.find("web", 1));
  CHECK(registry.latest_revision("web") == 102);

  CHECK(registry.resolve("web:103").error() ==
        "task definition \"web:103\" does not exist; family \"web\" has revisions 1 to 102");
  CHECK(registry.resolve("wbe").error().find("did you mean \"web\"?") != std::string::npos);
  CHECK(registry.resolve("database").error().find("registered families are \"web\", \"worker\"") !=
        std::string::npos);
  CHECK(registry.resolve("web:x").error().find("whole number") != std::string::npos);
  CHECK(registry.resolve("web:0").error().find("whole number") != std::string::npos);
  CHECK_FALSE(registry.resolve("").ok());
  CHECK_FALSE(registry.resolve("arn:aws:ecs:us-east-1:1:service/web").ok());
  CHECK(registry.resolve("worker:2").error().find("has only revision 1") != std::string::npos);

  // Deregistered revisions keep their number; "family" skips them.
  CHECK(registry.deregister("web", 102));
  CHECK((*registry.resolve("web"))->revision == 101);
  CHECK(registry.resolve("web:102").error().find("is INACTIVE") != std::string::npos);
  CHECK(registry.find("web", 102)->status == TaskDefinitionStatus::kInactive);
  CHECK((*registry.register_task_definition(web))->revision == 103);
  CHECK(registry.deregister("worker", 1));
  CHECK(registry.resolve("worker").error() ==
        "family \"worker\" has no ACTIVE revision: revision 1 is INACTIVE (deregistered)");
  CHECK_FALSE(registry.deregister("worker", 2));

  TaskDefinition nameless = web;
  nameless.family.clear();
  CHECK_FALSE(registry.register_task_definition(nameless).ok());
  TaskDefinitionRegistry empty;
  CHECK(empty.resolve("web").error().find("no task definitions are registered") !=
        std::string::npos);
}

TEST_CASE(
    "scenario contract: describe-task-definition output is accepted, read-only fields ignored") {
  const Parsed p = parse_text(R"({
    "taskDefinition": {
      "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7",
      "containerDefinitions": [{
        "name": "web", "image": "public.ecr.aws/nginx/nginx:1.27", "cpu": 0,
        "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp",
                          "name": "web-80-tcp", "appProtocol": "http"}],
        "essential": true, "environment": [], "environmentFiles": [], "mountPoints": [],
        "volumesFrom": [], "ulimits": [], "systemControls": [],
        "logConfiguration": {"logDriver": "awslogs",
                             "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1"}},
        "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
                        "interval": 30, "timeout": 5, "retries": 3}
      }],
      "family": "web",
      "taskRoleArn": "arn:aws:iam::123456789012:role/web",
      "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
      "networkMode": "awsvpc",
      "revision": 7,
      "volumes": [],
      "status": "ACTIVE",
      "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"}],
      "placementConstraints": [],
      "compatibilities": ["EC2", "FARGATE"],
      "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
      "requiresCompatibilities": ["FARGATE"],
      "cpu": "512",
      "memory": "1024",
      "ephemeralStorage": {"sizeInGiB": 30},
      "registeredAt": "2024-05-01T10:00:00.000Z",
      "registeredBy": "arn:aws:sts::123456789012:assumed-role/admin/me"
    },
    "tags": [{"key": "team", "value": "web"}]
  })");
  REQUIRE_MESSAGE(p.problems.empty(), p.dump());
  CHECK(p.td.family == "web");
  CHECK(p.td.revision == 0);  // read-only: the registry numbers revisions
  CHECK(p.td.network_mode == NetworkMode::kAwsvpc);
  CHECK(p.td.requires_compatibilities == std::vector<Compatibility>{Compatibility::kFargate});
  CHECK(p.td.cpu_units == 512);
  CHECK(p.td.memory_mib == 1024);
  CHECK(p.td.runtime_platform.cpu_architecture == CpuArchitecture::kArm64);
  CHECK(p.td.ephemeral_storage_gib == 30);
  CHECK(p.td.container_definitions.at(0).port_mappings.at(0).host_port == 80);

  // Problems inside the describe shape are reported under /taskDefinition.
  const Parsed bad = parse(Json::parse(R"({"taskDefinition": {"family": "web",
      "containerDefinitions": [{"name": "app", "image": "x"}]}})"),
                           "/taskDefinitions/0");
  CHECK_MESSAGE(
      bad.has("/taskDefinitions/0/taskDefinition/containerDefinitions/0", "needs \"memory\""),
      bad.dump());
}

TEST_CASE("json_reader contract: an unknown key gets a did-you-mean and no follow-on problems") {
  const Parsed p = parse_text(R"({"family": "web", "containerDefinitions": [
      {"name": "app", "image": "nginx", "memoryReservaton": 256}]})");
  CHECK_MESSAGE(p.has("/containerDefinitions/0/memoryReservaton",
                      "unknown key \"memoryReservaton\"; did you mean \"memoryReservation\"?"),
                p.dump());
  // The typo is the one mistake: "needs memory or memoryReservation" would only repeat it.
  CHECK(p.problems.size() == 1);

  const Parsed top = parse_text(R"({"family": "web", "networkMod": "awsvpc",
      "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 256}]})");
  CHECK(top.has("/networkMod", "did you mean \"networkMode\"?"));
  const Parsed sim = parse_text(R"({"family": "web", "containerDefinitions": [{"name": "app",
      "image": "nginx", "memory": 256, "ecsim": {"exitAftr": "5s"}}]})");
  CHECK(sim.has("/containerDefinitions/0/ecsim/exitAftr", "did you mean \"exitAfter\"?"));

  // AWS fields without a simulated effect are accepted.
  const Parsed aws = parse_text(R"({"family": "web", "executionRoleArn": "arn:x", "pidMode": "task",
      "tags": [{"key": "a", "value": "b"}], "volumes": [{"name": "data"}],
      "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 256,
        "command": ["serve"], "entryPoint": ["/bin/sh"], "secrets": [],
        "restartPolicy": {"enabled": true}, "dockerLabels": {"a": "b"}, "user": "1000",
        "linuxParameters": {"initProcessEnabled": true}, "readonlyRootFilesystem": true}]})");
  CHECK_MESSAGE(aws.problems.empty(), aws.dump());
}

TEST_CASE("ecsim container properties: batch exits, health and timing") {
  Json job = container("job");
  job["essential"] = true;
  job["healthCheck"] = {{"command", {"CMD", "true"}}};
  job["ecsim"] = {{"imageSizeMiB", 250.5}, {"startDuration", "1500ms"},
                  {"stopDuration", 10},    {"exitAfter", "2m"},
                  {"exitCode", 3},         {"healthy", false}};
  const Parsed p = parse(ec2({job}));
  REQUIRE_MESSAGE(p.problems.empty(), p.dump());
  const ContainerSimulation& s = p.td.container_definitions[0].simulation;
  CHECK(s.image_size_mib == 250.5);
  CHECK(s.start_duration == millis(1500));
  CHECK(s.stop_duration == seconds(10));
  CHECK(s.exit_after == seconds(120));
  CHECK(s.exit_code == 3);
  CHECK_FALSE(s.healthy);

  Json lonely = container("app");
  lonely["ecsim"] = {{"exitCode", 1}, {"healthy", false}};
  const Parsed q = parse(ec2({lonely}));
  CHECK(q.has("/containerDefinitions/0/ecsim/exitCode", "no effect without exitAfter"));
  CHECK(q.has("/containerDefinitions/0/ecsim/healthy", "no healthCheck"));
  lonely["ecsim"] = {{"exitCode", 256}};
  CHECK(parse(ec2({lonely})).has("/containerDefinitions/0/ecsim/exitCode", "out of range"));
}

TEST_CASE("task_definition_problems validates definitions built in code") {
  TaskDefinition td;
  td.family = "web";
  td.requires_compatibilities = {Compatibility::kFargate};
  td.network_mode = NetworkMode::kAwsvpc;
  td.cpu_units = 512;
  td.memory_mib = 5120;
  ContainerDefinition c;
  c.name = "app";
  c.image = "nginx";
  c.health_check = HealthCheck{{"CMD", "true"}, seconds(1), seconds(5), 3, Duration{0}};
  td.container_definitions.push_back(c);
  const std::vector<Problem> problems = task_definition_problems(td, "/x");
  const auto at = [&](std::string_view pointer) {
    return std::count_if(problems.begin(), problems.end(),
                         [&](const Problem& p) { return p.pointer == pointer; });
  };
  CHECK(at("/x/memory") == 1);  // the Fargate size
  CHECK(at("/x/containerDefinitions/0/healthCheck/interval") == 1);
  CHECK(problems.size() == 2);
  td.memory_mib = 4096;
  td.container_definitions[0].health_check->interval = seconds(5);
  CHECK(task_definition_problems(td).empty());
}

TEST_CASE("robustness: wrong types anywhere never crash and are reported") {
  const Json valid = Json::parse(R"({
    "family": "web", "networkMode": "bridge", "requiresCompatibilities": ["EC2"],
    "cpu": "1 vCPU", "memory": "2 GB",
    "placementConstraints": [{"type": "memberOf", "expression": "attribute:x == y"}],
    "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    "ephemeralStorage": {"sizeInGiB": 21},
    "containerDefinitions": [
      {"name": "app", "image": "nginx", "cpu": 256, "memory": 512, "memoryReservation": 256,
       "essential": true, "stopTimeout": 30, "startTimeout": 60,
       "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"},
                        {"containerPortRange": "7000-7010", "protocol": "udp"}],
       "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}],
       "resourceRequirements": [{"type": "GPU", "value": "1"}],
       "ecsim": {"imageSizeMiB": 100, "startDuration": "2s", "exitAfter": "1h", "exitCode": 0,
                 "healthy": true}},
      {"name": "db", "image": "postgres", "memory": 512,
       "healthCheck": {"command": ["CMD", "pg_isready"], "interval": 10, "timeout": 2,
                       "retries": 3, "startPeriod": 0}}]})");
  REQUIRE_MESSAGE(parse(valid).problems.empty(), parse(valid).dump());

  const std::vector<Json> replacements = {Json(nullptr),  Json(42),
                                          Json(-1),       Json(1.5),
                                          Json("text"),   Json(true),
                                          Json::array(),  Json::array({1, "x", nullptr}),
                                          Json::object(), Json{{"k", nullptr}},
                                          Json(1e300)};
  std::size_t runs = 0;
  // Replace every value in the document, one at a time, with each replacement.
  std::function<void(const Json::json_pointer&, const Json&)> visit =
      [&](const Json::json_pointer& where, const Json& value) {
        for (const Json& replacement : replacements) {
          Json doc = valid;
          doc[where] = replacement;
          CAPTURE(where.to_string());
          CAPTURE(replacement.dump());
          Parsed p;
          CHECK_NOTHROW(p = parse(doc, "/taskDefinitions/0"));
          for (const Problem& problem : p.problems) {
            CHECK(problem.pointer.rfind("/taskDefinitions/0", 0) == 0);
            CHECK_FALSE(problem.message.empty());
          }
          // A changed type is always reported. Numbers and strings are interchangeable where a
          // field takes both (durations, task cpu and memory), so only other changes count.
          const auto kind = [](const Json& j) {
            return j.is_number() || j.is_string() ? Json::value_t::number_integer : j.type();
          };
          if (kind(replacement) != kind(value))
            CHECK_MESSAGE(!p.problems.empty(), ("no problem for " + where.to_string()));
          ++runs;
        }
        if (value.is_object())
          for (const auto& [key, child] : value.items())
            visit(where / key, child);
        if (value.is_array())
          for (std::size_t i = 0; i < value.size(); ++i)
            visit(where / i, value[i]);
      };
  for (const auto& [key, child] : valid.items())
    visit(Json::json_pointer("/" + key), child);
  CHECK(runs > 500);

  // Whole documents of the wrong shape.
  for (const Json& doc : replacements) {
    Parsed p;
    CHECK_NOTHROW(p = parse(doc));
    CHECK_FALSE(p.problems.empty());
    CHECK_NOTHROW(p = parse(Json{{"taskDefinition", doc}}));
    CHECK_FALSE(p.problems.empty());
  }
  // Containers, mappings and dependencies that are not objects keep later indices correct.
  const Parsed shifted = parse_text(R"({"family": "web", "containerDefinitions": [
      null, {"name": "app", "image": "x", "memory": 4}]})");
  CHECK(shifted.has("/containerDefinitions/0", "is null; expected an object"));
  CHECK(shifted.has("/containerDefinitions/1/memory", "minimum of 6 MiB"));
  CHECK(shifted.td.container_definitions.size() == 2);
}
