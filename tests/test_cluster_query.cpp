// The cluster query language of memberOf constraints (ecs-reference 4.3).
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/cluster_query.hpp"

using ecsim::Attributes;
using ecsim::ClusterQuery;

namespace {

ClusterQuery q(const std::string& text) {
  auto parsed = ClusterQuery::parse(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.error());
  return parsed.value();
}

bool eval(const std::string& text, const Attributes& attrs,
          const std::vector<std::string>& groups = {}) {
  return q(text).matches(attrs, groups);
}

const Attributes kT2Small{{"ecs.instance-type", "t2.small"},
                          {"ecs.availability-zone", "us-east-1a"},
                          {"ecs.os-type", "linux"},
                          {"ecs.cpu-architecture", "x86_64"},
                          {"ecs.ami-id", "ami-123"},
                          {"stack", "prod"},
                          {"cores", "8"}};
const Attributes kM5Large{{"ecs.instance-type", "m5.large"},
                          {"ecs.availability-zone", "us-east-1b"},
                          {"ecs.os-type", "linux"},
                          {"ecs.cpu-architecture", "arm64"},
                          {"stack", "dev"},
                          {"cores", "10"}};

// The error message, its reported 1-based character, and where its caret points (0-based).
struct ErrorShape {
  std::string message;
  int character = -1;
  int caret = -1;
};

ErrorShape error_of(const std::string& text) {
  auto parsed = ClusterQuery::parse(text);
  REQUIRE_FALSE(parsed.ok());
  ErrorShape e;
  e.message = parsed.error();
  const auto at = e.message.find(" at character ");
  REQUIRE(at != std::string::npos);
  e.character = std::stoi(e.message.substr(at + 14));
  const auto last_line = e.message.substr(e.message.rfind('\n') + 1);
  REQUIRE(last_line.find('^') != std::string::npos);
  e.caret = static_cast<int>(last_line.find('^')) - 2;  // the expression is indented by two
  // The expression itself is echoed on the line above the caret.
  const auto first_nl = e.message.find('\n');
  CHECK(e.message.substr(first_nl + 3, text.size()) == text);
  return e;
}

}  // namespace

TEST_CASE("ecs-reference 4.3: the documented examples parse and select the right instances") {
  CHECK(eval("attribute:ecs.instance-type =~ t2.*", kT2Small));
  CHECK_FALSE(eval("attribute:ecs.instance-type =~ t2.*", kM5Large));
  CHECK(eval("attribute:ecs.availability-zone == us-east-1a", kT2Small));
  CHECK_FALSE(eval("attribute:ecs.availability-zone == us-east-1a", kM5Large));
  CHECK(eval("attribute:ecs.instance-type in [t2.small, t2.medium]", kT2Small));
  CHECK_FALSE(eval("attribute:ecs.instance-type in [t2.small, t2.medium]", kM5Large));
  CHECK_FALSE(eval("attribute:stack != prod", kT2Small));
  CHECK(eval("attribute:stack != prod", kM5Large));
  CHECK(eval("task:group == databases", kM5Large, {"databases"}));
  CHECK_FALSE(eval("task:group == databases", kM5Large, {"service:web"}));
  // Joined with and / or.
  CHECK(
      eval("attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a",
           kT2Small));
  CHECK_FALSE(
      eval("attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == "
           "us-east-1b",
           kT2Small));
  CHECK(eval("attribute:ecs.instance-type =~ t2.* or attribute:ecs.availability-zone == us-east-1b",
             kM5Large));
}

TEST_CASE("ecs-reference 4.3: built-in attributes ecs.os-type, ecs.cpu-architecture, ecs.ami-id") {
  CHECK(eval("attribute:ecs.os-type == linux", kT2Small));
  CHECK(eval("attribute:ecs.cpu-architecture == arm64", kM5Large));
  CHECK_FALSE(eval("attribute:ecs.cpu-architecture == arm64", kT2Small));
  CHECK(eval("attribute:ecs.ami-id exists", kT2Small));
  CHECK(eval("attribute:ecs.ami-id !exists", kM5Large));
}

TEST_CASE(
    "ecs-reference 4.3: and binds tighter than or, not tighter than both, parentheses regroup") {
  CHECK(q("attribute:a == 1 or attribute:b == 2 and attribute:c == 3").canonical() ==
        "(attribute:a == 1 or (attribute:b == 2 and attribute:c == 3))");
  CHECK(q("attribute:a == 1 and attribute:b == 2 or attribute:c == 3").canonical() ==
        "((attribute:a == 1 and attribute:b == 2) or attribute:c == 3)");
  CHECK(q("(attribute:a == 1 or attribute:b == 2) and attribute:c == 3").canonical() ==
        "((attribute:a == 1 or attribute:b == 2) and attribute:c == 3)");
  CHECK(q("not attribute:a == 1 and attribute:b == 2").canonical() ==
        "(not attribute:a == 1 and attribute:b == 2)");

  // a=1 only: "a or (b and c)" is true, "(a or b) and c" is false.
  const Attributes only_a{{"a", "1"}};
  CHECK(eval("attribute:a == 1 or attribute:b == 2 and attribute:c == 3", only_a));
  CHECK_FALSE(eval("(attribute:a == 1 or attribute:b == 2) and attribute:c == 3", only_a));
  CHECK(eval("not attribute:b == 2", only_a));
  CHECK_FALSE(eval("not (attribute:a == 1 or attribute:b == 2)", only_a));
  // Keywords are case-insensitive.
  CHECK(eval("attribute:a == 1 OR attribute:b == 2 AND attribute:c == 3", only_a));
}

TEST_CASE(
    "ecs-reference 4.3: comparison operators compare numbers numerically, other text bytewise "
    "[INFERRED]") {
  // cores: 8 on kT2Small, 10 on kM5Large. As strings "10" < "8"; as numbers 10 > 8.
  CHECK(eval("attribute:cores > 9", kM5Large));
  CHECK_FALSE(eval("attribute:cores > 9", kT2Small));
  CHECK(eval("attribute:cores >= 10", kM5Large));
  CHECK(eval("attribute:cores < 9", kT2Small));
  CHECK(eval("attribute:cores <= 8", kT2Small));
  CHECK(eval("attribute:cores == 8.0", kT2Small));  // 8 == 8.0 numerically
  CHECK(eval("attribute:cores != 8.5", kT2Small));
  // Text compares bytewise: "dev" < "prod".
  CHECK(eval("attribute:stack < prod", kM5Large));
  CHECK(eval("attribute:stack >= dev", kT2Small));
  CHECK_FALSE(eval("attribute:stack > prod", kT2Small));
  // One side numeric, the other not: bytewise ("8" > "10x" because '8' > '1').
  CHECK(eval("attribute:cores > 10x", kT2Small));
}

TEST_CASE("ecs-reference 4.3: =~ is an ECMAScript regex over the whole value [INFERRED]") {
  CHECK(eval("attribute:ecs.instance-type =~ t2\\..*", kT2Small));
  CHECK_FALSE(eval("attribute:ecs.instance-type =~ t2", kT2Small));  // anchored: no partial match
  CHECK(eval("attribute:ecs.instance-type =~ .*small", kT2Small));
  CHECK(eval("attribute:ecs.instance-type =~ \"(t2|m5)\\..*\"", kM5Large));
  CHECK_FALSE(eval("attribute:missing =~ .*", kT2Small));  // absent attributes never match
}

TEST_CASE("ecs-reference 4.3: in, not in, exists, !exists and absent attributes [INFERRED]") {
  CHECK(eval("attribute:stack in [dev, test]", kM5Large));
  CHECK(eval("attribute:stack not in [dev, test]", kT2Small));
  CHECK_FALSE(eval("attribute:stack not in [dev, test]", kM5Large));
  CHECK(eval("attribute:cores in [7, 8.0]", kT2Small));  // same equality as ==
  CHECK(eval("attribute:stack exists", kT2Small));
  CHECK_FALSE(eval("attribute:rack exists", kT2Small));
  CHECK(eval("attribute:rack !exists", kT2Small));
  // An absent attribute fails ==, <, in ... and passes their negations != and not in.
  CHECK_FALSE(eval("attribute:rack == r1", kT2Small));
  CHECK_FALSE(eval("attribute:rack < r1", kT2Small));
  CHECK_FALSE(eval("attribute:rack in [r1]", kT2Small));
  CHECK(eval("attribute:rack != r1", kT2Small));
  CHECK(eval("attribute:rack not in [r1]", kT2Small));
}

TEST_CASE(
    "ecs-reference 4.3: task:group ==, !=, in and not in look at the groups on the instance") {
  const std::vector<std::string> groups{"service:web", "family:batch"};
  CHECK(eval("task:group == service:web", kT2Small, groups));
  CHECK_FALSE(eval("task:group != service:web", kT2Small, groups));
  CHECK(eval("task:group != service:api", kT2Small, groups));
  CHECK(eval("task:group in [service:api, family:batch]", kT2Small, groups));
  CHECK(eval("task:group not in [service:api, service:db]", kT2Small, groups));
  CHECK_FALSE(eval("task:group not in [service:web]", kT2Small, groups));
  CHECK(eval("task:group != databases", kT2Small, {}));
  CHECK(q("task:group == x and attribute:a exists").uses_task_groups());
  CHECK_FALSE(q("attribute:a exists").uses_task_groups());
}

TEST_CASE("ecs-reference 4.3: values may be bare words or quoted, and keywords can be values") {
  const Attributes a{{"name", "two words"}, {"quote", "say \"hi\""}, {"kw", "and"}};
  CHECK(eval("attribute:name == 'two words'", a));
  CHECK(eval("attribute:name == \"two words\"", a));
  CHECK(eval("attribute:quote == 'say \"hi\"'", a));
  CHECK(eval("attribute:quote == \"say \\\"hi\\\"\"", a));
  CHECK(eval("attribute:kw == and", a));
  CHECK(eval("attribute:kw in [or, and]", a));
  CHECK(eval("attribute:name!='x'", a));  // operators need no spaces around them
  CHECK(q("attribute:name == 'two words'").canonical() == "attribute:name == \"two words\"");
}

TEST_CASE(
    "ecs-reference 4.3: a bad expression names the position, shows a caret and says what was "
    "expected") {
  SUBCASE("empty") {
    const auto e = error_of("");
    CHECK(e.character == 1);
    CHECK(e.caret == 0);
    CHECK(e.message.find("expected a condition") != std::string::npos);
  }
  SUBCASE("missing value") {
    const std::string text = "attribute:ecs.instance-type ==";
    const auto e = error_of(text);
    CHECK(e.character == 31);
    CHECK(e.caret == 30);
    CHECK(e.message.find("expected a value after '=='") != std::string::npos);
  }
  SUBCASE("missing operator") {
    const auto e = error_of("attribute:stack prod");
    CHECK(e.character == 17);
    CHECK(e.caret == 16);
    CHECK(e.message.find("expected an operator (==, !=, >, >=, <, <=, =~, in, not in, exists or "
                         "!exists) after 'attribute:stack'") != std::string::npos);
  }
  SUBCASE("unknown subject") {
    const auto e = error_of("attribute:a == 1 and instance:type == x");
    CHECK(e.character == 22);
    CHECK(e.message.find("unknown subject 'instance:type'") != std::string::npos);
  }
  SUBCASE("attribute without a name") {
    const auto e = error_of("attribute: == x");
    CHECK(e.character == 11);
    CHECK(e.message.find("expected an attribute name") != std::string::npos);
  }
  SUBCASE("unclosed parenthesis") {
    const auto e = error_of("(attribute:a == 1 or attribute:b == 2");
    CHECK(e.character == 38);
    CHECK(e.message.find("expected ')' to close the '(' at character 1") != std::string::npos);
  }
  SUBCASE("unmatched closing parenthesis") {
    const auto e = error_of("attribute:a == 1)");
    CHECK(e.character == 17);
    CHECK(e.message.find("unmatched ')'") != std::string::npos);
  }
  SUBCASE("trailing words") {
    const auto e = error_of("attribute:a == 1 attribute:b == 2");
    CHECK(e.character == 18);
    CHECK(e.message.find("expected 'and', 'or' or the end of the expression") != std::string::npos);
  }
  SUBCASE("dangling and") {
    const auto e = error_of("attribute:a == 1 and");
    CHECK(e.character == 21);
    CHECK(e.message.find("expected a condition") != std::string::npos);
    CHECK(e.message.find("but the expression ended") != std::string::npos);
  }
  SUBCASE("list without bracket") {
    const auto e = error_of("attribute:a in t2.small");
    CHECK(e.character == 16);
    CHECK(e.message.find("expected '[' to start the list after 'in'") != std::string::npos);
  }
  SUBCASE("list not closed") {
    const auto e = error_of("attribute:a in [x, y");
    CHECK(e.character == 21);
    CHECK(e.message.find("expected ',' or ']' in the list") != std::string::npos);
  }
  SUBCASE("empty list") {
    const auto e = error_of("attribute:a not in []");
    CHECK(e.character == 21);
    CHECK(e.message.find("expected a value in the list") != std::string::npos);
  }
  SUBCASE("not without in") {
    const auto e = error_of("attribute:a not [x]");
    CHECK(e.character == 17);
    CHECK(e.message.find("expected 'in' after 'not'") != std::string::npos);
  }
  SUBCASE("unterminated quote") {
    const auto e = error_of("attribute:a == 'abc");
    CHECK(e.character == 16);
    CHECK(e.message.find("unterminated quoted value") != std::string::npos);
  }
  SUBCASE("bad regular expression") {
    const auto e = error_of("attribute:a =~ 't2.(*'");
    CHECK(e.character == 16);
    CHECK(e.message.find("invalid regular expression") != std::string::npos);
  }
  SUBCASE("task:group takes no ordering operator") {
    const auto e = error_of("task:group > x");
    CHECK(e.character == 12);
    CHECK(e.message.find("an operator for task:group (==, !=, in or not in), not '>'") !=
          std::string::npos);
  }
  SUBCASE("a single = is not an operator") {
    const auto e = error_of("attribute:a = x");
    CHECK(e.character == 13);
    CHECK(e.message.find("expected an operator") != std::string::npos);
  }
  SUBCASE("attribute names longer than 128 characters") {
    const auto e = error_of("attribute:" + std::string(129, 'n') + " exists");
    CHECK(e.character == 11);
    CHECK(e.message.find("at most 128 characters") != std::string::npos);
  }
}
