// The cluster query language (ecs-reference 4.3): a hand-written recursive-descent parser over a
// context-sensitive lexer (a word is a keyword, an operator or a value depending on where it
// stands, so `in` or `and` can still be attribute values), and a tree evaluator.
#include "ecsim/cluster_query.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <regex>
#include <utility>

namespace ecsim {

enum class QueryOp { kEq, kNe, kGt, kGe, kLt, kLe, kMatch };

struct ClusterQuery::Node {
  enum class Kind { kAnd, kOr, kNot, kAttrCompare, kAttrIn, kAttrExists, kGroupCompare, kGroupIn };
  Kind kind = Kind::kAnd;
  QueryOp op = QueryOp::kEq;
  bool negated = false;                     // not in, !exists
  std::string name;                         // attribute name
  std::vector<std::string> values;          // the operand(s)
  std::shared_ptr<const std::regex> regex;  // =~ only, compiled once
  std::vector<Node> children;               // and / or: two; not: one
};

namespace {

using Node = ClusterQuery::Node;
using Kind = Node::Kind;

// Internal only: parse() turns it into a Result failure.
struct ParseError {
  std::size_t position;
  std::string what;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Characters that end a bare word: structure, quotes and operator characters.
bool ends_word(char c) {
  return is_space(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '\'' ||
         c == '"' || c == '=' || c == '!' || c == '<' || c == '>' || c == '~';
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view op_text(QueryOp op) {
  switch (op) {
    case QueryOp::kEq:
      return "==";
    case QueryOp::kNe:
      return "!=";
    case QueryOp::kGt:
      return ">";
    case QueryOp::kGe:
      return ">=";
    case QueryOp::kLt:
      return "<";
    case QueryOp::kLe:
      return "<=";
    case QueryOp::kMatch:
      return "=~";
  }
  return "?";
}

constexpr std::string_view kAttributeOps =
    "an operator (==, !=, >, >=, <, <=, =~, in, not in, exists or !exists)";
constexpr std::string_view kGroupOps = "an operator for task:group (==, !=, in or not in)";
constexpr std::string_view kConditionStart =
    "a condition (attribute:NAME ... or task:group ...), 'not' or '('";
// Custom attribute names are 1-128 characters (ecs-reference 4.3).
constexpr std::size_t kMaxAttributeName = 128;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Node parse_all() {
    Node root = parse_or();
    skip_space();
    if (pos_ < text_.size()) {
      if (text_[pos_] == ')') fail(pos_, "unmatched ')'");
      fail(pos_, "expected 'and', 'or' or the end of the expression");
    }
    return root;
  }

 private:
  [[noreturn]] void fail(std::size_t at, std::string what) {
    throw ParseError{at, std::move(what)};
  }

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_]))
      ++pos_;
  }

  // The bare word at the cursor (after spaces), without consuming it.
  std::string_view peek_word() {
    skip_space();
    std::size_t end = pos_;
    while (end < text_.size() && !ends_word(text_[end]))
      ++end;
    return text_.substr(pos_, end - pos_);
  }

  bool accept_keyword(std::string_view keyword) {
    const std::string_view w = peek_word();
    if (!iequals(w, keyword)) return false;
    pos_ += w.size();
    return true;
  }

  bool accept_symbol(std::string_view symbol) {
    skip_space();
    if (text_.substr(pos_, symbol.size()) != symbol) return false;
    pos_ += symbol.size();
    return true;
  }

  Node binary(Kind kind, Node lhs, Node rhs) {
    Node n;
    n.kind = kind;
    n.children.push_back(std::move(lhs));
    n.children.push_back(std::move(rhs));
    return n;
  }

  Node parse_or() {
    Node lhs = parse_and();
    while (accept_keyword("or"))
      lhs = binary(Kind::kOr, std::move(lhs), parse_and());
    return lhs;
  }

  Node parse_and() {
    Node lhs = parse_unary();
    while (accept_keyword("and"))
      lhs = binary(Kind::kAnd, std::move(lhs), parse_unary());
    return lhs;
  }

  Node parse_unary() {
    skip_space();
    const std::size_t start = pos_;
    if (accept_keyword("not")) {
      Node n;
      n.kind = Kind::kNot;
      n.children.push_back(parse_unary());
      return n;
    }
    if (accept_symbol("(")) {
      Node inner = parse_or();
      if (!accept_symbol(")")) {
        skip_space();
        fail(pos_, "expected ')' to close the '(' at character " + std::to_string(start + 1));
      }
      return inner;
    }
    return parse_condition();
  }

  Node parse_condition() {
    skip_space();
    const std::size_t start = pos_;
    const std::string_view subject = peek_word();
    if (subject.empty()) {
      fail(start, pos_ < text_.size()
                      ? "expected " + std::string(kConditionStart)
                      : "expected " + std::string(kConditionStart) + " but the expression ended");
    }
    pos_ += subject.size();
    constexpr std::string_view kAttrPrefix = "attribute:";
    if (subject.size() >= kAttrPrefix.size() &&
        iequals(subject.substr(0, kAttrPrefix.size()), kAttrPrefix)) {
      const std::string name(subject.substr(kAttrPrefix.size()));
      if (name.empty())
        fail(start + kAttrPrefix.size(), "expected an attribute name after 'attribute:'");
      if (name.size() > kMaxAttributeName)
        fail(start + kAttrPrefix.size(), "attribute names are at most 128 characters");
      return parse_attribute_operator(name);
    }
    if (iequals(subject, "task:group")) return parse_group_operator();
    fail(start,
         "unknown subject '" + std::string(subject) + "': expected attribute:NAME or task:group");
  }

  std::optional<QueryOp> accept_comparison() {
    skip_space();
    // Two-character operators first, so ">=" is not read as ">".
    static constexpr std::pair<std::string_view, QueryOp> kOps[] = {
        {"==", QueryOp::kEq},    {"!=", QueryOp::kNe}, {">=", QueryOp::kGe}, {"<=", QueryOp::kLe},
        {"=~", QueryOp::kMatch}, {">", QueryOp::kGt},  {"<", QueryOp::kLt}};
    for (const auto& [text, op] : kOps)
      if (accept_symbol(text)) return op;
    return std::nullopt;
  }

  Node parse_attribute_operator(const std::string& name) {
    Node n;
    n.name = name;
    skip_space();
    const std::size_t op_pos = pos_;
    if (accept_symbol("!exists")) {
      n.kind = Kind::kAttrExists;
      n.negated = true;
      return n;
    }
    if (auto op = accept_comparison()) {
      n.kind = Kind::kAttrCompare;
      n.op = *op;
      skip_space();
      const std::size_t value_pos = pos_;
      n.values.push_back(parse_value("after '" + std::string(op_text(*op)) + "'"));
      if (*op == QueryOp::kMatch) {
        try {
          n.regex = std::make_shared<const std::regex>(n.values.front(), std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          fail(value_pos, std::string("invalid regular expression after '=~' (") + e.what() + ")");
        }
      }
      return n;
    }
    if (accept_keyword("exists")) {
      n.kind = Kind::kAttrExists;
      return n;
    }
    if (accept_keyword("in")) {
      n.kind = Kind::kAttrIn;
      n.values = parse_list("in");
      return n;
    }
    if (accept_keyword("not")) {
      if (!accept_keyword("in")) {
        skip_space();
        fail(pos_, "expected 'in' after 'not'");
      }
      n.kind = Kind::kAttrIn;
      n.negated = true;
      n.values = parse_list("not in");
      return n;
    }
    fail(op_pos, "expected " + std::string(kAttributeOps) + " after 'attribute:" + name + "'");
  }

  Node parse_group_operator() {
    Node n;
    skip_space();
    const std::size_t op_pos = pos_;
    if (auto op = accept_comparison()) {
      if (*op != QueryOp::kEq && *op != QueryOp::kNe)
        fail(op_pos,
             "expected " + std::string(kGroupOps) + ", not '" + std::string(op_text(*op)) + "'");
      n.kind = Kind::kGroupCompare;
      n.op = *op;
      n.values.push_back(parse_value("after '" + std::string(op_text(*op)) + "'"));
      return n;
    }
    if (accept_keyword("in")) {
      n.kind = Kind::kGroupIn;
      n.values = parse_list("in");
      return n;
    }
    if (accept_keyword("not")) {
      if (!accept_keyword("in")) {
        skip_space();
        fail(pos_, "expected 'in' after 'not'");
      }
      n.kind = Kind::kGroupIn;
      n.negated = true;
      n.values = parse_list("not in");
      return n;
    }
    fail(op_pos, "expected " + std::string(kGroupOps) + " after 'task:group'");
  }

  std::vector<std::string> parse_list(std::string_view after) {
    if (!accept_symbol("[")) {
      skip_space();
      fail(pos_, "expected '[' to start the list after '" + std::string(after) + "'");
    }
    std::vector<std::string> values;
    values.push_back(parse_value("in the list"));
    while (accept_symbol(","))
      values.push_back(parse_value("after ','"));
    if (!accept_symbol("]")) {
      skip_space();
      fail(pos_, "expected ',' or ']' in the list");
    }
    return values;
  }

  std::string parse_value(const std::string& where) {
    skip_space();
    if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
      const char quote = text_[pos_];
      const std::size_t open = pos_++;
      std::string value;
      while (pos_ < text_.size() && text_[pos_] != quote) {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        value.push_back(text_[pos_++]);
      }
      if (pos_ >= text_.size())
        fail(open, "unterminated quoted value (no closing " + std::string(1, quote) + ")");
      ++pos_;
      return value;
    }
    const std::string_view word = peek_word();
    if (word.empty()) {
      fail(pos_,
           "expected a value " + where +
               (pos_ < text_.size() ? std::string() : std::string(" but the expression ended")));
    }
    pos_ += word.size();
    return std::string(word);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::string format_error(std::string_view expression, std::size_t position,
                         const std::string& what) {
  std::string shown(expression);
  // Tabs and newlines would misalign the caret.
  std::replace_if(
      shown.begin(), shown.end(), [](char c) { return is_space(c); }, ' ');
  return "cluster query error at character " + std::to_string(position + 1) + ": " + what + "\n  " +
         shown + "\n  " + std::string(position, ' ') + "^";
}

std::optional<double> as_number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  const char c = s.front();
  // from_chars would also take "inf" and "nan"; only decimal numbers count.
  if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// <0, 0, >0 like strcmp; numeric when both sides are numbers.
int compare_values(const std::string& actual, const std::string& operand) {
  const auto a = as_number(actual);
  const auto b = as_number(operand);
  if (a && b) return *a < *b ? -1 : (*a > *b ? 1 : 0);
  const int c = actual.compare(operand);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool evaluate(const Node& n, const InstanceFacts& facts) {
  switch (n.kind) {
    case Kind::kAnd:
      return evaluate(n.children[0], facts) && evaluate(n.children[1], facts);
    case Kind::kOr:
      return evaluate(n.children[0], facts) || evaluate(n.children[1], facts);
    case Kind::kNot:
      return !evaluate(n.children[0], facts);
    case Kind::kAttrExists:
      return (facts.attribute(n.name) != nullptr) != n.negated;
    case Kind::kAttrIn: {
      const std::string* v = facts.attribute(n.name);
      const bool found =
          v != nullptr && std::any_of(n.values.begin(), n.values.end(), [&](const std::string& x) {
            return compare_values(*v, x) == 0;
          });
      return found != n.negated;
    }
    case Kind::kAttrCompare: {
      const std::string* v = facts.attribute(n.name);
      if (v == nullptr) return n.op == QueryOp::kNe;
      if (n.op == QueryOp::kMatch) return std::regex_match(*v, *n.regex);
      const int c = compare_values(*v, n.values.front());
      switch (n.op) {
        case QueryOp::kEq:
          return c == 0;
        case QueryOp::kNe:
          return c != 0;
        case QueryOp::kGt:
          return c > 0;
        case QueryOp::kGe:
          return c >= 0;
        case QueryOp::kLt:
          return c < 0;
        case QueryOp::kLe:
          return c <= 0;
        case QueryOp::kMatch:
          break;
      }
      return false;
    }
    case Kind::kGroupCompare:
      return facts.has_task_group(n.values.front()) == (n.op == QueryOp::kEq);
    case Kind::kGroupIn: {
      const bool found = std::any_of(n.values.begin(), n.values.end(),
                                     [&](const std::string& g) { return facts.has_task_group(g); });
      return found != n.negated;
    }
  }
  return false;
}

// Values are quoted in the canonical form only when a bare word could not carry them.
std::string render_value(const std::string& v) {
  const bool bare = !v.empty() && std::none_of(v.begin(), v.end(), ends_word) &&
                    v.find('\\') == std::string::npos;
  if (bare) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string render_list(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i ? ", " : "") + render_value(values[i]);
  return out + "]";
}

std::string render(const Node& n) {
  switch (n.kind) {
    case Kind::kAnd:
      return "(" + render(n.children[0]) + " and " + render(n.children[1]) + ")";
    case Kind::kOr:
      return "(" + render(n.children[0]) + " or " + render(n.children[1]) + ")";
    case Kind::kNot:
      return "not " + render(n.children[0]);
    case Kind::kAttrExists:
      return "attribute:" + n.name + (n.negated ? " !exists" : " exists");
    case Kind::kAttrIn:
      return "attribute:" + n.name + (n.negated ? " not in " : " in ") + render_list(n.values);
    case Kind::kAttrCompare:
      return "attribute:" + n.name + " " + std::string(op_text(n.op)) + " " +
             render_value(n.values.front());
    case Kind::kGroupCompare:
      return "task:group " + std::string(op_text(n.op)) + " " + render_value(n.values.front());
    case Kind::kGroupIn:
      return std::string("task:group") + (n.negated ? " not in " : " in ") + render_list(n.values);
  }
  return "?";
}

bool mentions_groups(const Node& n) {
  if (n.kind == Kind::kGroupCompare || n.kind == Kind::kGroupIn) return true;
  return std::any_of(n.children.begin(), n.children.end(), mentions_groups);
}

class MapFacts final : public InstanceFacts {
 public:
  MapFacts(const Attributes& attributes, const std::vector<std::string>& groups)
      : attributes_(attributes), groups_(groups) {}
  const std::string* attribute(const std::string& name) const override {
    const auto it = attributes_.find(name);
    return it == attributes_.end() ? nullptr : &it->second;
  }
  bool has_task_group(const std::string& group) const override {
    return std::find(groups_.begin(), groups_.end(), group) != groups_.end();
  }

 private:
  const Attributes& attributes_;
  const std::vector<std::string>& groups_;
};

}  // namespace

Result<ClusterQuery> ClusterQuery::parse(std::string_view expression) {
  try {
    Parser parser(expression);
    auto root = std::make_shared<const Node>(parser.parse_all());
    return ClusterQuery(std::string(expression), std::move(root));
  } catch (const ParseError& e) {
    return Result<ClusterQuery>::failure(format_error(expression, e.position, e.what));
  }
}

bool ClusterQuery::matches(const InstanceFacts& facts) const {
  return evaluate(*root_, facts);
}

bool ClusterQuery::matches(const Attributes& attributes,
                           const std::vector<std::string>& task_groups) const {
  return evaluate(*root_, MapFacts(attributes, task_groups));
}

std::string ClusterQuery::canonical() const {
  return render(*root_);
}

bool ClusterQuery::uses_task_groups() const {
  return mentions_groups(*root_);
}

}  // namespace ecsim
