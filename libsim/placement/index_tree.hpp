// IndexTree: an order-statistics treap over container instances, keyed by (zone, value, id rank),
// whose nodes carry the component-wise maxima of four resource amounts over their subtree.
//
// Why a treap: the key of an instance (its remaining memory, say) changes on every reserve, so the
// order must be dynamic; the subtree maxima let a search skip whole subtrees where no instance has
// room for the task (an instance with lots of memory but no CPU left would otherwise be walked over
// by every binpack-on-memory placement); subtree sizes give the k-th node and range counts, which
// random choices need. Priorities come from a fixed hash of the node id, so the shape, and
// everything built on it, is deterministic.
//
// Node ids are instance indexes. Every operation is O(log n) expected, except the searches, which
// cost O(log n) per node they report or that passes the maxima but fails the caller's predicate.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/random.hpp"

namespace ecsim::detail {

struct TreeKey {
  std::uint32_t zone = 0;
  std::int32_t value = 0;
  std::uint32_t rank = 0;
  friend auto operator<=>(const TreeKey&, const TreeKey&) = default;
};

// Remaining CPU units, memory MiB, GPUs and free ENI slots.
using Amounts = std::array<std::int32_t, 4>;

inline bool covers(const Amounts& have, const Amounts& need) {
  return have[0] >= need[0] && have[1] >= need[1] && have[2] >= need[2] && have[3] >= need[3];
}

class IndexTree {
 public:
  static constexpr std::uint32_t kNil = std::numeric_limits<std::uint32_t>::max();

  static TreeKey zone_first(std::uint32_t zone) {
    return {zone, std::numeric_limits<std::int32_t>::min(), 0};
  }
  static TreeKey zone_last(std::uint32_t zone) {
    return {zone, std::numeric_limits<std::int32_t>::max(),
            std::numeric_limits<std::uint32_t>::max()};
  }

  void grow(std::size_t n) {
    if (nodes_.size() < n) nodes_.resize(n);
  }
  bool contains(std::uint32_t i) const { return i < nodes_.size() && nodes_[i].in_tree; }
  std::uint32_t size() const { return root_ == kNil ? 0 : nodes_[root_].size; }
  const TreeKey& key(std::uint32_t i) const { return nodes_[i].key; }
  const Amounts& amounts(std::uint32_t i) const { return nodes_[i].amounts; }

  void clear() {
    for (Node& n : nodes_)
      n = Node{};
    root_ = kNil;
  }

  void insert(std::uint32_t i, const TreeKey& key, const Amounts& amounts) {
    grow(i + 1);
    Node& n = nodes_[i];
    n = Node{};
    n.key = key;
    n.amounts = amounts;
    n.agg = amounts;
    n.size = 1;
    n.priority = splitmix64_mix(i + 0x5bd1e995ULL);
    n.in_tree = true;
    root_ = insert_at(root_, i);
  }

  void erase(std::uint32_t i) {
    root_ = erase_at(root_, nodes_[i].key);
    nodes_[i].in_tree = false;
  }

  // Same key, new amounts: refreshes the maxima on the path to i without restructuring.
  void update_amounts(std::uint32_t i, const Amounts& amounts) {
    nodes_[i].amounts = amounts;
    refresh_path(root_, nodes_[i].key);
  }

  // Number of nodes with key < k.
  std::uint32_t count_less(const TreeKey& k) const {
    std::uint32_t count = 0;
    std::uint32_t t = root_;
    while (t != kNil) {
      const Node& n = nodes_[t];
      if (n.key < k) {
        count += size_of(n.left) + 1;
        t = n.right;
      } else {
        t = n.left;
      }
    }
    return count;
  }
  std::uint32_t count_range(const TreeKey& lo, const TreeKey& hi) const {
    return count_less_equal(hi) - count_less(lo);
  }

  // The node at position k (0-based) in key order.
  std::uint32_t kth(std::uint32_t k) const {
    std::uint32_t t = root_;
    while (t != kNil) {
      const std::uint32_t left = size_of(nodes_[t].left);
      if (k < left) {
        t = nodes_[t].left;
      } else if (k == left) {
        return t;
      } else {
        k -= left + 1;
        t = nodes_[t].right;
      }
    }
    return kNil;
  }

  // The first node in key order with lo <= key <= hi, amounts covering `need` and pred(node).
  template <class Pred>
  std::uint32_t first(const TreeKey& lo, const TreeKey& hi, const Amounts& need,
                      Pred&& pred) const {
    return first_at(root_, lo, hi, need, pred);
  }

  // Calls visit(node) in key order for every node in [lo, hi] covering `need` with pred(node),
  // until visit returns false. Returns false if it was stopped.
  template <class Pred, class Visit>
  bool for_each(const TreeKey& lo, const TreeKey& hi, const Amounts& need, Pred&& pred,
                Visit&& visit) const {
    return for_each_at(root_, lo, hi, need, pred, visit);
  }

  // Structure check for tests: order, sizes, maxima and heap order.
  std::optional<std::string> check() const {
    std::uint32_t count = 0;
    for (const Node& n : nodes_)
      count += n.in_tree ? 1 : 0;
    if (count != size())
      return "tree size " + std::to_string(size()) + " but " + std::to_string(count) +
             " nodes flagged";
    const TreeKey* previous = nullptr;
    std::string problem;
    check_at(root_, previous, problem);
    if (!problem.empty()) return problem;
    return std::nullopt;
  }

 private:
  struct Node {
    std::uint32_t left = kNil;
    std::uint32_t right = kNil;
    std::uint32_t size = 0;
    bool in_tree = false;
    std::uint64_t priority = 0;
    TreeKey key;
    Amounts amounts{};
    Amounts agg{};
  };

  std::uint32_t size_of(std::uint32_t t) const { return t == kNil ? 0 : nodes_[t].size; }

  std::uint32_t count_less_equal(const TreeKey& k) const {
    std::uint32_t count = 0;
    std::uint32_t t = root_;
    while (t != kNil) {
      const Node& n = nodes_[t];
      if (!(k < n.key)) {
        count += size_of(n.left) + 1;
        t = n.right;
      } else {
        t = n.left;
      }
    }
    return count;
  }

  void pull(std::uint32_t t) {
    Node& n = nodes_[t];
    n.size = 1;
    n.agg = n.amounts;
    for (const std::uint32_t c : {n.left, n.right}) {
      if (c == kNil) continue;
      const Node& child = nodes_[c];
      n.size += child.size;
      for (std::size_t r = 0; r < n.agg.size(); ++r)
        n.agg[r] = std::max(n.agg[r], child.agg[r]);
    }
  }

  // Splits t into keys < k (l) and keys >= k (r).
  void split(std::uint32_t t, const TreeKey& k, std::uint32_t& l, std::uint32_t& r) {
    if (t == kNil) {
      l = r = kNil;
      return;
    }
    if (nodes_[t].key < k) {
      split(nodes_[t].right, k, nodes_[t].right, r);
      l = t;
    } else {
      split(nodes_[t].left, k, l, nodes_[t].left);
      r = t;
    }
    pull(t);
  }

  std::uint32_t merge(std::uint32_t a, std::uint32_t b) {
    if (a == kNil) return b;
    if (b == kNil) return a;
    if (nodes_[a].priority > nodes_[b].priority) {
      nodes_[a].right = merge(nodes_[a].right, b);
      pull(a);
      return a;
    }
    nodes_[b].left = merge(a, nodes_[b].left);
    pull(b);
    return b;
  }

  std::uint32_t insert_at(std::uint32_t t, std::uint32_t i) {
    if (t == kNil) return i;
    if (nodes_[i].priority > nodes_[t].priority) {
      split(t, nodes_[i].key, nodes_[i].left, nodes_[i].right);
      pull(i);
      return i;
    }
    if (nodes_[i].key < nodes_[t].key) {
      nodes_[t].left = insert_at(nodes_[t].left, i);
    } else {
      nodes_[t].right = insert_at(nodes_[t].right, i);
    }
    pull(t);
    return t;
  }

  std::uint32_t erase_at(std::uint32_t t, const TreeKey& k) {
    if (t == kNil) return kNil;
    if (nodes_[t].key == k) {
      const std::uint32_t joined = merge(nodes_[t].left, nodes_[t].right);
      nodes_[t].left = nodes_[t].right = kNil;
      return joined;
    }
    if (k < nodes_[t].key) {
      nodes_[t].left = erase_at(nodes_[t].left, k);
    } else {
      nodes_[t].right = erase_at(nodes_[t].right, k);
    }
    pull(t);
    return t;
  }

  void refresh_path(std::uint32_t t, const TreeKey& k) {
    if (t == kNil) return;
    if (k < nodes_[t].key) {
      refresh_path(nodes_[t].left, k);
    } else if (nodes_[t].key < k) {
      refresh_path(nodes_[t].right, k);
    }
    pull(t);
  }

  template <class Pred>
  std::uint32_t first_at(std::uint32_t t, const TreeKey& lo, const TreeKey& hi, const Amounts& need,
                         Pred& pred) const {
    while (t != kNil) {
      const Node& n = nodes_[t];
      if (!covers(n.agg, need)) return kNil;
      if (n.key < lo) {
        t = n.right;
        continue;
      }
      if (hi < n.key) {
        t = n.left;
        continue;
      }
      const std::uint32_t found = first_at(n.left, lo, hi, need, pred);
      if (found != kNil) return found;
      if (covers(n.amounts, need) && pred(t)) return t;
      t = n.right;
    }
    return kNil;
  }

  template <class Pred, class Visit>
  bool for_each_at(std::uint32_t t, const TreeKey& lo, const TreeKey& hi, const Amounts& need,
                   Pred& pred, Visit& visit) const {
    while (t != kNil) {
      const Node& n = nodes_[t];
      if (!covers(n.agg, need)) return true;
      if (n.key < lo) {
        t = n.right;
        continue;
      }
      if (hi < n.key) {
        t = n.left;
        continue;
      }
      if (!for_each_at(n.left, lo, hi, need, pred, visit)) return false;
      if (covers(n.amounts, need) && pred(t) && !visit(t)) return false;
      t = n.right;
    }
    return true;
  }

  void check_at(std::uint32_t t, const TreeKey*& previous, std::string& problem) const {
    if (t == kNil || !problem.empty()) return;
    const Node& n = nodes_[t];
    if (!n.in_tree) problem = "node " + std::to_string(t) + " reachable but not flagged";
    for (const std::uint32_t c : {n.left, n.right})
      if (c != kNil && nodes_[c].priority > n.priority)
        problem = "heap order broken at " + std::to_string(t);
    check_at(n.left, previous, problem);
    if (previous != nullptr && !(*previous < n.key))
      problem = "key order broken at " + std::to_string(t);
    previous = &n.key;
    check_at(n.right, previous, problem);
    std::uint32_t size = 1;
    Amounts agg = n.amounts;
    for (const std::uint32_t c : {n.left, n.right}) {
      if (c == kNil) continue;
      size += nodes_[c].size;
      for (std::size_t r = 0; r < agg.size(); ++r)
        agg[r] = std::max(agg[r], nodes_[c].agg[r]);
    }
    if (size != n.size) problem = "size wrong at " + std::to_string(t);
    if (agg != n.agg) problem = "maxima wrong at " + std::to_string(t);
  }

  std::vector<Node> nodes_;
  std::uint32_t root_ = kNil;
};

}  // namespace ecsim::detail
