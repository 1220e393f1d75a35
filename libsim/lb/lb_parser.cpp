// Reads targetGroups, loadBalancers and traffic (shapes in include/ecsim/load_balancing.hpp).
// Target groups are read first so that listeners can name them whatever the document's order;
// load balancers before traffic, which names listeners.
#include "lb/lb_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

namespace ecsim {
namespace {

using detail::Diagnostics;
using detail::Json;
using detail::ObjectReader;

constexpr double kMaxRate = 1e7;              // requests per second of one source
constexpr std::size_t kMaxForwardGroups = 5;  // target groups per forward action (9.5)
constexpr std::uintmax_t kMaxCsvBytes = 16u << 20;
constexpr std::size_t kMaxCsvRows = 1'000'000;
constexpr std::size_t kMaxCsvProblems = 5;
constexpr Duration kMaxServiceTime = 24 * kHour;

std::string quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string join_quoted(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += i + 1 == items.size() ? " or " : ", ";
    out += quote(items[i]);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<double> parse_double(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_whole(std::string_view s) {
  s = trim(s);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// ELB names: 1-32 characters, letters, digits and hyphens, not starting or ending with a hyphen.
bool valid_elb_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || name.front() == '-' || name.back() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
  });
}

// `Name` as AWS writes it, or `name` in ecsim's style; one of them is required.
std::string read_elb_name(ObjectReader& r, std::string_view what) {
  const bool upper = r.has("Name");
  const bool lower = r.has("name");
  std::string name;
  if (upper && lower) {
    r.string("name", "");
    r.problem("name", "give either \"Name\" or \"name\", not both");
  }
  name = (lower && !upper) ? r.string("name", "") : r.required_string("Name");
  if ((upper || lower) && !name.empty() && !valid_elb_name(name))
    r.problem(lower && !upper ? "name" : "Name",
              quote(name) + " is not a valid " + std::string(what) +
                  " name; expected 1 to 32 letters, digits or hyphens, not starting or ending "
                  "with a hyphen");
  if ((upper || lower) && name.empty())
    r.problem(lower && !upper ? "name" : "Name",
              "is empty; expected a " + std::string(what) + " name");
  return name;
}

// ---- Attributes: [{Key, Value}] with string values, as ModifyTargetGroupAttributes takes ----

struct Attribute {
  std::string key;
  std::string value;
  std::string key_pointer;
  std::string value_pointer;
};

std::vector<Attribute> read_attributes(ObjectReader& r, std::string_view member) {
  std::vector<Attribute> out;
  std::set<std::string> seen;
  r.objects(
      member,
      [&](ObjectReader& a) {
        Attribute at;
        at.key = a.required_string("Key");
        at.key_pointer = a.pointer_to("Key");
        at.value_pointer = a.pointer_to("Value");
        const Json* v = a.raw("Value");
        bool ok = true;
        if (v == nullptr) {
          a.diagnostics().add(a.pointer(), "is missing required key \"Value\" (a string)");
          ok = false;
        } else if (v->is_string()) {
          at.value = v->get<std::string>();
        } else if (v->is_number_integer() || v->is_number_unsigned()) {
          at.value = v->dump();
        } else if (v->is_boolean()) {
          at.value = v->get<bool>() ? "true" : "false";
        } else {
          a.problem("Value",
                    "is " + detail::json_type_name(*v) + "; expected a string such as \"60\"");
          ok = false;
        }
        a.finish();
        if (at.key.empty()) return;
        if (!seen.insert(at.key).second) {
          a.diagnostics().add(at.key_pointer, "duplicate attribute " + quote(at.key));
          return;
        }
        if (ok) out.push_back(std::move(at));
      },
      100);
  return out;
}

// An attribute value that must be a whole number in [min, max] (or 0 when zero_allowed).
std::optional<std::int64_t> attribute_integer(const Attribute& a, Diagnostics& diag,
                                              std::int64_t min, std::int64_t max,
                                              bool zero_allowed = false) {
  const auto n = parse_whole(a.value);
  if (!n || ((*n < min || *n > max) && !(zero_allowed && *n == 0))) {
    diag.add(a.value_pointer, quote(a.value) + " is not valid for " + a.key + "; expected " +
                                  (zero_allowed ? "0 or " : "") +
                                  "a whole number of seconds from " + std::to_string(min) + " to " +
                                  std::to_string(max));
    return std::nullopt;
  }
  return n;
}

bool attribute_enum(const Attribute& a, Diagnostics& diag,
                    const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), a.value) != allowed.end()) return true;
  std::string msg =
      quote(a.value) + " is not valid for " + a.key + "; expected " + join_quoted(allowed);
  if (auto near = detail::closest_match(a.value, allowed); !near.empty())
    msg += "; did you mean " + quote(near) + "?";
  diag.add(a.value_pointer, msg);
  return false;
}

void unknown_attribute(const Attribute& a, Diagnostics& diag, const std::vector<std::string>& known,
                       std::string_view what) {
  std::string msg = "unknown " + std::string(what) + " attribute " + quote(a.key);
  if (auto near = detail::closest_match(a.key, known); !near.empty())
    msg += "; did you mean " + quote(near) + "?";
  else
    msg += "; ecsim knows " + join_quoted(known);
  diag.add(a.key_pointer, msg);
}

// ---- Target groups ------------------------------------------------------------------------------

std::vector<HttpCodeRange> read_matcher(ObjectReader& r, Diagnostics& diag) {
  std::vector<HttpCodeRange> out;
  r.object("Matcher", [&](ObjectReader& m) {
    m.ignore({"GrpcCode"});
    const std::string text = m.string("HttpCode", "200");
    const std::string ptr = m.pointer_to("HttpCode");
    std::stringstream parts(text);
    std::string part;
    bool ok = !text.empty();
    while (ok && std::getline(parts, part, ',')) {
      const auto dash = part.find('-');
      const auto lo = parse_whole(dash == std::string::npos ? part : part.substr(0, dash));
      const auto hi = parse_whole(dash == std::string::npos ? part : part.substr(dash + 1));
      if (!lo || !hi || *lo < 200 || *hi > 499 || *lo > *hi) {
        ok = false;
        break;
      }
      out.push_back({static_cast<int>(*lo), static_cast<int>(*hi)});
    }
    if (!ok) {
      diag.add(ptr, quote(text) +
                        " is not a valid matcher; expected HTTP codes from 200 to 499 "
                        "as \"200\", \"200,202\" or \"200-299\" (ecs-reference 9.3)");
      out.clear();
    }
    m.finish();
  });
  if (out.empty()) out.push_back({200, 200});
  return out;
}

void read_target_group_attributes(ObjectReader& r, TargetGroupSpec& g) {
  Diagnostics& diag = r.diagnostics();
  static const std::vector<std::string> known = {"deregistration_delay.timeout_seconds",
                                                 "slow_start.duration_seconds",
                                                 "load_balancing.algorithm.type",
                                                 "load_balancing.algorithm.anomaly_mitigation",
                                                 "load_balancing.cross_zone.enabled",
                                                 "stickiness.enabled",
                                                 "stickiness.type",
                                                 "stickiness.lb_cookie.duration_seconds",
                                                 "stickiness.app_cookie.cookie_name",
                                                 "stickiness.app_cookie.duration_seconds"};
  std::string slow_start_pointer, mitigation_pointer;
  for (const Attribute& a : read_attributes(r, "Attributes")) {
    if (a.key == "deregistration_delay.timeout_seconds") {
      if (auto n = attribute_integer(a, diag, 0, 3600)) g.deregistration_delay = seconds(*n);
    } else if (a.key == "slow_start.duration_seconds") {
      if (auto n = attribute_integer(a, diag, 30, 900, true)) g.slow_start = seconds(*n);
      slow_start_pointer = a.value_pointer;
    } else if (a.key == "load_balancing.algorithm.type") {
      if (attribute_enum(a, diag, {"round_robin", "least_outstanding_requests", "weighted_random"}))
        g.algorithm = a.value == "round_robin" ? RoutingAlgorithm::kRoundRobin
                      : a.value == "least_outstanding_requests"
                          ? RoutingAlgorithm::kLeastOutstandingRequests
                          : RoutingAlgorithm::kWeightedRandom;
    } else if (a.key == "load_balancing.algorithm.anomaly_mitigation") {
      if (attribute_enum(a, diag, {"on", "off"})) g.anomaly_mitigation = a.value == "on";
      mitigation_pointer = a.value_pointer;
    } else if (a.key == "load_balancing.cross_zone.enabled") {
      if (attribute_enum(a, diag, {"true", "false", "use_load_balancer_configuration"}) &&
          a.value == "false")
        diag.add(a.value_pointer,
                 "turning cross-zone load balancing off is not modelled by ecsim; "
                 "use \"true\" or \"use_load_balancer_configuration\" (ALBs are "
                 "cross-zone, ecs-reference 9.8)");
    } else if (a.key == "stickiness.enabled") {
      if (attribute_enum(a, diag, {"true", "false"}) && a.value == "true")
        diag.add(a.value_pointer, "sticky sessions are not modelled by ecsim; use \"false\"");
    } else if (std::find(known.begin(), known.end(), a.key) != known.end()) {
      // Stickiness details: without stickiness they have no effect, as in AWS.
    } else {
      unknown_attribute(a, diag, known, "target group");
    }
  }
  // ecs-reference 9.1: slow start works with round_robin only; mitigation with weighted_random.
  if (g.slow_start > Duration{0} && g.algorithm != RoutingAlgorithm::kRoundRobin)
    diag.add(slow_start_pointer, "slow start cannot be used with " +
                                     std::string(to_string(g.algorithm)) +
                                     "; use round_robin or set 0 (ecs-reference 9.1, 9.2)");
  if (g.anomaly_mitigation && g.algorithm != RoutingAlgorithm::kWeightedRandom)
    diag.add(mitigation_pointer,
             "anomaly mitigation needs load_balancing.algorithm.type "
             "\"weighted_random\" (ecs-reference 9.1)");
}

TargetGroupSpec read_target_group(ObjectReader& r) {
  TargetGroupSpec g;
  g.pointer = r.pointer();
  g.name = read_elb_name(r, "target group");
  g.protocol = r.enumeration("Protocol", "HTTP", {"HTTP", "HTTPS"});
  r.enumeration("ProtocolVersion", "HTTP1", {"HTTP1", "HTTP2", "GRPC"});
  g.port = static_cast<int>(r.integer("Port", 80, 1, 65535));
  g.target_type = r.enumeration("TargetType", "instance", {"instance", "ip"});
  r.ignore({"VpcId", "Tags", "IpAddressType"});
  if (!r.boolean("HealthCheckEnabled", true))
    r.problem("HealthCheckEnabled",
              "only Lambda target groups can turn health checks off "
              "(ecs-reference 9.3); use true");
  HealthCheckSpec& h = g.health_check;
  h.protocol = r.enumeration("HealthCheckProtocol", g.protocol, {"HTTP", "HTTPS"});
  if (const Json* port = r.raw("HealthCheckPort")) {
    if (port->is_number_integer() && port->get<std::int64_t>() >= 1 &&
        port->get<std::int64_t>() <= 65535) {
      h.port = std::to_string(port->get<std::int64_t>());
    } else if (port->is_string() &&
               (port->get<std::string>() == "traffic-port" ||
                (parse_whole(port->get<std::string>()).value_or(0) >= 1 &&
                 parse_whole(port->get<std::string>()).value_or(0) <= 65535))) {
      h.port = port->get<std::string>();
    } else {
      r.problem("HealthCheckPort", detail::json_excerpt(*port) +
                                       " is not a port; expected \"traffic-port\" or 1 to 65535");
    }
  }
  h.path = r.string("HealthCheckPath", "/");
  if (h.path.empty() || h.path.front() != '/' || h.path.size() > 1024)
    r.problem("HealthCheckPath", quote(h.path) +
                                     " is not a path; expected up to 1024 characters "
                                     "starting with \"/\"");
  h.interval = seconds(r.integer("HealthCheckIntervalSeconds", 30, 5, 300));
  h.timeout = seconds(r.integer("HealthCheckTimeoutSeconds", 5, 2, 120));
  if (h.timeout >= h.interval)
    r.problem("HealthCheckTimeoutSeconds",
              "health check interval must be greater than the timeout (" +
                  std::to_string(h.timeout / kSecond) +
                  " s >= " + std::to_string(h.interval / kSecond) + " s)");
  h.healthy_threshold = static_cast<int>(r.integer("HealthyThresholdCount", 5, 2, 10));
  h.unhealthy_threshold = static_cast<int>(r.integer("UnhealthyThresholdCount", 2, 2, 10));
  h.matcher = read_matcher(r, r.diagnostics());
  read_target_group_attributes(r, g);
  r.object("ecsim", [&](ObjectReader& e) { g.application = detail::read_application_model(e); });
  r.finish();
  return g;
}

// ---- Load balancers and listeners ---------------------------------------------------------------

void read_load_balancer_attributes(ObjectReader& r, LoadBalancerSpec& lb) {
  Diagnostics& diag = r.diagnostics();
  static const std::vector<std::string> known = {
      "idle_timeout.timeout_seconds",
      "deletion_protection.enabled",
      "load_balancing.cross_zone.enabled",
      "routing.http2.enabled",
      "access_logs.s3.enabled",
      "access_logs.s3.bucket",
      "access_logs.s3.prefix",
      "connection_logs.s3.enabled",
      "connection_logs.s3.bucket",
      "connection_logs.s3.prefix",
      "client_keep_alive.seconds",
      "routing.http.drop_invalid_header_fields.enabled",
      "routing.http.desync_mitigation_mode",
      "routing.http.preserve_host_header.enabled",
      "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
      "routing.http.xff_client_port.enabled",
      "routing.http.xff_header_processing.mode",
      "waf.fail_open.enabled",
      "zonal_shift.config.enabled"};
  for (const Attribute& a : read_attributes(r, "Attributes")) {
    if (a.key == "idle_timeout.timeout_seconds") {
      if (auto n = attribute_integer(a, diag, 1, 4000)) lb.idle_timeout = seconds(*n);
    } else if (a.key == "load_balancing.cross_zone.enabled") {
      if (attribute_enum(a, diag, {"true", "false"}) && a.value == "false")
        diag.add(a.value_pointer,
                 "an Application Load Balancer is always cross-zone "
                 "(ecs-reference 9.8); use \"true\"");
    } else if (std::find(known.begin(), known.end(), a.key) == known.end()) {
      unknown_attribute(a, diag, known, "load balancer");
    }
    // The rest change nothing ecsim models; accepted so that real configurations paste in.
  }
}

std::optional<std::size_t> resolve_group(const LoadBalancingSpec& spec, const std::string& ref,
                                         const std::string& pointer, Diagnostics& diag) {
  if (auto i = spec.find_target_group(ref)) return i;
  std::vector<std::string> names;
  for (const auto& g : spec.target_groups)
    names.push_back(g.name);
  std::string msg = "no target group " + quote(ref);
  if (auto near = detail::closest_match(ref, names); !near.empty())
    msg += "; did you mean " + quote(near) + "?";
  else if (names.empty())
    msg += "; define it under \"targetGroups\"";
  else
    msg += "; known: " + join_quoted(names);
  diag.add(pointer, msg);
  return std::nullopt;
}

void read_forward_action(ObjectReader& a, ListenerSpec& l, const LoadBalancingSpec& spec) {
  Diagnostics& diag = a.diagnostics();
  a.ignore({"Order"});
  const bool has_arn = a.has("TargetGroupArn");
  const bool has_config = a.has("ForwardConfig");
  if (has_arn) {
    const std::string ref = a.string("TargetGroupArn", "");
    if (auto g = resolve_group(spec, ref, a.pointer_to("TargetGroupArn"), diag))
      l.forward.push_back({*g, 1});
  }
  a.object("ForwardConfig", [&](ObjectReader& fc) {
    std::vector<ForwardTargetGroup> groups;
    std::size_t count = 0;
    fc.objects(
        "TargetGroups",
        [&](ObjectReader& t) {
          ++count;
          const bool arn = t.has("TargetGroupArn");
          const bool name = t.has("TargetGroupName");
          std::string ref, key = arn ? "TargetGroupArn" : "TargetGroupName";
          if (arn && name) {
            t.string("TargetGroupName", "");
            t.problem("TargetGroupName", "give either TargetGroupArn or TargetGroupName, not both");
          }
          if (!arn && !name) {
            diag.add(t.pointer(),
                     "is missing required key \"TargetGroupArn\" (or TargetGroupName)");
          } else {
            ref = t.string(key, "");
          }
          const int weight = static_cast<int>(t.integer("Weight", 1, 0, 999));
          t.finish();
          if (ref.empty()) return;
          if (auto g = resolve_group(spec, ref, t.pointer_to(key), diag)) {
            for (const auto& seen : groups)
              if (seen.target_group == *g) {
                diag.add(t.pointer_to(key), "target group " + quote(spec.target_groups[*g].name) +
                                                " appears twice in one forward action");
                return;
              }
            groups.push_back({*g, weight});
          }
        },
        100);
    if (count == 0) diag.add(fc.pointer(), "needs at least one entry in \"TargetGroups\"");
    if (count > kMaxForwardGroups)
      fc.problem("TargetGroups", std::to_string(count) +
                                     " target groups; a forward action takes "
                                     "at most 5 (ecs-reference 9.5)");
    fc.object("TargetGroupStickinessConfig", [&](ObjectReader& s) {
      s.ignore({"DurationSeconds"});
      if (s.boolean("Enabled", false))
        s.problem("Enabled", "target group stickiness is not modelled by ecsim; use false");
      s.finish();
    });
    fc.finish();
    if (has_arn) {
      // AWS accepts both only when they name the same single group; ecsim asks for one.
      diag.add(a.pointer(), "give either TargetGroupArn or ForwardConfig, not both");
      l.forward.clear();
    } else {
      l.forward = std::move(groups);
    }
  });
  if (!has_arn && !has_config)
    diag.add(a.pointer(), "a forward action needs \"TargetGroupArn\" or \"ForwardConfig\"");
}

ListenerSpec read_listener(ObjectReader& r, const LoadBalancingSpec& spec) {
  ListenerSpec l;
  l.pointer = r.pointer();
  l.port = static_cast<int>(r.required_integer("Port", 1, 65535));
  l.protocol = r.enumeration("Protocol", "HTTP", {"HTTP", "HTTPS"});
  l.test_listener = r.boolean("testListener", false);
  r.ignore({"Certificates", "SslPolicy", "AlpnPolicy", "Tags", "MutualAuthentication",
            "LoadBalancerArn"});
  std::size_t actions = 0;
  if (!r.has("DefaultActions"))
    r.diagnostics().add(r.pointer(),
                        "is missing required key \"DefaultActions\" (an array with "
                        "one forward action)");
  r.objects(
      "DefaultActions",
      [&](ObjectReader& a) {
        ++actions;
        const std::string type = a.required_string("Type");
        if (type == "forward") {
          read_forward_action(a, l, spec);
        } else if (!type.empty()) {
          static const std::vector<std::string> types = {
              "forward", "redirect", "fixed-response", "authenticate-oidc", "authenticate-cognito"};
          if (std::find(types.begin(), types.end(), type) == types.end()) {
            std::string msg =
                quote(type) + " is not an action type; expected " + join_quoted(types);
            if (auto near = detail::closest_match(type, types); !near.empty())
              msg += "; did you mean " + quote(near) + "?";
            a.problem("Type", msg);
          } else {
            a.problem("Type", quote(type) + " actions are not modelled by ecsim; use \"forward\"");
          }
          a.raw_items();  // one problem is enough: the action's other keys are not checked
        }
        a.finish();
      },
      10);
  if (actions > 1)
    r.problem("DefaultActions",
              "ecsim models one forward action per listener; found " + std::to_string(actions));
  return l;
}

LoadBalancerSpec read_load_balancer(ObjectReader& r, const LoadBalancingSpec& spec) {
  LoadBalancerSpec lb;
  lb.pointer = r.pointer();
  lb.name = read_elb_name(r, "load balancer");
  r.enumeration("Type", "application", {"application"});
  r.enumeration("Scheme", "internet-facing", {"internet-facing", "internal"});
  r.ignore({"Subnets", "SubnetMappings", "SecurityGroups", "Tags", "IpAddressType",
            "CustomerOwnedIpv4Pool", "EnablePrefixForIpv6SourceNat", "IpamPools"});
  read_load_balancer_attributes(r, lb);
  std::set<int> ports;
  r.objects(
      "Listeners",
      [&](ObjectReader& l) {
        ListenerSpec listener = read_listener(l, spec);
        l.finish();
        if (!ports.insert(listener.port).second)
          l.problem("Port", "port " + std::to_string(listener.port) +
                                " is already taken by another listener of this load balancer");
        lb.listeners.push_back(std::move(listener));
      },
      50);
  if (lb.listeners.empty() && r.valid())
    r.diagnostics().add(r.pointer(),
                        "has no \"Listeners\"; a load balancer needs at least one to "
                        "receive traffic");
  r.finish();
  return lb;
}

// ---- Traffic --------------------------------------------------------------------------------

// Resolves `text` under `base_dir`, refusing anything that leaves it (`..`, absolute paths
// elsewhere, symbolic links pointing out) unless `allow_outside`.
std::optional<std::filesystem::path> resolve_inside(const std::filesystem::path& base_dir,
                                                    const std::string& text, std::string& why,
                                                    bool allow_outside) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::absolute(base_dir, ec), ec);
  if (ec) {
    why = "the scenario's folder cannot be resolved";
    return std::nullopt;
  }
  const fs::path given(text);
  const fs::path full = fs::weakly_canonical(given.is_absolute() ? given : base / given, ec);
  if (ec) {
    why = "cannot be resolved (" + ec.message() + ")";
    return std::nullopt;
  }
  if (allow_outside) return full;
  const fs::path rel = full.lexically_relative(base);
  if (rel.empty() || rel == "." || *rel.begin() == "..") {
    why =
        "leaves the scenario's folder; name a file inside it, relative to the scenario file (or "
        "allow paths outside it: ecsim run --allow-paths-outside-scenario-dir)";
    return std::nullopt;
  }
  return full;
}

// A CSV time: seconds as a number, or a duration string ("5m").
std::optional<Duration> csv_time(std::string_view field) {
  if (auto s = parse_double(field)) return duration_from_seconds(*s);
  auto d = parse_duration(trim(field));
  if (!d) return std::nullopt;
  return *d;
}

std::vector<RatePoint> read_rate_csv(const std::filesystem::path& base_dir, const std::string& path,
                                     const std::string& pointer, Diagnostics& diag,
                                     bool allow_outside) {
  namespace fs = std::filesystem;
  std::string why;
  const auto full = resolve_inside(base_dir, path, why, allow_outside);
  if (!full) {
    diag.add(pointer, quote(path) + " " + why);
    return {};
  }
  std::error_code ec;
  if (!fs::is_regular_file(*full, ec)) {
    diag.add(pointer, quote(path) +
                          (fs::exists(*full, ec) ? " is not a regular file" : " does not exist") +
                          "; expected a CSV file of time,rate lines next to the scenario");
    return {};
  }
  const auto size = fs::file_size(*full, ec);
  if (ec || size > kMaxCsvBytes) {
    diag.add(pointer, quote(path) + " is larger than 16 MiB; thin it out");
    return {};
  }
  std::ifstream in(*full, std::ios::binary);
  if (!in) {
    diag.add(pointer, quote(path) + " cannot be read");
    return {};
  }
  std::vector<RatePoint> points;
  std::string line;
  std::size_t line_no = 0, problems = 0;
  bool first_content = true;
  auto fail = [&](const std::string& message) {
    if (problems++ < kMaxCsvProblems)
      diag.add(pointer, path + " line " + std::to_string(line_no) + ": " + message);
  };
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const bool may_be_header = first_content;
    first_content = false;
    const auto comma = text.find(',');
    if (comma == std::string_view::npos || text.find(',', comma + 1) != std::string_view::npos) {
      if (!may_be_header) fail("expected two fields, time,rate");
      continue;
    }
    const auto t = csv_time(text.substr(0, comma));
    const auto rate = parse_double(text.substr(comma + 1));
    if (may_be_header && !t && !rate) continue;  // a header line such as "time,rate"
    if (!t) {
      fail("time " + quote(trim(text.substr(0, comma))) +
           " is not a time; expected seconds (e.g. 90) or a duration (e.g. \"1m30s\")");
      continue;
    }
    if (!rate || *rate < 0 || *rate > kMaxRate) {
      fail("rate " + quote(trim(text.substr(comma + 1))) +
           " is not a rate; expected requests per second from 0 to 1e7");
      continue;
    }
    if (!points.empty() && *t <= points.back().at) {
      fail("time " + format_duration(*t) + " is not after the previous line's " +
           format_duration(points.back().at) + "; times must increase");
      continue;
    }
    if (points.size() >= kMaxCsvRows) {
      fail("more than 1,000,000 rows");
      break;
    }
    points.push_back({*t, *rate});
  }
  if (problems > kMaxCsvProblems)
    diag.add(pointer, path + ": " + std::to_string(problems - kMaxCsvProblems) + " more problems");
  if (problems == 0 && points.empty()) diag.add(pointer, quote(path) + " has no time,rate lines");
  return points;
}

std::vector<RatePoint> read_steps(ObjectReader& r) {
  std::vector<RatePoint> steps;
  if (!r.has("steps"))
    r.diagnostics().add(r.pointer(), "is missing required key \"steps\" (an array of {at, rate})");
  r.objects(
      "steps",
      [&](ObjectReader& s) {
        RatePoint p;
        if (!s.has("at"))
          s.diagnostics().add(s.pointer(), "is missing required key \"at\" (a duration)");
        p.at = s.duration("at", Duration{0});
        p.rate = s.number("rate", 0, 0, kMaxRate);
        if (!s.has("rate"))
          s.diagnostics().add(s.pointer(),
                              "is missing required key \"rate\" (requests per second)");
        s.finish();
        if (!steps.empty() && p.at <= steps.back().at)
          s.problem("at", format_duration(p.at) + " is not after the previous step's " +
                              format_duration(steps.back().at) + "; steps must be in time order");
        else
          steps.push_back(p);
      },
      100000);
  return steps;
}

double required_rate(ObjectReader& r, std::string_view key, double min = 0) {
  if (!r.has(key)) {
    r.diagnostics().add(r.pointer(),
                        "is missing required key " + quote(key) + " (requests per second)");
    return min;
  }
  return r.number(key, min, min, kMaxRate);
}

Duration required_duration(ObjectReader& r, std::string_view key, Duration min) {
  if (!r.has(key)) {
    r.diagnostics().add(r.pointer(), "is missing required key " + quote(key) + " (a duration)");
    return min;
  }
  return r.duration(key, min, min);
}

TrafficPattern read_pattern(ObjectReader& r, const std::filesystem::path& base_dir,
                            bool allow_outside) {
  const std::string type =
      r.has("type")
          ? r.enumeration("type", "",
                          {"constant", "poisson", "ramp", "steps", "dailyCycle", "spike", "csv"})
          : r.required_string("type");
  TrafficPattern pattern = PoissonPattern{0};
  if (type.empty()) r.raw_items();  // without a type, the other keys cannot be judged
  if (type == "constant") {
    pattern = ConstantPattern{required_rate(r, "rate")};
  } else if (type == "poisson") {
    pattern = PoissonPattern{required_rate(r, "rate")};
  } else if (type == "ramp") {
    RampPattern p;
    p.from = required_rate(r, "from");
    p.to = required_rate(r, "to");
    p.start = r.duration("start", Duration{0});
    p.duration = required_duration(r, "duration", kMicrosecond);
    pattern = p;
  } else if (type == "steps") {
    pattern = StepsPattern{read_steps(r)};
  } else if (type == "dailyCycle") {
    DailyCyclePattern p;
    p.mean = required_rate(r, "mean");
    p.amplitude = r.number("amplitude", 0.5, 0, 1);
    p.period = r.duration("period", 24 * kHour, kSecond);
    p.peak_at = r.duration("peakAt", 12 * kHour);
    pattern = p;
  } else if (type == "spike") {
    SpikePattern p;
    p.base = required_rate(r, "base");
    p.peak = required_rate(r, "peak");
    p.at = required_duration(r, "at", Duration{0});
    p.duration = required_duration(r, "duration", kMicrosecond);
    pattern = p;
  } else if (type == "csv") {
    ReplayPattern p;
    p.path = r.required_string("path");
    p.linear = r.enumeration("interpolation", "step", {"step", "linear"}) == "linear";
    p.scale = r.number("scale", 1, 0, 1000);
    if (!p.path.empty())
      p.points =
          read_rate_csv(base_dir, p.path, r.pointer_to("path"), r.diagnostics(), allow_outside);
    pattern = std::move(p);
  }
  r.finish();
  return pattern;
}

TrafficSourceSpec read_traffic_source(ObjectReader& r, std::size_t index,
                                      const LoadBalancingSpec& spec,
                                      const std::filesystem::path& base_dir, bool allow_outside) {
  TrafficSourceSpec t;
  t.pointer = r.pointer();
  t.name = r.string("name", "traffic-" + std::to_string(index));
  if (t.name.empty()) r.problem("name", "is empty; expected a name for this traffic source");
  t.random_stream = r.string("randomStream", t.name);
  if (t.random_stream.empty())
    r.problem("randomStream",
              "is empty; expected a name (sources that share it draw the same "
              "arrivals and service times)");
  const std::string listener = r.required_string("listener");
  if (!listener.empty()) {
    if (auto found = spec.find_listener(listener)) {
      t.load_balancer = found->first;
      t.listener = found->second;
    } else {
      std::vector<std::string> names;
      for (const auto& lb : spec.load_balancers)
        for (const auto& l : lb.listeners)
          names.push_back(lb.name + ":" + std::to_string(l.port));
      std::string msg =
          "no listener " + quote(listener) + "; expected \"<load balancer Name>:<port>\"";
      if (auto near = detail::closest_match(listener, names); !near.empty())
        msg += "; did you mean " + quote(near) + "?";
      else if (!names.empty())
        msg += " such as " + quote(names.front());
      r.problem("listener", msg);
    }
  }
  if (!r.has("pattern"))
    r.diagnostics().add(r.pointer(), "is missing required key \"pattern\" (an object with a type)");
  r.object("pattern",
           [&](ObjectReader& p) { t.pattern = read_pattern(p, base_dir, allow_outside); });
  if (!r.has("request"))
    r.diagnostics().add(r.pointer(),
                        "is missing required key \"request\" (an object with a "
                        "serviceTime)");
  r.object("request", [&](ObjectReader& q) {
    if (auto d = detail::read_distribution(q, "serviceTime", true)) t.request.service_time = *d;
    t.request.cpu_units = q.integer("cpu", 256, 0, 1 << 20);
    q.finish();
  });
  t.start = r.duration("start", Duration{0});
  t.end = r.optional_duration("end");
  if (t.end && *t.end <= t.start)
    r.problem("end", "is not after \"start\" (" + format_duration(t.start) +
                         "); a source sends requests from start until end");
  r.finish();
  return t;
}

void check_unique_names(Diagnostics& diag, const LoadBalancingSpec& spec) {
  std::set<std::string> seen;
  for (const auto& g : spec.target_groups)
    if (!g.name.empty() && !seen.insert(g.name).second)
      diag.add(g.pointer + "/Name", "duplicate target group name " + quote(g.name));
  seen.clear();
  for (const auto& lb : spec.load_balancers)
    if (!lb.name.empty() && !seen.insert(lb.name).second)
      diag.add(lb.pointer + "/Name", "duplicate load balancer name " + quote(lb.name));
  seen.clear();
  for (const auto& t : spec.traffic)
    if (!seen.insert(t.name).second)
      diag.add(t.pointer + "/name", "duplicate traffic source name " + quote(t.name));
}

}  // namespace

namespace detail {

std::optional<Distribution> read_distribution(ObjectReader& parent, std::string_view key,
                                              bool required) {
  Diagnostics& diag = parent.diagnostics();
  const Json* v = parent.raw(key);
  if (v == nullptr) {
    if (required && parent.valid())
      diag.add(parent.pointer(), "is missing required key " + quote(key) +
                                     " (a duration or a distribution such as {\"type\": "
                                     "\"exponential\", \"mean\": \"50ms\"})");
    return std::nullopt;
  }
  if (v->is_string() || v->is_number()) {
    auto d = duration_from_json(*v);
    if (!d) {
      parent.problem(key, d.error());
      return std::nullopt;
    }
    return Distribution(ConstantDistribution{to_seconds(*d)});
  }
  if (!v->is_object()) {
    parent.problem(key, "is " + json_type_name(*v) +
                            "; expected a duration or an object such as {\"type\": "
                            "\"exponential\", \"mean\": \"50ms\"}");
    return std::nullopt;
  }
  ObjectReader r(*v, parent.pointer_to(key), diag);
  const std::size_t before = diag.problems().size();
  const std::string type = r.has("type")
                               ? r.enumeration("type", "",
                                               {"constant", "uniform", "exponential", "normal",
                                                "lognormal", "gamma", "erlang", "empirical"})
                               : r.required_string("type");
  auto secs = [&](std::string_view k, Duration min) {
    return to_seconds(required_duration(r, k, min));
  };
  std::optional<Distribution::Variant> variant;
  if (type.empty()) r.raw_items();  // without a type, the other keys cannot be judged
  if (type == "constant") {
    variant = ConstantDistribution{secs("value", Duration{0})};
  } else if (type == "uniform") {
    const double low = secs("low", Duration{0});
    const double high = secs("high", Duration{0});
    if (low > high) r.problem("high", "is below \"low\"; expected low <= high");
    variant = UniformDistribution{low, high};
  } else if (type == "exponential") {
    variant = ExponentialDistribution{1.0 / secs("mean", kMicrosecond)};
  } else if (type == "normal") {
    variant = NormalDistribution{secs("mean", Duration{0}), secs("stddev", Duration{0})};
  } else if (type == "lognormal") {
    const double mean = secs("mean", kMicrosecond);
    double cv = 1;
    if (!r.has("cv"))
      diag.add(r.pointer(),
               "is missing required key \"cv\" (the coefficient of variation, "
               "stddev / mean, e.g. 1.0)");
    else
      cv = r.number("cv", 1, 0, 100);
    variant = lognormal_from_mean_cv(mean, cv);
  } else if (type == "gamma") {
    const double mean = secs("mean", kMicrosecond);
    const double shape = r.number("shape", 1, 1e-3, 1e6);
    if (!r.has("shape")) diag.add(r.pointer(), "is missing required key \"shape\" (a number > 0)");
    variant = GammaDistribution{shape, mean / shape};
  } else if (type == "erlang") {
    const double mean = secs("mean", kMicrosecond);
    const auto k = r.integer("k", 1, 1, 1000);
    if (!r.has("k")) diag.add(r.pointer(), "is missing required key \"k\" (phases, 1 to 1000)");
    variant = ErlangDistribution{static_cast<int>(k), static_cast<double>(k) / mean};
  } else if (type == "empirical") {
    std::vector<EmpiricalDistribution::Point> points;
    if (!r.has("cdf"))
      diag.add(r.pointer(),
               "is missing required key \"cdf\" (an array of [duration, "
               "cumulativeProbability] pairs)");
    r.array(
        "cdf",
        [&](const Json& e, const std::string& ptr) {
          if (!e.is_array() || e.size() != 2 || !e[1].is_number()) {
            diag.add(ptr, "is " + json_excerpt(e) + "; expected [duration, cumulativeProbability]");
            return;
          }
          auto d = duration_from_json(e[0]);
          if (!d) {
            diag.add(ptr + "/0", d.error());
            return;
          }
          points.push_back({to_seconds(*d), e[1].get<double>()});
        },
        10000);
    if (diag.problems().size() == before) {
      auto made = EmpiricalDistribution::from_cdf(std::move(points));
      if (!made)
        r.problem("cdf", made.error());
      else
        variant = std::move(made).value();
    }
  }
  r.finish();
  if (!variant || diag.problems().size() != before) return std::nullopt;
  auto checked = Distribution::checked(std::move(*variant));
  if (!checked) {
    diag.add(r.pointer(), checked.error());
    return std::nullopt;
  }
  return std::move(checked).value();
}

ApplicationModel read_application_model(ObjectReader& r, ApplicationModel defaults) {
  ApplicationModel a = std::move(defaults);
  a.workers = static_cast<int>(r.integer("workers", a.workers, 1, 100000));
  a.queue_limit = static_cast<int>(r.integer("queueLimit", a.queue_limit, 0, 10'000'000));
  if (auto t = r.optional_duration("queueTimeout", kMicrosecond, kHour)) a.queue_timeout = *t;
  a.unhealthy_response_code =
      static_cast<int>(r.integer("unhealthyResponseCode", a.unhealthy_response_code, 400, 599));
  a.health_check_service_time =
      r.duration("healthCheckServiceTime", a.health_check_service_time, Duration{0}, kMinute);
  a.base_memory_mib = r.number("baseMemoryMiB", a.base_memory_mib, 0, 1 << 22);
  a.memory_per_request_mib = r.number("memoryPerRequestMiB", a.memory_per_request_mib, 0, 1 << 20);
  a.error_rate = r.number("errorRate", a.error_rate, 0, 1);
  r.finish();
  return a;
}

LoadBalancingSpec parse_load_balancing(ObjectReader& root, const std::filesystem::path& base_dir,
                                       bool allow_outside) {
  LoadBalancingSpec spec;
  root.objects(
      "targetGroups", [&](ObjectReader& r) { spec.target_groups.push_back(read_target_group(r)); },
      1000);
  root.objects(
      "loadBalancers",
      [&](ObjectReader& r) { spec.load_balancers.push_back(read_load_balancer(r, spec)); }, 100);
  std::size_t index = 0;
  root.objects(
      "traffic",
      [&](ObjectReader& r) {
        spec.traffic.push_back(read_traffic_source(r, index++, spec, base_dir, allow_outside));
      },
      1000);
  check_unique_names(root.diagnostics(), spec);
  return spec;
}

}  // namespace detail

std::optional<std::size_t> LoadBalancingSpec::find_target_group(std::string_view ref) const {
  // An ARN names the group in its resource part: ...:targetgroup/<name>/<id>.
  if (ref.starts_with("arn:")) {
    constexpr std::string_view kMarker = ":targetgroup/";
    const auto at = ref.find(kMarker);
    if (at == std::string_view::npos) return std::nullopt;
    ref.remove_prefix(at + kMarker.size());
    ref = ref.substr(0, ref.find('/'));
  }
  for (std::size_t i = 0; i < target_groups.size(); ++i)
    if (target_groups[i].name == ref) return i;
  return std::nullopt;
}

std::optional<std::pair<std::size_t, std::size_t>> LoadBalancingSpec::find_listener(
    std::string_view ref) const {
  const auto colon = ref.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto port = parse_whole(ref.substr(colon + 1));
  if (!port) return std::nullopt;
  const std::string_view name = ref.substr(0, colon);
  for (std::size_t i = 0; i < load_balancers.size(); ++i) {
    if (load_balancers[i].name != name) continue;
    for (std::size_t j = 0; j < load_balancers[i].listeners.size(); ++j)
      if (load_balancers[i].listeners[j].port == *port) return std::pair{i, j};
  }
  return std::nullopt;
}

std::optional<std::size_t> LoadBalancingSpec::find_traffic_source(std::string_view name) const {
  for (std::size_t i = 0; i < traffic.size(); ++i)
    if (traffic[i].name == name) return i;
  return std::nullopt;
}

bool HealthCheckSpec::matches(int code) const {
  return std::any_of(matcher.begin(), matcher.end(),
                     [code](const HttpCodeRange& r) { return code >= r.low && code <= r.high; });
}

std::string_view to_string(RoutingAlgorithm algorithm) {
  switch (algorithm) {
    case RoutingAlgorithm::kRoundRobin:
      return "round_robin";
    case RoutingAlgorithm::kLeastOutstandingRequests:
      return "least_outstanding_requests";
    case RoutingAlgorithm::kWeightedRandom:
      return "weighted_random";
  }
  return "round_robin";
}

LoadBalancingSpec load_balancing_from_json(const nlohmann::json& document,
                                           const std::filesystem::path& base_dir) {
  Diagnostics diag;
  detail::ObjectReader root(document, "", diag);
  LoadBalancingSpec spec = detail::parse_load_balancing(root, base_dir);
  diag.throw_if_any();
  return spec;
}

}  // namespace ecsim
