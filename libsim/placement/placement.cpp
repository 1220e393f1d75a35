// The placement engine: requests and their validation (ecs-reference 4.1-4.3), and place_task over
// the ClusterView's index trees.
//
// The engine walks the strategy chain keeping the tied set implicit as long as it can: a "scope" is
// a set of zones (every candidate of those zones), optionally narrowed to candidates without tasks
// of the group. spread on the zone attribute narrows the zones, spread instanceId narrows to the
// zero-count candidates when there are any, and random or the final tie-break draw straight from
// the trees. When a strategy leaves a set that the trees cannot describe (a binpack tie followed by
// more strategies, instances holding the fewest but not zero tasks, spread on another attribute),
// the set is listed and the remaining strategies run over the list as in the reference scan. A
// custom strategy (CustomPlacementStrategy) always works on such a list: it is handled only where
// a strategy's type is switched on, so chains without one take exactly the paths they took before.
// Its code is in custom_strategy.cpp, out of line: this file's inlining is unchanged by it.
#include <algorithm>
#include <bit>
#include <limits>

#include "ecsim/assert.hpp"

#include "placement/placement_internal.hpp"

namespace ecsim {

// ---- strategies, constraints, requests ----------------------------------------------------------

PlacementStrategy PlacementStrategy::binpack(BinpackField field) {
  PlacementStrategy s;
  s.type = PlacementStrategyType::kBinpack;
  s.binpack_field = field;
  return s;
}
PlacementStrategy PlacementStrategy::spread_instance_id() {
  PlacementStrategy s;
  s.type = PlacementStrategyType::kSpread;
  return s;
}
PlacementStrategy PlacementStrategy::spread_attribute_of(std::string name) {
  PlacementStrategy s;
  s.type = PlacementStrategyType::kSpread;
  s.spread_attribute = std::move(name);
  return s;
}
PlacementStrategy PlacementStrategy::random() {
  return PlacementStrategy{};
}

std::string PlacementStrategy::to_string() const {
  switch (type) {
    case PlacementStrategyType::kBinpack:
      return binpack_field == BinpackField::kCpu ? "binpack(cpu)" : "binpack(memory)";
    case PlacementStrategyType::kSpread:
      return spread_attribute.empty() ? "spread(instanceId)"
                                      : "spread(attribute:" + spread_attribute + ")";
    case PlacementStrategyType::kRandom:
      return "random";
    case PlacementStrategyType::kCustom:
      return "custom(" + (custom ? custom->name() : std::string()) + ")";
  }
  return "?";
}

Result<PlacementStrategy> parse_placement_strategy(std::string_view type, std::string_view field) {
  using R = Result<PlacementStrategy>;
  const std::string f(field);
  if (type == "binpack") {
    if (field == "cpu") return PlacementStrategy::binpack(BinpackField::kCpu);
    if (field == "memory") return PlacementStrategy::binpack(BinpackField::kMemory);
    return R::failure("binpack needs field \"cpu\" or \"memory\", not \"" + f + "\"");
  }
  if (type == "spread") {
    if (field == "instanceId" || field == "host") return PlacementStrategy::spread_instance_id();
    constexpr std::string_view kPrefix = "attribute:";
    if (field.starts_with(kPrefix) && field.size() > kPrefix.size())
      return PlacementStrategy::spread_attribute_of(std::string(field.substr(kPrefix.size())));
    return R::failure("spread needs field \"instanceId\", \"host\" or \"attribute:NAME\", not \"" +
                      f + "\"");
  }
  if (type == "random") {
    if (!field.empty()) return R::failure("random takes no field, not \"" + f + "\"");
    return PlacementStrategy::random();
  }
  return R::failure("unknown placement strategy type \"" + std::string(type) +
                    "\": expected binpack, spread or random");
}

Result<PlacementConstraint> parse_placement_constraint(std::string_view type,
                                                       std::string_view expression) {
  using R = Result<PlacementConstraint>;
  if (type == "distinctInstance") {
    if (!expression.empty()) return R::failure("distinctInstance takes no expression");
    return PlacementConstraint::distinct_instance();
  }
  if (type == "memberOf") {
    if (expression.empty()) return R::failure("memberOf needs an expression");
    auto query = ClusterQuery::parse(expression);
    if (!query) return R::failure(query.error());
    return PlacementConstraint::member_of(std::move(query).value());
  }
  return R::failure("unknown placement constraint type \"" + std::string(type) +
                    "\": expected distinctInstance or memberOf");
}

std::optional<std::string> placement_request_problem(const PlacementRequest& request) {
  if (request.strategies.size() > kMaxPlacementStrategies)
    return "at most 5 placement strategies are allowed, got " +
           std::to_string(request.strategies.size()) + " (ecs-reference 4.1)";
  if (request.constraints.size() > kMaxPlacementConstraints)
    return "at most 10 placement constraints are allowed, task definition and request together, "
           "got " +
           std::to_string(request.constraints.size()) + " (ecs-reference 4.1)";
  if (request.service_default && !request.strategies.empty())
    return "service_default applies only when no strategy is given (ecs-reference 4.4)";
  for (const PlacementStrategy& s : request.strategies)
    if (s.type == PlacementStrategyType::kCustom && !s.custom)
      return "a custom placement strategy needs its CustomPlacementStrategy object";
  for (const PlacementConstraint& c : request.constraints)
    if (c.type == PlacementConstraint::Type::kMemberOf && !c.expression)
      return "a memberOf constraint needs an expression";
  if (auto problem = detail::footprint_problem(request.footprint)) return problem;
  return std::nullopt;
}

// ---- shared pieces ------------------------------------------------------------------------------

namespace detail {

namespace {

std::int32_t clamp_need(std::int64_t amount, bool& beyond) {
  if (amount > std::numeric_limits<std::int32_t>::max()) {
    beyond = true;
    return std::numeric_limits<std::int32_t>::max();
  }
  return static_cast<std::int32_t>(amount);
}

// Keeps the entries of `list` whose score is least (or greatest). Stable.
template <class Score>
void keep_best(std::vector<std::uint32_t>& list, Score&& score, bool greatest = false) {
  if (list.size() < 2) return;
  std::vector<std::int64_t> scores;
  scores.reserve(list.size());
  for (const std::uint32_t i : list)
    scores.push_back(score(i));
  const std::int64_t best = greatest ? *std::max_element(scores.begin(), scores.end())
                                     : *std::min_element(scores.begin(), scores.end());
  std::size_t out = 0;
  for (std::size_t k = 0; k < list.size(); ++k)
    if (scores[k] == best) list[out++] = list[k];
  list.resize(out);
}

}  // namespace

bool is_zone_attribute(const std::string& name) {
  return name == "ecs.availability-zone";
}

RequestContext::RequestContext(const ClusterView& public_view, const PlacementRequest& r)
    : view(public_view),
      v(ViewAccess::impl(public_view)),
      request(r),
      footprint(r.footprint),
      group(v.find_group(r.group)) {
  for (const PlacementConstraint& c : r.constraints) {
    if (c.type == PlacementConstraint::Type::kDistinctInstance) distinct = true;
    if (c.type == PlacementConstraint::Type::kMemberOf && c.expression)
      member_of.push_back(&*c.expression);
  }
  need = {clamp_need(footprint.cpu, beyond_any_instance),
          clamp_need(footprint.memory_mib, beyond_any_instance),
          clamp_need(footprint.gpus, beyond_any_instance), footprint.needs_eni ? 1 : 0};
  if (r.service_default) {
    static const std::vector<PlacementStrategy> kServiceDefault = {
        PlacementStrategy::spread_zone(), PlacementStrategy::spread_instance_id()};
    chain = kServiceDefault;
  } else {
    chain = r.strategies;
  }
}

void narrow(const RequestContext& c, const PlacementStrategy& s, std::vector<std::uint32_t>& list) {
  const ClusterViewImpl& v = c.v;
  switch (s.type) {
    case PlacementStrategyType::kRandom:
      return;  // the caller draws
    case PlacementStrategyType::kBinpack:
      if (s.binpack_field == BinpackField::kCpu) {
        keep_best(list, [&](std::uint32_t i) { return v.rem_cpu[i]; });
      } else {
        keep_best(list, [&](std::uint32_t i) { return v.rem_mem[i]; });
      }
      return;
    case PlacementStrategyType::kCustom:
      narrow_custom(c, *s.custom, list);
      return;
    case PlacementStrategyType::kSpread:
      break;
  }
  if (s.spread_attribute.empty()) {
    keep_best(list, [&](std::uint32_t i) { return c.count(i); });
    return;
  }
  if (!c.group) return;  // no task of the group anywhere: every value scores 0
  const GroupData& data = v.group_data[*c.group];
  if (is_zone_attribute(s.spread_attribute)) {
    keep_best(list, [&](std::uint32_t i) { return data.zone_total[v.zone[i]]; });
    return;
  }
  // Tasks of the group per value of the attribute, over every instance holding some.
  std::map<std::string, std::int64_t, std::less<>> per_value;
  std::int64_t without = 0;
  for (const auto& zone_set : data.by_count)
    for (const auto& [count, rank, row] : zone_set) {
      const auto& attrs = v.attributes[row];
      const auto it = attrs.find(s.spread_attribute);
      if (it == attrs.end()) {
        without += count;
      } else {
        per_value[it->second] += count;
      }
    }
  keep_best(list, [&](std::uint32_t i) -> std::int64_t {
    const auto& attrs = v.attributes[i];
    const auto it = attrs.find(s.spread_attribute);
    if (it == attrs.end()) return without;
    const auto found = per_value.find(it->second);
    return found == per_value.end() ? 0 : found->second;
  });
}

std::uint32_t pick(const ClusterViewImpl& v, const std::vector<std::uint32_t>& list, Rng& rng,
                   TieBreak tie_break) {
  ECSIM_ASSERT(!list.empty(), "pick from an empty list");
  if (tie_break == TieBreak::kLowestId)
    return *std::min_element(list.begin(), list.end(), [&](std::uint32_t a, std::uint32_t b) {
      return v.rank[a] < v.rank[b];
    });
  return list[uniform_uint(rng, 0, list.size() - 1)];
}

// ---- the indexed engine -------------------------------------------------------------------------

namespace {

using KeyRange = std::pair<TreeKey, TreeKey>;

// Draws that may miss a candidate before falling back to listing them all.
constexpr int kSampleAttempts = 32;

struct Scope {
  std::vector<ZoneId> zones;  // sorted
  bool zero_only = false;     // only candidates without tasks of the group
};

class Engine {
 public:
  Engine(const RequestContext& c, Rng& rng, TieBreak tie_break)
      : c_(c), v_(c.v), rng_(rng), tie_break_(tie_break) {}

  std::uint32_t run() {
    if (c_.beyond_any_instance || v_.by_rank.size() == 0) return kNoRow;
    Scope scope;
    for (ZoneId z = 0; z < v_.zone_names.size(); ++z)
      scope.zones.push_back(z);
    const auto& chain = c_.chain;
    for (std::size_t k = 0; k < chain.size(); ++k) {
      const PlacementStrategy& s = chain[k];
      switch (s.type) {
        case PlacementStrategyType::kRandom:
          return sample_scope(scope);
        case PlacementStrategyType::kBinpack:
          if (k + 1 == chain.size()) return binpack_final(scope, s.binpack_field);
          return finish_list(binpack_list(scope, s.binpack_field), k + 1);
        case PlacementStrategyType::kSpread:
          if (is_zone_attribute(s.spread_attribute)) {
            if (!spread_zone(scope)) return kNoRow;
          } else if (s.spread_attribute.empty()) {
            if (scope.zero_only || !c_.group) break;  // every candidate holds zero already
            std::vector<std::uint32_t> zero_list;
            const Zero zero = narrow_to_zero(scope, zero_list);
            if (zero == Zero::kScope) break;
            if (zero == Zero::kList) return finish_list(std::move(zero_list), k + 1);
            const std::int32_t fewest = fewest_tasks(scope);
            if (fewest == kNoCount) return kNoRow;
            if (k + 1 == chain.size()) return fewest_final(scope, fewest);
            return finish_list(fewest_list(scope, fewest), k + 1);
          } else {
            return finish_list(list_scope(scope), k);
          }
          break;
        case PlacementStrategyType::kCustom:  // the user scores an explicit list, by row
          return finish_list(candidates_in_zones(c_, scope.zones, scope.zero_only), k);
      }
    }
    return tie_break_ == TieBreak::kLowestId ? first_by_rank(scope) : sample_scope(scope);
  }

 private:
  bool in_scope(std::uint32_t i, const Scope& scope) const {
    return (!scope.zero_only || c_.count(i) == 0) && c_.extra_ok(i);
  }

  std::uint32_t first_in_zone(ZoneId z, const Scope& scope) const {
    return v_.by_rank.first(IndexTree::zone_first(z), IndexTree::zone_last(z), c_.need,
                            [&](std::uint32_t i) { return in_scope(i, scope); });
  }

  std::uint32_t first_by_rank(const Scope& scope) const {
    std::uint32_t best = kNoRow;
    for (ZoneId z : scope.zones) {
      const std::uint32_t i = first_in_zone(z, scope);
      if (i != kNoRow && (best == kNoRow || v_.rank[i] < v_.rank[best])) best = i;
    }
    return best;
  }

  // A uniform draw among the nodes of `ranges` that cover the need and pass `pred`: rejection
  // sampling by order statistics, then, if the draws keep missing, a uniform pick from
  // `fallback()`, which must list exactly those nodes. Either way every such node is equally
  // likely.
  template <class Pred, class Fallback>
  std::uint32_t sample(const IndexTree& tree, const std::vector<KeyRange>& ranges, Pred&& pred,
                       Fallback&& fallback) {
    std::vector<std::uint32_t> start(ranges.size()), size(ranges.size());
    std::uint64_t total = 0;
    for (std::size_t r = 0; r < ranges.size(); ++r) {
      start[r] = tree.count_less(ranges[r].first);
      size[r] = tree.count_range(ranges[r].first, ranges[r].second);
      total += size[r];
    }
    if (total == 0) return kNoRow;
    for (int attempt = 0; attempt < kSampleAttempts; ++attempt) {
      std::uint64_t u = uniform_uint(rng_, 0, total - 1);
      std::size_t r = 0;
      while (u >= size[r])
        u -= size[r++];
      const std::uint32_t i = tree.kth(start[r] + static_cast<std::uint32_t>(u));
      if (covers(tree.amounts(i), c_.need) && pred(i)) return i;
    }
    const std::vector<std::uint32_t> all = fallback();
    if (all.empty()) return kNoRow;
    return all[uniform_uint(rng_, 0, all.size() - 1)];
  }

  std::uint32_t sample_scope(const IndexTree& tree, const std::vector<KeyRange>& ranges,
                             const Scope& scope) {
    return sample(
        tree, ranges, [&](std::uint32_t i) { return in_scope(i, scope); },
        [&] { return list(tree, ranges, scope); });
  }

  std::vector<std::uint32_t> list(const IndexTree& tree, const std::vector<KeyRange>& ranges,
                                  const Scope& scope) const {
    std::vector<std::uint32_t> out;
    for (const auto& [lo, hi] : ranges)
      tree.for_each(
          lo, hi, c_.need, [&](std::uint32_t i) { return in_scope(i, scope); },
          [&](std::uint32_t i) {
            out.push_back(i);
            return true;
          });
    return out;
  }

  std::vector<KeyRange> zone_ranges(const Scope& scope) const {
    std::vector<KeyRange> ranges;
    for (ZoneId z : scope.zones)
      ranges.emplace_back(IndexTree::zone_first(z), IndexTree::zone_last(z));
    return ranges;
  }

  std::uint32_t sample_scope(const Scope& scope) {
    return sample_scope(v_.by_rank, zone_ranges(scope), scope);
  }
  std::vector<std::uint32_t> list_scope(const Scope& scope) const {
    return list(v_.by_rank, zone_ranges(scope), scope);
  }

  // spread on ecs.availability-zone: the zones holding the fewest tasks of the group, among the
  // zones that have a candidate.
  bool spread_zone(Scope& scope) const {
    auto tasks_in = [&](ZoneId z) -> std::int64_t {
      return c_.group ? v_.group_data[*c_.group].zone_total[z] : 0;
    };
    std::vector<ZoneId> order = scope.zones;
    std::sort(order.begin(), order.end(), [&](ZoneId a, ZoneId b) {
      const auto ta = tasks_in(a), tb = tasks_in(b);
      return ta != tb ? ta < tb : v_.zone_names[a] < v_.zone_names[b];
    });
    for (std::size_t k = 0; k < order.size();) {
      std::size_t end = k;
      std::vector<ZoneId> open;
      while (end < order.size() && tasks_in(order[end]) == tasks_in(order[k])) {
        if (first_in_zone(order[end], scope) != kNoRow) open.push_back(order[end]);
        ++end;
      }
      if (!open.empty()) {
        std::sort(open.begin(), open.end());
        scope.zones = std::move(open);
        return true;
      }
      k = end;
    }
    return false;
  }

  // spread instanceId, first try: the candidates holding no task of the group. Zones where every
  // accepting instance holds some are skipped without a walk. When the instances without the
  // group are the minority (a large service's steady state, the rest being full), they are listed
  // from the bitsets, accepting & ~holders, in O(rows / 64 + their number); otherwise they stay
  // implicit (a scope restricted to zero counts), and a tree walk skips at most the holders, which
  // are then the minority.
  enum class Zero { kNone, kScope, kList };
  Zero narrow_to_zero(Scope& scope, std::vector<std::uint32_t>& out) const {
    const GroupData& data = v_.group_data[*c_.group];
    std::uint64_t holders = 0, others = 0;
    std::vector<ZoneId> with_others;
    for (ZoneId z : scope.zones) {
      const std::uint32_t accepting =
          v_.by_rank.count_range(IndexTree::zone_first(z), IndexTree::zone_last(z));
      holders += data.accepting_holders[z];
      others += accepting - data.accepting_holders[z];
      if (data.accepting_holders[z] < accepting) with_others.push_back(z);
    }
    if (others == 0) return Zero::kNone;
    if (holders > others) {
      for (ZoneId z : with_others) {
        const auto& accepting_bits = v_.zone_accepting_bits[z];
        for (std::size_t w = 0; w < accepting_bits.size(); ++w) {
          std::uint64_t bits = accepting_bits[w] & ~word_of(data.holder_bits, w);
          while (bits != 0) {
            const auto row = static_cast<std::uint32_t>(w * 64 + std::countr_zero(bits));
            bits &= bits - 1;
            if (c_.candidate(row)) out.push_back(row);
          }
        }
      }
      return out.empty() ? Zero::kNone : Zero::kList;
    }
    Scope zero = scope;
    zero.zero_only = true;
    zero.zones.clear();
    for (ZoneId z : with_others)
      if (first_in_zone(z, Scope{{}, true}) != kNoRow) zero.zones.push_back(z);
    if (zero.zones.empty()) return Zero::kNone;
    scope = std::move(zero);
    return Zero::kScope;
  }

  static constexpr std::int32_t kNoCount = std::numeric_limits<std::int32_t>::max();

  // spread instanceId when every candidate holds tasks of the group: the least count among
  // candidates, from the group's instances in (count, rank) order.
  std::int32_t fewest_tasks(const Scope& scope) const {
    const GroupData& data = v_.group_data[*c_.group];
    std::int32_t best = kNoCount;
    for (ZoneId z : scope.zones)
      for (const auto& [count, rank, row] : data.by_count[z]) {
        if (count >= best) break;
        if (c_.candidate(row)) {
          best = count;
          break;
        }
      }
    return best;
  }

  // The candidates of the scope holding exactly `count` tasks of the group, by zone then rank.
  std::vector<std::uint32_t> fewest_list(const Scope& scope, std::int32_t count) const {
    const GroupData& data = v_.group_data[*c_.group];
    std::vector<std::uint32_t> out;
    for (ZoneId z : scope.zones) {
      const auto& set = data.by_count[z];
      for (auto it = set.lower_bound(CountEntry{count, 0, 0});
           it != set.end() && std::get<0>(*it) == count; ++it)
        if (c_.candidate(std::get<2>(*it))) out.push_back(std::get<2>(*it));
    }
    return out;
  }

  // The last strategy is spread instanceId and the fewest is `count` > 0: lowestId takes the first
  // such candidate per zone (the group index is in rank order within a count); random samples the
  // scope's zones and keeps a draw holding exactly `count`, falling back to listing them.
  std::uint32_t fewest_final(const Scope& scope, std::int32_t count) {
    if (tie_break_ == TieBreak::kLowestId) {
      const GroupData& data = v_.group_data[*c_.group];
      std::uint32_t best = kNoRow;
      for (ZoneId z : scope.zones) {
        const auto& set = data.by_count[z];
        for (auto it = set.lower_bound(CountEntry{count, 0, 0});
             it != set.end() && std::get<0>(*it) == count; ++it) {
          const std::uint32_t row = std::get<2>(*it);
          if (!c_.candidate(row)) continue;
          if (best == kNoRow || v_.rank[row] < v_.rank[best]) best = row;
          break;
        }
      }
      return best;
    }
    return sample(
        v_.by_rank, zone_ranges(scope),
        [&](std::uint32_t i) { return c_.count(i) == count && c_.extra_ok(i); },
        [&] { return fewest_list(scope, count); });
  }

  const IndexTree& tree_of(BinpackField field) const {
    return field == BinpackField::kCpu ? v_.by_cpu : v_.by_memory;
  }

  // binpack: per zone, the first candidate at or above the need in (remaining, rank) order; the
  // least remaining amount over the zones wins. Returns the key ranges holding the tie.
  std::vector<KeyRange> binpack_ties(const Scope& scope, BinpackField field,
                                     std::vector<std::uint32_t>& firsts) const {
    const IndexTree& tree = tree_of(field);
    const std::int32_t need = c_.need[field == BinpackField::kCpu ? 0 : 1];
    std::int32_t best = std::numeric_limits<std::int32_t>::max();
    std::vector<std::pair<ZoneId, std::uint32_t>> hits;
    for (ZoneId z : scope.zones) {
      const std::uint32_t i = tree.first(TreeKey{z, need, 0}, IndexTree::zone_last(z), c_.need,
                                         [&](std::uint32_t row) { return in_scope(row, scope); });
      if (i == kNoRow) continue;
      const std::int32_t value = tree.key(i).value;
      if (value < best) {
        best = value;
        hits.clear();
      }
      if (value == best) hits.emplace_back(z, i);
    }
    std::vector<KeyRange> ranges;
    for (const auto& [z, i] : hits) {
      ranges.emplace_back(TreeKey{z, best, 0},
                          TreeKey{z, best, std::numeric_limits<std::uint32_t>::max()});
      firsts.push_back(i);
    }
    return ranges;
  }

  std::uint32_t binpack_final(const Scope& scope, BinpackField field) {
    std::vector<std::uint32_t> firsts;
    const std::vector<KeyRange> ranges = binpack_ties(scope, field, firsts);
    if (ranges.empty()) return kNoRow;
    if (tie_break_ == TieBreak::kLowestId)  // within a tie the tree orders by rank
      return *std::min_element(firsts.begin(), firsts.end(), [&](std::uint32_t a, std::uint32_t b) {
        return v_.rank[a] < v_.rank[b];
      });
    return sample_scope(tree_of(field), ranges, scope);
  }

  std::vector<std::uint32_t> binpack_list(const Scope& scope, BinpackField field) const {
    std::vector<std::uint32_t> firsts;
    return list(tree_of(field), binpack_ties(scope, field, firsts), scope);
  }

  // The rest of the chain over an explicit list, as the reference does it.
  std::uint32_t finish_list(std::vector<std::uint32_t> candidates, std::size_t from) {
    if (candidates.empty()) return kNoRow;
    for (std::size_t k = from; k < c_.chain.size(); ++k) {
      if (candidates.size() == 1) break;
      if (c_.chain[k].type == PlacementStrategyType::kRandom)
        return pick(v_, candidates, rng_, TieBreak::kRandom);
      narrow(c_, c_.chain[k], candidates);
    }
    return pick(v_, candidates, rng_, tie_break_);
  }

  const RequestContext& c_;
  const ClusterViewImpl& v_;
  Rng& rng_;
  TieBreak tie_break_;
};

}  // namespace

}  // namespace detail

PlacementDecision place_task(const ClusterView& view, const PlacementRequest& request, Rng& rng,
                             TieBreak tie_break) {
  if (auto problem = placement_request_problem(request)) {
    PlacementDecision d;
    d.reason = "INVALID_REQUEST";
    d.message = *problem;
    return d;
  }
  const detail::RequestContext context(view, request);
  const std::uint32_t row = detail::Engine(context, rng, tie_break).run();
  if (row == detail::kNoRow) return detail::explain_failure(context);
  PlacementDecision d;
  d.instance = row;
  return d;
}

PlacementDecision place_task(const ClusterView& view, const PlacementRequest& request, Rng& rng,
                             const PlacementSettings& settings) {
  return place_task(view, request, rng, settings.tie_break);
}

PlacementBatch place_tasks(ClusterView& view, const PlacementRequest& request, int count, Rng& rng,
                           TieBreak tie_break) {
  PlacementBatch batch;
  for (int n = 0; n < count; ++n) {
    PlacementDecision d = place_task(view, request, rng, tie_break);
    if (!d.placed()) {
      batch.failure = std::move(d);
      break;
    }
    batch.placed.push_back(
        {*d.instance, view.reserve(*d.instance, request.footprint, request.group)});
  }
  return batch;
}

}  // namespace ecsim
