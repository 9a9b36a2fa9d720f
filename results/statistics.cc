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
