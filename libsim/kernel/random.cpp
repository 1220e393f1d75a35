#include "ecsim/random.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

// Clang contracts a * b + c into a fused multiply-add by default where the target has one (e.g.
// arm64), which changes the last bit of results; GCC in ISO mode does not. Keep every operation
// separately rounded so the golden values hold on every compiler.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace ecsim {
namespace {

// Lemire's nearly divisionless method: the high 64 bits of x * range are uniform on [0, range)
// once the low 64 bits are outside the short, over-represented zone [0, 2^64 mod range).
std::uint64_t bounded_u64(Rng& rng, std::uint64_t range) {
  __uint128_t m = static_cast<__uint128_t>(rng.next_u64()) * range;
  auto low = static_cast<std::uint64_t>(m);
  if (low < range) {
    const std::uint64_t threshold = (0 - range) % range;  // 2^64 mod range
    while (low < threshold) {
      m = static_cast<__uint128_t>(rng.next_u64()) * range;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

// Offset in [0, span] where span = hi - lo as an unsigned difference; span = 2^64 - 1 is the
// whole 64-bit range, which has no rejection zone at all.
std::uint64_t offset_up_to(Rng& rng, std::uint64_t span) {
  if (span == std::numeric_limits<std::uint64_t>::max()) return rng.next_u64();
  return bounded_u64(rng, span + 1);
}

std::string format_number(double x) {
  std::ostringstream out;
  out.precision(17);
  out << x;
  return out.str();
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  detail::SplitMix64 expand(seed);
  for (auto& word : s_)
    word = expand.next();
}

std::uint64_t RandomStreams::stream_seed(std::string_view name) const {
  const std::uint64_t key = detail::fnv1a64(name);
  return detail::splitmix64_mix(detail::splitmix64_mix(root_seed_) ^ key);
}

std::uint64_t RandomStreams::stream_seed(std::string_view name, std::uint64_t index) const {
  // name, then a 0xFF separator, then the index as 8 little-endian bytes (explicitly, so the key
  // does not depend on the host's byte order).
  char suffix[9];
  suffix[0] = static_cast<char>(0xff);
  for (int i = 0; i < 8; ++i)
    suffix[1 + i] = static_cast<char>((index >> (8 * i)) & 0xff);
  const std::uint64_t key =
      detail::fnv1a64(std::string_view(suffix, sizeof suffix), detail::fnv1a64(name));
  return detail::splitmix64_mix(detail::splitmix64_mix(root_seed_) ^ key);
}

double uniform_real(Rng& rng, double a, double b) {
  return a + (b - a) * uniform01(rng);
}

std::uint64_t uniform_uint(Rng& rng, std::uint64_t lo, std::uint64_t hi) {
  return lo + offset_up_to(rng, hi - lo);
}

std::int64_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi) {
  // Work in unsigned arithmetic, where hi - lo cannot overflow; the conversion back is modular
  // (well defined since C++20).
  const auto ulo = static_cast<std::uint64_t>(lo);
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - ulo;
  return static_cast<std::int64_t>(ulo + offset_up_to(rng, span));
}

bool bernoulli(Rng& rng, double p) {
  return uniform01(rng) < p;
}

double exponential(Rng& rng, double rate) {
  return -std::log1p(-uniform01(rng)) / rate;
}

double normal(Rng& rng, double mean, double stddev) {
  double u = 0;
  double s = 0;
  do {
    u = 2 * uniform01(rng) - 1;
    const double v = 2 * uniform01(rng) - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  return mean + stddev * (u * std::sqrt(-2 * std::log(s) / s));
}

double lognormal(Rng& rng, double mu, double sigma) {
  return std::exp(normal(rng, mu, sigma));
}

double gamma(Rng& rng, double shape, double scale) {
  if (shape < 1) {
    // If G ~ Gamma(shape + 1) and U ~ U(0,1] then G * U^(1/shape) ~ Gamma(shape). U excludes 0
    // so the power is positive.
    const double g = gamma(rng, shape + 1, 1);
    const double u = 1 - uniform01(rng);
    return scale * (g * std::pow(u, 1 / shape));
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x = 0;
    double v = 0;
    do {
      x = normal(rng, 0, 1);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform01(rng);
    const double x2 = x * x;
    // The cheap squeeze accepts about 98% of candidates before the logarithms are needed.
    if (u < 1 - 0.0331 * (x2 * x2)) return scale * (d * v);
    if (std::log(u) < 0.5 * x2 + d * (1 - v + std::log(v))) return scale * (d * v);
  }
}

double erlang(Rng& rng, int k, double rate) {
  // Sum the -log1p(-u) terms rather than taking the log of a product of uniforms, which
  // underflows for large k.
  double sum = 0;
  for (int i = 0; i < k; ++i)
    sum += -std::log1p(-uniform01(rng));
  return sum / rate;
}

double LognormalDistribution::mean() const {
  return std::exp(mu + sigma * sigma / 2);
}

LognormalDistribution lognormal_from_mean_cv(double mean, double cv) {
  const double sigma2 = std::log1p(cv * cv);
  return LognormalDistribution{std::log(mean) - sigma2 / 2, std::sqrt(sigma2)};
}

// ---- EmpiricalDistribution --------------------------------------------------------------------

EmpiricalDistribution::EmpiricalDistribution(std::vector<Point> points)
    : points_(std::move(points)) {
  // The atom at x_0 plus, for each segment, its probability times its midpoint.
  mean_ = points_.front().cumulative_probability * points_.front().value;
  for (std::size_t i = 1; i < points_.size(); ++i) {
    const Point& lo = points_[i - 1];
    const Point& hi = points_[i];
    mean_ += (hi.cumulative_probability - lo.cumulative_probability) * (lo.value + hi.value) / 2;
  }
}

Result<EmpiricalDistribution> EmpiricalDistribution::from_cdf(std::vector<Point> points) {
  using R = Result<EmpiricalDistribution>;
  auto fail = [](std::size_t i, const std::string& why) {
    return R::failure("empirical distribution: point " + std::to_string(i) + ": " + why);
  };
  if (points.empty()) {
    return R::failure(
        "empirical distribution: no points; expected at least one (value, "
        "cumulative probability) point, the last with probability 1");
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    if (!std::isfinite(p.value)) return fail(i, "value is not a finite number");
    if (!std::isfinite(p.cumulative_probability) || p.cumulative_probability < 0 ||
        p.cumulative_probability > 1) {
      return fail(i, "cumulative probability " + format_number(p.cumulative_probability) +
                         " is outside [0, 1]");
    }
    if (i > 0 && p.value < points[i - 1].value) {
      return fail(i, "value " + format_number(p.value) + " is below the previous value " +
                         format_number(points[i - 1].value) + "; values must be non-decreasing");
    }
    if (i > 0 && p.cumulative_probability < points[i - 1].cumulative_probability) {
      return fail(i, "cumulative probability " + format_number(p.cumulative_probability) +
                         " is below the previous " +
                         format_number(points[i - 1].cumulative_probability) +
                         "; a CDF must be non-decreasing");
    }
  }
  const double last = points.back().cumulative_probability;
  if (std::abs(last - 1) > 1e-9) {
    return fail(points.size() - 1,
                "the last cumulative probability is " + format_number(last) + "; it must be 1");
  }
  points.back().cumulative_probability = 1;
  return EmpiricalDistribution(std::move(points));
}

Result<EmpiricalDistribution> EmpiricalDistribution::from_weights(
    const std::vector<WeightedValue>& points) {
  using R = Result<EmpiricalDistribution>;
  auto fail = [](std::size_t i, const std::string& why) {
    return R::failure("empirical distribution: point " + std::to_string(i) + ": " + why);
  };
  if (points.empty()) {
    return R::failure(
        "empirical distribution: no points; expected at least one (value, weight) point");
  }
  double total = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const WeightedValue& p = points[i];
    if (!std::isfinite(p.value)) return fail(i, "value is not a finite number");
    if (!std::isfinite(p.weight) || p.weight < 0) {
      return fail(i, "weight " + format_number(p.weight) + " is not a finite number >= 0");
    }
    if (i > 0 && p.value < points[i - 1].value) {
      return fail(i, "value " + format_number(p.value) + " is below the previous value " +
                         format_number(points[i - 1].value) + "; values must be non-decreasing");
    }
    total += p.weight;
  }
  if (!(total > 0) || !std::isfinite(total)) {
    return R::failure("empirical distribution: the weights sum to " + format_number(total) +
                      "; expected a finite positive sum");
  }
  std::vector<Point> cdf;
  cdf.reserve(points.size());
  double running = 0;
  for (const WeightedValue& p : points) {
    running += p.weight;
    cdf.push_back({p.value, running / total});
  }
  // The running sum repeats the additions that made `total`, so this is already exactly 1.
  cdf.back().cumulative_probability = 1;
  return EmpiricalDistribution(std::move(cdf));
}

double EmpiricalDistribution::quantile(double u) const {
  const auto hi = std::upper_bound(points_.begin(), points_.end(), u, [](double x, const Point& p) {
    return x < p.cumulative_probability;
  });
  if (hi == points_.end()) return points_.back().value;  // only for u >= 1
  if (hi == points_.begin()) return hi->value;           // inside the atom at x_0
  const auto lo = hi - 1;
  // hi's probability exceeds u and lo's does not, so the segment has positive probability.
  const double fraction =
      (u - lo->cumulative_probability) / (hi->cumulative_probability - lo->cumulative_probability);
  return lo->value + fraction * (hi->value - lo->value);
}

// ---- Distribution -----------------------------------------------------------------------------

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

Result<Distribution> Distribution::checked(Variant variant) {
  using R = Result<Distribution>;
  auto finite = [](double x) { return std::isfinite(x); };
  auto positive = [](double x) { return std::isfinite(x) && x > 0; };
  auto non_negative = [](double x) { return std::isfinite(x) && x >= 0; };
  auto bad = [](std::string_view what, double got, std::string_view expected) {
    return std::string(what) + " is " + format_number(got) + "; expected " + std::string(expected);
  };
  const std::string problem = std::visit(
      Overloaded{
          [&](const ConstantDistribution& d) {
            return finite(d.value) ? "" : bad("constant value", d.value, "a finite number");
          },
          [&](const UniformDistribution& d) -> std::string {
            if (!finite(d.low)) return bad("uniform low", d.low, "a finite number");
            if (!finite(d.high)) return bad("uniform high", d.high, "a finite number");
            if (d.low > d.high) return bad("uniform low", d.low, "low <= high");
            return "";
          },
          [&](const ExponentialDistribution& d) {
            return positive(d.rate) ? "" : bad("exponential rate", d.rate, "a number > 0");
          },
          [&](const NormalDistribution& d) -> std::string {
            if (!finite(d.mu)) return bad("normal mu", d.mu, "a finite number");
            if (!non_negative(d.sigma)) return bad("normal sigma", d.sigma, "a number >= 0");
            return "";
          },
          [&](const LognormalDistribution& d) -> std::string {
            if (!finite(d.mu)) return bad("lognormal mu", d.mu, "a finite number");
            if (!non_negative(d.sigma)) return bad("lognormal sigma", d.sigma, "a number >= 0");
            return "";
          },
          [&](const GammaDistribution& d) -> std::string {
            if (!positive(d.shape)) return bad("gamma shape", d.shape, "a number > 0");
            if (!positive(d.scale)) return bad("gamma scale", d.scale, "a number > 0");
            return "";
          },
          [&](const ErlangDistribution& d) -> std::string {
            if (d.k < 1) return bad("erlang k", d.k, "an integer >= 1");
            if (!positive(d.rate)) return bad("erlang rate", d.rate, "a number > 0");
            return "";
          },
          // Its factories have already validated it.
          [](const EmpiricalDistribution&) { return std::string(); },
      },
      variant);
  if (!problem.empty()) return R::failure(problem);
  return Distribution(std::move(variant));
}

double Distribution::sample(Rng& rng) const {
  return std::visit([&rng](const auto& d) { return d.sample(rng); }, variant_);
}

Duration Distribution::sample_duration(Rng& rng, Duration unit) const {
  const double micros = sample(rng) * static_cast<double>(unit.count());
  if (!(micros > 0)) return Duration::zero();  // negative, zero or NaN
  if (micros >= static_cast<double>(kMaxScenarioDuration.count())) return kMaxScenarioDuration;
  return Duration{static_cast<std::int64_t>(std::round(micros))};
}

double Distribution::mean() const {
  return std::visit([](const auto& d) { return d.mean(); }, variant_);
}

std::string_view Distribution::kind() const {
  static constexpr std::string_view kNames[] = {"constant",  "uniform", "exponential", "normal",
                                                "lognormal", "gamma",   "erlang",      "empirical"};
  static_assert(std::size(kNames) == std::variant_size_v<Variant>);
  return kNames[variant_.index()];
}

}  // namespace ecsim
