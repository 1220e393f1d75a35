// Tests for ecsim/instance_types.hpp against ecs-reference.md (section numbers in each name).
#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/instance_types.hpp"

using namespace ecsim;

namespace {

const InstanceType& builtin(std::string_view name) {
  const InstanceType* t = find_instance_type(name);
  REQUIRE_MESSAGE(t != nullptr, "missing built-in type ", std::string(name));
  return *t;
}

}  // namespace

TEST_CASE("ecs-reference 3.2: m4.large registers 7985 MiB") {
  const InstanceType& m4 = builtin("m4.large");
  CHECK(m4.installed_memory_mib() == 8192);
  CHECK(m4.registered_memory_mib(0) == 7985);
  CHECK_FALSE(m4.registered_memory_is_estimate());
}

TEST_CASE("ecs-reference 3.2: ECS_RESERVED_MEMORY=256 on m4.large registers 7985 - 256 MiB") {
  CHECK(builtin("m4.large").registered_memory_mib(256) == 7985 - 256);
}

TEST_CASE("ecs-reference 3.2: other types estimate floor(installed MiB * 7985 / 8192) [INFERRED]") {
  const InstanceType& m5 = builtin("m5.xlarge");
  CHECK(m5.registered_memory_is_estimate());
  // 16 GiB = 16384 MiB; 16384 * 7985 / 8192 = 15970 exactly
  CHECK(m5.registered_memory_mib(0) == 15970);
  CHECK(m5.registered_memory_mib(100) == 15870);
  // 4 GiB = 4096 MiB; 4096 * 7985 / 8192 = 3992.5, floored to 3992
  CHECK(builtin("t3.medium").registered_memory_mib(0) == 3992);
  // A reservation larger than the memory leaves nothing rather than a negative amount.
  CHECK(builtin("t3.medium").registered_memory_mib(10'000) == 0);
  for (const InstanceType& t : builtin_instance_types()) {
    CHECK(t.registered_memory_mib(0) < t.installed_memory_mib());
    CHECK(t.registered_memory_mib(0) >= t.installed_memory_mib() * 7985 / 8192);
  }
}

TEST_CASE("ecs-reference 13.2: registered CPU is 1024 units per vCPU") {
  CHECK(builtin("m5.xlarge").registered_cpu_units() == 4096);
  struct Row {
    const char* name;
    int vcpu;
    double memory_gib;
    std::int64_t cpu_units;
  };
  // The 13.2 table: vCPU, memory (GiB) and ECS CPU units.
  const Row table[] = {{"t3.medium", 2, 4, 2048},  {"m5.large", 2, 8, 2048},
                       {"m5.xlarge", 4, 16, 4096}, {"c5.large", 2, 4, 2048},
                       {"m6g.large", 2, 8, 2048},  {"r5.large", 2, 16, 2048}};
  for (const Row& row : table) {
    CAPTURE(row.name);
    const InstanceType& t = builtin(row.name);
    CHECK(t.vcpu == row.vcpu);
    CHECK(t.memory_gib == row.memory_gib);
    CHECK(t.registered_cpu_units() == row.cpu_units);
  }
  for (const InstanceType& t : builtin_instance_types()) {
    CHECK(t.registered_cpu_units() == 1024 * t.vcpu);
  }
}

TEST_CASE("ecs-reference 2.4: awsvpc task limits match the documented trunking table") {
  struct Row {
    const char* name;
    int no_trunk;
    int trunk;
  };
  const Row table[] = {{"c5.large", 2, 10},   {"m5.large", 2, 10},  {"m5.xlarge", 3, 20},
                       {"m6g.large", 2, 10},  {"r5.large", 2, 10},  {"m5.2xlarge", 3, 40},
                       {"m5.4xlarge", 7, 60}, {"c5.xlarge", 3, 20}, {"r5.xlarge", 3, 20}};
  for (const Row& row : table) {
    CAPTURE(row.name);
    const InstanceType& t = builtin(row.name);
    CHECK(t.awsvpc_tasks_no_trunk == row.no_trunk);
    CHECK(t.awsvpc_tasks_trunk == row.trunk);
    CHECK(t.supports_trunking());
  }
}

TEST_CASE("ecs-reference 2.4: ENI limit = awsvpc tasks without trunking + 1 (the primary ENI)") {
  for (const InstanceType& t : builtin_instance_types()) {
    CAPTURE(t.name);
    CHECK(t.max_enis == t.awsvpc_tasks_no_trunk + 1);
  }
  // t3.medium: 3 ENIs in the EC2 table, so 2 tasks (2.4 and 13.2, [INFERRED]).
  CHECK(builtin("t3.medium").max_enis == 3);
  CHECK(builtin("t3.medium").awsvpc_tasks_no_trunk == 2);
}

TEST_CASE("ecs-reference 2.4: t3 is not in the trunking table, so it does not support trunking") {
  for (const char* name : {"t3.medium", "t3.large", "t3.xlarge", "t3.2xlarge"}) {
    CAPTURE(name);
    CHECK(builtin(name).awsvpc_tasks_trunk == 0);
    CHECK_FALSE(builtin(name).supports_trunking());
  }
}

TEST_CASE("ecs-reference 13.2: prices of the listed types match the table exactly") {
  struct Row {
    const char* name;
    double price;
  };
  const Row table[] = {{"t3.medium", 0.0416}, {"m5.large", 0.096},  {"m5.xlarge", 0.192},
                       {"c5.large", 0.085},   {"m6g.large", 0.077}, {"r5.large", 0.126}};
  for (const Row& row : table) {
    CAPTURE(row.name);
    CHECK(builtin(row.name).price_per_hour_usd == row.price);
  }
  CHECK(builtin("m6g.large").architecture == CpuArchitecture::kArm64);
  CHECK(builtin("m5.large").architecture == CpuArchitecture::kX86_64);
}

TEST_CASE("catalog: prices double with each size within a family (published us-east-1 rates)") {
  for (const char* family : {"m5", "m6g", "c5", "c6g", "r5"}) {
    CAPTURE(family);
    const double large = builtin(std::string(family) + ".large").price_per_hour_usd;
    CHECK(builtin(std::string(family) + ".xlarge").price_per_hour_usd == 2 * large);
    CHECK(builtin(std::string(family) + ".2xlarge").price_per_hour_usd == 4 * large);
    CHECK(builtin(std::string(family) + ".4xlarge").price_per_hour_usd == 8 * large);
  }
  CHECK(builtin("t3.2xlarge").price_per_hour_usd == 8 * builtin("t3.medium").price_per_hour_usd);
  CHECK(builtin("m4.large").price_per_hour_usd == 0.10);
}

TEST_CASE("catalog: every family has large, xlarge, 2xlarge and 4xlarge (t3 stops at 2xlarge)") {
  for (const char* family : {"m5", "m6g", "c5", "c6g", "r5"}) {
    for (const char* size : {"large", "xlarge", "2xlarge", "4xlarge"}) {
      const std::string name = std::string(family) + "." + size;
      CAPTURE(name);
      const InstanceType* t = find_instance_type(name);
      REQUIRE(t != nullptr);
      CHECK(t->name == name);
      CHECK(instance_type_problems(*t).empty());
    }
  }
  // EC2 offers no t3.4xlarge; the family ends at t3.2xlarge.
  for (const char* name : {"t3.medium", "t3.large", "t3.xlarge", "t3.2xlarge"}) {
    CHECK(find_instance_type(name) != nullptr);
  }
  CHECK(find_instance_type("t3.4xlarge") == nullptr);
  CHECK(find_instance_type("m5.metal") == nullptr);
  CHECK(find_instance_type("") == nullptr);
  CHECK(builtin_instance_types().size() == 25);  // 5 families x 4 + t3 x 4 + m4.large
}

TEST_CASE("catalog: the built-in list is sorted by name with unique names") {
  const auto& types = builtin_instance_types();
  for (std::size_t i = 1; i < types.size(); ++i)
    CHECK(types[i - 1].name < types[i].name);
  CHECK(to_string(CpuArchitecture::kX86_64) == "x86_64");
  CHECK(to_string(CpuArchitecture::kArm64) == "arm64");
}

TEST_CASE("InstanceCatalog: starts from the built-in list, overrides fields and adds types") {
  InstanceCatalog catalog;
  CHECK(catalog.size() == builtin_instance_types().size());
  CHECK(catalog.all() == builtin_instance_types());

  const InstanceType* m5 = catalog.find("m5.large");
  REQUIRE(m5 != nullptr);

  SUBCASE("override one field of a built-in type") {
    InstanceType cheaper = *m5;
    cheaper.price_per_hour_usd = 0.05;
    cheaper.known_registered_memory_mib = 7800;  // measured on the scenario's AMI
    catalog.upsert(cheaper);
    CHECK(catalog.size() == builtin_instance_types().size());
    CHECK(catalog.find("m5.large") == m5);  // replaced in place
    CHECK(m5->price_per_hour_usd == 0.05);
    CHECK(m5->registered_memory_mib(200) == 7600);
    CHECK_FALSE(m5->registered_memory_is_estimate());
    CHECK(m5->vcpu == 2);
    // The built-in catalog itself is untouched.
    CHECK(find_instance_type("m5.large")->price_per_hour_usd == 0.096);
  }

  SUBCASE("add a scenario's own type; listing stays sorted by name") {
    InstanceType custom;
    custom.name = "a1.custom";
    custom.vcpu = 3;
    custom.memory_gib = 6;
    custom.architecture = CpuArchitecture::kArm64;
    custom.max_enis = 5;
    custom.awsvpc_tasks_no_trunk = 4;
    custom.price_per_hour_usd = 0.01;
    CHECK(instance_type_problems(custom).empty());
    catalog.upsert(custom);
    CHECK(catalog.size() == builtin_instance_types().size() + 1);
    REQUIRE(catalog.contains("a1.custom"));
    CHECK(*catalog.find("a1.custom") == custom);
    CHECK(catalog.find("a1.custom")->registered_cpu_units() == 3072);
    const auto all = catalog.all();
    CHECK(all.front().name == "a1.custom");
    CHECK(std::is_sorted(all.begin(), all.end(),
                         [](const auto& a, const auto& b) { return a.name < b.name; }));
    CHECK(find_instance_type("a1.custom") == nullptr);
    CHECK(m5->price_per_hour_usd == 0.096);
  }
}

TEST_CASE("instance_type_problems: reports each invalid field") {
  InstanceType bad;
  bad.name = "broken";
  bad.vcpu = 0;
  bad.memory_gib = -1;
  bad.max_enis = 2;
  bad.awsvpc_tasks_no_trunk = 2;  // more than max_enis - 1
  bad.awsvpc_tasks_trunk = -1;
  bad.price_per_hour_usd = -0.5;
  const auto problems = instance_type_problems(bad);
  CHECK(problems.size() == 5);
  auto mentions = [&](const char* text) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.find(text) != std::string::npos; });
  };
  CHECK(mentions("broken: vcpu"));
  CHECK(mentions("memory_gib"));
  CHECK(mentions("awsvpc_tasks_no_trunk is 2; expected 0..1"));
  CHECK(mentions("awsvpc_tasks_trunk"));
  CHECK(mentions("price_per_hour_usd"));

  InstanceType too_much = *find_instance_type("m4.large");
  too_much.known_registered_memory_mib = 9000;
  CHECK(instance_type_problems(too_much).size() == 1);
}
