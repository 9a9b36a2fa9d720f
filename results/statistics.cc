#include "results/statistics.h"

#include <algorithm>
#include <cmath>

namespace refbench::results {

double median(std::span<const double> samples) {
  if (samples.empty()) return 0;
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t mid = sorted.size() / 2;
  return sorted.size() % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

double minimum(std::span<const double> samples) {
  return samples.empty() ? 0 : *std::min_element(samples.begin(), samples.end());
}

double maximum(std::span<const double> samples) {
  return samples.empty() ? 0 : *std::max_element(samples.begin(), samples.end());
}

double relative_range(std::span<const double> samples) {
  const double mid = median(samples);
  if (samples.size() < 2 || mid == 0) return 0;
  return (maximum(samples) - minimum(samples)) / mid;
}

double mean(std::span<const double> samples) {
  if (samples.empty()) return 0;
  double sum = 0;
  for (double x : samples) sum += x;
  return sum / static_cast<double>(samples.size());
}

double stddev(std::span<const double> samples) {
  if (samples.size() < 2) return 0;
  const double m = mean(samples);
  double squares = 0;
  for (double x : samples) squares += (x - m) * (x - m);
  return std::sqrt(squares / static_cast<double>(samples.size() - 1));
}

double coefficient_of_variation(std::span<const double> samples) {
  const double m = mean(samples);
  return samples.size() < 2 || m == 0 ? 0 : stddev(samples) / m;
}

namespace {

// P(B <= k) for B ~ binomial(n, 1/2), summed in logs to stay exact enough for large n.
double binomial_half_cdf(std::size_t n, std::size_t k) {
  double total = 0;
  for (std::size_t i = 0; i <= k; ++i) {
    const double log_choose = std::lgamma(static_cast<double>(n) + 1) -
                              std::lgamma(static_cast<double>(i) + 1) -
                              std::lgamma(static_cast<double>(n - i) + 1);
    total += std::exp(log_choose - static_cast<double>(n) * std::log(2.0));
  }
  return total;
}

}  // namespace

std::optional<Interval> median_confidence_interval(std::span<const double> samples,
                                                   double confidence) {
  const std::size_t n = samples.size();
  const double tail = (1 - confidence) / 2;
  // The largest l (1-based) whose tail P(B <= l - 1) stays within the allowed tail.
  std::size_t l = 0;
  while (l + 1 <= n / 2 && binomial_half_cdf(n, l) <= tail) ++l;
  if (l == 0) return std::nullopt;
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  return Interval{sorted[l - 1], sorted[n - l], 1 - 2 * binomial_half_cdf(n, l - 1)};
}

Summary summarize(std::span<const double> samples) {
  Summary s;
  s.count = samples.size();
  s.median = median(samples);
  s.mean = mean(samples);
  s.min = minimum(samples);
  s.max = maximum(samples);
  s.stddev = stddev(samples);
  s.cv = coefficient_of_variation(samples);
  s.ci95 = median_confidence_interval(samples, 0.95);
  return s;
}

namespace {

// Ranks 1..n+m of the pooled samples, ties sharing their mean rank; and whether any tie.
std::vector<double> pooled_ranks(std::span<const double> a, std::span<const double> b, bool& ties) {
  std::vector<std::pair<double, std::size_t>> pooled;
  for (std::size_t i = 0; i < a.size(); ++i) pooled.emplace_back(a[i], i);
  for (std::size_t i = 0; i < b.size(); ++i) pooled.emplace_back(b[i], a.size() + i);
  std::sort(pooled.begin(), pooled.end());
  std::vector<double> ranks(pooled.size());
  ties = false;
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    while (j + 1 < pooled.size() && pooled[j + 1].first == pooled[i].first) ++j;
    ties = ties || j > i;
    const double mid_rank = (static_cast<double>(i + j) + 2) / 2;
    for (std::size_t k = i; k <= j; ++k) ranks[pooled[k].second] = mid_rank;
    i = j + 1;
  }
  return ranks;
}

// counts[u] = the number of arrangements of n a-values among n+m ranks whose U is u,
// by the recurrence f(n, m, u) = f(n-1, m, u-m) + f(n, m-1, u).
std::vector<double> exact_u_counts(std::size_t n, std::size_t m) {
  std::vector<std::vector<std::vector<double>>> f(n + 1, std::vector<std::vector<double>>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) {
    for (std::size_t j = 0; j <= m; ++j) {
      f[i][j].assign(i * j + 1, 0);
      if (i == 0 || j == 0) {
        f[i][j][0] = 1;
        continue;
      }
      for (std::size_t u = 0; u <= i * j; ++u) {
        if (u >= j) f[i][j][u] += f[i - 1][j][u - j];
        if (u <= (i) * (j - 1)) f[i][j][u] += f[i][j - 1][u];
      }
    }
  }
  return f[n][m];
}

double normal_two_sided(double z) { return std::erfc(std::abs(z) / std::sqrt(2.0)); }

}  // namespace

UTest mann_whitney_u(std::span<const double> a, std::span<const double> b) {
  const std::size_t n = a.size(), m = b.size();
  if (n == 0 || m == 0) return {};
  bool ties = false;
  const std::vector<double> ranks = pooled_ranks(a, b, ties);
  double rank_sum = 0;
  for (std::size_t i = 0; i < n; ++i) rank_sum += ranks[i];
  const double u = rank_sum - static_cast<double>(n * (n + 1)) / 2;
  const double nm = static_cast<double>(n * m);
  if (!ties && n <= 50 && m <= 50) {
    const std::vector<double> counts = exact_u_counts(n, m);
    double total = 0, at_most = 0, at_least = 0;
    for (std::size_t k = 0; k < counts.size(); ++k) {
      total += counts[k];
      if (static_cast<double>(k) <= u) at_most += counts[k];
      if (static_cast<double>(k) >= u) at_least += counts[k];
    }
    return {u, std::min(1.0, 2 * std::min(at_most, at_least) / total), true};
  }
  // Normal approximation, the variance reduced for ties, half a unit of continuity.
  std::vector<double> sorted(ranks);
  std::sort(sorted.begin(), sorted.end());
  double tie_term = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[i]) ++j;
    const double t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }
  const double total = static_cast<double>(n + m);
  const double variance = nm / 12 * ((total + 1) - tie_term / (total * (total - 1)));
  if (variance <= 0) return {u, 1, false};
  const double distance = std::max(0.0, std::abs(u - nm / 2) - 0.5);
  return {u, std::min(1.0, normal_two_sided(distance / std::sqrt(variance))), false};
}

double smallest_p_value(std::size_t n, std::size_t m) {
  if (n == 0 || m == 0) return 1;
  // C(n+m, n) through logs: exact enough, and no overflow.
  const double log_choose = std::lgamma(static_cast<double>(n + m) + 1) -
                            std::lgamma(static_cast<double>(n) + 1) -
                            std::lgamma(static_cast<double>(m) + 1);
  return std::min(1.0, 2 * std::exp(-log_choose));
}

std::uint64_t percentile_sorted(std::span<const std::uint64_t> sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const auto index = static_cast<std::size_t>(std::max(rank, 1.0)) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

LatencySummary summarize_latency(std::vector<std::uint64_t> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  return {percentile_sorted(samples, 50), percentile_sorted(samples, 99), samples.back()};
}

}  // namespace refbench::results
