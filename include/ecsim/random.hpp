// Random numbers: one seeded generator type, named independent streams, and the distributions
// ecsim samples from.
//
// What it guarantees:
// * Rng is xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it/xoshiro256starstar.c) with its
//   256-bit state filled from a 64-bit seed by splitmix64, as its authors recommend. Its u64 output
//   is fixed by the algorithm, so it is identical on every platform and compiler.
// * RandomStreams derives each stream from (root seed, name[, index]) alone. Adding a consumer, or
//   drawing more from one stream, never shifts any other stream; two scenario variants run with the
//   same root seed see the same numbers under the same name (common random numbers).
// * Every distribution is implemented here, never with std::*_distribution, whose output differs
//   between standard libraries. uniform01, uniform_real, uniform_int/uniform_uint, bernoulli and
//   EmpiricalDistribution use only exact integer and IEEE +,-,*,/ arithmetic, so they are
//   bit-identical everywhere. The others also call std::log, log1p, exp, sqrt or pow; they are
//   bit-identical wherever the C math library is the same (tests pin glibc's results).
// * No distribution keeps hidden state between calls (the polar normal method discards its second
//   variate), so a draw depends only on the generator state it is given.
//
// Every call is O(1) expected time except erlang (O(k)) and EmpiricalDistribution (O(log points)).
// Parameters are preconditions of the free functions (they sit on hot paths and do not check);
// Distribution::checked and the EmpiricalDistribution factories validate and report failures.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ecsim/result.hpp"
#include "ecsim/time.hpp"

namespace ecsim {

namespace detail {

inline constexpr std::uint64_t kSplitMix64Gamma = 0x9e3779b97f4a7c15ULL;

// The splitmix64 output function (Steele, Lea & Flood; constants from Vigna's splitmix64.c). A
// bijection on 64 bits with full avalanche, so it also serves as the mixer for stream derivation.
constexpr std::uint64_t splitmix64_mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// splitmix64 as a generator (https://prng.di.unimi.it/splitmix64.c). Used only to expand seeds.
class SplitMix64 {
 public:
  explicit constexpr SplitMix64(std::uint64_t seed) : state_(seed) {}
  constexpr std::uint64_t next() {
    state_ += kSplitMix64Gamma;
    return splitmix64_mix(state_);
  }

 private:
  std::uint64_t state_;
};

inline constexpr std::uint64_t kFnv1a64OffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t kFnv1a64Prime = 0x100000001b3ULL;

// 64-bit FNV-1a over the bytes of `bytes`, continuing from `hash` so keys can be built in parts.
constexpr std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash = kFnv1a64OffsetBasis) {
  for (const char c : bytes) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= kFnv1a64Prime;
  }
  return hash;
}

}  // namespace detail

// xoshiro256**: 256 bits of state, period 2^256 - 1, passes BigCrush. Satisfies
// std::uniform_random_bit_generator, so it can drive std::shuffle-like algorithms that are fully
// specified (not std::shuffle itself, whose use of the generator is unspecified).
class Rng {
 public:
  using result_type = std::uint64_t;
  using State = std::array<std::uint64_t, 4>;

  // Fills the state with four consecutive splitmix64 outputs of `seed`. splitmix64's output
  // function is a bijection and the four inputs differ, so at most one word can be zero and the
  // forbidden all-zero state cannot occur.
  explicit Rng(std::uint64_t seed);

  // Starts from an explicit state (reference-vector tests, checkpoints). It must not be all zero:
  // xoshiro would then output zeros forever.
  static Rng from_state(const State& state) { return Rng(state); }
  const State& state() const { return s_; }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  result_type operator()() { return next_u64(); }
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  friend bool operator==(const Rng&, const Rng&) = default;

 private:
  explicit Rng(const State& state) : s_(state) {}
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  State s_;
};

// Independent generators derived from one root seed per run.
//
// Derivation (pinned by golden tests; changing it changes every simulation result):
//   key(name)        = FNV-1a-64(bytes of name)
//   key(name, index) = FNV-1a-64(bytes of name, then 0xFF, then index as 8 little-endian bytes)
//   seed             = splitmix64_mix(splitmix64_mix(root_seed) XOR key)
//   stream           = Rng(seed)
// 0xFF never occurs in UTF-8, so an indexed key cannot equal the key of any textual name. Two
// streams coincide only if their 64-bit keys collide.
class RandomStreams {
 public:
  explicit RandomStreams(std::uint64_t root_seed) : root_seed_(root_seed) {}

  std::uint64_t root_seed() const { return root_seed_; }

  // The stream for one named consumer, e.g. "placement" or "health-checks".
  Rng stream(std::string_view name) const { return Rng(stream_seed(name)); }
  // The stream for entity `index` of a family, e.g. ("traffic", 3).
  Rng stream(std::string_view name, std::uint64_t index) const {
    return Rng(stream_seed(name, index));
  }

  std::uint64_t stream_seed(std::string_view name) const;
  std::uint64_t stream_seed(std::string_view name, std::uint64_t index) const;

 private:
  std::uint64_t root_seed_;
};

// ---- Distributions as free functions ------------------------------------------------------------

// Uniform on [0, 1) with 53 random bits: every multiple of 2^-53 in the interval, equally likely.
inline double uniform01(Rng& rng) {
  return static_cast<double>(rng.next_u64() >> 11) * 0x1.0p-53;
}

// a + (b - a) * uniform01: in [a, b), except that rounding can occasionally produce b itself.
double uniform_real(Rng& rng, double a, double b);

// Uniform on the inclusive range [lo, hi] (lo <= hi), without modulo bias: Lemire's
// multiply-and-reject ("Fast Random Integer Generation in an Interval", 2019). Consumes one draw
// except with probability (2^64 mod range) / 2^64 per attempt.
std::uint64_t uniform_uint(Rng& rng, std::uint64_t lo, std::uint64_t hi);
std::int64_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi);

// True with probability p (p <= 0: never; p >= 1: always).
bool bernoulli(Rng& rng, double p);

// Exponential with the given rate (mean 1/rate), by inversion: -log1p(-u) / rate. u is in [0, 1),
// so the logarithm's argument is never zero.
double exponential(Rng& rng, double rate);

// Normal by the Marsaglia polar method, returning one variate per call (the other is discarded so
// no state is cached).
double normal(Rng& rng, double mean, double stddev);

// exp(normal(mu, sigma)): mu and sigma are the parameters of the underlying normal.
double lognormal(Rng& rng, double mu, double sigma);

// Gamma with shape k > 0 and scale theta (mean k * theta) by Marsaglia & Tsang (2000); for
// shape < 1 it samples shape + 1 and multiplies by U^(1/shape), as the paper suggests.
double gamma(Rng& rng, double shape, double scale);

// Erlang-k with the given rate per phase (mean k / rate): the sum of k exponential draws.
double erlang(Rng& rng, int k, double rate);

// ---- Distributions as values --------------------------------------------------------------------
//
// Small value types that models hold ("the service-time distribution"). Each has sample(Rng&) and
// an analytic mean().

struct ConstantDistribution {
  double value = 0;
  double sample(Rng&) const { return value; }
  double mean() const { return value; }
  friend bool operator==(const ConstantDistribution&, const ConstantDistribution&) = default;
};

struct UniformDistribution {
  double low = 0;
  double high = 1;
  double sample(Rng& rng) const { return uniform_real(rng, low, high); }
  double mean() const { return low + (high - low) / 2; }
  friend bool operator==(const UniformDistribution&, const UniformDistribution&) = default;
};

struct ExponentialDistribution {
  double rate = 1;
  double sample(Rng& rng) const { return exponential(rng, rate); }
  double mean() const { return 1 / rate; }
  friend bool operator==(const ExponentialDistribution&, const ExponentialDistribution&) = default;
};

// mu is the mean and sigma the standard deviation.
struct NormalDistribution {
  double mu = 0;
  double sigma = 1;
  double sample(Rng& rng) const { return normal(rng, mu, sigma); }
  double mean() const { return mu; }
  friend bool operator==(const NormalDistribution&, const NormalDistribution&) = default;
};

// Parameterised by the underlying normal (mu, sigma); lognormal_from_mean_cv converts from the
// mean and coefficient of variation that people usually know.
struct LognormalDistribution {
  double mu = 0;
  double sigma = 1;
  double sample(Rng& rng) const { return lognormal(rng, mu, sigma); }
  double mean() const;
  friend bool operator==(const LognormalDistribution&, const LognormalDistribution&) = default;
};

// The lognormal with mean `mean` (> 0) and coefficient of variation `cv` (stddev / mean, >= 0):
// sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2.
LognormalDistribution lognormal_from_mean_cv(double mean, double cv);

struct GammaDistribution {
  double shape = 1;
  double scale = 1;
  double sample(Rng& rng) const { return gamma(rng, shape, scale); }
  double mean() const { return shape * scale; }
  friend bool operator==(const GammaDistribution&, const GammaDistribution&) = default;
};

struct ErlangDistribution {
  int k = 1;
  double rate = 1;
  double sample(Rng& rng) const { return erlang(rng, k, rate); }
  double mean() const { return k / rate; }
  friend bool operator==(const ErlangDistribution&, const ErlangDistribution&) = default;
};

// A distribution given by a table, sampled by inverse CDF with linear interpolation.
//
// The table is points (x_i, F_i) with x non-decreasing, F non-decreasing in [0, 1] and the last
// F equal to 1. The first point is an atom: P(X = x_0) = F_0. Between consecutive points the
// probability F_i - F_{i-1} is spread uniformly over [x_{i-1}, x_i] (the CDF is piecewise
// linear). A table whose first F is 0 is therefore fully continuous.
//
// from_weights builds the same thing from (x_i, w_i): F_i = (w_0 + ... + w_i) / sum(w), so w_i
// is the relative probability of the segment ending at x_i (and w_0 that of the atom at x_0).
class EmpiricalDistribution {
 public:
  struct Point {
    double value;
    double cumulative_probability;
    friend bool operator==(const Point&, const Point&) = default;
  };
  struct WeightedValue {
    double value;
    double weight;
  };

  // Fails, saying which point is wrong and why, unless: at least one point; all numbers finite;
  // values non-decreasing; probabilities in [0, 1] and non-decreasing; the last within 1e-9 of 1
  // (it is then set to exactly 1, so tables typed with rounded decimals are accepted).
  static Result<EmpiricalDistribution> from_cdf(std::vector<Point> points);
  // Fails unless: at least one point; all numbers finite; values non-decreasing; weights >= 0
  // with a positive sum.
  static Result<EmpiricalDistribution> from_weights(const std::vector<WeightedValue>& points);

  double sample(Rng& rng) const { return quantile(uniform01(rng)); }
  // The inverse CDF at u in [0, 1): the smallest x with F(x) > u, interpolated within its segment.
  double quantile(double u) const;
  double mean() const { return mean_; }
  const std::vector<Point>& points() const { return points_; }

  friend bool operator==(const EmpiricalDistribution&, const EmpiricalDistribution&) = default;

 private:
  explicit EmpiricalDistribution(std::vector<Point> points);

  std::vector<Point> points_;
  double mean_ = 0;
};

namespace detail {
template <class D, class Variant>
concept ConstructsVariant = std::is_constructible_v<Variant, D>;
}  // namespace detail

// Any of the above, as one value: "the service-time distribution" of a model.
class Distribution {
 public:
  using Variant = std::variant<ConstantDistribution, UniformDistribution, ExponentialDistribution,
                               NormalDistribution, LognormalDistribution, GammaDistribution,
                               ErlangDistribution, EmpiricalDistribution>;

  // Constant 0.
  Distribution() = default;

  // Implicit from any alternative so models can write
  // `Distribution d = ExponentialDistribution{2};`. Unchecked: code that builds distributions from
  // user input should use checked(). (No alternative is constructible from a Distribution, so this
  // never competes with the copy and move constructors.)
  template <detail::ConstructsVariant<Variant> D>
  Distribution(D&& d) : variant_(std::forward<D>(d)) {}  // NOLINT: implicit by design

  // Validates the parameters (finite; uniform low <= high; rate, shape, scale > 0; stddev and
  // sigma >= 0; erlang k >= 1) and names the first one that is wrong.
  static Result<Distribution> checked(Variant variant);

  double sample(Rng& rng) const;

  // A sample read as a multiple of `unit` (seconds by default), rounded to the nearest
  // microsecond. Negative samples (a normal's tail) become zero and samples above
  // kMaxScenarioDuration become that maximum, so the mean of sample_duration can exceed mean()
  // for distributions with negative support.
  Duration sample_duration(Rng& rng, Duration unit = kSecond) const;

  // The analytic mean of the untruncated distribution.
  double mean() const;

  // "constant", "uniform", "exponential", "normal", "lognormal", "gamma", "erlang", "empirical".
  std::string_view kind() const;

  const Variant& variant() const { return variant_; }

  friend bool operator==(const Distribution&, const Distribution&) = default;

 private:
  Variant variant_;
};

}  // namespace ecsim
