#include "results/ratios.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "results/csv.h"
#include "results/statistics.h"
#include "results/table.h"

namespace refbench::results {
namespace {

void add_once(std::vector<RatioPair>& pairs, const RatioPair& p,
              const std::vector<std::string>& strategies) {
  const auto has = [&](const std::string& s) {
    return std::find(strategies.begin(), strategies.end(), s) != strategies.end();
  };
  if (p.numerator == p.denominator || !has(p.numerator) || !has(p.denominator)) return;
  if (std::find(pairs.begin(), pairs.end(), p) == pairs.end()) pairs.push_back(p);
}

// The group an observation belongs to, as a key that keeps first-seen order apart: without
// its isolation (the groups compared across isolations), and with it.
std::string group_key(const Observation& o) {
  return o.workload + "\n" + o.pus + "\n" + std::to_string(o.payload_bytes);
}
std::string isolation_key(const Observation& o) { return group_key(o) + "\n" + o.isolation; }

std::string pus_text(std::string pus) {
  std::replace(pus.begin(), pus.end(), ';', ',');
  return pus;
}

// Per block: each strategy's figure, and the block's probe (the median of its rows').
struct Blocks {
  std::map<unsigned, std::map<std::string, double>> ns;
  std::map<unsigned, std::vector<double>> probes;
};

std::optional<double> probe_of(const Blocks& blocks, unsigned block) {
  const auto it = blocks.probes.find(block);
  if (it == blocks.probes.end() || it->second.empty()) return std::nullopt;
  return median(it->second);
}

// The ratio of `pair` over `only` blocks (all if empty), with the median probe they saw.
std::optional<PairedRatio> ratio_over(const Blocks& blocks, const RatioPair& pair, unsigned cluster,
                                      const std::vector<unsigned>& only) {
  std::vector<double> ratios;
  std::vector<double> probes;
  for (const auto& [block, figures] : blocks.ns) {
    if (!only.empty() && std::find(only.begin(), only.end(), block) == only.end()) continue;
    const auto a = figures.find(pair.numerator);
    const auto b = figures.find(pair.denominator);
    if (a == figures.end() || b == figures.end() || a->second <= 0 || b->second <= 0) continue;
    ratios.push_back(a->second / b->second);
    if (const auto probe = probe_of(blocks, block)) probes.push_back(*probe);
  }
  if (ratios.empty()) return std::nullopt;
  PairedRatio r{pair, cluster, median_with_interval(ratios), std::nullopt};
  if (!probes.empty()) r.probe_rtt_ns = median(probes);
  return r;
}

// The ratios of `pairs` over `blocks`: pooled, then per probe cluster where they drifted.
void add_ratios(GroupRatios& group, const Blocks& blocks, const std::vector<RatioPair>& pairs) {
  std::vector<std::pair<unsigned, double>> probes;
  for (const auto& [block, figures] : blocks.ns) {
    if (const auto probe = probe_of(blocks, block)) probes.emplace_back(block, *probe);
  }
  group.clusters = probe_clusters(probes);
  group.drift = group.clusters.size() > 1;
  for (const RatioPair& pair : pairs) {
    if (auto r = ratio_over(blocks, pair, 0, {})) group.ratios.push_back(*r);
  }
  if (!group.drift) return;
  for (std::size_t c = 0; c < group.clusters.size(); ++c) {
    for (const RatioPair& pair : pairs) {
      if (auto r = ratio_over(blocks, pair, static_cast<unsigned>(c + 1), group.clusters[c].blocks))
        group.ratios.push_back(*r);
    }
  }
}

GroupRatios group_of(const Observation& first, std::string isolation) {
  return {first.workload, first.pus, first.payload_bytes, {}, false, {}, std::move(isolation)};
}

void add_strategy(std::vector<std::string>& strategies, const std::string& s) {
  if (std::find(strategies.begin(), strategies.end(), s) == strategies.end())
    strategies.push_back(s);
}

GroupRatios ratios_of_group(const std::vector<const Observation*>& seen,
                            const std::vector<RatioPair>& asked) {
  GroupRatios group = group_of(*seen.front(), seen.front()->isolation);
  Blocks blocks;
  std::vector<std::string> strategies;
  for (const Observation* o : seen) {
    blocks.ns[o->block][o->strategy] = o->ns_per_msg;
    if (o->probe_rtt_ns) blocks.probes[o->block].push_back(*o->probe_rtt_ns);
    add_strategy(strategies, o->strategy);
  }
  add_ratios(group, blocks, headline_pairs(strategies, asked));
  return group;
}

// Each strategy as processes over itself as threads, block by block: in a block, the two
// ran back to back (plan.cc), so they saw the same machine. The blocks' figures are keyed
// "strategy\nisolation" for ratio_over; the pairs are renamed to the strategy after.
GroupRatios ratios_across_isolations(const std::vector<const Observation*>& seen) {
  GroupRatios group = group_of(*seen.front(), kAcrossIsolations);
  Blocks blocks;
  std::vector<std::string> strategies;
  for (const Observation* o : seen) {
    blocks.ns[o->block][o->strategy + "\n" + o->isolation] = o->ns_per_msg;
    if (o->probe_rtt_ns) blocks.probes[o->block].push_back(*o->probe_rtt_ns);
    add_strategy(strategies, o->strategy);
  }
  std::vector<RatioPair> pairs;
  for (const std::string& s : strategies) pairs.push_back({s + "\nprocess", s + "\nthread"});
  add_ratios(group, blocks, pairs);
  for (PairedRatio& r : group.ratios) {
    const std::string strategy = r.pair.numerator.substr(0, r.pair.numerator.find('\n'));
    r.pair = {strategy, strategy};
  }
  return group;
}

}  // namespace

std::vector<RatioPair> headline_pairs(const std::vector<std::string>& strategies,
                                      const std::vector<RatioPair>& asked) {
  std::vector<RatioPair> pairs;
  for (const std::string& s : strategies) add_once(pairs, {s, "immortal"}, strategies);
  for (const RatioPair& p : {RatioPair{"civ", "atomic"}, RatioPair{"biased", "atomic"},
                             RatioPair{"civ-deferred", "civ"}}) {
    add_once(pairs, p, strategies);
  }
  for (const RatioPair& p : asked) add_once(pairs, p, strategies);
  return pairs;
}

std::vector<Observation> observations(const std::vector<ResultRow>& rows) {
  std::vector<Observation> seen;
  for (const ResultRow& r : rows) {
    if (!r.error.empty() || r.messages == 0) continue;
    seen.push_back({r.workload, r.pus, r.payload_bytes, r.strategy, r.repetition, r.ns_per_msg(),
                    r.probe_rtt_ns, r.isolation()});
  }
  return seen;
}

std::vector<ProbeCluster> probe_clusters(const std::vector<std::pair<unsigned, double>>& probes) {
  std::vector<std::pair<double, unsigned>> sorted;
  for (const auto& [block, probe] : probes) sorted.emplace_back(probe, block);
  std::sort(sorted.begin(), sorted.end());
  std::vector<ProbeCluster> clusters;
  std::vector<double> values;
  const auto close_cluster = [&] {
    if (values.empty()) return;
    std::sort(clusters.back().blocks.begin(), clusters.back().blocks.end());
    clusters.back().probe_rtt_ns = median(values);
    values.clear();
  };
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i == 0 || sorted[i].first > kDriftFactor * sorted[i - 1].first) {
      close_cluster();
      clusters.emplace_back();
    }
    clusters.back().blocks.push_back(sorted[i].second);
    values.push_back(sorted[i].first);
  }
  close_cluster();
  return clusters;
}

MedianWithInterval median_with_interval(const std::vector<double>& samples) {
  MedianWithInterval m;
  m.samples = samples.size();
  if (samples.empty()) return m;
  m.median = median(samples);
  if (const auto ci = median_confidence_interval(samples, 0.95)) {
    m.low = ci->low;
    m.high = ci->high;
    m.coverage = ci->coverage;
    return m;
  }
  m.low = minimum(samples);
  m.high = maximum(samples);
  // [min, max] misses the median only if every sample falls on one side of it.
  m.coverage = samples.size() < 2 ? 0 : 1 - std::ldexp(1.0, 1 - static_cast<int>(samples.size()));
  return m;
}

std::vector<GroupRatios> paired_ratios(const std::vector<Observation>& seen,
                                       const std::vector<RatioPair>& asked) {
  // Groups in first-seen order; within each, its isolations in first-seen order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> isolations_of;
  std::map<std::string, std::vector<const Observation*>> groups;
  std::map<std::string, std::vector<const Observation*>> by_isolation;
  for (const Observation& o : seen) {
    auto& list = groups[group_key(o)];
    if (list.empty()) order.push_back(group_key(o));
    list.push_back(&o);
    auto& same = by_isolation[isolation_key(o)];
    if (same.empty()) isolations_of[group_key(o)].push_back(isolation_key(o));
    same.push_back(&o);
  }
  std::vector<GroupRatios> out;
  for (const std::string& key : order) {
    for (const std::string& isolation : isolations_of[key]) {
      out.push_back(ratios_of_group(by_isolation[isolation], asked));
    }
    if (isolations_of[key].size() > 1) out.push_back(ratios_across_isolations(groups[key]));
  }
  return out;
}

std::string drift_line(const GroupRatios& group) {
  if (!group.drift) return "";
  std::string line = "PUs " + pus_text(group.pus) + " moved during the run: probe ";
  for (std::size_t c = 0; c < group.clusters.size(); ++c) {
    const ProbeCluster& cluster = group.clusters[c];
    line += (c == 0 ? "" : ", ") + fixed(cluster.probe_rtt_ns, 0) + " ns in " +
            std::to_string(cluster.blocks.size()) +
            (cluster.blocks.size() == 1 ? " block" : " blocks");
  }
  return line;
}

double relative_half_width(const MedianWithInterval& m) {
  if (m.median <= 0) return INFINITY;
  return std::max(m.median - m.low, m.high - m.median) / m.median;
}

bool precise_enough(const GroupRatios& group, double fraction) {
  return std::all_of(group.ratios.begin(), group.ratios.end(), [&](const PairedRatio& r) {
    return r.cluster != 0 || (r.ratio.coverage >= 0.95 && relative_half_width(r.ratio) <= fraction);
  });
}

std::optional<HarnessRoundTrip> harness_round_trip(const std::vector<ResultRow>& rows) {
  std::vector<double> harness, probe, factor;
  for (const ResultRow& r : rows) {
    if (r.strategy != "immortal" || !r.error.empty() || !r.rtt_p50_ns || !r.probe_rtt_ns ||
        *r.probe_rtt_ns <= 0)
      continue;
    harness.push_back(static_cast<double>(*r.rtt_p50_ns));
    probe.push_back(*r.probe_rtt_ns);
    factor.push_back(harness.back() / probe.back());
  }
  if (factor.empty()) return std::nullopt;
  HarnessRoundTrip check{median(harness), median(probe), median(factor), true};
  check.within_bound = check.factor >= kLeastHarnessFactor && check.factor <= kMostHarnessFactor;
  return check;
}

std::vector<std::string> ratios_csv_header() {
  return {"workload", "pus",          "payload_bytes", "numerator", "denominator",
          "cluster",  "ratio",        "ci_low",        "ci_high",   "ci_coverage",
          "blocks",   "probe_rtt_ns", "drift",         "isolation"};
}

std::string ratios_csv(const std::vector<GroupRatios>& groups) {
  std::string out = csv_record(ratios_csv_header());
  for (const GroupRatios& g : groups) {
    for (const PairedRatio& r : g.ratios) {
      out += csv_record({g.workload, g.pus, std::to_string(g.payload_bytes), r.pair.numerator,
                         r.pair.denominator, r.cluster == 0 ? "all" : std::to_string(r.cluster),
                         fixed(r.ratio.median, 4), fixed(r.ratio.low, 4), fixed(r.ratio.high, 4),
                         fixed(r.ratio.coverage, 4), std::to_string(r.ratio.samples),
                         r.probe_rtt_ns ? fixed(*r.probe_rtt_ns, 1) : "", g.drift ? "1" : "0",
                         g.isolation});
    }
  }
  return out;
}

}  // namespace refbench::results
