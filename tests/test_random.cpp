// Tests for ecsim/random.hpp: reference vectors, golden values, statistics and stream rules.
//
// Statistical checks use fixed seeds, so they are deterministic; the thresholds (5 standard
// errors, p = 1e-6 chi-square, p = 0.001 Kolmogorov-Smirnov) are loose enough for any correct
// implementation and tight enough that the wrong-algorithm controls below fail them.
#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/random.hpp"

using namespace ecsim;

namespace {

// ---- Independent reference implementations, transcribed from the authors' published C code ----

// https://prng.di.unimi.it/splitmix64.c (Sebastiano Vigna, 2015, public domain).
struct RefSplitMix64 {
  std::uint64_t x;
  std::uint64_t next() {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }
};

// https://prng.di.unimi.it/xoshiro256starstar.c (David Blackman and Sebastiano Vigna, 2018,
// public domain), seeded as its header comment recommends: the state from a splitmix64 generator.
struct RefXoshiro256StarStar {
  std::uint64_t s[4];
  static std::uint64_t rotl(const std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  static RefXoshiro256StarStar seeded(std::uint64_t seed) {
    RefSplitMix64 sm{seed};
    RefXoshiro256StarStar r{};
    for (auto& w : r.s)
      w = sm.next();
    return r;
  }
};

// FNV-1a 64 from the FNV specification (http://www.isthe.com/chongo/tech/comp/fnv/).
std::uint64_t ref_fnv1a64(const std::string& bytes) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint64_t bits(double x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Sample moments over n draws.
struct Moments {
  double n = 0;
  double mean = 0;
  double variance = 0;        // with n - 1
  double fourth_central = 0;  // m4, for the standard error of the variance
};

template <class Draw>
Moments moments(int n, Draw draw) {
  std::vector<double> xs(static_cast<std::size_t>(n));
  for (double& x : xs)
    x = draw();
  Moments m;
  m.n = n;
  for (double x : xs)
    m.mean += x;
  m.mean /= n;
  double m2 = 0;
  double m4 = 0;
  for (double x : xs) {
    const double d = x - m.mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m.variance = m2 / (n - 1);
  m.fourth_central = m4 / n;
  return m;
}

// Mean within 5 standard errors (sigma / sqrt(n)) of the analytic mean, and variance within 5
// standard errors of the analytic variance, with Var(s^2) ~ (m4 - s^4) / n estimated from the
// sample itself.
void check_moments(const Moments& m, double mean, double variance) {
  const double mean_se = std::sqrt(variance / m.n);
  const double var_se = std::sqrt((m.fourth_central - m.variance * m.variance) / m.n);
  INFO("sample mean " << m.mean << " vs " << mean << " (se " << mean_se << "); sample variance "
                      << m.variance << " vs " << variance << " (se " << var_se << ")");
  CHECK(std::abs(m.mean - mean) < 5 * mean_se);
  CHECK(std::abs(m.variance - variance) < 5 * var_se);
}

// Upper critical value of chi-square with `df` degrees of freedom at the standard-normal
// quantile z, by the Wilson-Hilferty approximation: df * (1 - 2/(9 df) + z sqrt(2/(9 df)))^3.
double chi_square_critical(int df, double z) {
  const double a = 2.0 / (9.0 * df);
  return df * std::pow(1 - a + z * std::sqrt(a), 3);
}
constexpr double kZ1e6 = 4.753;  // P(Z > 4.753) = 1e-6

double chi_square(const std::vector<double>& observed, const std::vector<double>& expected) {
  double sum = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double d = observed[i] - expected[i];
    sum += d * d / expected[i];
  }
  return sum;
}

// Kolmogorov-Smirnov statistic of sorted samples against a CDF.
template <class Cdf>
double ks_statistic(std::vector<double> xs, Cdf cdf) {
  std::sort(xs.begin(), xs.end());
  const double n = static_cast<double>(xs.size());
  double d = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double f = cdf(xs[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}
constexpr double kKsCritical001 = 1.9495;  // sqrt(n) * D at alpha = 0.001 (asymptotic)

constexpr int kDraws = 200'000;

}  // namespace

// ---- (1) reference outputs ---------------------------------------------------------------------

TEST_CASE("splitmix64 reproduces the published outputs for seeds 0 and 1234567") {
  // Seed 0: the first outputs of splitmix64.c as quoted by many ports. Seed 1234567: Rosetta Code,
  // "Pseudo-random numbers/Splitmix64".
  RefSplitMix64 ref0{0};
  CHECK(ref0.next() == 0xe220a8397b1dcdafULL);
  CHECK(ref0.next() == 0x6e789e6aa1b965f4ULL);
  CHECK(ref0.next() == 0x06c45d188009454fULL);
  RefSplitMix64 ref1{1234567};
  for (std::uint64_t e : {6457827717110365317ULL, 3203168211198807973ULL, 9817491932198370423ULL,
                          4593380528125082431ULL, 16408922859458223821ULL}) {
    CHECK(ref1.next() == e);
  }

  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1234567}, ~std::uint64_t{0}}) {
    RefSplitMix64 ref{seed};
    detail::SplitMix64 ours(seed);
    for (int i = 0; i < 1000; ++i)
      REQUIRE(ours.next() == ref.next());
  }
}

TEST_CASE("xoshiro256** reproduces the reference implementation (state {1,2,3,4} vector)") {
  // Produced with the authors' xoshiro256starstar.c from state {1, 2, 3, 4}; the same vector pins
  // the Rust rand_xoshiro crate's Xoshiro256StarStar (its `reference` test).
  const std::uint64_t expected[] = {11520ULL,
                                    0ULL,
                                    1509978240ULL,
                                    1215971899390074240ULL,
                                    1216172134540287360ULL,
                                    607988272756665600ULL,
                                    16172922978634559625ULL,
                                    8476171486693032832ULL,
                                    10595114339597558777ULL,
                                    2904607092377533576ULL};
  RefXoshiro256StarStar ref{{1, 2, 3, 4}};
  Rng ours = Rng::from_state({1, 2, 3, 4});
  for (std::uint64_t e : expected) {
    CHECK(ref.next() == e);
    CHECK(ours.next_u64() == e);
  }
}

TEST_CASE("Rng(seed) = xoshiro256** with the state from splitmix64(seed)") {
  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{42}, ~std::uint64_t{0}}) {
    auto ref = RefXoshiro256StarStar::seeded(seed);
    Rng ours(seed);
    for (int i = 0; i < 1000; ++i)
      REQUIRE(ours.next_u64() == ref.next());
  }
}

TEST_CASE("Rng is a UniformRandomBitGenerator over all 64 bits") {
  static_assert(std::uniform_random_bit_generator<Rng>);
  static_assert(Rng::min() == 0 && Rng::max() == ~std::uint64_t{0});
  Rng a(7);
  Rng b(7);
  CHECK(a() == b.next_u64());
  CHECK(a == b);
}

TEST_CASE("FNV-1a 64 reproduces the specification's test values") {
  CHECK(detail::fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(detail::fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(detail::fnv1a64("foobar") == 0x85944171f73967e8ULL);
  CHECK(detail::fnv1a64("bar", detail::fnv1a64("foo")) == detail::fnv1a64("foobar"));
  CHECK(detail::fnv1a64("traffic") == ref_fnv1a64("traffic"));
}

// ---- (2) golden values: any change to an algorithm, its draw order or its arithmetic fails ------

TEST_CASE("golden: seed 42 draws are bit-exact for every distribution") {
  SUBCASE("next_u64") {
    Rng rng(42);
    for (std::uint64_t e : {0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL,
                            0xecb8ad4703b360a1ULL}) {
      CHECK(rng.next_u64() == e);
    }
  }
  SUBCASE("uniform01 = (u64 >> 11) * 2^-53") {
    Rng rng(42);
    // 0x15780b2e0c2ec716 >> 11 = 0x2af01655c185d8, times 2^-53 = 0.083862971059882163
    for (std::uint64_t e : {0x3fb5780b2e0c2ec0ULL, 0x3fd84136619b444eULL, 0x3fe5c2ea66473c93ULL,
                            0x3fed9715a8e0766cULL}) {
      CHECK(bits(uniform01(rng)) == e);
    }
  }
  SUBCASE("uniform_real(-1, 3)") {
    Rng rng(42);
    for (std::uint64_t e : {0xbfe543fa68f9e8a0ULL, 0x3fe0826cc336889cULL, 0x3ffb85d4cc8e7926ULL,
                            0x40059715a8e0766cULL}) {
      CHECK(bits(uniform_real(rng, -1, 3)) == e);
    }
  }
  SUBCASE("uniform_int and uniform_uint") {
    Rng rng(42);
    for (std::int64_t e : {1, 3, 5, 6, 6, 5})
      CHECK(uniform_int(rng, 1, 6) == e);
    Rng rng2(42);
    for (std::int64_t e : {-832274057881LL, -242039498675LL, 360086822056LL, 849385890651LL}) {
      CHECK(uniform_int(rng2, -1'000'000'000'000LL, 1'000'000'000'000LL) == e);
    }
    Rng rng3(42);
    const std::uint64_t hi = (std::uint64_t{1} << 63) + (std::uint64_t{1} << 62);
    for (std::uint64_t e : {0x101a086289231550ULL, 0x48c3a324d1ccebdeULL, 0x82917e65ab6b7339ULL,
                            0xb18a81f542c68879ULL}) {
      CHECK(uniform_uint(rng3, 0, hi) == e);
    }
  }
  SUBCASE("bernoulli(0.3)") {
    Rng rng(42);
    // uniform01 draws 0.0839, 0.379, 0.680, 0.925, ...: only the first is below 0.3.
    for (bool e : {true, false, false, false, false, false})
      CHECK(bernoulli(rng, 0.3) == e);
  }
  SUBCASE("exponential(2)") {
    Rng rng(42);
    // -log1p(-0.083862971059882163) / 2 = 0.043794665291708786
    for (std::uint64_t e : {0x3fa66c411e559569ULL, 0x3fce7d36873b4ac6ULL, 0x3fe23badb3ab7799ULL,
                            0x3ff4b07fe7e3ae0eULL}) {
      CHECK(bits(exponential(rng, 2)) == e);
    }
  }
  SUBCASE("normal(10, 2)") {
    Rng rng(42);
    for (std::uint64_t e : {0x4021185a029e0991ULL, 0x4024e2f10fbc0952ULL, 0x4025db514bfac5b5ULL,
                            0x4029e7adf04f3f33ULL}) {
      CHECK(bits(normal(rng, 10, 2)) == e);
    }
  }
  SUBCASE("lognormal(0, 0.5)") {
    Rng rng(42);
    for (std::uint64_t e : {0x3fe6419ea7a99ab4ULL, 0x3ff1dffc77a5f5a7ULL, 0x3ff42e011f25abf3ULL,
                            0x4000bc6f15dcd5bdULL}) {
      CHECK(bits(lognormal(rng, 0, 0.5)) == e);
    }
  }
  SUBCASE("gamma(2.5, 2) and the shape < 1 boost gamma(0.5, 1)") {
    Rng rng(42);
    for (std::uint64_t e : {0x400438c773a77604ULL, 0x401eda13ca073005ULL, 0x4024969058700966ULL,
                            0x4005be234f1a9102ULL}) {
      CHECK(bits(gamma(rng, 2.5, 2)) == e);
    }
    Rng rng2(42);
    for (std::uint64_t e : {0x3f6950f19ee2919bULL, 0x3fd35e4c1252e925ULL, 0x3ff35e77b67d0560ULL,
                            0x3fa2423e9c64f0f4ULL}) {
      CHECK(bits(gamma(rng2, 0.5, 1)) == e);
    }
  }
  SUBCASE("erlang(3, 4)") {
    Rng rng(42);
    for (std::uint64_t e : {0x3fdb41bf675fa3a1ULL, 0x4001b7b7c388ef65ULL, 0x3ff266c3f6fd9d13ULL,
                            0x3fe2edbc1f2599d8ULL}) {
      CHECK(bits(erlang(rng, 3, 4)) == e);
    }
  }
  SUBCASE("empirical {(1,.1),(2,.5),(4,.9),(10,1)}") {
    Rng rng(42);
    const auto e = EmpiricalDistribution::from_cdf({{1, 0.1}, {2, 0.5}, {4, 0.9}, {10, 1}});
    REQUIRE(e.ok());
    // u = 0.0839 < 0.1 falls in the atom at 1; u = 0.379 interpolates 1 + (0.379-0.1)/0.4 * 1.
    for (std::uint64_t g : {0x3ff0000000000000ULL, 0x3ffb28c1fd010ab1ULL, 0x400733a4ffd90bb8ULL,
                            0x4015ed2272937829ULL}) {
      CHECK(bits(e->sample(rng)) == g);
    }
  }
  SUBCASE("Distribution::sample_duration of exponential(0.5) in microseconds") {
    Rng rng(42);
    const Distribution d = ExponentialDistribution{0.5};
    // -log1p(-0.083862971059882163) = 0.0875893..., / rate 0.5 = 0.1751786 s -> 175179 us
    for (std::int64_t e : {175179, 952785, 2279140, 5172363}) {
      CHECK(d.sample_duration(rng).count() == e);
    }
  }
}

// ---- (3) statistics ----------------------------------------------------------------------------

TEST_CASE("statistics: sample mean and variance within 5 standard errors of the analytic values") {
  const RandomStreams streams(20240601);
  SUBCASE("uniform01: mean 1/2, variance 1/12") {
    Rng rng = streams.stream("uniform01");
    check_moments(moments(kDraws, [&] { return uniform01(rng); }), 0.5, 1.0 / 12);
  }
  SUBCASE("uniform_real(-2, 5): mean 3/2, variance 7^2/12") {
    Rng rng = streams.stream("uniform_real");
    check_moments(moments(kDraws, [&] { return uniform_real(rng, -2, 5); }), 1.5, 49.0 / 12);
  }
  SUBCASE("uniform_int(1, 6): mean 7/2, variance (6^2 - 1)/12") {
    Rng rng = streams.stream("uniform_int");
    check_moments(moments(kDraws, [&] { return double(uniform_int(rng, 1, 6)); }), 3.5, 35.0 / 12);
  }
  SUBCASE("bernoulli(0.3): mean 0.3, variance 0.3 * 0.7") {
    Rng rng = streams.stream("bernoulli");
    check_moments(moments(kDraws, [&] { return bernoulli(rng, 0.3) ? 1.0 : 0.0; }), 0.3, 0.21);
  }
  SUBCASE("exponential(2.5): mean 1/2.5, variance 1/2.5^2") {
    Rng rng = streams.stream("exponential");
    check_moments(moments(kDraws, [&] { return exponential(rng, 2.5); }), 0.4, 0.16);
  }
  SUBCASE("normal(3, 2): mean 3, variance 4") {
    Rng rng = streams.stream("normal");
    check_moments(moments(kDraws, [&] { return normal(rng, 3, 2); }), 3, 4);
  }
  SUBCASE("lognormal from mean 0.2, cv 0.5: mean 0.2, variance (0.5 * 0.2)^2") {
    Rng rng = streams.stream("lognormal");
    const LognormalDistribution d = lognormal_from_mean_cv(0.2, 0.5);
    CHECK(d.mean() == doctest::Approx(0.2).epsilon(1e-12));
    check_moments(moments(kDraws, [&] { return d.sample(rng); }), 0.2, 0.01);
  }
  SUBCASE("gamma(2.5, 2): mean k theta = 5, variance k theta^2 = 10") {
    Rng rng = streams.stream("gamma");
    check_moments(moments(kDraws, [&] { return gamma(rng, 2.5, 2); }), 5, 10);
  }
  SUBCASE("gamma(0.4, 3) (the shape < 1 path): mean 1.2, variance 0.4 * 9 = 3.6") {
    Rng rng = streams.stream("gamma-small-shape");
    check_moments(moments(kDraws, [&] { return gamma(rng, 0.4, 3); }), 1.2, 3.6);
  }
  SUBCASE("erlang(3, 4): mean k/rate = 0.75, variance k/rate^2 = 3/16") {
    Rng rng = streams.stream("erlang");
    check_moments(moments(kDraws, [&] { return erlang(rng, 3, 4); }), 0.75, 3.0 / 16);
  }
  SUBCASE("empirical: atom plus uniform segments") {
    Rng rng = streams.stream("empirical");
    const auto e = EmpiricalDistribution::from_cdf({{1, 0.1}, {2, 0.5}, {4, 0.9}, {10, 1}});
    REQUIRE(e.ok());
    // E[X]   = 0.1*1 + 0.4*(1+2)/2 + 0.4*(2+4)/2 + 0.1*(4+10)/2 = 0.1 + 0.6 + 1.2 + 0.7 = 2.6
    // E[X^2] = 0.1*1 + 0.4*(1+2+4)/3 + 0.4*(4+8+16)/3 + 0.1*(16+40+100)/3
    //        = 0.1 + 0.9333.. + 3.7333.. + 5.2 = 9.9666..
    const double ex2 = 0.1 + 0.4 * 7 / 3 + 0.4 * 28 / 3 + 0.1 * 156 / 3;
    CHECK(e->mean() == doctest::Approx(2.6));
    check_moments(moments(kDraws, [&] { return e->sample(rng); }), 2.6, ex2 - 2.6 * 2.6);
  }
  SUBCASE("Distribution holds each kind and samples it") {
    Rng rng = streams.stream("distribution");
    const Distribution d = GammaDistribution{3, 0.5};
    CHECK(d.mean() == 1.5);
    check_moments(moments(kDraws, [&] { return d.sample(rng); }), 1.5, 0.75);
  }
}

TEST_CASE("statistics: uniform_uint is unbiased over [0, 2^63 + 2^62] (chi-square, top bits)") {
  // The range R = 2^63 + 2^62 + 1 is 3/4 of 2^64, the worst case for modulo reduction: x % R
  // would make [0, 2^62) twice as likely as the rest. Buckets are value >> 60: buckets 0..11 each
  // hold 2^60 values; bucket 12 holds only the maximum (probability 1/R, never seen).
  const std::uint64_t hi = (std::uint64_t{1} << 63) + (std::uint64_t{1} << 62);
  const double range = std::ldexp(1.0, 63) + std::ldexp(1.0, 62) + 1;
  Rng rng = RandomStreams(7).stream("uniform-uint-chi-square");
  Rng raw = RandomStreams(7).stream("uniform-uint-chi-square");  // for the modulo control
  std::vector<double> ours(12, 0);
  std::vector<double> modulo(12, 0);
  int top_bucket = 0;
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t v = uniform_uint(rng, 0, hi);
    REQUIRE(v <= hi);
    if ((v >> 60) == 12)
      ++top_bucket;
    else
      ours[v >> 60] += 1;
    modulo[(raw.next_u64() % (hi + 1)) >> 60] += 1;
  }
  const std::vector<double> expected(12, kDraws * std::ldexp(1.0, 60) / range);
  const double critical = chi_square_critical(11, kZ1e6);  // about 49.9
  INFO("chi-square " << chi_square(ours, expected) << ", critical " << critical);
  CHECK(top_bucket == 0);
  CHECK(chi_square(ours, expected) < critical);
  // The test has power: the biased method fails it by orders of magnitude.
  CHECK(chi_square(modulo, expected) > 100 * critical);
}

TEST_CASE("statistics: uniform_int is unbiased on a die and covers full and single-value ranges") {
  Rng rng = RandomStreams(11).stream("die");
  std::vector<double> counts(6, 0);
  for (int i = 0; i < kDraws; ++i) {
    const std::int64_t v = uniform_int(rng, 1, 6);
    REQUIRE((v >= 1 && v <= 6));
    counts[static_cast<std::size_t>(v - 1)] += 1;
  }
  CHECK(chi_square(counts, std::vector<double>(6, kDraws / 6.0)) < chi_square_critical(5, kZ1e6));

  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  bool saw_negative = false;
  bool saw_positive = false;
  for (int i = 0; i < 64; ++i) {
    const std::int64_t v = uniform_int(rng, kMin, kMax);
    saw_negative |= v < 0;
    saw_positive |= v > 0;
  }
  CHECK(saw_negative);
  CHECK(saw_positive);
  CHECK(uniform_int(rng, -5, -5) == -5);
  CHECK(uniform_uint(rng, 9, 9) == 9);
}

TEST_CASE("statistics: exponential passes Kolmogorov-Smirnov against 1 - exp(-rate x)") {
  const double rate = 3;
  auto cdf = [rate](double x) { return -std::expm1(-rate * x); };
  Rng rng = RandomStreams(13).stream("ks-exponential");
  std::vector<double> xs(kDraws);
  for (double& x : xs)
    x = exponential(rng, rate);
  const double critical = kKsCritical001 / std::sqrt(double(kDraws));
  CHECK(ks_statistic(xs, cdf) < critical);
  // The test has power: a rate 2% off is rejected (max CDF gap about 0.02/e = 0.0074 vs 0.0044).
  Rng rng2 = RandomStreams(13).stream("ks-exponential-wrong");
  for (double& x : xs)
    x = exponential(rng2, rate * 1.02);
  CHECK(ks_statistic(xs, cdf) > critical);
}

TEST_CASE("statistics: empirical passes Kolmogorov-Smirnov against its piecewise-linear CDF") {
  const auto e = EmpiricalDistribution::from_cdf({{0, 0}, {1, 0.25}, {3, 0.75}, {4, 1}});
  REQUIRE(e.ok());
  auto cdf = [](double x) {
    if (x <= 1) return 0.25 * x;
    if (x <= 3) return 0.25 + 0.25 * (x - 1);
    return 0.75 + 0.25 * (x - 3);
  };
  Rng rng = RandomStreams(17).stream("ks-empirical");
  std::vector<double> xs(kDraws);
  for (double& x : xs)
    x = e->sample(rng);
  CHECK(ks_statistic(xs, cdf) < kKsCritical001 / std::sqrt(double(kDraws)));
}

// ---- (4) streams -------------------------------------------------------------------------------

TEST_CASE(
    "streams: the derivation rule is seed = mix(mix(root) ^ FNV-1a(name [, 0xFF, le64(i)]))") {
  auto mix = [](std::uint64_t z) {
    RefSplitMix64 sm{z - 0x9e3779b97f4a7c15};  // next() adds the gamma back, then mixes
    return sm.next();
  };
  const RandomStreams streams(42);
  CHECK(streams.stream_seed("arrivals") == mix(mix(42) ^ ref_fnv1a64("arrivals")));
  const std::string indexed =
      std::string("traffic") + '\xff' + std::string("\x03\0\0\0\0\0\0\0", 8);
  CHECK(streams.stream_seed("traffic", 3) == mix(mix(42) ^ ref_fnv1a64(indexed)));
  // Golden: changing the rule changes every simulation result.
  CHECK(streams.stream_seed("arrivals") == 0xe2cc9363e89d017dULL);
  CHECK(streams.stream_seed("traffic", 3) == 0x9d1adcf79c7cd918ULL);
  CHECK(streams.stream("arrivals").next_u64() == 0x13590d92a1e0bb57ULL);
  CHECK(streams.stream("traffic", 3).next_u64() == 0xdb31c21e25bf9386ULL);
  CHECK(streams.stream("arrivals") == Rng(streams.stream_seed("arrivals")));
}

TEST_CASE("streams: the same (seed, name) gives the same sequence (common random numbers)") {
  // Two scenario variants built separately with the same root seed.
  const RandomStreams variant_a(99);
  const RandomStreams variant_b(99);
  Rng x = variant_a.stream("service-time");
  Rng y = variant_b.stream("service-time");
  for (int i = 0; i < 1000; ++i)
    REQUIRE(x.next_u64() == y.next_u64());
  Rng xi = variant_a.stream("traffic", 3);
  Rng yi = variant_b.stream("traffic", 3);
  for (int i = 0; i < 1000; ++i)
    REQUIRE(xi.next_u64() == yi.next_u64());
}

TEST_CASE("streams: stream(a) is unchanged by drawing from stream(b) or adding new names") {
  std::vector<std::uint64_t> alone;
  {
    const RandomStreams streams(5);
    Rng a = streams.stream("a");
    for (int i = 0; i < 100; ++i)
      alone.push_back(a.next_u64());
  }
  const RandomStreams streams(5);
  Rng b = streams.stream("b");
  for (int i = 0; i < 10'000; ++i)
    b.next_u64();
  std::vector<Rng> newcomers;
  newcomers.reserve(100);
  for (int i = 0; i < 50; ++i)
    newcomers.push_back(streams.stream("new-" + std::to_string(i)));
  for (int i = 0; i < 50; ++i)
    newcomers.push_back(streams.stream("a", std::uint64_t(i)));
  for (Rng& n : newcomers)
    n.next_u64();
  Rng a = streams.stream("a");
  for (int i = 0; i < 100; ++i)
    CHECK(a.next_u64() == alone[static_cast<std::size_t>(i)]);
}

TEST_CASE("streams: different names, indices and root seeds give different sequences") {
  const RandomStreams streams(1);
  std::vector<Rng> all;
  for (const char* name : {"a", "b", "ab", "ba", "traffic", "placement", "health-checks", ""}) {
    all.push_back(streams.stream(name));
  }
  for (std::uint64_t i = 0; i < 100; ++i)
    all.push_back(streams.stream("traffic", i));
  all.push_back(streams.stream("traffic", ~std::uint64_t{0}));
  all.push_back(RandomStreams(2).stream("traffic"));
  all.push_back(RandomStreams(2).stream("traffic", 0));
  std::set<std::uint64_t> first_draws;
  for (Rng& r : all)
    first_draws.insert(r.next_u64());
  CHECK(first_draws.size() == all.size());
}

TEST_CASE("streams: two named streams are uncorrelated (Pearson r within 5/sqrt(n))") {
  const RandomStreams streams(3);
  Rng a = streams.stream("a");
  Rng b = streams.stream("b");
  double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = uniform01(a);
    const double y = uniform01(b);
    sa += x;
    sb += y;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  const double n = kDraws;
  const double r = (sab - sa * sb / n) / std::sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
  CHECK(std::abs(r) < 5 / std::sqrt(n));
}

// ---- distributions as values -------------------------------------------------------------------

TEST_CASE("Distribution: analytic means and kinds of every alternative") {
  CHECK(Distribution().kind() == "constant");
  CHECK(Distribution().mean() == 0);
  CHECK(Distribution(ConstantDistribution{2.5}).mean() == 2.5);
  CHECK(Distribution(UniformDistribution{1, 4}).mean() == 2.5);
  CHECK(Distribution(ExponentialDistribution{4}).mean() == 0.25);
  CHECK(Distribution(NormalDistribution{7, 1}).mean() == 7);
  // exp(mu + sigma^2 / 2) = exp(0 + 0.5) for mu 0, sigma 1
  CHECK(Distribution(LognormalDistribution{0, 1}).mean() == doctest::Approx(std::exp(0.5)));
  CHECK(Distribution(GammaDistribution{2, 3}).mean() == 6);
  CHECK(Distribution(ErlangDistribution{4, 2}).mean() == 2);
  const Distribution lognormal = lognormal_from_mean_cv(0.3, 2);
  CHECK(lognormal.mean() == doctest::Approx(0.3).epsilon(1e-12));
  CHECK(lognormal.kind() == "lognormal");
  CHECK(Distribution(EmpiricalDistribution::from_cdf({{5, 1}}).value()).kind() == "empirical");
  CHECK(Distribution(ErlangDistribution{4, 2}) == Distribution(ErlangDistribution{4, 2}));
  CHECK(Distribution(ErlangDistribution{4, 2}) != Distribution(GammaDistribution{4, 0.5}));
}

TEST_CASE("Distribution::sample_duration rounds to microseconds, clamps at 0 and the maximum") {
  Rng rng(1);
  CHECK(Distribution(ConstantDistribution{1.5}).sample_duration(rng) == millis(1500));
  CHECK(Distribution(ConstantDistribution{0.0000014}).sample_duration(rng) == kMicrosecond);
  CHECK(Distribution(ConstantDistribution{250}).sample_duration(rng, kMillisecond) == millis(250));
  CHECK(Distribution(ConstantDistribution{-3}).sample_duration(rng) == Duration::zero());
  CHECK(Distribution(ConstantDistribution{1e300}).sample_duration(rng) == kMaxScenarioDuration);
  const Distribution normal = NormalDistribution{0, 1};
  for (int i = 0; i < 1000; ++i)
    REQUIRE(normal.sample_duration(rng) >= Duration::zero());
}

TEST_CASE("Distribution::checked rejects invalid parameters and names them") {
  CHECK(Distribution::checked(ExponentialDistribution{2}).ok());
  CHECK(Distribution::checked(UniformDistribution{3, 3}).ok());
  CHECK(Distribution::checked(NormalDistribution{0, 0}).ok());
  const auto rate = Distribution::checked(ExponentialDistribution{0});
  REQUIRE_FALSE(rate.ok());
  CHECK(rate.error().find("exponential rate") != std::string::npos);
  CHECK_FALSE(Distribution::checked(UniformDistribution{4, 3}).ok());
  CHECK_FALSE(Distribution::checked(NormalDistribution{0, -1}).ok());
  CHECK_FALSE(Distribution::checked(LognormalDistribution{std::nan(""), 1}).ok());
  CHECK_FALSE(Distribution::checked(GammaDistribution{0, 1}).ok());
  CHECK_FALSE(Distribution::checked(GammaDistribution{1, -2}).ok());
  const auto k = Distribution::checked(ErlangDistribution{0, 1});
  REQUIRE_FALSE(k.ok());
  CHECK(k.error().find("erlang k") != std::string::npos);
  CHECK_FALSE(Distribution::checked(ConstantDistribution{INFINITY}).ok());
}

TEST_CASE(
    "EmpiricalDistribution: inverse CDF with an atom at the first point, then interpolation") {
  const auto e = EmpiricalDistribution::from_cdf({{10, 0.2}, {20, 0.6}, {20, 0.7}, {30, 1}});
  REQUIRE(e.ok());
  CHECK(e->quantile(0) == 10);
  CHECK(e->quantile(0.19) == 10);  // inside the atom P(X = 10) = 0.2
  CHECK(e->quantile(0.2) == 10);   // start of the segment [10, 20]
  CHECK(e->quantile(0.4) == doctest::Approx(15));
  CHECK(e->quantile(0.65) == 20);  // the vertical step from 0.6 to 0.7 is an atom at 20
  CHECK(e->quantile(0.85) == doctest::Approx(25));
  CHECK(e->quantile(0.999999) <= 30);

  const auto w = EmpiricalDistribution::from_weights({{0, 0}, {1, 1}, {3, 2}, {4, 1}});
  REQUIRE(w.ok());
  // cumulative: 0, 1/4, 3/4, 1
  CHECK(w->points()[1].cumulative_probability == 0.25);
  CHECK(w->points()[2].cumulative_probability == 0.75);
  CHECK(w->points().back().cumulative_probability == 1);
  CHECK(w->quantile(0.5) == doctest::Approx(2));

  // A last probability typed with rounding is accepted and snapped to exactly 1.
  const auto rounded = EmpiricalDistribution::from_cdf({{1, 1.0 / 3}, {2, 0.1 + 0.2 + 0.7}});
  REQUIRE(rounded.ok());
  CHECK(rounded->points().back().cumulative_probability == 1);
}

TEST_CASE("EmpiricalDistribution: invalid tables fail with a message naming the point") {
  auto error = [](const Result<EmpiricalDistribution>& r) {
    REQUIRE_FALSE(r.ok());
    return r.error();
  };
  using P = EmpiricalDistribution::Point;
  using W = EmpiricalDistribution::WeightedValue;
  CHECK(error(EmpiricalDistribution::from_cdf({})).find("no points") != std::string::npos);
  CHECK(error(EmpiricalDistribution::from_cdf({P{1, 0.5}, P{0, 1}})).find("point 1: value") !=
        std::string::npos);
  CHECK(error(EmpiricalDistribution::from_cdf({P{1, 0.5}, P{2, 0.4}, P{3, 1}}))
            .find("point 1: cumulative probability 0.4") != std::string::npos);
  CHECK(error(EmpiricalDistribution::from_cdf({P{1, -0.1}, P{2, 1}})).find("outside [0, 1]") !=
        std::string::npos);
  CHECK(error(EmpiricalDistribution::from_cdf({P{1, 0.5}, P{2, 1.5}})).find("outside [0, 1]") !=
        std::string::npos);
  CHECK(error(EmpiricalDistribution::from_cdf({P{1, 0.5}, P{2, 0.9}})).find("must be 1") !=
        std::string::npos);
  CHECK(error(EmpiricalDistribution::from_cdf({P{NAN, 1}})).find("finite") != std::string::npos);
  CHECK(error(EmpiricalDistribution::from_weights({})).find("no points") != std::string::npos);
  CHECK(error(EmpiricalDistribution::from_weights({W{1, 1}, W{2, -1}})).find("point 1: weight") !=
        std::string::npos);
  CHECK(error(EmpiricalDistribution::from_weights({W{1, 0}, W{2, 0}})).find("sum to 0") !=
        std::string::npos);
  CHECK(error(EmpiricalDistribution::from_weights({W{2, 1}, W{1, 1}})).find("non-decreasing") !=
        std::string::npos);
}
