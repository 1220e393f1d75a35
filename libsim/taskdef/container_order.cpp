// Container start and shutdown order from dependsOn (ecs-reference 2.5), with Boost.Graph.
//
// The graph has one vertex per container and an edge i -> j when container i dependsOn container j.
// Vertices and out-edges are vectors (vecS), so every traversal visits them in definition order
// and the results never depend on addresses or hashing.
#include <algorithm>
#include <iterator>
#include <numeric>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

#include "ecsim/task_definition.hpp"

#include "taskdef/task_definition_parser.hpp"

namespace ecsim {
namespace {

using DependencyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using Vertex = boost::graph_traits<DependencyGraph>::vertex_descriptor;
using Edge = boost::graph_traits<DependencyGraph>::edge_descriptor;

// Dependencies on names that do not exist are validation errors reported elsewhere; here they are
// simply not edges.
DependencyGraph dependency_graph(const TaskDefinition& definition) {
  const auto& containers = definition.container_definitions;
  DependencyGraph graph(containers.size());
  for (std::size_t i = 0; i < containers.size(); ++i)
    for (const ContainerDependency& dep : containers[i].depends_on)
      if (const auto j = definition.container_index(dep.container_name))
        boost::add_edge(i, *j, graph);
  return graph;
}

// A back edge u -> v closes a cycle: v is an ancestor of u on the DFS stack, so the tree path
// v -> ... -> u plus the back edge is the cycle. The visitor is copied by value inside Boost, so
// it writes through pointers.
class CycleRecorder : public boost::default_dfs_visitor {
 public:
  CycleRecorder(std::vector<Vertex>* parent, std::vector<std::size_t>* cycle)
      : parent_(parent), cycle_(cycle) {}

  void tree_edge(Edge e, const DependencyGraph& g) const {
    (*parent_)[boost::target(e, g)] = boost::source(e, g);
  }

  void back_edge(Edge e, const DependencyGraph& g) const {
    if (!cycle_->empty()) return;  // keep the first cycle found
    const Vertex u = boost::source(e, g);
    const Vertex v = boost::target(e, g);
    std::vector<std::size_t> path;
    for (Vertex x = u; x != v; x = (*parent_)[x])
      path.push_back(x);
    path.push_back(v);
    std::reverse(path.begin(), path.end());  // v -> ... -> u, each depending on the next
    *cycle_ = std::move(path);
  }

 private:
  std::vector<Vertex>* parent_;
  std::vector<std::size_t>* cycle_;
};

}  // namespace

namespace detail {

std::vector<std::size_t> find_dependency_cycle(const TaskDefinition& definition) {
  const DependencyGraph graph = dependency_graph(definition);
  std::vector<Vertex> parent(boost::num_vertices(graph));
  std::vector<std::size_t> cycle;
  boost::depth_first_search(graph, boost::visitor(CycleRecorder(&parent, &cycle)));
  if (cycle.empty()) return cycle;
  // Start at the lowest index so the report does not depend on where the search entered.
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  return cycle;
}

}  // namespace detail

std::vector<std::size_t> container_start_order(const TaskDefinition& definition) {
  const std::size_t n = definition.container_definitions.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (!detail::find_dependency_cycle(definition).empty()) return order;

  const DependencyGraph graph = dependency_graph(definition);
  // topological_sort emits vertices in reverse topological order of the edges i -> j ("i depends
  // on j"), which is exactly "dependencies first". That order is valid but its ties follow the
  // DFS, not the definition, so it is used only to compute each container's wave: one more than
  // the deepest wave it depends on. Sorting by (wave, index) is again a valid order (every edge
  // goes to a lower wave) and keeps ties in definition order.
  std::vector<Vertex> dependencies_first;
  dependencies_first.reserve(n);
  boost::topological_sort(graph, std::back_inserter(dependencies_first));
  std::vector<std::size_t> wave(n, 0);
  for (Vertex v : dependencies_first) {
    auto [it, end] = boost::out_edges(v, graph);
    for (; it != end; ++it)
      wave[v] = std::max(wave[v], wave[boost::target(*it, graph)] + 1);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return wave[a] < wave[b]; });
  return order;
}

std::vector<std::size_t> container_shutdown_order(const TaskDefinition& definition) {
  std::vector<std::size_t> order = container_start_order(definition);
  std::reverse(order.begin(), order.end());
  return order;
}

}  // namespace ecsim
