// The ECS cluster query language: the expressions of `memberOf` placement constraints
// (ecs-reference 4.3), parsed once into a tree and evaluated against one container instance.
//
// Grammar (keywords are case-insensitive; `and` binds tighter than `or`; `not` tighter than both):
//
//   expression := term ('or' term)*
//   term       := factor ('and' factor)*
//   factor     := 'not' factor | '(' expression ')' | condition
//   condition  := 'attribute:' NAME attr_op | 'task:group' group_op
//   attr_op    := ('==' | '!=' | '>' | '>=' | '<' | '<=' | '=~') VALUE
//               | 'in' list | 'not' 'in' list | 'exists' | '!exists'
//   group_op   := ('==' | '!=') VALUE | 'in' list | 'not' 'in' list
//   list       := '[' VALUE (',' VALUE)* ']'
//   VALUE      := a bare word (no spaces, none of ( ) [ ] , ' " = ! < > ~) or a '...' / "..."
//                 string in which a backslash escapes the next character
//
// Semantics (what AWS leaves open is marked INFERRED and pinned by tests/test_cluster_query.cpp):
// * ==, !=, >, >=, <, <= compare numerically when both sides parse completely as finite decimal
//   numbers ("4" == "4.0"), otherwise as byte strings. `in` uses the same equality. [INFERRED]
// * =~ is an ECMAScript regular expression that must match the whole value (std::regex_match),
//   so AWS's `t2.*` means "t2 followed by anything". The pattern is compiled at parse time; a bad
//   pattern is a parse error. [INFERRED: AWS calls it a pattern match without a grammar]
// * An instance without the attribute fails ==, >, >=, <, <=, =~ and in; it passes != and
//   `not in`, which are exact negations of == and in (so `not (a == x)` equals `a != x`).
//   [INFERRED]
// * task:group == G holds when the instance runs at least one task of group G; != is its
//   negation; in / not in test any of the listed groups.
//
// A malformed expression is reported as a Result failure that names the 1-based character
// position, says what was expected there, and repeats the expression with a caret under it.
//
// Complexity: parsing is O(length) plus regex compilation; evaluation visits each node once,
// O(nodes · log attributes), plus std::regex_match for =~. A ClusterQuery is immutable and cheap to
// copy (the tree is shared), and evaluation is const and thread-compatible.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/result.hpp"

namespace ecsim {

// Instance attributes by name: built-in ones (ecs.availability-zone, ecs.instance-type,
// ecs.os-type, ecs.cpu-architecture, ecs.ami-id, ...) and custom ones. Sorted, so iteration is
// deterministic.
using Attributes = std::map<std::string, std::string>;

// What a query may look at on one container instance.
class InstanceFacts {
 public:
  virtual ~InstanceFacts() = default;
  // The attribute's value, or nullptr when the instance does not have it.
  virtual const std::string* attribute(const std::string& name) const = 0;
  // Whether at least one task of `group` (e.g. "service:web", "family:batch") runs there.
  virtual bool has_task_group(const std::string& group) const = 0;
};

class ClusterQuery {
 public:
  struct Node;  // defined in libsim/placement/cluster_query.cpp

  // Parses an expression; see the grammar above. Failure messages look like:
  //   cluster query error at character 31: expected a value after '=='
  //     attribute:ecs.instance-type ==
  //                                   ^
  static Result<ClusterQuery> parse(std::string_view expression);

  bool matches(const InstanceFacts& facts) const;
  // Convenience for tests and tools: attributes plus the task groups present on the instance.
  bool matches(const Attributes& attributes,
               const std::vector<std::string>& task_groups = {}) const;

  // The expression as written.
  const std::string& expression() const { return expression_; }
  // A canonical, fully parenthesised rendering that shows how the expression was grouped, e.g.
  // "(attribute:a == 1 or (attribute:b == 2 and task:group == g))".
  std::string canonical() const;
  // Whether the expression mentions task:group (its result then changes as tasks start and stop).
  bool uses_task_groups() const;

 private:
  ClusterQuery(std::string expression, std::shared_ptr<const Node> root)
      : expression_(std::move(expression)), root_(std::move(root)) {}

  std::string expression_;
  std::shared_ptr<const Node> root_;
};

}  // namespace ecsim
